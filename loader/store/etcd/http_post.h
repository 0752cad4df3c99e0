#pragma once
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xpeer::etcd {

// HTTP/1.1 POST, plain TCP, one connection a request: what etcd's JSON gateway needs and no more.
// Not cpp-httplib: Debian builds it as a shared C++ library, and the CLI links its C++ runtime
// statically (CMakeLists.txt), which one process must not mix with a shared one; not libcurl:
// its shared libraries would cost every command their loading, etcd or not.

// The connection failed, timed out or broke, or the answer was not HTTP.
class HttpError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// No connection was made: the request was never sent, so trying another server is safe.
class HttpConnectError : public HttpError {
public:
    using HttpError::HttpError;
};

struct HttpResponse {
    int status = 0;
    std::string body;
};

// The whole answer; timeout bounds each step (connect, send, each read).
HttpResponse http_post(const std::string& host, int port, const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout);

// An answer that streams (etcd's watch): its status, then its body given to on_data as it comes
// (chunked encoding removed), until on_data returns false, the server ends it, or a read finds
// `idle` of silence and keep_going() says no. Returns the status; throws HttpError if it broke.
int http_post_stream(const std::string& host, int port, const std::string& path, const std::string& body,
                     std::chrono::milliseconds connect_timeout, std::chrono::milliseconds idle,
                     const std::function<bool(std::string_view)>& on_data, const std::function<bool()>& keep_going);

}  // namespace xpeer::etcd
