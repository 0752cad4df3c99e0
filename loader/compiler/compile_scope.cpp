#include "compiler/compile_scope.h"

#include <set>
#include <unordered_map>

#include "compiler/compiler.h"
#include "compiler/lpm_key.h"

namespace xpeer {
namespace {

template <typename K, typename V, typename Keep>
void keep_only(Table<K, V>& table, Keep keep) {
    std::erase_if(table, [&](const auto& entry) { return !keep(entry.first); });
}

}  // namespace

Tables compile_scope(const Snapshot& s, const PortMap& ports, const Scope& scope) {
    Tables t = compile(s, ports);

    std::unordered_map<std::string, uint32_t> vpc_key;
    for (const auto& v : s.vpcs) vpc_key[v.id] = v.key;
    std::set<xp_lpm_key_v4, BytesLess<xp_lpm_key_v4>> v4;
    std::set<xp_lpm_key_v6, BytesLess<xp_lpm_key_v6>> v6;
    for (const auto& [vpc_id, destination] : scope.prefixes) {
        auto vpc = vpc_key.find(vpc_id);
        if (vpc == vpc_key.end()) continue;
        if (destination.family() == Family::V4)
            v4.insert(lpm_key_v4(vpc->second, destination));
        else
            v6.insert(lpm_key_v6(vpc->second, destination));
    }
    std::set<uint32_t> ifindexes;
    for (const auto& vsw : s.vswitches) {
        auto port = ports.find(vsw.id);
        if (scope.vswitches.count(vsw.id) && port != ports.end()) ifindexes.insert(port->second.ifindex);
    }
    std::set<uint32_t> slots;
    for (const auto& p : s.peerings)
        if (scope.peerings.count(p.id)) slots.insert(p.slot);

    keep_only(t.routes_v4, [&](const xp_lpm_key_v4& k) { return v4.count(k) > 0; });
    keep_only(t.routes_v6, [&](const xp_lpm_key_v6& k) { return v6.count(k) > 0; });
    keep_only(t.ports, [&](uint32_t ifindex) { return ifindexes.count(ifindex) > 0; });
    keep_only(t.peerings, [&](uint32_t slot) { return slots.count(slot) > 0; });
    return t;
}

}  // namespace xpeer
