#include "agent/http_server.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "model/error.h"

namespace xpeer {
namespace {

using Clock = std::chrono::steady_clock;

int ms_until(Clock::time_point t) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
    return static_cast<int>(std::clamp<int64_t>(left, 0, 60'000));
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, ms_until(deadline));
        if (n > 0) return true;
        if (n == 0 || errno != EINTR) return false;
    }
}

void ip_and_port(const sockaddr_storage& a, std::string& ip, int& port) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (a.ss_family == AF_INET) {
        auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
        inet_ntop(AF_INET, &v4->sin_addr, buf, sizeof(buf));
        port = ntohs(v4->sin_port);
    } else if (a.ss_family == AF_INET6) {
        auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
        inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof(buf));
        port = ntohs(v6->sin6_port);
    }
    ip = buf;
}

// A connection whose head the waiting room has read already; every read and write ends by one deadline.
class DeadlineStream : public httplib::Stream {
public:
    DeadlineStream(int fd, const std::string& head, Clock::time_point deadline) : fd_(fd), head_(head), deadline_(deadline) {}

    bool is_readable() const override { return offset_ < head_.size() || wait_for(fd_, POLLIN, deadline_); }
    bool is_writable() const override { return wait_for(fd_, POLLOUT, deadline_); }
    ssize_t read(char* ptr, size_t size) override {
        if (offset_ < head_.size()) {
            size_t n = std::min(size, head_.size() - offset_);
            std::memcpy(ptr, head_.data() + offset_, n);
            offset_ += n;
            return static_cast<ssize_t>(n);
        }
        if (!wait_for(fd_, POLLIN, deadline_)) return -1;
        return ::recv(fd_, ptr, size, MSG_DONTWAIT);
    }
    ssize_t write(const char* ptr, size_t size) override {
        if (!wait_for(fd_, POLLOUT, deadline_)) return -1;
        return ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        sockaddr_storage a{};
        socklen_t len = sizeof(a);
        if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip_and_port(a, ip, port);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        sockaddr_storage a{};
        socklen_t len = sizeof(a);
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) ip_and_port(a, ip, port);
    }
    socket_t socket() const override { return fd_; }

private:
    int fd_;
    const std::string& head_;
    size_t offset_ = 0;
    Clock::time_point deadline_;
};

}  // namespace

HttpServer::HttpServer(ServerLimits limits) : limits_(limits), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), workers_(limits.workers) {
    if (!wake_) {
        workers_.shutdown();
        throw SystemError("eventfd for the HTTP server", errno);
    }
    new_task_queue = [] { return new httplib::ThreadPool(1); };  // it only hands connections over
    waiting_room_ = std::thread([this] { wait_for_heads(); });
}

HttpServer::~HttpServer() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof(one));
    waiting_room_.join();
    workers_.shutdown();  // answers under way end by their deadline
}

bool HttpServer::process_and_close_socket(socket_t sock) {
    UniqueFd fd(sock);
    {
        std::lock_guard lock(mu_);
        if (stopping_) return false;
        arrived_.push_back(Waiting{std::move(fd), {}, Clock::now() + limits_.head_deadline});
    }
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof(one));
    return true;
}

void HttpServer::wait_for_heads() {
    std::deque<Waiting> room;
    std::vector<pollfd> fds;
    for (;;) {
        {
            std::lock_guard lock(mu_);
            if (stopping_) return;  // room's sockets close with it
            for (auto& w : arrived_) room.push_back(std::move(w));
            arrived_.clear();
        }
        while (room.size() > limits_.waiting) room.pop_front();
        fds.assign(1, pollfd{wake_.get(), POLLIN, 0});
        auto next = Clock::now() + std::chrono::seconds(60);
        for (const auto& w : room) {
            fds.push_back(pollfd{w.fd.get(), POLLIN, 0});
            next = std::min(next, w.deadline);
        }
        if (::poll(fds.data(), fds.size(), ms_until(next)) < 0) {
            if (errno == EINTR) continue;
            room.clear();  // closed: the next connections start afresh rather than never being answered
            continue;
        }
        if (fds[0].revents) {
            uint64_t n;
            (void)!::read(wake_.get(), &n, sizeof(n));
        }
        const auto now = Clock::now();
        std::deque<Waiting> still;
        for (size_t i = 0; i < room.size(); ++i) {
            Waiting& w = room[i];
            if (fds[i + 1].revents) {
                char buf[4096];
                ssize_t n = ::recv(w.fd.get(), buf, sizeof(buf), MSG_DONTWAIT);
                if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) continue;  // closed or failed: dropped
                if (n > 0) w.head.append(buf, static_cast<size_t>(n));
                if (w.head.find("\r\n\r\n") != std::string::npos) {
                    int fd = ::dup(w.fd.get());  // the worker owns its copy; w's closes here
                    if (fd >= 0) workers_.enqueue([this, fd, head = std::move(w.head)] { answer(fd, head); });
                    continue;
                }
                if (w.head.size() > limits_.max_head) continue;
            }
            if (now >= w.deadline) continue;  // too slow: closed
            still.push_back(std::move(w));
        }
        room = std::move(still);
    }
}

void HttpServer::answer(int fd, const std::string& head) {
    UniqueFd owned(fd);
    DeadlineStream stream(fd, head, Clock::now() + limits_.answer_deadline);
    bool closed = false;
    process_request(stream, /*close_connection=*/true, closed, nullptr);
    ::shutdown(fd, SHUT_RDWR);
}

}  // namespace xpeer
