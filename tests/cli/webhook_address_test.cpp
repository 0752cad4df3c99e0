// Webhook targets: which addresses a tenant's webhook may not reach, as literals and as the
// resolver returns them, and what the agent records when it refuses one.
#include <httplib.h>
#include <netdb.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "agent/webhook.h"
#include "telemetry/webhook_address.h"

using namespace xpeer;

namespace {

// The rule of the first address getaddrinfo gives for host, as the agent resolves it.
std::optional<std::string> resolved_rule(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    REQUIRE(getaddrinfo(host.c_str(), nullptr, &hints, &found) == 0);
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
    return webhook_address::local_rule(found->ai_addr);
}

}  // namespace

TEST_CASE("webhook address: loopback, link-local, unspecified, multicast and broadcast, in every spelling", "[webhook]") {
    using webhook_address::literal_rule;
    const std::vector<std::pair<std::string, std::optional<std::string>>> cases{
        {"127.0.0.1", "loopback"},
        {"127.255.3.4", "loopback"},
        {"2130706433", "loopback"},  // decimal
        {"0177.0.0.1", "loopback"},  // octal
        {"0x7f.1", "loopback"},      // hex, short form
        {"::1", "loopback"},
        {"::ffff:127.0.0.1", "loopback"},  // IPv4-mapped
        {"[::1]", "loopback"},
        {"169.254.169.254", "link-local"},  // the cloud's metadata service
        {"fe80::1", "link-local"},
        {"febf::1", "link-local"},
        {"::ffff:169.254.1.1", "link-local"},
        {"0.0.0.0", "unspecified"},
        {"0", "unspecified"},
        {"::", "unspecified"},
        {"224.0.0.1", "multicast"},
        {"239.255.255.250", "multicast"},
        {"ff02::1", "multicast"},
        {"255.255.255.255", "broadcast"},
        {"10.0.0.1", std::nullopt},
        {"192.0.2.10", std::nullopt},
        {"128.0.0.1", std::nullopt},
        {"169.255.0.1", std::nullopt},
        {"fec0::1", std::nullopt},
        {"2001:db8::1", std::nullopt},
        {"::ffff:192.0.2.1", std::nullopt},
        {"hooks.example.com", std::nullopt},  // a name: checked when resolved, at delivery
        {"", std::nullopt},
    };
    for (const auto& [host, rule] : cases) {
        INFO(host);
        CHECK(literal_rule(host) == rule);
    }
}

TEST_CASE("webhook address: what the resolver returns is classified the same", "[webhook]") {
    CHECK(resolved_rule("0177.0.0.1") == "loopback");
    CHECK(resolved_rule("2130706433") == "loopback");
    CHECK(resolved_rule("::ffff:127.0.0.1") == "loopback");
    CHECK(resolved_rule("169.254.169.254") == "link-local");
    CHECK(resolved_rule("fe80::1") == "link-local");
    CHECK(resolved_rule("0.0.0.0") == "unspecified");
    CHECK(resolved_rule("ff02::1") == "multicast");
    CHECK(resolved_rule("localhost") == "loopback");
    CHECK(resolved_rule("192.0.2.1") == std::nullopt);
}

TEST_CASE("webhook address: the host of a URL", "[webhook]") {
    CHECK(webhook_address::url_host("http://127.0.0.1:8080/hook") == "127.0.0.1");
    CHECK(webhook_address::url_host("http://hooks.example.com/a/b") == "hooks.example.com");
    CHECK(webhook_address::url_host("http://2130706433") == "2130706433");
    CHECK(webhook_address::url_host("http://[::1]:80/x") == "[::1]");
    CHECK(webhook_address::url_host("ftp://x").empty());
}

namespace {

// A webhook receiver on loopback counting POSTs; /moved answers 302 to /hook.
struct Receiver {
    httplib::Server server;
    std::atomic<int> hits{0};
    int port = 0;
    std::thread thread;
    Receiver() {
        server.Post("/hook", [this](const httplib::Request&, httplib::Response& res) {
            ++hits;
            res.status = 200;
        });
        server.Post("/moved", [this](const httplib::Request&, httplib::Response& res) {
            res.set_redirect("http://127.0.0.1:" + std::to_string(port) + "/hook");
        });
        port = server.bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server.listen_after_bind(); });
        while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~Receiver() {
        server.stop();
        thread.join();
    }
};

}  // namespace

TEST_CASE("webhook delivery: local targets are refused unless allowed, and recorded with the rule", "[webhook]") {
    Receiver r;
    const std::string port = std::to_string(r.port);
    auto refused = webhook::post("http://127.0.0.1:" + port + "/hook", "{}", false);
    CHECK(refused.rfind("not delivered: Webhook.LocalAddress: 127.0.0.1 resolves to 127.0.0.1, a loopback address", 0) == 0);
    auto by_name = webhook::post("http://localhost:" + port + "/hook", "{}", false);
    CHECK(by_name.rfind("not delivered: Webhook.LocalAddress: localhost resolves to ", 0) == 0);
    CHECK(by_name.find("loopback") != std::string::npos);
    CHECK(webhook::post("http://0177.0.0.1:" + port + "/hook", "{}", false).find("a loopback address") != std::string::npos);
    CHECK(webhook::post("http://169.254.169.254/latest/meta-data", "{}", false).find("a link-local address") != std::string::npos);
    CHECK(r.hits == 0);

    CHECK(webhook::post("http://127.0.0.1:" + port + "/hook", "{}", true) == "HTTP 200");
    CHECK(r.hits == 1);
}

TEST_CASE("webhook delivery: a redirect is not followed", "[webhook]") {
    Receiver r;
    CHECK(webhook::post("http://127.0.0.1:" + std::to_string(r.port) + "/moved", "{}", true) == "HTTP 302");
    CHECK(r.hits == 0);
}
