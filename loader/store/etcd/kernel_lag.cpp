#include "store/etcd/kernel_lag.h"

#include <set>

#include "model/errors.h"

namespace xpeer::kernel_lag {
namespace {

using nlohmann::json;

// Rows no map entry and no kernel object is made from.
const std::set<std::string> kNotInKernel{"accounts", "alert_history", "alerts", "archived_counters", "client_tokens", "events",
                                         "meta",     "prices",        "quotas", "sqlite_sequence",   "usage",         "vpc_shares"};

// The columns as they were and are, whichever exist.
std::vector<const json*> versions(const RowChange& c) {
    std::vector<const json*> out;
    if (c.was) out.push_back(&*c.was);
    if (c.now) out.push_back(&*c.now);
    return out;
}

// false: the change needs every kernel object rebuilt.
bool add(KernelLag& lag, const RowChange& c, const std::string& local_host,
         const std::function<std::optional<std::string>(const std::string&)>& host_of_vswitch) {
    if (kernel_ignores(c.table)) return true;
    Scope& scope = lag.maps;
    if (c.table == "routes") {
        for (const json* v : versions(c)) {
            auto vpc = text_of(*v, "vpc_id"), destination = text_of(*v, "destination");
            if (!vpc || !destination) return false;
            scope.add_route(*vpc, Cidr::parse(*destination));
        }
        return true;
    }
    if (c.table == "peerings") {
        if (c.key.size() != 1 || !c.key[0].is_string()) return false;
        scope.add_peering(c.key[0].get<std::string>());
        return true;
    }
    if (c.table == "vswitches" || c.table == "vswitch_ports") {
        if (c.key.size() != 1 || !c.key[0].is_string()) return false;
        const std::string id = c.key[0].get<std::string>();
        scope.vswitches.insert(id);
        if (c.table == "vswitch_ports") {  // this host's, gone with its vSwitch
            lag.vswitches_here.insert(id);
            return true;
        }
        for (const json* v : versions(c)) {
            auto host = text_of(*v, "host"), vpc = text_of(*v, "vpc_id"), cidr = text_of(*v, "cidr");
            if (!host || !vpc || !cidr) return false;  // no host named: one machine's
            if (*host == local_host) lag.vswitches_here.insert(id);
            scope.add_subnet(*vpc, Cidr::parse(*cidr));
            if (auto v6 = text_of(*v, "ipv6_cidr")) scope.add_subnet(*vpc, Cidr::parse(*v6));
        }
        return true;
    }
    if (c.table == "instances") {
        // An address in a VPC's namespace on the vSwitch's host; no map entry anywhere.
        for (const json* v : versions(c)) {
            auto vsw = text_of(*v, "vswitch_id");
            if (!vsw) return false;
            auto host = host_of_vswitch(*vsw);
            if (!host || host->empty()) return false;
            if (*host == local_host) lag.vswitches_here.insert(*vsw);
        }
        return true;
    }
    return false;  // hosts (the tunnels), shared settings, a table of a newer schema
}

}  // namespace

std::optional<std::string> text_of(const json& columns, const char* name) {
    auto it = columns.find(name);
    if (it == columns.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

bool kernel_ignores(const std::string& table) {
    // A VPC's namespace comes with its first vSwitch on a host, and goes with its last: its own
    // row makes no kernel object among hosts, and its key never changes.
    return kNotInKernel.contains(table) || table == "vpcs";
}

std::optional<KernelLag> of(const std::vector<RowChange>& changes, const std::string& local_host,
                            const std::function<std::optional<std::string>(const std::string& vswitch_id)>& host_of_vswitch) {
    if (local_host.empty()) return std::nullopt;  // one machine's kernel holds everything
    KernelLag lag;
    try {
        for (const auto& c : changes)
            if (!add(lag, c, local_host, host_of_vswitch)) return std::nullopt;
    } catch (const Error&) {  // a CIDR this build cannot read: rebuild from the store's own reading
        return std::nullopt;
    }
    return lag;
}

}  // namespace xpeer::kernel_lag
