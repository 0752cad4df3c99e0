#include "compiler/compile_scope.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "compiler/compiler.h"
#include "compiler/lpm_key.h"

namespace xpeer {
namespace {

// Removes the entries whose keys are not in `keys` (both in the table's order): one pass.
template <typename K, typename V>
void keep_only(Table<K, V>& table, std::vector<K> keys) {
    const BytesLess<K> less;
    std::sort(keys.begin(), keys.end(), less);
    auto k = keys.begin();
    for (auto it = table.begin(); it != table.end();) {
        while (k != keys.end() && less(*k, it->first)) ++k;
        if (k != keys.end() && !less(it->first, *k))
            ++it;
        else
            it = table.erase(it);
    }
}

}  // namespace

Tables compile_scope(const Snapshot& s, const PortMap& ports, const Scope& scope) {
    Tables t = compile(s, ports);

    std::unordered_map<std::string, uint32_t> vpc_key;
    for (const auto& v : s.vpcs) vpc_key[v.id] = v.key;
    std::vector<xp_lpm_key_v4> v4;
    std::vector<xp_lpm_key_v6> v6;
    for (const auto& [vpc_id, destinations] : scope.prefixes) {
        auto vpc = vpc_key.find(vpc_id);
        if (vpc == vpc_key.end()) continue;
        for (const auto& d : destinations) {
            if (d.family() == Family::V4)
                v4.push_back(lpm_key_v4(vpc->second, d));
            else
                v6.push_back(lpm_key_v6(vpc->second, d));
        }
    }
    std::vector<uint32_t> ifindexes;
    for (const auto& vsw : s.vswitches) {
        auto port = ports.find(vsw.id);
        if (scope.vswitches.count(vsw.id) && port != ports.end()) ifindexes.push_back(port->second.ifindex);
    }
    std::vector<uint32_t> slots;
    for (const auto& p : s.peerings)
        if (scope.peerings.count(p.id)) slots.push_back(p.slot);

    keep_only(t.routes_v4, std::move(v4));
    keep_only(t.routes_v6, std::move(v6));
    keep_only(t.ports, std::move(ifindexes));
    keep_only(t.peerings, std::move(slots));
    t.tunnels.clear();  // they change with the hosts, which a scope never names: apply() writes them
    t.underlay_hosts.clear();
    t.underlay_qos.clear();
    return t;
}

}  // namespace xpeer
