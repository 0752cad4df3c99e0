#include "datapath/map_drift.h"

#include <algorithm>

#include "compiler/delta.h"
#include "compiler/lpm_key.h"
#include "datapath/fib_writer.h"
#include "datapath/reconcile.h"

namespace xpeer {
namespace {

std::string describe(const xp_route& r) {
    switch (r.kind) {
        case XP_NH_VSWITCH:
            return "vSwitch veth " + std::to_string(r.target);
        case XP_NH_PEERING:
            return "peering slot " + std::to_string(r.target);
        case XP_NH_RESERVED:
            return "reserved";
        case XP_NH_REMOTE:
            return "another host, tunnel " + std::to_string(r.target);
        default:
            return "kind " + std::to_string(r.kind);
    }
}

std::string describe(const xp_port& p) {
    std::string s = "vpc " + std::to_string(p.vpc);
    if (p.src_v4_len) s += " from " + Cidr{IpAddr{Family::V4, {p.src_v4[0], p.src_v4[1], p.src_v4[2], p.src_v4[3]}}, p.src_v4_len}.str();
    if (p.src_v6_len) {
        IpAddr a{Family::V6, {}};
        std::copy(std::begin(p.src_v6), std::end(p.src_v6), a.bytes.begin());
        s += " from " + Cidr{a, p.src_v6_len}.str();
    }
    return s;
}

std::string describe(const xp_peering& p) {
    return "vpc " + std::to_string(p.vpc_a) + " <-> " + std::to_string(p.vpc_b) + (p.active ? ", active" : ", inactive") +
           (p.rate_bytes ? ", " + std::to_string(p.rate_bytes) + " B/s" : "") + (p.dscp ? ", DSCP " + std::to_string(p.dscp) : "");
}

std::string key_name(const xp_lpm_key_v4& k) { return "xp_routes_v4 vpc " + std::to_string(k.vpc) + " " + cidr_of(k).str(); }
std::string key_name(const xp_lpm_key_v6& k) { return "xp_routes_v6 vpc " + std::to_string(k.vpc) + " " + cidr_of(k).str(); }

template <typename K, typename V, typename Name>
void describe_delta(const TableDelta<K, V>& delta, Name name, std::vector<Difference>& out) {
    // diff(have, want): `was` is what the map holds, `now` what the store compiles to.
    for (const auto& [key, change] : delta) {
        if (!change.was)
            out.push_back({name(key), "missing (want " + describe(*change.now) + ")"});
        else if (!change.now)
            out.push_back({name(key), "not in the store (holds " + describe(*change.was) + ")"});
        else
            out.push_back({name(key), "holds " + describe(*change.was) + ", want " + describe(*change.now)});
    }
}

}  // namespace

std::vector<Difference> map_differences(const Tables& want, const BpfRouter& dp) {
    Tables have;
    for (auto& [k, v] : dp.routes_v4.all_entries()) have.routes_v4.emplace(k, v);
    for (auto& [k, v] : dp.routes_v6.all_entries()) have.routes_v6.emplace(k, v);
    static const xp_peering no_peering{};
    for (auto& [slot, p] : dp.peerings.all_entries())
        if (!bytes_equal(p, no_peering)) have.peerings.emplace(slot, p);

    std::vector<Difference> out;
    for (uint32_t ifindex = 0; ifindex < dp.ports.per_cpu(); ++ifindex) {
        auto copies = dp.ports.read_percpu(ifindex);
        auto present = std::find_if(copies.begin(), copies.end(), [](const xp_port& c) { return c.vpc != 0; });
        if (present == copies.end()) continue;
        const xp_port config = port_config(*present);
        have.ports.emplace(ifindex, config);
        if (!std::all_of(copies.begin(), copies.end(), [&](const xp_port& c) { return bytes_equal(port_config(c), config); }))
            out.push_back({"xp_ports ifindex " + std::to_string(ifindex), "its CPUs' copies differ"});
    }

    for (auto& d : describe_differences(diff(have, want))) out.push_back(std::move(d));
    for (auto& d : fib_differences(dp, compile_fib(want)))
        out.push_back({"xp_fib_roots vpc " + std::to_string(d.vpc) + (d.family == Family::V4 ? " IPv4" : " IPv6"), std::move(d.problem)});
    return out;
}

std::vector<Difference> describe_differences(const TablesDelta& d) {
    std::vector<Difference> out;
    describe_delta(
        d.routes_v4, [](const auto& k) { return key_name(k); }, out);
    describe_delta(
        d.routes_v6, [](const auto& k) { return key_name(k); }, out);
    describe_delta(
        d.ports, [](uint32_t i) { return "xp_ports ifindex " + std::to_string(i); }, out);
    describe_delta(
        d.peerings, [](uint32_t s) { return "xp_peerings slot " + std::to_string(s); }, out);
    return out;
}

}  // namespace xpeer
