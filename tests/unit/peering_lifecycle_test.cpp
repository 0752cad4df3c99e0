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
        case S::PeerAccepting:
            break;
        case S::Activated:
            w.as(kBob)->accept_peering(p.id);
            break;
        case S::Rejected:
            w.as(kBob)->reject_peering(p.id);
            break;
        case S::Expired:
            w.clock += 7 * 24 * 3600 + 1;
            CHECK(w.as(kAlice)->expire_pending() == 1);
            break;
        case S::Deleted:
            w.as(kAlice)->delete_peering(p.id, false);
            break;
        default:
            FAIL("not a status that lasts beyond a command");
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
        {S::PeerAccepting, "modify", kBob, "Forbidden.VpcPeer"},
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
    w.clock += 7 * 24 * 3600;
    CHECK(w.as(kBob)->show_peering(p.id).status == S::PeerAccepting);  // seven days, not more
    w.clock += 1;
    CHECK(w.as(kBob)->show_peering(p.id).status == S::Expired);  // any command runs the timer first
    CHECK(error_code([&] { w.as(kBob)->accept_peering(p.id); }) == "IncorrectStatus.VpcPeer");
    auto events = w.as(kAlice)->events(p.id);
    CHECK(events.back().status == "Expired");
    CHECK(events.back().account == 0);  // the system did it
    // an expired request does not block a new one between the same VPCs
    CHECK(request(w, v).status == S::PeerAccepting);
}

TEST_CASE("an overridden clock drives the expiry, the events carry the wall clock", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    const int64_t wall = w.clock + 60;  // a minute later, really
    w.clock += 8 * 24 * 3600;           // the operator's --now: eight days later
    Config cfg = w.config(kBob);
    cfg.wall_now = wall;
    auto operator_clock = w.with(cfg);
    CHECK(operator_clock->show_peering(p.id).status == S::Expired);
    auto events = operator_clock->events(p.id);
    REQUIRE(events.back().status == "Expired");
    CHECK(events.back().time == wall);  // not the overridden clock: history is not backdated nor forged ahead
    CHECK(operator_clock->create_vpc(VpcSpec{"10.9.0.0/16", std::nullopt, "cn-hangzhou", ""}).created_at == wall);
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

TEST_CASE("delete refuses while routes point at the connection, --force removes them at both ends", "[controller]") {
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
    CHECK(w.kernel->maps.routes_v4.size() == 2 * kV4EntriesPerVSwitch);  // the two vSwitches' own routes are all that is left
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
        auto spoke = vpc_with_vswitch(w, kAlice, "10.11.0.0/16", "10.11.1.0/24");
        const std::string before = w.dump();
        CHECK(error_code([&] {
                  w.as(kAlice)->create_peering(PeeringSpec{hub, spoke, {}, {}, {}, {}, "", ""});
              }) == "QuotaExceeded.IntraRegionPeerNumPerVpc");
        CHECK(w.dump() == before);
        w.as_operator()->set_quota(kAlice, quotas::kIntraRegionPerVpc, 11);
        CHECK(connect(12, "cn-hangzhou").status == S::Activated);
    }
    SECTION("inter-region per VPC: set to 2") {
        w.as_operator()->set_quota(kAlice, quotas::kInterRegionPerVpc, 2);
        connect(1, "cn-shanghai");
        connect(2, "cn-beijing");
        CHECK(error_code([&] { connect(3, "cn-qingdao"); }) == "QuotaExceeded.CrossRegionPeerNumPerVpc");
        CHECK(connect(4, "cn-hangzhou").status == S::Activated);  // intra-region ones count apart
    }
    SECTION("inter-region per VPC: default 20, spokes in any other region") {
        const char* others[] = {"cn-shanghai", "cn-beijing", "cn-qingdao", "cn-shenzhen", "cn-guangzhou"};
        for (int i = 1; i <= 20; ++i) connect(i, others[i % 5]);
        auto spoke = vpc_with_vswitch(w, kAlice, "10.21.0.0/16", "10.21.1.0/24", "cn-chengdu");
        const std::string before = w.dump();
        CHECK(error_code([&] {
                  w.as(kAlice)->create_peering(PeeringSpec{hub, spoke, {}, {}, {}, {}, "", ""});
              }) == "QuotaExceeded.CrossRegionPeerNumPerVpc");
        CHECK(w.dump() == before);
    }
    SECTION("per account and region: default 20, over several VPCs") {
        std::vector<std::string> hubs{hub};
        for (int h = 1; h < 3; ++h)
            hubs.push_back(
                vpc_with_vswitch(w, kAlice, "10." + std::to_string(100 + h) + ".0.0/16", "10." + std::to_string(100 + h) + ".1.0/24"));
        int n = 0;
        for (const auto& from : hubs) {
            for (int i = 0; i < 7 && n < 20; ++i, ++n) {
                auto spoke =
                    vpc_with_vswitch(w, kAlice, "10." + std::to_string(n + 1) + ".0.0/16", "10." + std::to_string(n + 1) + ".1.0/24");
                w.as(kAlice)->create_peering(PeeringSpec{from, spoke, {}, {}, {}, {}, "", ""});
            }
        }
        REQUIRE(w.as(kAlice)->list_peerings().size() == 20);
        auto spoke = vpc_with_vswitch(w, kAlice, "10.99.0.0/16", "10.99.1.0/24");
        const std::string before = w.dump();
        CHECK(error_code([&] {
                  w.as(kAlice)->create_peering(PeeringSpec{hubs[2], spoke, {}, {}, {}, {}, "", ""});
              }) == "QuotaExceeded.PeerNum");
        CHECK(w.dump() == before);
        // another region has its own count
        auto far = vpc_with_vswitch(w, kAlice, "10.98.0.0/16", "10.98.1.0/24", "cn-beijing");
        auto far2 = vpc_with_vswitch(w, kAlice, "10.97.0.0/16", "10.97.1.0/24", "cn-beijing");
        CHECK(w.as(kAlice)->create_peering(PeeringSpec{far, far2, {}, {}, {}, {}, "", ""}).status == S::Activated);
    }
    SECTION("the accepter VPC's quota counts too, with its owner's value") {
        auto bobs = vpc_with_vswitch(w, kBob, "10.200.0.0/16", "10.200.1.0/24");
        w.as_operator()->set_quota(kBob, quotas::kIntraRegionPerVpc, 1);
        PeeringSpec spec{hub, bobs, kBob, {}, {}, {}, "", ""};
        w.as(kAlice)->create_peering(spec);
        auto other = vpc_with_vswitch(w, kAlice, "10.201.0.0/16", "10.201.1.0/24");
        const std::string before = w.dump();
        auto code = error_code([&] { w.as(kAlice)->create_peering(PeeringSpec{other, bobs, kBob, {}, {}, {}, "", ""}); });
        CHECK(code == "QuotaExceeded.IntraRegionPeerNumPerVpc");
        CHECK(w.dump() == before);
    }
    SECTION("per account and region: set to 3") {
        w.as_operator()->set_quota(kAlice, quotas::kPerAccountRegion, 3);
        for (int i = 1; i <= 3; ++i) connect(i, "cn-hangzhou");
        CHECK(error_code([&] { connect(4, "cn-hangzhou"); }) == "QuotaExceeded.PeerNum");
    }
    SECTION("bandwidth quotas bound create and modify") {
        w.as_operator()->set_quota(kAlice, quotas::kInterRegionBandwidth, 200);
        auto p = connect(1, "cn-shanghai");
        CHECK(p.bandwidth_mbps == 200);  // the default never exceeds the quota
        const std::string before = w.dump();
        CHECK(error_code([&] {
                  w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 201, {}});
              }) == "QuotaExceeded.CrossRegionBandwidth");
        CHECK(w.dump() == before);
        CHECK(w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 150, std::string("Platinum")}).bandwidth_mbps == 150);
        CHECK(w.as(kAlice)->show_peering(p.id).link_type == "Platinum");
    }
}

TEST_CASE("a refused quota change names the rule and changes nothing", "[controller]") {
    World w;
    vpc_with_vswitch(w, kAlice, "10.0.0.0/16", "10.0.1.0/24");
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as_operator()->set_quota(kAlice, "vpc_quota_everything", 5); }) == "InvalidQuotaName.NotFound");
    CHECK(error_code([&] { w.as_operator()->set_quota(kAlice, quotas::kPerAccountRegion, -1); }) == "InvalidQuotaValue.Negative");
    CHECK(error_code([&] { w.as_operator()->set_quota(kAlice, quotas::kCrossBorderBandwidth, 0); }) == "InvalidQuotaValue.Zero");
    CHECK(w.dump() == before);
    auto list = w.as(kAlice)->list_quotas();
    REQUIRE(list.size() == 5);
    CHECK(list[0].value == 20);
}

TEST_CASE("only the operator sets quotas, for the account it names, and the account sees the change", "[controller]") {
    World w;
    vpc_with_vswitch(w, kAlice, "10.0.0.0/16", "10.0.1.0/24");
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kAlice)->set_quota(kAlice, quotas::kPerAccountRegion, 1000); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(kAlice)->set_quota(kBob, quotas::kPerAccountRegion, 0); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(kAlice)->list_quotas(kBob); }) == "Forbidden.Operator");
    CHECK(w.dump() == before);

    CHECK(w.as_operator()->set_quota(kAlice, quotas::kPerAccountRegion, 30).value == 30);
    auto mine = w.as(kAlice)->list_quotas();
    CHECK(std::ranges::find_if(mine, [](const QuotaValue& q) { return q.name == quotas::kPerAccountRegion; })->value == 30);
    auto theirs = w.as_operator()->list_quotas(kAlice);
    REQUIRE(theirs.size() == mine.size());
    for (size_t i = 0; i < mine.size(); ++i) CHECK(theirs[i].value == mine[i].value);
    auto bobs = w.as(kBob)->list_quotas();
    CHECK(std::ranges::find_if(bobs, [](const QuotaValue& q) { return q.name == quotas::kPerAccountRegion; })->value == 20);
    auto events = w.as(kAlice)->events(quotas::kPerAccountRegion);
    REQUIRE(events.size() == 1);
    CHECK(events[0].reason == "by the operator: 20 -> 30");
}

TEST_CASE("a peer VPC of another account: one not-found answer, wherever it is and whether it exists", "[controller]") {
    World w;
    Pair v = two_accounts(w);  // Bob's VPC is in cn-hangzhou
    const std::string before = w.dump();
    auto answer = [&](const std::string& peer_vpc, std::optional<AccountId> account, std::optional<std::string> region) {
        PeeringSpec spec;
        spec.vpc_id = v.a;
        spec.peer_vpc_id = peer_vpc;
        spec.peer_account = account;
        spec.peer_region = region;
        auto c = w.as(kAlice);
        c->set_dry_run();
        try {
            c->create_peering(spec);
        } catch (const Error& e) {
            return e.code() + ": " + std::string(e.what());
        }
        return std::string("accepted");
    };
    const std::string ghost = "vpc-doesnotexist0000";
    auto same = [&](std::optional<AccountId> account, std::optional<std::string> region) {
        INFO((account ? std::to_string(*account) : "-") << " " << region.value_or("-"));
        auto real = answer(v.b, account, region);
        auto missing = answer(ghost, account, region);
        CHECK_THAT(real, Catch::StartsWith("InvalidVpcId.NotFound"));
        auto at = missing.find(ghost);
        REQUIRE(at != std::string::npos);
        CHECK(real == missing.replace(at, ghost.size(), v.b));
    };
    same(std::nullopt, std::nullopt);          // Bob's VPC, as if Alice's
    same(kCarol, std::nullopt);                // in the wrong account
    same(kBob, std::string("cn-shanghai"));    // the right account, the wrong region
    same(kCarol, std::string("cn-hangzhou"));  // its region, the wrong account
    CHECK(answer(v.b, kBob, std::string("mars-north-1")) == answer(ghost, kBob, std::string("mars-north-1")));  // the region first
    CHECK(answer(v.b, kBob, std::string("cn-hangzhou")) == "accepted");
    CHECK(w.dump() == before);
}

TEST_CASE("stats: a tenant sees its own links only, the operator every link and the router's verdicts", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    auto carol = vpc_with_vswitch(w, kCarol, "10.3.0.0/16", "10.3.1.0/24");
    Peering ab = in_status(w, v, S::Activated);
    Peering cc =
        w.as(kCarol)->create_peering(PeeringSpec{carol, vpc_with_vswitch(w, kCarol, "10.4.0.0/16", "10.4.1.0/24"), {}, {}, {}, {}, "", ""});
    auto ids = [](const std::vector<LinkStats>& ss) {
        std::vector<std::string> out;
        for (const auto& s : ss) out.push_back(s.peering.id);
        std::ranges::sort(out);
        return out;
    };
    CHECK(ids(w.as(kAlice)->link_stats(std::nullopt)) == std::vector<std::string>{ab.id});
    CHECK(ids(w.as(kCarol)->link_stats(std::nullopt)) == std::vector<std::string>{cc.id});
    CHECK(error_code([&] { w.as(kAlice)->link_stats(cc.id); }) == "InvalidVpcPeerId.NotFound");
    CHECK(error_code([&] { w.as(kAlice)->reason_stats(); }) == "Forbidden.Operator");
    CHECK(error_code([&] { w.as(kAlice)->route_lookup_stats(); }) == "Forbidden.Operator");
    auto all = std::vector<std::string>{ab.id, cc.id};
    std::ranges::sort(all);
    CHECK(ids(w.as_operator()->link_stats(std::nullopt)) == all);
    CHECK(ids(w.as_operator()->link_stats(cc.id)) == std::vector<std::string>{cc.id});
    const auto verdicts = w.as_operator()->reason_stats();
    REQUIRE(verdicts.size() == w.kernel->verdicts.size());
    CHECK((verdicts[1].reason == "drop_ttl" && verdicts[1].packets == 1 && verdicts[1].bytes == 64));
}

TEST_CASE("modify: a link type only between regions, a bandwidth limit within one too", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = in_status(w, v, S::Activated);
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, 0, {}}); }) == "InvalidBandwidth.Value");
    CHECK(error_code([&] {
              w.as(kAlice)->modify_peering(p.id, PeeringChange{{}, {}, {}, std::string("Gold")});
          }) == "InvalidLinkType.IntraRegion");
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
    CHECK(error_code([&] {
              w.as(kCarol)->modify_peering(p.id, PeeringChange{std::string("renamed"), {}, {}, {}});
          }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->add_route(route(v.a, "10.2.0.0/16", p.id)); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->delete_vpc(v.a); }) == "Forbidden.SharedVpc");
    CHECK(w.dump() == before);
    for (const auto& i : w.as(kCarol)->list_instances(vsw.id)) w.as(kCarol)->delete_instance(i.id);
    w.as(kCarol)->delete_vswitch(vsw.id);
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

TEST_CASE("shared VPC: a principal deletes only what it created, and unshare waits for its resources", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    auto owners = w.as(kAlice)->list_vswitches(v.a);
    auto owners_inst = w.as(kAlice)->create_instance(InstanceSpec{owners[0].id, {}, {}});
    w.as(kAlice)->share_vpc(v.a, kCarol);
    auto vsw = w.as(kCarol)->create_vswitch(VSwitchSpec{v.a, "10.1.2.0/24", std::nullopt, ""});
    auto inst = w.as(kCarol)->create_instance(InstanceSpec{vsw.id, {}, {}});
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kCarol)->delete_instance(owners_inst.id); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->delete_vswitch(owners[0].id); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kAlice)->unshare_vpc(v.a, kCarol); }) == "DependencyViolation.SharedResource");
    CHECK(w.dump() == before);
    w.as(kCarol)->delete_instance(inst.id);
    w.as(kCarol)->delete_vswitch(vsw.id);
    w.as(kAlice)->unshare_vpc(v.a, kCarol);
    CHECK(w.as(kCarol)->list_vpcs().empty());
}

TEST_CASE("shared VPC: a principal of the accepter VPC cannot answer the request", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    w.as(kBob)->share_vpc(v.b, kCarol);
    Peering p = request(w, v);
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kCarol)->accept_peering(p.id); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->reject_peering(p.id); }) == "Forbidden.SharedVpc");
    CHECK(error_code([&] { w.as(kCarol)->delete_peering(p.id, false); }) == "Forbidden.SharedVpc");
    CHECK(w.dump() == before);
}

TEST_CASE("client tokens: peerings, another kind, permissions and deleted results", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    auto create = [&](AccountId who, const std::string& token) {
        auto c = w.as(who);
        c->set_client_token(token);
        return c->create_peering(PeeringSpec{v.a, v.b, kBob, {}, {}, {}, "", ""});
    };
    auto p = create(kAlice, "t-1");
    CHECK(create(kAlice, "t-1").id == p.id);
    CHECK(w.as(kAlice)->list_peerings().size() == 1);
    auto c = w.as(kAlice);
    c->set_client_token("t-1");
    CHECK(error_code([&] { c->create_vpc(VpcSpec{"10.50.0.0/16", {}, "cn-hangzhou", ""}); }) == "IdempotentParameterMismatch");
    w.as(kAlice)->delete_peering(p.id, false);
    CHECK(error_code([&] { create(kAlice, "t-1"); }) == "IncorrectStatus.ClientToken");

    // a principal's retry after the VPC was unshared is refused like any other command
    w.as(kAlice)->share_vpc(v.a, kCarol);
    auto carol_vsw = [&] {
        auto cc = w.as(kCarol);
        cc->set_client_token("c-1");
        return cc->create_vswitch(VSwitchSpec{v.a, "10.1.7.0/24", std::nullopt, ""});
    };
    auto vsw = carol_vsw();
    CHECK(carol_vsw().id == vsw.id);
    w.as(kCarol)->delete_vswitch(vsw.id);
    w.as(kAlice)->unshare_vpc(v.a, kCarol);
    CHECK(error_code([&] { carol_vsw(); }) == "InvalidVpcId.NotFound");
}

TEST_CASE("dry run of every peering command changes nothing", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering pending = request(w, v);
    auto third = vpc_with_vswitch(w, kAlice, "10.3.0.0/16", "10.3.1.0/24");
    Peering active = w.as(kAlice)->create_peering(PeeringSpec{v.a, third, {}, {}, {}, {}, "", ""});
    w.as(kAlice)->add_route(route(v.a, "10.3.0.0/16", active.id));
    const std::string before = w.dump();
    const size_t calls = w.kernel->calls.size();
    auto dry = [&](AccountId who, const std::function<void(Controller&)>& fn) {
        auto c = w.as(who);
        c->set_dry_run();
        fn(*c);
        CHECK_FALSE(c->changes().empty());
    };
    dry(kBob, [&](Controller& c) { c.accept_peering(pending.id); });
    dry(kBob, [&](Controller& c) { c.reject_peering(pending.id); });
    dry(kAlice, [&](Controller& c) { c.modify_peering(pending.id, PeeringChange{std::string("renamed"), {}, {}, {}}); });
    dry(kAlice, [&](Controller& c) { c.delete_peering(active.id, true); });
    dry(kAlice, [&](Controller& c) { c.add_route(route(third, "10.1.0.0/16", active.id)); });
    dry(kAlice, [&](Controller& c) { c.create_vswitch(VSwitchSpec{v.a, "10.1.9.0/24", std::nullopt, ""}); });
    dry(kAlice, [&](Controller& c) {
        c.set_client_token("dry-1");
        c.create_vpc(VpcSpec{"10.60.0.0/16", {}, "cn-hangzhou", ""});
    });
    CHECK(w.dump() == before);
    CHECK(w.kernel->calls.size() == calls);
    // the token of a dry run was not spent
    auto c = w.as(kAlice);
    c->set_client_token("dry-1");
    CHECK(error_code([&] { c->create_vpc(VpcSpec{"10.61.0.0/16", {}, "cn-hangzhou", ""}); }) == "");
}

TEST_CASE("a dry run does not show the timer's expiries of other accounts", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    request(w, v);
    w.clock += 8 * 24 * 3600;
    auto op = w.as_operator();
    op->set_dry_run();
    op->set_quota(kCarol, quotas::kPerAccountRegion, 30);
    REQUIRE(op->changes().size() == 1);
    CHECK(op->changes()[0].resource == quotas::kPerAccountRegion);
}

TEST_CASE("refusals do not give away the other account's routes, quotas or regions", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = in_status(w, v, S::Activated);
    auto alices = w.as(kAlice)->add_route(route(v.a, "10.2.0.0/16", p.id));
    try {
        w.as(kBob)->delete_peering(p.id, false);
        FAIL("deleted with routes");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find(alices.id) == std::string::npos);
        CHECK(std::string(e.what()).find(v.a) == std::string::npos);
        CHECK(std::string(e.what()).find("1 at the other end") != std::string::npos);
    }
    w.as(kBob)->delete_peering(p.id, true);
    for (const auto& e : w.as(kBob)->events("")) CHECK(e.resource != alices.id);
    bool alice_saw = false;
    for (const auto& e : w.as(kAlice)->events(alices.id)) alice_saw = alice_saw || e.status == "Deleted";
    CHECK(alice_saw);

    w.as_operator()->set_quota(kBob, quotas::kIntraRegionPerVpc, 0);
    try {
        request(w, v);
        FAIL("quota not applied");
    } catch (const Error& e) {
        CHECK(e.code() == "QuotaExceeded.IntraRegionPeerNumPerVpc");
        CHECK(std::string(e.what()).find(" is 0") == std::string::npos);
    }
    PeeringSpec wrong_region{v.a, v.b, kBob, std::string("cn-beijing"), {}, {}, "", ""};
    CHECK(error_code([&] { w.as(kAlice)->create_peering(wrong_region); }) == "InvalidVpcId.NotFound");
}

TEST_CASE("accept re-checks the accepter VPC's quota, Rejected and Expired ones do not count", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    w.as_operator()->set_quota(kBob, quotas::kIntraRegionPerVpc, 0);
    const std::string before = w.dump();
    CHECK(error_code([&] { w.as(kBob)->accept_peering(p.id); }) == "QuotaExceeded.IntraRegionPeerNumPerVpc");
    CHECK(w.dump() == before);
    w.as_operator()->set_quota(kBob, quotas::kIntraRegionPerVpc, 1);
    w.as(kBob)->reject_peering(p.id);
    Peering again = request(w, v);  // the Rejected one does not count
    w.clock += 8 * 24 * 3600;
    CHECK(w.as(kAlice)->show_peering(again.id).status == S::Expired);
    CHECK(w.as(kBob)->accept_peering(request(w, v).id).status == S::Activated);
}

TEST_CASE("a kernel failure in accept rolls the store back and the maps follow it", "[controller]") {
    World w;
    Pair v = two_accounts(w);
    Peering p = request(w, v);
    w.kernel->fail_apply_after = 0;  // the next apply throws
    CHECK_THROWS(w.as(kBob)->accept_peering(p.id));
    w.kernel->fail_apply_after = -1;
    CHECK(w.as(kAlice)->show_peering(p.id).status == S::PeerAccepting);
    CHECK_FALSE(w.kernel->active(p.slot));
    CHECK(w.as(kBob)->events(p.id).size() == 2);  // Creating, Peer Accepting: the accept left no trace
    // after a kernel failure the controller rebuilds every kernel object (new ifindexes), so
    // compare what the maps decide, not where the links are
    CHECK(w.kernel->maps.routes_v4.size() == 2 * kV4EntriesPerVSwitch);
    CHECK(w.kernel->maps.ports.size() == 2);
    CHECK(w.as(kBob)->accept_peering(p.id).status == S::Activated);  // and the next try works
    CHECK(w.kernel->active(p.slot));
}
