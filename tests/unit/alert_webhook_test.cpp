// alert create: a webhook to a literal loopback, link-local, unspecified, multicast or broadcast
// address is the operator's to name, not a tenant's.
#include <catch2/catch.hpp>

#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;

TEST_CASE("alert create: a webhook to a local IP literal is refused unless --operator", "[telemetry][webhook]") {
    World w;
    auto a = vpc_with_vswitch(w, 2001, "10.1.0.0/16", "10.1.1.0/24");
    auto b = vpc_with_vswitch(w, 2001, "10.2.0.0/16", "10.2.1.0/24");
    auto p = w.as(2001)->create_peering(PeeringSpec{a, b, {}, {}, {}, {}, "", ""});
    const std::string before = w.dump();
    for (const char* url : {"http://127.0.0.1:9000/hook", "http://2130706433/", "http://0177.0.0.1/", "http://169.254.169.254/latest",
                            "http://0.0.0.0:80/", "http://224.0.0.1/"}) {
        INFO(url);
        CHECK(error_code([&] { w.as(2001)->create_alert(AlertSpec{p.id, "bps", 1e6, 60, url}); }) == "InvalidAlert.WebhookAddress");
    }
    CHECK(w.dump() == before);

    CHECK(w.as(2001)->create_alert(AlertSpec{p.id, "bps", 1e6, 60, "http://192.0.2.10/hook"}).webhook == "http://192.0.2.10/hook");
    CHECK(w.as(2001)->create_alert(AlertSpec{p.id, "bps", 1e6, 60, "http://hooks.example.com/x"}).webhook == "http://hooks.example.com/x");

    Config op;
    op.state_path = w.db();
    op.bpffs_dir = w.dir + "/bpffs";
    op.datapath_netns = "unused";
    op.netns_prefix = "unused";
    op.account = 2001;
    op.now = w.clock;
    op.is_operator = true;
    Controller as_operator(op, std::make_unique<FakeDataplane>(w.kernel));
    CHECK(as_operator.create_alert(AlertSpec{p.id, "bps", 1e6, 60, "http://127.0.0.1:9000/hook"}).webhook == "http://127.0.0.1:9000/hook");
}
