#pragma once
// A real etcd (Debian's etcd-server) for one test: on a free loopback port, with a data folder
// in the test's own directory, stopped by its PID.
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "store/etcd/http_post.h"
#include "temp_dir.h"

namespace xpeer::testing {

inline int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    socklen_t len = sizeof(a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// One etcd member on loopback for the test's life.
class Etcd {
public:
    explicit Etcd(const TempDir& dir) {
        const int client = free_port(), peer = free_port();
        url_ = "http://127.0.0.1:" + std::to_string(client);
        const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            const std::string log = dir.path + "/etcd.log";
            freopen(log.c_str(), "w", stdout);
            freopen(log.c_str(), "a", stderr);
            execlp("etcd", "etcd", "--name", "unit", "--data-dir", (dir.path + "/etcd").c_str(), "--listen-client-urls", url_.c_str(),
                   "--advertise-client-urls", url_.c_str(), "--listen-peer-urls", peer_url.c_str(), "--initial-advertise-peer-urls",
                   peer_url.c_str(), "--initial-cluster", ("unit=" + peer_url).c_str(), nullptr);
            _exit(127);
        }
        for (int i = 0; i < 200; ++i) {
            try {
                if (etcd::http_post("127.0.0.1", client, "/v3/kv/range", R"({"key":"AA=="})", std::chrono::milliseconds(500)).status == 200)
                    return;
            } catch (const etcd::HttpError&) {
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL("etcd did not start: see " << dir.path << "/etcd.log");
    }
    ~Etcd() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    const std::string& url() const { return url_; }

private:
    pid_t pid_ = -1;
    std::string url_;
};

// Drops etcd's history before its current revision, as its auto-compaction would.
inline void compact(const Etcd& server, int64_t revision) {
    const std::string body = R"({"revision":")" + std::to_string(revision) + R"("})";
    const auto port = std::stoi(server.url().substr(server.url().rfind(':') + 1));
    REQUIRE(etcd::http_post("127.0.0.1", port, "/v3/kv/compaction", body, std::chrono::seconds(2)).status == 200);
}

}  // namespace xpeer::testing
