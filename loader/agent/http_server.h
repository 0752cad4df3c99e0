#pragma once
#include <httplib.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "sys/unique_fd.h"

namespace xpeer {

struct ServerLimits {
    size_t workers = 4;    // requests answered at once
    size_t waiting = 256;  // connections still sending their request head; beyond, the oldest is closed (poll(2) and RLIMIT_NOFILE)
    std::chrono::milliseconds head_deadline{5000};    // from accept to the request head's blank line
    std::chrono::milliseconds answer_deadline{5000};  // then to read the body and write the response
    size_t max_head = 16384;
};

// cpp-httplib's server with its connection handling replaced, so that slow or idle clients cannot
// starve the others. httplib gives each connection a thread of a fixed pool from accept to
// close, and its timeouts count from the last byte, so eight clients that trickle a request
// (or send nothing) hold every thread. Here one thread waits for every connection's request head
// with poll(2), closing those that miss head_deadline; only complete heads reach the `workers`
// threads, each bounded by answer_deadline in all; one request a connection.
class HttpServer : public httplib::Server {
public:
    explicit HttpServer(ServerLimits limits = {});
    ~HttpServer() override;  // stop() and join listen_after_bind()'s thread first

private:
    struct Waiting {
        UniqueFd fd;
        std::string head;
        std::chrono::steady_clock::time_point deadline;
    };

    bool process_and_close_socket(socket_t sock) override;  // httplib's accept loop hands a connection over
    void wait_for_heads();
    void answer(int fd, const std::string& head);

    ServerLimits limits_;
    UniqueFd wake_;  // eventfd: a new connection, or stopping
    httplib::ThreadPool workers_;
    std::mutex mu_;
    std::deque<Waiting> arrived_;
    bool stopping_ = false;
    std::thread waiting_room_;
};

}  // namespace xpeer
