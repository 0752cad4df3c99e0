#pragma once
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/dataplane.h"
#include "model/link_sample.h"
#include "telemetry/bandwidth_share.h"

namespace xpeer {

// The agent's side of sharing a connection's bandwidth among the hosts that send on it
// (telemetry/bandwidth_share.h). Each interval: this host's demand on every link it sends on
// together with other hosts, from its samples, published when it changed (or a third of its
// lease went by); the other hosts' demand read; this host's part of each such link written to its
// router, current until the lease of its last publication runs out, which is when the other hosts
// stop counting on that publication too.
class BandwidthSharer {
public:
    struct Part {
        bandwidth_share::SharedLink link;
        double claimed = 0;  // this host's demand as the others read it, bytes per second
        bandwidth_share::Part part;
    };
    struct Clock {
        int64_t wall_ms = 0;
        std::chrono::steady_clock::time_point steady;
    };
    // Where the hosts' agents publish their demand and read each other's (the store's
    // hosts/HOST/demand keys).
    struct Board {
        std::function<std::map<std::string, bandwidth_share::HostDemand>(const std::set<std::string>& hosts)> read;
        std::function<void(const std::string& host, const bandwidth_share::HostDemand& demand)> publish;
    };
    // One interval of this host (`here`): the live connections, every vSwitch, and this host's
    // samples of its links over the interval.
    struct Round {
        std::string here;
        std::vector<Peering> peerings;
        std::vector<VSwitch> vswitches;
        std::vector<LinkSample> samples;
        int64_t interval_ms = 1000;
        Clock now;
    };

    std::vector<Part> run(const Round& round, Board& board, Dataplane& kernel);

private:
    // Whether `mine` would move a part by more than 1/200 of its link's rate from what the last
    // publication gives, among the other hosts' claims as heard; or that publication is old enough.
    bool worth_publishing(const bandwidth_share::HostDemand& mine, const std::vector<bandwidth_share::SharedLink>& links,
                          std::map<std::string, bandwidth_share::HostDemand> heard, const std::string& here, const Clock& now) const;

    std::map<bandwidth_share::LinkKey, double> smoothed_;
    std::optional<bandwidth_share::HostDemand> published_;
    std::optional<bandwidth_share::HostDemand> before_;              // the publication before published_ (none: empty)
    std::chrono::steady_clock::time_point published_at_{};           // steady time of published_
    std::map<std::pair<uint32_t, Direction>, std::string> written_;  // parts in the router, by slot and direction: their connection
    // The first run read this host's last publication (an agent restarted) and cleared the parts
    // an earlier agent left of links no longer shared.
    bool resumed_ = false;
};

}  // namespace xpeer
