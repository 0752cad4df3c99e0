// The controller's peering lifecycle over a real store and a fake kernel: statuses reached,
// refusals that change nothing, expiry, quotas, uniqueness, visibility, shared VPCs.
#include <catch2/catch.hpp>

#include "controller/lifecycle.h"
#include "controller/quotas.h"
#include "world.h"

using namespace xpeer;
using namespace xpeer::testing;
using S = PeeringStatus;

namespace {

constexpr AccountId kAlice = 1001;  // requester
constexpr AccountId kBob = 1002;    // accepter
constexpr AccountId kCarol = 1003;  // neither

struct Pair {
    std::string a, b;  // Alice's VPC, Bob's VPC
};

Pair two_accounts(World& w) {
    return {vpc_with_vswitch(w, kAlice, "10.1.0.0/16", "10.1.1.0/24"), vpc_with_vswitch(w, kBob, "10.2.0.0/16", "10.2.1.0/24")};
}

Peering request(World& w, const Pair& v) {
    PeeringSpec spec;
    spec.vpc_id = v.a;
    spec.peer_vpc_id = v.b;
    spec.peer_account = kBob;
    return w.as(kAlice)->create_peering(spec);
}

// A cross-account connection brought to `status` by the commands a user would run.
Peering in_status(World& w, const Pair& v, S status) {
    Peering p = request(w, v);
    switch (status) {
        case S::PeerAccepting: break;
        case S::Activated: w.as(kBob)->accept_peering(p.id); break;
        case S::Rejected: w.as(kBob)->reject_peering(p.id); break;
        case S::Expired:
            w.clock += 7 * 24 * 3600;
            CHECK(w.as(kAlice)->expire_pending() == 1);
            break;
        case S::Deleted: w.as(kAlice)->delete_peering(p.id, false); break;
        default: FAIL("not a status that lasts beyond a command");
    }
    return w.as(kAlice)->show_peering(p.id);
}

RouteSpec route(const std::string& vpc, const std::string& dest, const std::string& pcc) { return RouteSpec{vpc, dest, pcc}; }

}  // namespace

TEST_CASE("status x action through the controller: allowed ones reach the status, refused ones change nothing", "[controller]") {
    struct Case {
        S from;
        const char* action;
        AccountId who;
        const char* expected;  // a status, or an error code
    };
    const Case cases[] = {
        {S::PeerAccepting, "accept", kBob, "Activated"},
        {S::PeerAccepting, "accept", kAlice, "Forbidden.VpcPeer"},
        {S::PeerAccepting, "accept", kCarol, "InvalidVpcPeerId.NotFound"},
        {S::PeerAccepting, "reject", kBob, "Rejected"},
        {S::PeerAccepting, "reject", kAlice, "Forbidden.VpcPeer"},
        {S::PeerAccepting, "delete", kAlice, "Deleted"},
        {S::PeerAccepting, "delete", kBob, "Forbidden.VpcPeer"},
        {S::PeerAccepting, "modify", kAlice, "Peer Accepting"},
        {S::PeerAccepting, "route", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Activated, "accept", kBob, "IncorrectStatus.VpcPeer"},
        {S::Activated, "reject", kBob, "IncorrectStatus.VpcPeer"},
        {S::Activated, "delete", kBob, "Deleted"},
        {S::Activated, "delete", kAlice, "Deleted"},
        {S::Activated, "modify", kBob, "Activated"},
        {S::Activated, "route", kAlice, "Activated"},
        {S::Rejected, "accept", kBob, "IncorrectStatus.VpcPeer"},
        {S::Rejected, "reject", kBob, "IncorrectStatus.VpcPeer"},
        {S::Rejected, "modify", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Rejected, "route", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Rejected, "delete", kAlice, "Deleted"},
        {S::Expired, "accept", kBob, "IncorrectStatus.VpcPeer"},
        {S::Expired, "reject", kBob, "IncorrectStatus.VpcPeer"},
        {S::Expired, "modify", kBob, "IncorrectStatus.VpcPeer"},
        {S::Expired, "route", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Expired, "delete", kBob, "Deleted"},
        {S::Deleted, "accept", kBob, "IncorrectStatus.VpcPeer"},
        {S::Deleted, "reject", kBob, "IncorrectStatus.VpcPeer"},
        {S::Deleted, "delete", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Deleted, "modify", kAlice, "IncorrectStatus.VpcPeer"},
        {S::Deleted, "route", kAlice, "IncorrectStatus.VpcPeer"},
    };
    for (const auto& c : cases) {
        World w;
        Pair v = two_accounts(w);
        Peering p = in_status(w, v, c.from);
        REQUIRE(p.status == c.from);
        INFO(to_string(c.from) << " x " << c.action << " by " << c.who);
        const std::string before = w.dump();
        auto ctl = w.as(c.who);
        std::string code = error_code([&] {
            std::string a = c.action;
            if (a == "accept") ctl->accept_peering(p.id);
            if (a == "reject") ctl->reject_peering(p.id);
            if (a == "delete") ctl->delete_peering(p.id, false);
            if (a == "modify") ctl->modify_peering(p.id, PeeringChange{std::string("renamed"), {}, {}, {}});
            if (a == "route") ctl->add_route(route(v.a, "10.2.0.0/16", p.id));
        });
        if (!code.empty()) {
            CHECK(code == c.expected);
            CHECK(w.dump() == before);
            continue;
        }
        Peering after = w.as(kAlice)->show_peering(p.id);
        CHECK(to_string(after.status) == c.expected);
        CHECK(w.kernel->active(after.slot) == (after.status == S::Activated));
    }
}

TEST_CASE("the data plane is programmed when Activated is committed, inactive while pending", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    CHECK(p.status == S::PeerAccepting);
    CHECK_FALSE(w.kernel->active(p.slot));
    CHECK(error_code([&] { w.as(kAlice)->add_route(route(v.a, "10.2.0.0/16", p.id)); }) == "IncorrectStatus.VpcPeer");
    w.as(kBob)->accept_peering(p.id);
    CHECK(w.kernel->active(p.slot));
    auto events = w.as(kBob)->events(p.id);
    std::vector<std::string> statuses;
    for (const auto& e : events) statuses.push_back(e.status);
    CHECK(statuses == std::vector<std::string>{"Creating", "Peer Accepting", "Updating", "Activated"});
    CHECK(events[0].account == kAlice);  // the accepter sees the requester's events of the connection
    CHECK(events[2].account == kBob);
    CHECK(w.as(kCarol)->events(p.id).empty());
}

TEST_CASE("a pending request expires after seven days, by the clock the command runs at", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    CHECK(lifecycle::expires_at(p) == w.clock + 7 * 24 * 3600);
    w.clock += 7 * 24 * 3600 - 1;
    CHECK(w.as(kBob)->show_peering(p.id).status == S::PeerAccepting);
    w.clock += 1;
    CHECK(w.as(kBob)->show_peering(p.id).status == S::Expired);  // any command runs the timer first
    CHECK(error_code([&] { w.as(kBob)->accept_peering(p.id); }) == "IncorrectStatus.VpcPeer");
    auto events = w.as(kAlice)->events(p.id);
    CHECK(events.back().status == "Expired");
    CHECK(events.back().account == 0);  // the system did it
    // an expired request does not block a new one between the same VPCs
    CHECK(request(w, v).status == S::PeerAccepting);
}

TEST_CASE("wait returns at the status, fails on a status that cannot lead there and on timeout", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    using std::chrono::milliseconds;
    CHECK(error_code([&] { w.as(kAlice)->wait_peering(p.id, S::Activated, milliseconds(250)); }) == "Timeout.VpcPeer");
    w.as(kBob)->accept_peering(p.id);
    CHECK(w.as(kAlice)->wait_peering(p.id, S::Activated, milliseconds(0)).status == S::Activated);
    CHECK(error_code([&] { w.as(kAlice)->wait_peering(p.id, S::Rejected, milliseconds(1000)); }) == "IncorrectStatus.VpcPeer");
}

TEST_CASE("delete refuses while routes point at the connection; --force removes them at both ends", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = in_status(w, v, S::Activated);
    w.as(kAlice)->add_route(route(v.a, "10.2.0.0/16", p.id));
    w.as(kBob)->add_route(route(v.b, "10.1.0.0/16", p.id));
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kBob)->delete_peering(p.id, false); }) == "DependencyViolation.RouteEntry");
    CHECK(w.dump() == before);
    w.as(kBob)->delete_peering(p.id, true);
    CHECK(w.as(kAlice)->list_routes(v.a).empty());
    CHECK(w.as(kBob)->list_routes(v.b).empty());
    CHECK(w.kernel->maps.routes_v4.size() == 2);  // the two vSwitches' own routes are all that is left
}

TEST_CASE("only one connection between two VPCs, whichever side asks", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    PeeringSpec reverse;
    reverse.vpc_id = v.b;
    reverse.peer_vpc_id = v.a;
    reverse.peer_account = kAlice;
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kBob)->create_peering(reverse); }) == "ResourceAlreadyExist.VpcPeer");
    CHECK(error_code([&] { request(w, v); }) == "ResourceAlreadyExist.VpcPeer");
    CHECK(w.dump() == before);
    w.as(kBob)->reject_peering(p.id);
    CHECK(w.as(kBob)->create_peering(reverse).status == S::PeerAccepting);  // a Rejected one no longer counts
}

TEST_CASE("quotas: at the limit succeeds, beyond it is refused and changes nothing", "[controller]") {
    World w;
    auto hub = vpc_with_vswitch(w, kAlice, "10.0.0.0/16", "10.0.1.0/24");
    auto connect = [&](int i, const std::string& region) {
        auto spoke = vpc_with_vswitch(w, kAlice, "10." + std::to_string(i) + ".0.0/16", "10." + std::to_string(i) + ".1.0/24", region);
        return w.as(kAlice)->create_peering(PeeringSpec{hub, spoke, {}, {}, {}, {}, "", ""});
    };
    SECTION("intra-region per VPC: default 10") {
        for (int i = 1; i <= 10; ++i) connect(i, "cn-hangzhou");
        const std::string before = w.dump();
        auto code = error_code([&] { connect(11, "cn-hangzhou"); });
        CHECK(code == "QuotaExceeded.IntraRegionPeerNumPerVpc");
        w.as(kAlice)->set_quota(quotas::kIntraRegionPerVpc, 11);
        CHECK(connect(12, "cn-hangzhou").status == S::Activated);
    }
    SECTION("inter-region per VPC: set to 2") {
        w.as(kAlice)->set_quota(quotas::kInterRegionPerVpc, 2);
        connect(1, "cn-shanghai");
        connect(2, "cn-beijing");
        CHECK(error_code([&] { connect(3, "cn-qingdao"); }) == "QuotaExceeded.CrossRegionPeerNumPerVpc");
        CHECK(connect(4, "cn-hangzhou").status == S::Activated);  // intra-region ones count apart
    }
    SECTION("per account and region: set to 3") {
        w.as(kAlice)->set_quota(quotas::kPerAccountRegion, 3);
        for (int i = 1; i <= 3; ++i) connect(i, "cn-hangzhou");
        std::string before;
        auto code = error_code([&] { connect(4, "cn-hangzhou"); });
        CHECK(code == "QuotaExceeded.PeerNum");
    }
    SECTION("bandwidth quotas bound create and modify") {
        w.as(kAlice)->set_quota(quotas::kInterRegionBandwidth, 200);
        auto p = connect(1, "cn-shanghai");
        CHECK(p.bandwidth_mbps == 200);  // the default never exceeds the quota
        const std::string before = w.dump();
        CHECK(error_code([&] { w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 201, {}}); }) == "QuotaExceeded.CrossRegionBandwidth");
        CHECK(w.dump() == before);
        CHECK(w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 150, std::string("Platinum")}).bandwidth_mbps == 150);
        CHECK(w.as(kAlice)->show_peering(p.id).link_type == "Platinum");
    }
}

TEST_CASE("a refused quota change names the rule and changes nothing", "[controller]") {
    World w;
    vpc_with_vswitch(w, kAlice, "10.0.0.0/16", "10.0.1.0/24");
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kAlice)->set_quota("vpc_quota_everything", 5); }) == "InvalidQuotaName.NotFound");
    CHECK(error_code([&] { w.as(kAlice)->set_quota(quotas::kPerAccountRegion, -1); }) == "InvalidQuotaValue.Negative");
    CHECK(error_code([&] { w.as(kAlice)->set_quota(quotas::kCrossBorderBandwidth, 0); }) == "InvalidQuotaValue.Zero");
    CHECK(w.dump() == before);
    auto list = w.as(kAlice)->list_quotas();
    REQUIRE(list.size() == 5);
    CHECK(list[0].value == 20);
}

TEST_CASE("modify: bandwidth and link type only between regions", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = in_status(w, v, S::Activated);
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 100, {}}); }) == "InvalidBandwidth.IntraRegion");
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, {}, std::string("Gold")}); }) ==
          "InvalidLinkType.IntraRegion");
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(p.id, PeeringChange{}); }) == "MissingParameter");
    CHECK(w.dump() == before);
    auto m = w.as(kBob)->modify_peering(p.id, PeeringChange{std::string("db-link"), std::string("to the database VPC"), {}, {}});
    CHECK(m.name == "db-link");
    CHECK(m.status == S::Activated);
    CHECK(w.as(kAlice)->show_peering(p.id).description == "to the database VPC");
}

TEST_CASE("another account's resources are not found, and the error gives nothing away", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    auto carol = w.as(kCarol);
    try {
        carol->show_vpc(v.a);
        FAIL("Carol saw Alice's VPC");
    } catch (const Error& e) {
        CHECK(e.code() == "InvalidVpcId.NotFound");
        CHECK(std::string(e.what()).find("10.1.") == std::string::npos);
    }
    CHECK(carol->list_vpcs().empty());
    CHECK(error_code([&] { carol->create_vswitch(VSwitchSpec{v.a, "10.1.9.0/24", std::nullopt, ""}); }) == "InvalidVpcId.NotFound");
    PeeringSpec spec;
    spec.vpc_id = v.a;
    spec.peer_vpc_id = v.b;
    CHECK(error_code([&] { carol->create_peering(spec); }) == "InvalidVpcId.NotFound");
    Peering p = request(w, v);
    CHECK(error_code([&] { carol->show_peering(p.id); }) == "InvalidVpcPeerId.NotFound");
    CHECK(carol->list_peerings().empty());
    CHECK(w.as(kBob)->list_peerings().size() == 1);  // the accepter sees it
}

TEST_CASE("shared VPC: principals build in it but may not manage its peering connections", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    w.as(kAlice)->share_vpc(v.a, kCarol);
    auto carol = w.as(kCarol);
    CHECK(carol->list_vpcs().size() == 1);
    auto vsw = carol->create_vswitch(VSwitchSpec{v.a, "10.1.2.0/24", std::nullopt, ""});
    CHECK(carol->create_instance(InstanceSpec{vsw.id, {}, {}}).ip);

    PeeringSpec spec;
    spec.vpc_id = v.a;
    spec.peer_vpc_id = v.b;
    spec.peer_account = kBob;
    std::string before = w.dump();
    CHECK(error_code([&] { carol->create_peering(spec); }) == "Forbidden.SharedVpc");
    CHECK(w.dump() == before);
    Peering p = in_status(w, v, S::Activated);
    before = w.dump();
    CHECK(error_code([&] { w.as(kCarol)->delete_peering(p.id, true); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->modify_peering(p.id, PeeringChange{std::string("x"), {}, {}, {}}); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->add_route(route(v.a, "10.2.0.0/16", p.id)); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->delete_vpc(v.a); }) == "Forbidden.SharedVpc");
    CHECK(w.dump() == before);
    w.as(kAlice)->unshare_vpc(v.a, kCarol);
    CHECK(error_code([&] { w.as(kCarol)->show_vpc(v.a); }) == "InvalidVpcId.NotFound");
}

TEST_CASE("a create retried with its client token returns the first result", "[controller]") {
    World w;
    auto first = [&] {
        auto c = w.as(kAlice);
        c->set_client_token("retry-1");
        return c->create_vpc(VpcSpec{"10.9.0.0/16", {}, "cn-hangzhou", "app"});
    };
    auto a = first();
    auto b = first();
    CHECK(a.id == b.id);
    CHECK(w.as(kAlice)->list_vpcs().size() == 1);
    auto c = w.as(kAlice);
    c->set_client_token("retry-1");
    const std::string before = w.dump();
    CHECK(error_code([&] { c->create_vpc(VpcSpec{"10.8.0.0/16", {}, "cn-hangzhou", "app"}); }) == "IdempotentParameterMismatch");
    CHECK(w.dump() == before);
    auto bob = w.as(kBob);  // tokens are per account
    bob->set_client_token("retry-1");
    CHECK(bob->create_vpc(VpcSpec{"10.9.0.0/16", {}, "cn-hangzhou", "app"}).id != a.id);
}

TEST_CASE("dry run validates and describes, and changes nothing", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    const std::string before = w.dump();
    auto c = w.as(kAlice);
    c->set_dry_run();
    PeeringSpec spec;
    spec.vpc_id = v.a;
    spec.peer_vpc_id = v.b;
    spec.peer_account = kBob;
    c->create_peering(spec);
    CHECK(w.dump() == before);
    REQUIRE(c->changes().size() == 2);
    CHECK(c->changes()[1].status == "Peer Accepting");
    CHECK_FALSE(c->dry_run_steps().empty());
    auto d = w.as(kAlice);
    d->set_dry_run();
    CHECK(error_code([&] { d->create_peering(PeeringSpec{v.a, v.a, {}, {}, {}, {}, "", ""}); }) == "InvalidVpcId.Self");
}
