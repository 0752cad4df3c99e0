#include "store/etcd/http_post.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace xpeer::etcd {
namespace {

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

std::string where(const std::string& host, int port) { return host + ":" + std::to_string(port); }

// Waits until fd is ready for `events`; false on a timeout.
bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) throw HttpError(std::string("poll: ") + std::strerror(errno));
    }
}

std::unique_ptr<Socket> connect_to(const std::string& host, int port, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
        throw HttpConnectError("cannot resolve " + host + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
    std::string failure = "no address";
    for (auto* a = found; a; a = a->ai_next) {
        auto s = std::make_unique<Socket>(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
        if (s->fd() < 0) {
            failure = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        if (::connect(s->fd(), a->ai_addr, a->ai_addrlen) == 0) return s;
        if (errno != EINPROGRESS) {
            failure = std::strerror(errno);
            continue;
        }
        if (!wait_for(s->fd(), POLLOUT, timeout)) {
            failure = "connection timed out";
            continue;
        }
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(s->fd(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) return s;
        failure = std::strerror(err);
    }
    throw HttpConnectError("connect " + where(host, port) + ": " + failure);
}

void send_all(int fd, const std::string& data, std::chrono::milliseconds timeout) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) throw HttpError(std::string("send: ") + std::strerror(errno));
        if (!wait_for(fd, POLLOUT, timeout)) throw HttpError("send: timed out");
    }
}

// Reads what has come, waiting up to `timeout`: its size, 0 at the end of the stream, -1 on a
// timeout.
ssize_t read_some(int fd, char* buf, size_t size, std::chrono::milliseconds timeout) {
    for (;;) {
        const ssize_t n = ::recv(fd, buf, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) throw HttpError(std::string("recv: ") + std::strerror(errno));
        if (!wait_for(fd, POLLIN, timeout)) return -1;
    }
}

// The body's framing, from the headers.
struct Framing {
    int status = 0;
    bool chunked = false;
    long long length = -1;  // Content-Length, or -1: to the end of the stream
};

Framing parse_head(const std::string& head) {
    Framing f;
    if (head.compare(0, 5, "HTTP/") != 0) throw HttpError("not an HTTP answer: " + head.substr(0, 40));
    const auto sp = head.find(' ');
    f.status = std::atoi(head.c_str() + sp + 1);
    size_t at = head.find("\r\n");
    while (at != std::string::npos && at + 2 < head.size()) {
        const size_t end = head.find("\r\n", at + 2);
        std::string line = head.substr(at + 2, (end == std::string::npos ? head.size() : end) - at - 2);
        for (auto& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (line.starts_with("transfer-encoding:") && line.find("chunked") != std::string::npos) f.chunked = true;
        if (line.starts_with("content-length:")) f.length = std::atoll(line.c_str() + 15);
        at = end;
    }
    return f;
}

// Removes chunked encoding from a body fed to it in pieces.
class Dechunker {
public:
    // Gives the data of `in` to out; false once the last chunk was read.
    bool feed(std::string_view in, const std::function<bool(std::string_view)>& out, bool& stop) {
        pending_.append(in);
        for (;;) {
            if (left_ == 0) {
                const auto nl = pending_.find("\r\n");
                if (nl == std::string::npos) return true;
                if (nl == 0) {  // the CRLF after a chunk's data
                    pending_.erase(0, 2);
                    continue;
                }
                left_ = std::strtoull(pending_.c_str(), nullptr, 16);
                pending_.erase(0, nl + 2);
                if (left_ == 0) return false;
            }
            if (pending_.empty()) return true;
            const size_t take = std::min<size_t>(left_, pending_.size());
            if (!out(std::string_view(pending_).substr(0, take))) {
                stop = true;
                return false;
            }
            pending_.erase(0, take);
            left_ -= take;
        }
    }

private:
    std::string pending_;
    unsigned long long left_ = 0;
};

std::string request(const std::string& host, int port, const std::string& path, const std::string& body) {
    return "POST " + path + " HTTP/1.1\r\nHost: " + where(host, port) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

// Sends the request and reads up to the end of the headers; what came after them is in rest.
Framing open_answer(int fd, const std::string& req, std::chrono::milliseconds timeout, std::string& rest) {
    send_all(fd, req, timeout);
    std::string head;
    char buf[16384];
    for (;;) {
        const auto end = head.find("\r\n\r\n");
        if (end != std::string::npos) {
            rest = head.substr(end + 4);
            return parse_head(head.substr(0, end));
        }
        const ssize_t n = read_some(fd, buf, sizeof(buf), timeout);
        if (n < 0) throw HttpError("no answer within " + std::to_string(timeout.count()) + " ms");
        if (n == 0) throw HttpError("the connection closed before an answer");
        head.append(buf, static_cast<size_t>(n));
    }
}

}  // namespace

HttpResponse http_post(const std::string& host, int port, const std::string& path, const std::string& body,
                       std::chrono::milliseconds timeout) {
    HttpResponse out;
    std::string collected;
    const auto keep = [&](std::string_view data) {
        collected.append(data);
        return true;
    };
    bool timed_out = false;
    out.status = http_post_stream(host, port, path, body, timeout, timeout, keep, [&] {
        timed_out = true;
        return false;
    });
    if (timed_out) throw HttpError(where(host, port) + ": the answer stopped coming for " + std::to_string(timeout.count()) + " ms");
    out.body = std::move(collected);
    return out;
}

int http_post_stream(const std::string& host, int port, const std::string& path, const std::string& body,
                     std::chrono::milliseconds connect_timeout, std::chrono::milliseconds idle,
                     const std::function<bool(std::string_view)>& on_data, const std::function<bool()>& keep_going) {
    const auto socket = connect_to(host, port, connect_timeout);
    std::string rest;
    const Framing f = open_answer(socket->fd(), request(host, port, path, body), connect_timeout, rest);
    Dechunker dechunk;
    long long left = f.length;
    bool stop = false;
    // Gives data on; false when the body is complete or on_data stopped.
    const auto give = [&](std::string_view data) {
        if (f.chunked) return dechunk.feed(data, on_data, stop) && !stop;
        if (left >= 0) {
            if (static_cast<long long>(data.size()) > left) data = data.substr(0, static_cast<size_t>(left));
            left -= static_cast<long long>(data.size());
        }
        if (!data.empty() && !on_data(data)) return false;
        return left != 0;
    };
    if (!give(rest)) return f.status;
    char buf[65536];
    for (;;) {
        const ssize_t n = read_some(socket->fd(), buf, sizeof(buf), idle);
        if (n < 0) {
            if (!keep_going()) return f.status;
            continue;
        }
        if (n == 0) {
            if (f.chunked || left > 0) throw HttpError(where(host, port) + ": the connection closed in the middle of an answer");
            return f.status;
        }
        if (!give(std::string_view(buf, static_cast<size_t>(n)))) return f.status;
    }
}

}  // namespace xpeer::etcd
