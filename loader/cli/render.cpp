#include "cli/render.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "cli/table.h"
#include "controller/lifecycle.h"
#include "model/region.h"
#include "telemetry/rates.h"

namespace xpeer::render {
namespace {

std::string opt(const std::optional<Cidr>& c) { return c ? c->str() : "-"; }
std::string dash(const std::string& s) { return s.empty() ? "-" : s; }
std::string opt(const std::optional<IpAddr>& a) { return a ? a->str() : "-"; }
nlohmann::json opt_json(const std::optional<Cidr>& c) { return c ? nlohmann::json(c->str()) : nlohmann::json(nullptr); }
nlohmann::json opt_json(const std::optional<IpAddr>& a) { return a ? nlohmann::json(a->str()) : nlohmann::json(nullptr); }
// A counter's column from its JSON name: "DropNoRoute" -> "DROP NO ROUTE".
std::string column_header(std::string_view json) {
    std::string h;
    for (char ch : json) {
        if (std::isupper(static_cast<unsigned char>(ch)) && !h.empty()) h += ' ';
        h += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    return h;
}

}  // namespace

std::string format_time(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

nlohmann::json to_json(const Vpc& v) {
    return {{"VpcId", v.id},
            {"OwnerId", v.account},
            {"RegionId", v.region},
            {"VpcName", v.name},
            {"CidrBlock", v.cidr.str()},
            {"Ipv6CidrBlock", opt_json(v.ipv6_cidr)},
            {"CreationTime", format_time(v.created_at)}};
}
nlohmann::json to_json(const VSwitch& v) {
    return {{"VSwitchId", v.id},
            {"VpcId", v.vpc_id},
            {"VSwitchName", v.name},
            {"CidrBlock", v.cidr.str()},
            {"Ipv6CidrBlock", opt_json(v.ipv6_cidr)},
            {"Host", v.host ? nlohmann::json(*v.host) : nlohmann::json(nullptr)},
            {"CreationTime", format_time(v.created_at)}};
}
nlohmann::json to_json(const HostView& h) {
    return {{"HostName", h.host.name},
            {"RegionId", h.host.region},
            {"UnderlayAddress", h.host.underlay.str()},
            {"LeaseAlive", h.presence.alive},
            {"AgentPid", h.presence.pid},
            {"ProgrammedRevision", h.presence.programmed_revision},
            {"VSwitchCount", h.vswitches},
            {"CreationTime", format_time(h.host.created_at)}};
}
nlohmann::json to_json(const Instance& i) {
    return {{"InstanceId", i.id},
            {"VSwitchId", i.vswitch_id},
            {"PrivateIpAddress", opt_json(i.ip)},
            {"Ipv6Address", opt_json(i.ipv6)},
            {"CreationTime", format_time(i.created_at)}};
}
nlohmann::json to_json(const Peering& p) {
    auto expires = lifecycle::expires_at(p);
    return {{"InstanceId", p.id},
            {"Status", to_string(p.status)},
            {"OwnerId", p.account},
            {"VpcId", p.vpc_id},
            {"RegionId", p.region},
            {"AcceptingOwnerUid", p.peer_account},
            {"AcceptingVpcId", p.peer_vpc_id},
            {"AcceptingRegionId", p.peer_region},
            {"Bandwidth", p.bandwidth_mbps},
            {"LinkType", p.link_type},
            {"Name", p.name},
            {"Description", p.description},
            {"InterRegion", lifecycle::is_inter_region(p)},
            {"CrossBorder", is_cross_border(region(p.region), region(p.peer_region))},
            {"GmtCreate", format_time(p.created_at)},
            {"GmtExpired", expires ? nlohmann::json(format_time(*expires)) : nlohmann::json(nullptr)}};
}
nlohmann::json to_json(const QuotaValue& q) {
    return {{"QuotaName", q.name}, {"Description", q.description}, {"DefaultValue", q.default_value}, {"Value", q.value}, {"Unit", q.unit}};
}
nlohmann::json to_json(const billing::Line& l) {
    return {{"InstanceId", l.peering},
            {"From", l.from_vpc},
            {"To", l.to_vpc},
            {"Payer", l.payer},
            {"GB", l.gb},
            {"UsdPerGb", l.usd_per_gb ? nlohmann::json(*l.usd_per_gb) : nlohmann::json(nullptr)},
            {"Usd", l.usd},
            {"Note", l.note}};
}
nlohmann::json to_json(const billing::Price& p) {
    return {{"RegionA", p.region_a},
            {"RegionB", p.region_b},
            {"LinkType", p.link_type},
            {"UsdPerGb", p.usd_per_gb},
            {"EffectiveFrom", format_time(p.effective_from)}};
}
nlohmann::json to_json(const alerts::Rule& r) {
    return {{"AlertId", r.id},          {"InstanceId", r.peering},     {"Metric", alerts::to_string(r.metric)},
            {"Threshold", r.threshold}, {"ForSeconds", r.for_seconds}, {"Webhook", r.webhook}};
}
nlohmann::json to_json(const AlertChange& c) {
    return {{"AlertId", c.alert_id}, {"Time", format_time(c.time)}, {"Change", c.change}, {"Value", c.value}, {"Delivery", c.delivery}};
}
nlohmann::json to_json(const LinkSample& s) {
    auto r = telemetry::rate(s.delta, s.seconds, s.peering.bandwidth_mbps);
    const bool fwd = s.direction == Direction::AToB;
    return {{"InstanceId", s.peering.id},
            {"Name", s.peering.name},
            {"From", fwd ? s.peering.vpc_id : s.peering.peer_vpc_id},
            {"To", fwd ? s.peering.peer_vpc_id : s.peering.vpc_id},
            {"BitsPerSecond", r.bits_per_second},
            {"PacketsPerSecond", r.packets_per_second},
            {"Utilization", r.utilization ? nlohmann::json(*r.utilization) : nlohmann::json(nullptr)},
            {"Loss", r.loss},
            {"Total", to_json(s.total)}};
}
nlohmann::json to_json(const RouteEntry& r) {
    return {{"RouteEntryId", r.id},     {"VpcId", r.vpc_id},       {"DestinationCidrBlock", r.destination.str()},
            {"NextHopType", "VpcPeer"}, {"NextHopId", r.next_hop}, {"CreationTime", format_time(r.created_at)}};
}
nlohmann::json to_json(const Event& e) {
    return {{"Time", format_time(e.time)},
            {"ResourceId", e.resource},
            {"Status", e.status},
            {"Account", e.account == 0 ? nlohmann::json("system") : nlohmann::json(e.account)},
            {"Reason", e.reason}};
}
nlohmann::json to_json(const LinkCounters& c) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& f : kLinkCounterFields) j[std::string(f.json)] = c.*f.member;
    return j;
}
nlohmann::json to_json(const LinkStats& s) {
    return {{"InstanceId", s.peering.id},
            {"Name", s.peering.name},
            {"Status", to_string(s.peering.status)},
            {"Directions",
             {{{"From", s.peering.vpc_id}, {"To", s.peering.peer_vpc_id}, {"Counters", to_json(s.a_to_b)}},
              {{"From", s.peering.peer_vpc_id}, {"To", s.peering.vpc_id}, {"Counters", to_json(s.b_to_a)}}}}};
}

void table(std::ostream& out, const std::vector<Vpc>& vpcs) {
    TextTable t({"VPC", "NAME", "REGION", "CIDR", "IPV6 CIDR", "OWNER"});
    for (const auto& v : vpcs) t.add({v.id, v.name, v.region, v.cidr.str(), opt(v.ipv6_cidr), std::to_string(v.account)});
    t.print(out);
}
void table(std::ostream& out, const std::vector<VSwitch>& vs) {
    TextTable t({"VSWITCH", "VPC", "NAME", "CIDR", "IPV6 CIDR", "HOST"});
    for (const auto& v : vs) t.add({v.id, v.vpc_id, v.name, v.cidr.str(), opt(v.ipv6_cidr), v.host.value_or("-")});
    t.print(out);
}
void table(std::ostream& out, const std::vector<HostView>& hs) {
    TextTable t({"HOST", "REGION", "UNDERLAY", "LEASE", "PROGRAMMED", "VSWITCHES"});
    for (const auto& h : hs)
        t.add({h.host.name, h.host.region, h.host.underlay.str(),
               h.presence.alive ? "alive (pid " + std::to_string(h.presence.pid) + ")" : "expired",
               h.presence.programmed_revision ? "revision " + std::to_string(h.presence.programmed_revision) : "never",
               std::to_string(h.vswitches)});
    t.print(out);
}
void table(std::ostream& out, const std::vector<Instance>& is) {
    TextTable t({"INSTANCE", "VSWITCH", "IP", "IPV6"});
    for (const auto& i : is) t.add({i.id, i.vswitch_id, opt(i.ip), opt(i.ipv6)});
    t.print(out);
}
void table(std::ostream& out, const std::vector<Peering>& ps) {
    TextTable t({"PEERING", "NAME", "STATUS", "VPC", "PEER VPC", "PEER ACCOUNT", "REGIONS", "BANDWIDTH", "LINK", "EXPIRES"});
    for (const auto& p : ps) {
        auto expires = lifecycle::expires_at(p);
        t.add({p.id, dash(p.name), to_string(p.status), p.vpc_id, p.peer_vpc_id, std::to_string(p.peer_account),
               p.region + " -> " + p.peer_region, p.bandwidth_mbps < 0 ? "unlimited" : std::to_string(p.bandwidth_mbps) + " Mbps",
               p.link_type.empty() ? "-" : p.link_type, expires ? format_time(*expires) : "-"});
    }
    t.print(out);
}
void table(std::ostream& out, const std::vector<QuotaValue>& qs) {
    TextTable t({"QUOTA", "VALUE", "DEFAULT", "DESCRIPTION"});
    for (const auto& q : qs)
        t.add({q.name, std::to_string(q.value) + (q.unit.empty() ? "" : " " + q.unit), std::to_string(q.default_value), q.description});
    t.print(out);
}
namespace {

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
    return buf;
}

std::string si_rate(double bps) {
    const char* units[] = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s"};
    int u = 0;
    while (bps >= 1000 && u < 3) {
        bps /= 1000;
        ++u;
    }
    return fixed(bps, u ? 2 : 0) + " " + units[u];
}

}  // namespace

void table(std::ostream& out, const std::vector<billing::Line>& ls) {
    TextTable t({"PEERING", "FROM", "TO", "GB", "USD/GB", "USD", "NOTE"});
    double total = 0;
    for (const auto& l : ls) {
        t.add({l.peering, l.from_vpc, l.to_vpc, fixed(l.gb, 6), l.usd_per_gb ? fixed(*l.usd_per_gb, 4) : "-", fixed(l.usd, 4), l.note});
        total += l.usd;
    }
    t.add({"total", "", "", "", "", fixed(total, 4), "GB = 2^30 bytes"});
    t.print(out);
}
void table(std::ostream& out, const std::vector<billing::Price>& ps) {
    TextTable t({"REGION A", "REGION B", "LINK", "USD/GB", "FROM"});
    for (const auto& p : ps) t.add({p.region_a, p.region_b, p.link_type, fixed(p.usd_per_gb, 4), format_time(p.effective_from)});
    t.print(out);
}
void table(std::ostream& out, const std::vector<alerts::Rule>& rs) {
    TextTable t({"ALERT", "PEERING", "METRIC", "THRESHOLD", "FOR", "WEBHOOK"});
    for (const auto& r : rs)
        t.add({r.id, r.peering, alerts::to_string(r.metric), fixed(r.threshold, 3), std::to_string(r.for_seconds) + " s",
               r.webhook.empty() ? "-" : r.webhook});
    t.print(out);
}
void table(std::ostream& out, const std::vector<AlertChange>& cs) {
    TextTable t({"TIME", "ALERT", "CHANGE", "VALUE", "DELIVERY"});
    for (const auto& c : cs) t.add({format_time(c.time), c.alert_id, c.change, fixed(c.value, 3), c.delivery});
    t.print(out);
}
void table(std::ostream& out, const std::vector<LinkSample>& ss) {
    TextTable t({"PEERING", "NAME", "FROM", "TO", "RATE", "PACKETS/S", "UTIL", "LOSS", "DROPS", "BANDWIDTH"});
    for (const auto& s : ss) {
        auto r = telemetry::rate(s.delta, s.seconds, s.peering.bandwidth_mbps);
        const bool fwd = s.direction == Direction::AToB;
        t.add({s.peering.id, dash(s.peering.name), fwd ? s.peering.vpc_id : s.peering.peer_vpc_id,
               fwd ? s.peering.peer_vpc_id : s.peering.vpc_id, si_rate(r.bits_per_second), fixed(r.packets_per_second, 0),
               r.utilization ? fixed(*r.utilization * 100, 1) + "%" : "-", fixed(r.loss * 100, 2) + "%",
               std::to_string(telemetry::drops(s.total)),
               s.peering.bandwidth_mbps < 0 ? "unlimited" : std::to_string(s.peering.bandwidth_mbps) + " Mbps"});
    }
    t.print(out);
}
void table(std::ostream& out, const std::vector<RouteEntry>& rs) {
    TextTable t({"ROUTE ENTRY", "VPC", "DESTINATION", "NEXT HOP"});
    for (const auto& r : rs) t.add({r.id, r.vpc_id, r.destination.str(), r.next_hop});
    t.print(out);
}
void table(std::ostream& out, const std::vector<Event>& es) {
    TextTable t({"TIME", "RESOURCE", "STATUS", "ACCOUNT", "REASON"});
    for (const auto& e : es)
        t.add({format_time(e.time), e.resource, e.status, e.account == 0 ? "system" : std::to_string(e.account), e.reason});
    t.print(out);
}
void table(std::ostream& out, const std::vector<LinkStats>& ss) {
    std::vector<std::string> header{"PEERING", "NAME", "STATUS", "FROM", "TO"};
    for (const auto& f : kLinkCounterFields) header.push_back(column_header(f.json));
    TextTable t(std::move(header));
    auto row = [&](const Peering& p, const std::string& from, const std::string& to, const LinkCounters& c) {
        std::vector<std::string> cells{p.id, dash(p.name), to_string(p.status), from, to};
        for (const auto& f : kLinkCounterFields) cells.push_back(std::to_string(c.*f.member));
        t.add(std::move(cells));
    };
    for (const auto& s : ss) {
        row(s.peering, s.peering.vpc_id, s.peering.peer_vpc_id, s.a_to_b);
        row(s.peering, s.peering.peer_vpc_id, s.peering.vpc_id, s.b_to_a);
    }
    t.print(out);
}
void reasons_table(std::ostream& out, const VerdictCounts& rs) {
    TextTable t({"REASON", "PACKETS", "BYTES"});
    for (const auto& r : rs) t.add({r.reason, std::to_string(r.packets), std::to_string(r.bytes)});
    t.print(out);
}
nlohmann::json reasons_json(const VerdictCounts& rs) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : rs) j.push_back({{"Reason", r.reason}, {"Packets", r.packets}, {"Bytes", r.bytes}});
    return j;
}

void route_lookups(std::ostream& out, const RouteLookupStats& s) {
    out << "compiled lookups: " << (s.compiled_off ? "off" : "on") << ", " << s.compiled << " packets decided\n";
    out << "LPM tries: " << s.tries << " packets decided\n";
}
nlohmann::json to_json(const RouteLookupStats& s) {
    return {{"CompiledOn", !s.compiled_off}, {"Compiled", s.compiled}, {"Tries", s.tries}};
}

void details(std::ostream& out, const nlohmann::json& j) {
    for (const auto& [k, v] : j.items()) out << k << ": " << (v.is_string() ? v.get<std::string>() : v.dump()) << '\n';
}

}  // namespace xpeer::render
