#include "controller/rollout.h"

#include <algorithm>

namespace xpeer::rollout {

std::vector<std::string> carriers(const Snapshot& s, const Peering& p) {
    std::vector<std::string> out;
    for (const auto& v : s.vswitches) {
        if (!v.host || (v.vpc_id != p.vpc_id && v.vpc_id != p.peer_vpc_id)) continue;
        if (std::ranges::find(out, *v.host) == out.end()) out.push_back(*v.host);
    }
    std::ranges::sort(out);
    return out;
}

std::vector<Lag> lagging(const std::vector<std::string>& carriers, const std::map<std::string, HostPresence>& presence, int64_t revision) {
    std::vector<Lag> out;
    for (const auto& host : carriers) {
        const auto it = presence.find(host);
        const HostPresence p = it == presence.end() ? HostPresence{} : it->second;
        if (p.programmed_revision < revision) out.push_back(Lag{host, p.programmed_revision, p.alive});
    }
    return out;
}

std::string describe(const std::vector<Lag>& lags, int64_t revision) {
    std::string out;
    for (const auto& l : lags) {
        if (!out.empty()) out += ", ";
        std::string why =
            l.programmed ? "programmed revision " + std::to_string(l.programmed) + " of " + std::to_string(revision) : "never programmed";
        if (!l.alive) why = "lease expired, " + why;
        out += l.host + " (" + why + ")";
    }
    return out;
}

}  // namespace xpeer::rollout
