#include "controller/bandwidth_sharer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace xpeer {

using namespace bandwidth_share;

namespace {

const LinkSample* sample_of(const std::vector<LinkSample>& samples, const LinkKey& link) {
    for (const auto& s : samples)
        if (s.peering.id == link.first && s.direction == link.second && s.seconds > 0) return &s;
    return nullptr;
}

// This host's claims as it counts them for its own part: within an interval of its last
// publication, which the other hosts may not have read yet, the lower of its last two. A claim
// that grew is taken once they have read it; one that shrank, at once.
HostDemand counted(const HostDemand& last, const HostDemand& before, bool read_by_all) {
    HostDemand out = last;
    if (read_by_all) return out;
    for (auto& [link, rate] : out.bytes_per_second) {
        auto it = before.bytes_per_second.find(link);
        rate = it == before.bytes_per_second.end() ? 0 : std::min(rate, it->second);
    }
    return out;
}

}  // namespace

bool BandwidthSharer::worth_publishing(const HostDemand& mine, const std::vector<SharedLink>& links,
                                       std::map<std::string, HostDemand> heard, const std::string& here, const Clock& now) const {
    if (!published_ || now.steady - published_at_ >= std::chrono::milliseconds(published_->lease_ms / 3)) return true;
    if (published_->bytes_per_second.size() != mine.bytes_per_second.size()) return true;
    // Only a change the parts would follow: a claim above an even split, or a small one that
    // moved by a few bytes, changes nothing, and each publication is an etcd write.
    for (const auto& l : links) {
        heard[here] = *published_;
        const auto was = split(l.limit, claims(l, heard, now.wall_ms));
        heard[here] = mine;
        const auto is = split(l.limit, claims(l, heard, now.wall_ms));
        for (size_t i = 0; i < was.size(); ++i)
            if (std::max(was[i], is[i]) - std::min(was[i], is[i]) > l.limit / 200) return true;
    }
    return false;
}

std::vector<BandwidthSharer::Part> BandwidthSharer::run(const Round& round, Board& board, Dataplane& kernel) {
    const std::string& here = round.here;
    const Clock& now = round.now;
    const auto links = shared_links(round.peerings, round.vswitches, here);

    std::set<std::string> others;
    for (const auto& l : links)
        for (const auto& h : l.hosts)
            if (h != here) others.insert(h);
    if (!resumed_) others.insert(here);  // a restarted agent's last publication: the others count on it until it lapses
    std::map<std::string, HostDemand> heard;
    if (!others.empty()) {
        try {
            heard = board.read(others);
        } catch (const std::exception& e) {
            // Nothing is written: the router keeps its parts until their lease runs out, as the
            // other hosts keep counting on this host's last publication until then.
            spdlog::warn("bandwidth shared among hosts: reading the other hosts' demand: {}", e.what());
            return {};
        }
    }
    if (!resumed_) {
        if (auto it = heard.find(here); it != heard.end()) {
            published_ = before_ = it->second;
            published_at_ = now.steady - std::chrono::milliseconds(now.wall_ms - it->second.time_ms);
        }
    }

    // This host's demand on each link, once every one of them has a sample to measure it by.
    HostDemand mine{now.wall_ms, lease_ms(round.interval_ms), {}};
    std::map<LinkKey, double> smoothed;
    bool measured = true;
    for (const auto& l : links) {
        const LinkSample* s = sample_of(round.samples, l.link);
        auto previous = smoothed_.find(l.link);
        if (!s) {
            measured = false;
            if (previous != smoothed_.end()) smoothed.insert(*previous);
            continue;
        }
        const double value =
            smooth(previous == smoothed_.end() ? std::nullopt : std::optional(previous->second), offered(s->delta, s->seconds));
        smoothed[l.link] = value;
        mine.bytes_per_second[l.link] = claimed(value, s->delta.drop_policer > 0);
    }
    smoothed_ = std::move(smoothed);
    const bool had_links = published_ && !published_->bytes_per_second.empty();
    if (measured && (!links.empty() || had_links) && worth_publishing(mine, links, heard, here, now)) {
        try {
            board.publish(here, mine);
            before_ = published_ ? *published_ : HostDemand{};
            published_ = mine;
            published_at_ = now.steady;
        } catch (const std::exception& e) {
            spdlog::warn("bandwidth shared among hosts: publishing this host's demand: {}", e.what());
        }
    }
    if (published_)
        heard[here] = counted(*published_, *before_, now.steady - published_at_ >= std::chrono::milliseconds(round.interval_ms));

    // Every host computes its part from the publications, its own included, so that the parts add
    // up to the limit; the router holds this one until this host's publication lapses.
    const auto until =
        published_ ? published_at_ + std::chrono::milliseconds(published_->lease_ms) : std::chrono::steady_clock::time_point{};
    std::vector<Part> out;
    std::map<std::pair<uint32_t, Direction>, std::string> written;
    for (const auto& l : links) {
        const auto c = claims(l, heard, now.wall_ms);
        const auto part = part_of(l, c, here);
        kernel.set_link_share(l.slot, l.link.second, LinkShare{l.link.first, part.rate, part.fallback, until});
        written[{l.slot, l.link.second}] = l.link.first;
        double own = 0;
        for (const auto& claim : c)
            if (claim.host == here) own = claim.demand.value_or(0);
        out.push_back({l, own, part});
    }
    // Parts of links no longer shared; at the first run, any an earlier agent left.
    auto clear = [&](uint32_t slot, Direction d) {
        if (!written.contains({slot, d})) kernel.set_link_share(slot, d, std::nullopt);
    };
    if (!resumed_) {
        for (const auto& p : round.peerings)
            for (Direction d : kDirections) clear(p.slot, d);
        resumed_ = true;
    } else {
        for (const auto& [key, pcc] : written_) clear(key.first, key.second);
    }
    written_ = std::move(written);
    return out;
}

}  // namespace xpeer
