#pragma once
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controller/dataplane.h"
#include "model/host_demand.h"
#include "model/link_sample.h"
#include "telemetry/bandwidth_share.h"

namespace xpeer {

// The agent's side of sharing a connection's bandwidth among the hosts that send on it
// (telemetry/bandwidth_share.h). Each interval: this host's demand on every link it sends on
// together with other hosts, from its samples, published when it would move a part (or a third
// of its lease went by); the other hosts' demand read; this host's part of each such link written
// to its router, which holds it for two intervals and then falls back to the least part the host
// could be given, so that a host whose agent stops (or cannot read the others) never keeps a part
// the others have since grown into. A claim that grew is counted only once every other host has
// had two of its intervals to read it, and so to lower its own part or fall back.
class BandwidthSharer {
public:
    struct LinkPart {
        bandwidth_share::SharedLink link;
        double counted = 0;  // this host's claim as it counts it for its own part, bytes per second
        bandwidth_share::Part part;
    };
    struct Clock {
        int64_t wall_ms = 0;
        std::chrono::steady_clock::time_point steady;
    };
    // Where the hosts' agents publish their demand and read each other's (the store's
    // hosts/HOST/demand keys).
    struct Board {
        std::function<std::map<std::string, HostDemand>(const std::set<std::string>& hosts)> read;
        std::function<void(const std::string& host, const HostDemand& demand)> publish;
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

    std::vector<LinkPart> run(const Round& round, Board& board, Dataplane& kernel);

private:
    // A way the other hosts may see this host now: its claims as one of its publications had
    // them, or not heard from (the equal part).
    struct View {
        std::chrono::steady_clock::time_point at;         // since when
        std::optional<std::map<LinkKey, double>> claims;  // nullopt: not heard from
        bool confirmed = false;                           // etcd took it; a put that failed may have reached it all the same
    };
    // Whether `mine` would move a part by more than 1/200 of its link's rate from what the last
    // publication gives, among the other hosts' claims as heard; or that publication is old enough,
    // or was made with another interval.
    bool worth_publishing(const HostDemand& mine, const std::vector<bandwidth_share::SharedLink>& links,
                          std::map<std::string, HostDemand> heard, const std::string& here, const Clock& now) const;
    // This host's part of `link`: the least over every way the others may see it (the views since
    // the last one every other host has read, `grace` ago), for its rate and for its fallback.
    bandwidth_share::Part part_of(const bandwidth_share::SharedLink& link, std::map<std::string, HostDemand> heard, const std::string& here,
                                  const Clock& now) const;

    std::map<LinkKey, double> smoothed_;
    std::optional<HostDemand> published_;  // the last publication etcd took
    std::chrono::steady_clock::time_point published_at_{};
    std::deque<View> views_;  // oldest first
    bool resumed_ = false;    // the first run read this host's last publication (an agent restarted)
    bool swept_ = false;      // the parts an earlier agent left of links no longer shared were cleared
    std::map<std::pair<uint32_t, Direction>, std::string> written_;  // parts in the router, by slot and direction: their connection
};

}  // namespace xpeer
