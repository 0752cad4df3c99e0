#include "controller/bandwidth_sharer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace xpeer {

using namespace bandwidth_share;

bool BandwidthSharer::worth_publishing(const HostDemand& mine, const std::vector<SharedLink>& links,
                                       std::map<std::string, HostDemand> heard, const std::string& here, const Clock& now) const {
    if (!published_ || now.wall_ms - published_->time_ms >= published_->lease_ms / 3) return true;
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

HostDemand BandwidthSharer::counted(const Clock& now, std::chrono::milliseconds grace) const {
    HostDemand out = *published_;
    out.bytes_per_second.clear();
    bool newest = true;
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it) {
        if (newest) {
            out.bytes_per_second = it->claims;
            newest = false;
        } else {
            for (auto& [link, rate] : out.bytes_per_second) {
                auto was = it->claims.find(link);
                rate = std::min(rate, was == it->claims.end() ? 0.0 : was->second);
            }
        }
        if (it->at <= now.steady - grace) break;  // read by every host by now: older ones no longer count
    }
    return out;
}

std::vector<BandwidthSharer::LinkPart> BandwidthSharer::run(const Round& round, Board& board, Dataplane& kernel) {
    const std::string& here = round.here;
    const Clock& now = round.now;
    const auto links = shared_links(round.peerings, round.vswitches, here);

    std::set<std::string> others;
    for (const auto& l : links)
        for (const auto& h : l.hosts)
            if (h != here) others.insert(h);
    std::set<std::string> asked = others;
    if (!resumed_) asked.insert(here);  // a restarted agent's last publication: the others count on it until it lapses
    std::map<std::string, HostDemand> heard;
    if (!asked.empty()) {
        try {
            heard = board.read(asked);
        } catch (const std::exception& e) {
            // Nothing is written: within two intervals the router falls back to the least parts,
            // which no claim of another host can make too much.
            spdlog::warn("bandwidth shared with other hosts: reading the demand of {} host(s): {}", asked.size(), e.what());
            return {};
        }
    }
    if (!resumed_) {
        if (auto it = heard.find(here); it != heard.end()) {
            published_ = it->second;
            sent_.push_back({now.steady - std::chrono::milliseconds(now.wall_ms - it->second.time_ms), it->second.bytes_per_second});
            heard.erase(it);
        }
    }

    // This host's demand on each link, once every one of them has a sample to measure it by.
    std::map<LinkKey, const LinkSample*> sampled;
    for (const auto& s : round.samples)
        if (s.seconds > 0) sampled[{s.peering.id, s.direction}] = &s;
    HostDemand mine{now.wall_ms, lease_ms(round.interval_ms), round.interval_ms, {}};
    std::map<LinkKey, double> smoothed;
    bool measured = true;
    for (const auto& l : links) {
        auto previous = smoothed_.find(l.link);
        auto s = sampled.find(l.link);
        if (s == sampled.end()) {
            measured = false;
            if (previous != smoothed_.end()) smoothed.insert(*previous);
            continue;
        }
        const double asked_now = claimed(offered(s->second->delta, s->second->seconds), s->second->delta.drop_policer > 0);
        const double value = smooth(previous == smoothed_.end() ? std::nullopt : std::optional(previous->second), asked_now);
        smoothed[l.link] = value;
        mine.bytes_per_second[l.link] = value;
    }
    smoothed_ = std::move(smoothed);
    const bool had_links = published_ && !published_->bytes_per_second.empty();
    if (measured && (!links.empty() || had_links) && worth_publishing(mine, links, heard, here, now)) {
        sent_.push_back({now.steady, mine.bytes_per_second});  // counted even if the put fails: it may have been taken
        try {
            board.publish(here, mine);
            published_ = mine;
        } catch (const std::exception& e) {
            spdlog::warn("bandwidth shared with other hosts: publishing this host's demand: {}", e.what());
        }
    }

    // A claim that grew counts once the slowest of the other hosts had two intervals to read it.
    int64_t slowest = round.interval_ms;
    for (const auto& [host, d] : heard) slowest = std::max(slowest, d.interval_ms);
    const auto grace = std::chrono::milliseconds(2 * slowest);
    while (sent_.size() > 1 && sent_[1].at <= now.steady - grace) sent_.pop_front();
    // Lapsed, this host's claim counts as not heard from: the equal part, as the others count it.
    if (published_ && now.wall_ms - published_->time_ms < published_->lease_ms) heard[here] = counted(now, grace);

    const auto until = now.steady + std::chrono::milliseconds(2 * round.interval_ms);
    std::vector<LinkPart> out;
    std::map<std::pair<uint32_t, Direction>, std::string> written;
    for (const auto& l : links) {
        const auto link_claims = claims(l, heard, now.wall_ms);
        const auto part = part_of(l, link_claims, here);
        kernel.set_link_share(l.slot, l.link.second, LinkShare{l.link.first, part.rate, part.fallback, until});
        written[{l.slot, l.link.second}] = l.link.first;
        double own = 0;
        for (const auto& c : link_claims)
            if (c.host == here) own = c.demand.value_or(0);
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
