#include <catch2/catch.hpp>
#include <functional>

#include "controller/lifecycle.h"
#include "model/error.h"

using namespace xpeer;
using lifecycle::Action;
using S = PeeringStatus;

namespace {

std::string verdict(const Peering& p, Action a, lifecycle::Caller who, int64_t now) {
    try {
        lifecycle::check(p, a, who, now);
        return "ok";
    } catch (const Error& e) {
        return e.code();
    }
}

std::string verdict_of(const std::function<void()>& fn) {
    try {
        fn();
        return "ok";
    } catch (const Error& e) {
        return e.code();
    }
}

constexpr const char* kOk = "ok";
constexpr const char* kStatus = "IncorrectStatus.VpcPeer";
constexpr const char* kForbidden = "Forbidden.VpcPeer";

struct Row {
    S status;
    Action action;
    const char* requester;  // verdict for the requester's account
    const char* accepter;   // verdict for the accepter's account
};

// Every status x action pair, for each side of a cross-account connection.
const Row kTable[] = {
    {S::Creating, Action::Accept, kStatus, kStatus},  {S::PeerAccepting, Action::Accept, kForbidden, kOk},
    {S::Updating, Action::Accept, kStatus, kStatus},  {S::Activated, Action::Accept, kStatus, kStatus},
    {S::Rejected, Action::Accept, kStatus, kStatus},  {S::Expired, Action::Accept, kStatus, kStatus},
    {S::Deleting, Action::Accept, kStatus, kStatus},  {S::Deleted, Action::Accept, kStatus, kStatus},

    {S::Creating, Action::Reject, kStatus, kStatus},  {S::PeerAccepting, Action::Reject, kForbidden, kOk},
    {S::Updating, Action::Reject, kStatus, kStatus},  {S::Activated, Action::Reject, kStatus, kStatus},
    {S::Rejected, Action::Reject, kStatus, kStatus},  {S::Expired, Action::Reject, kStatus, kStatus},
    {S::Deleting, Action::Reject, kStatus, kStatus},  {S::Deleted, Action::Reject, kStatus, kStatus},

    {S::Creating, Action::Delete, kStatus, kStatus},  {S::PeerAccepting, Action::Delete, kOk, kForbidden},
    {S::Updating, Action::Delete, kOk, kOk},          {S::Activated, Action::Delete, kOk, kOk},
    {S::Rejected, Action::Delete, kOk, kOk},          {S::Expired, Action::Delete, kOk, kOk},
    {S::Deleting, Action::Delete, kStatus, kStatus},  {S::Deleted, Action::Delete, kStatus, kStatus},

    {S::Creating, Action::Modify, kStatus, kStatus},  {S::PeerAccepting, Action::Modify, kOk, kForbidden},
    {S::Updating, Action::Modify, kStatus, kStatus},  {S::Activated, Action::Modify, kOk, kOk},
    {S::Rejected, Action::Modify, kStatus, kStatus},  {S::Expired, Action::Modify, kStatus, kStatus},
    {S::Deleting, Action::Modify, kStatus, kStatus},  {S::Deleted, Action::Modify, kStatus, kStatus},

    {S::Creating, Action::RouteTo, kStatus, kStatus}, {S::PeerAccepting, Action::RouteTo, kStatus, kStatus},
    {S::Updating, Action::RouteTo, kStatus, kStatus}, {S::Activated, Action::RouteTo, kOk, kOk},
    {S::Rejected, Action::RouteTo, kStatus, kStatus}, {S::Expired, Action::RouteTo, kStatus, kStatus},
    {S::Deleting, Action::RouteTo, kStatus, kStatus}, {S::Deleted, Action::RouteTo, kStatus, kStatus},

    {S::Creating, Action::Expire, kStatus, kStatus},  {S::PeerAccepting, Action::Expire, kOk, kOk},
    {S::Updating, Action::Expire, kStatus, kStatus},  {S::Activated, Action::Expire, kStatus, kStatus},
    {S::Rejected, Action::Expire, kStatus, kStatus},  {S::Expired, Action::Expire, kStatus, kStatus},
    {S::Deleting, Action::Expire, kStatus, kStatus},  {S::Deleted, Action::Expire, kStatus, kStatus},
};

Peering cross_account(S status) {
    Peering p;
    p.id = "pcc-test";
    p.account = 1;
    p.vpc_id = "vpc-a";
    p.peer_account = 2;
    p.peer_vpc_id = "vpc-b";
    p.region = p.peer_region = "cn-hangzhou";
    p.status = status;
    p.created_at = 1000;
    return p;
}

}  // namespace

TEST_CASE("every status x action pair, for requester and accepter", "[lifecycle]") {
    const int64_t later = 1000 + lifecycle::kPendingSeconds + 1;
    size_t pairs = 0;
    for (const auto& row : kTable) {
        Peering p = cross_account(row.status);
        INFO(to_string(row.status) << " x " << lifecycle::to_string(row.action));
        CHECK(verdict(p, row.action, lifecycle::caller_of(p, 1), later) == row.requester);
        CHECK(verdict(p, row.action, lifecycle::caller_of(p, 2), later) == row.accepter);
        ++pairs;
    }
    CHECK(pairs == 8 * 6);
}

TEST_CASE("a refusal names the status that forbids it", "[lifecycle]") {
    Peering p = cross_account(S::Rejected);
    try {
        lifecycle::check(p, Action::Accept, lifecycle::caller_of(p, 2), 0);
        FAIL("accepted a Rejected connection");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("pcc-test is Rejected") != std::string::npos);
    }
}

TEST_CASE("a third account gets not-found, never the connection", "[lifecycle]") {
    Peering p = cross_account(S::PeerAccepting);
    CHECK(verdict(p, Action::Accept, lifecycle::caller_of(p, 3), 0) == "InvalidVpcPeerId.NotFound");
}

TEST_CASE("a pending request expires once more than seven days have passed", "[lifecycle]") {
    Peering p = cross_account(S::PeerAccepting);
    CHECK(lifecycle::expires_at(p) == 1000 + 7 * 24 * 3600);
    CHECK(verdict(p, Action::Expire, {}, 1000 + lifecycle::kPendingSeconds) == "IncorrectStatus.NotYetExpired");
    CHECK(verdict(p, Action::Expire, {}, 1000 + lifecycle::kPendingSeconds + 1) == "ok");
    CHECK_FALSE(lifecycle::expires_at(cross_account(S::Activated)));
}

TEST_CASE("which statuses a connection can still reach", "[lifecycle]") {
    CHECK(lifecycle::can_reach(S::PeerAccepting, S::Activated));
    CHECK(lifecycle::can_reach(S::PeerAccepting, S::Expired));
    CHECK_FALSE(lifecycle::can_reach(S::Rejected, S::Activated));
    CHECK_FALSE(lifecycle::can_reach(S::Expired, S::Activated));
    CHECK(lifecycle::can_reach(S::Rejected, S::Deleted));
    CHECK_FALSE(lifecycle::can_reach(S::Deleted, S::Activated));
    CHECK_FALSE(lifecycle::can_reach(S::Activated, S::PeerAccepting));
}

TEST_CASE("bandwidth as typed: whole Mbps, too many digits named as typed, not saturated", "[lifecycle]") {
    CHECK(lifecycle::parse_bandwidth("200") == 200);
    CHECK(lifecycle::parse_bandwidth("-1") == -1);
    CHECK(lifecycle::parse_bandwidth("0100000") == 100000);
    for (const char* bad : {"", "-", "1.5", "100M", " 1", "+5"}) {
        INFO(bad);
        CHECK(verdict_of([&] { lifecycle::parse_bandwidth(bad); }) == "InvalidBandwidth.Malformed");
    }
    CHECK(verdict_of([&] { lifecycle::parse_bandwidth("-99999999999999999999"); }) == "InvalidBandwidth.Value");
    try {
        lifecycle::parse_bandwidth("99999999999999999999");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.code() == "InvalidBandwidth.TooLarge");
        CHECK_THAT(e.what(), Catch::Contains("bandwidth 99999999999999999999 Mbps") && Catch::Contains("100000 Mbps"));
    }
    // within int64_t, above the limit: check_bandwidth names it
    Peering inter;
    inter.region = "cn-hangzhou";
    inter.peer_region = "cn-shanghai";
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(inter, lifecycle::parse_bandwidth("9999999"), {}); }) == "InvalidBandwidth.TooLarge");
}

TEST_CASE("bandwidth and link type follow the connection's regions", "[lifecycle]") {
    lifecycle::BandwidthLimits limits{1024, 512};
    Peering intra = cross_account(S::Activated);
    CHECK_NOTHROW(lifecycle::check_bandwidth(intra, -1, limits));
    CHECK_NOTHROW(lifecycle::check_bandwidth(intra, 100, limits));
    CHECK_NOTHROW(lifecycle::check_bandwidth(intra, 2000, limits));  // no quota bounds it within a region
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(intra, 0, limits); }) == "InvalidBandwidth.Value");
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(intra, -2, limits); }) == "InvalidBandwidth.Value");
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(intra, lifecycle::kMaxBandwidthMbps + 1, limits); }) == "InvalidBandwidth.TooLarge");
    CHECK(verdict_of([&] { lifecycle::check_link_type(intra, "Gold"); }) == "InvalidLinkType.IntraRegion");

    Peering inter = intra;
    inter.peer_region = "cn-shanghai";
    CHECK_NOTHROW(lifecycle::check_bandwidth(inter, 1024, limits));
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(inter, 1025, limits); }) == "QuotaExceeded.CrossRegionBandwidth");
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(inter, 0, limits); }) == "InvalidBandwidth.Value");
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(inter, -1, limits); }) == "InvalidBandwidth.Value");
    CHECK(verdict_of([&] { lifecycle::check_link_type(inter, "Silver"); }) == "InvalidLinkType.Unknown");
    CHECK_NOTHROW(lifecycle::check_link_type(inter, "Platinum"));

    Peering border = intra;
    border.peer_region = "cn-hongkong";
    CHECK_NOTHROW(lifecycle::check_bandwidth(border, 512, limits));
    CHECK(verdict_of([&] { lifecycle::check_bandwidth(border, 513, limits); }) == "QuotaExceeded.CrossBorderBandwidth");
}
