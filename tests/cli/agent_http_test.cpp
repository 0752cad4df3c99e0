// The agent's HTTP endpoint: slow and idle clients do not starve a scrape; the bearer token.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "agent/bearer_token.h"
#include "agent/http_server.h"
#include "sys/unique_fd.h"

using namespace xpeer;
using namespace std::chrono_literals;

namespace {

// An HttpServer on a free loopback port, listening on a thread of its own until destroyed.
struct Running {
    HttpServer server;
    int port = 0;
    std::thread listener;
    explicit Running(ServerLimits limits) : server(limits) {
        server.Get("/metrics", [](const httplib::Request&, httplib::Response& res) { res.set_content("xpeer_up 1\n", "text/plain"); });
        port = server.bind_to_any_port("127.0.0.1");
        REQUIRE(port > 0);
        listener = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(5ms);
    }
    ~Running() {
        server.stop();
        listener.join();
    }
};

UniqueFd connect_to(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    return fd;
}

// Whether the server closes fd within `within` (recv returns 0 or an error; data is skipped).
bool closed_within(int fd, std::chrono::milliseconds within) {
    timeval tv{static_cast<time_t>(within.count() / 1000), static_cast<suseconds_t>(within.count() % 1000 * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buf[512];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
        if (n < 0) return false;  // SO_RCVTIMEO expired
    }
}

}  // namespace

TEST_CASE("agent http: idle and half-sent connections, more than the workers, do not hold up a scrape", "[agent][http]") {
    ServerLimits limits;
    limits.workers = 2;
    limits.head_deadline = 60s;  // none of them times out during the test: the scrape must not wait for that
    Running r(limits);
    std::vector<UniqueFd> slow;
    for (int i = 0; i < 12; ++i) slow.push_back(connect_to(r.port));  // send nothing
    for (int i = 0; i < 12; ++i) {
        slow.push_back(connect_to(r.port));
        const std::string partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n";  // no blank line: the head never ends
        REQUIRE(::send(slow.back().get(), partial.data(), partial.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(partial.size()));
    }
    std::this_thread::sleep_for(100ms);  // every one accepted and waiting
    httplib::Client scraper("127.0.0.1", r.port);
    scraper.set_connection_timeout(10s);
    scraper.set_read_timeout(10s);
    for (int i = 0; i < 3; ++i) {
        auto res = scraper.Get("/metrics");
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->body == "xpeer_up 1\n");
    }
}

TEST_CASE("agent http: a connection that trickles its request head is closed at the deadline", "[agent][http]") {
    ServerLimits limits;
    limits.head_deadline = 300ms;
    Running r(limits);
    UniqueFd trickle = connect_to(r.port);
    const std::string head = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    bool closed = false;
    for (size_t i = 0; i < head.size() && !closed; ++i) {  // a byte each 50 ms: each read is quick, the whole is not
        if (::send(trickle.get(), &head[i], 1, MSG_NOSIGNAL) != 1)
            closed = true;
        else
            closed = closed_within(trickle.get(), 50ms);
    }
    CHECK(closed);
    UniqueFd idle = connect_to(r.port);
    CHECK(closed_within(idle.get(), 5000ms));
}

TEST_CASE("agent http: beyond the waiting room's size, the oldest waiting connection is closed", "[agent][http]") {
    ServerLimits limits;
    limits.waiting = 4;
    limits.head_deadline = 60s;
    Running r(limits);
    UniqueFd oldest = connect_to(r.port);
    std::this_thread::sleep_for(100ms);  // in the room before the others
    std::vector<UniqueFd> newer;
    for (int i = 0; i < 4; ++i) newer.push_back(connect_to(r.port));
    CHECK(closed_within(oldest.get(), 5000ms));
    CHECK_FALSE(closed_within(newer.back().get(), 200ms));
}

TEST_CASE("agent http: with a token, requests without it get 401", "[agent][http]") {
    ServerLimits limits;
    Running r(limits);
    const std::string token = "s3cret-token";
    bearer_token::guard(r.server, token);
    httplib::Client c("127.0.0.1", r.port);
    c.set_read_timeout(10s);
    auto none = c.Get("/metrics");
    REQUIRE(none);
    CHECK(none->status == 401);
    CHECK(none->get_header_value("WWW-Authenticate") == "Bearer");
    CHECK(none->body.find("xpeer_up") == std::string::npos);
    auto wrong = c.Get("/metrics", {{"Authorization", "Bearer s3cret-tokeN"}});
    REQUIRE(wrong);
    CHECK(wrong->status == 401);
    auto longer = c.Get("/metrics", {{"Authorization", "Bearer s3cret-token2"}});
    REQUIRE(longer);
    CHECK(longer->status == 401);
    auto right = c.Get("/metrics", {{"Authorization", "Bearer s3cret-token"}});
    REQUIRE(right);
    CHECK(right->status == 200);
    CHECK(right->body == "xpeer_up 1\n");
}

TEST_CASE("agent http: token matching", "[agent][http]") {
    CHECK(bearer_token::matches("Bearer abc", "abc"));
    CHECK_FALSE(bearer_token::matches("", "abc"));
    CHECK_FALSE(bearer_token::matches("Bearer ab", "abc"));
    CHECK_FALSE(bearer_token::matches("Bearer abcd", "abc"));
    CHECK_FALSE(bearer_token::matches("Basic abc", "abc"));
    CHECK_FALSE(bearer_token::matches("abc", "abc"));
}
