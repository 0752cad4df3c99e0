#include "controller/bandwidth_sharer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace xpeer {

using namespace bandwidth_share;

bool BandwidthSharer::worth_publishing(const HostDemand& mine, const std::vector<SharedLink>& links,
                                       std::map<std::string, HostDemand> heard, const std::string& here, const Clock& now) const {
    if (!published_ || now.steady - published_at_ >= std::chrono::milliseconds(published_->lease_ms / 3)) return true;
    if (published_->interval_ms != mine.interval_ms || published_->lease_ms != mine.lease_ms) return true;
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

Part BandwidthSharer::part_of(const SharedLink& link, std::map<std::string, HostDemand> heard, const std::string& here,
                              const Clock& now) const {
    Part least{link.limit, link.limit};
    for (const auto& v : views_) {
        if (v.claims)
            heard[here] = HostDemand{now.wall_ms, 1, 0, *v.claims};  // published now: fresh
        else
            heard.erase(here);
        const auto p = bandwidth_share::part_of(link, claims(link, heard, now.wall_ms), here);
        least = {std::min(least.rate, p.rate), std::min(least.fallback, p.fallback)};
    }
    return least;
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
    // A slower host reads a claim later, and falls back later: it sets how long a view lasts.
    int64_t slowest = round.interval_ms;
    for (const auto& [host, d] : heard)
        if (host != here) slowest = std::max(slowest, d.interval_ms);
    const auto grace = std::chrono::milliseconds(2 * slowest);
    if (!resumed_) {
        // Before its first publication the others hold parts made without this host's claims:
        // not heard from, or, for a restarted agent, from before its last publication (counted 0).
        if (auto it = heard.find(here); it != heard.end()) {
            published_ = it->second;
            published_at_ = now.steady - std::chrono::milliseconds(std::max<int64_t>(0, now.wall_ms - it->second.time_ms));
            views_.push_back({published_at_ - std::chrono::nanoseconds(1), std::map<LinkKey, double>{}, true});
            views_.push_back({published_at_, it->second.bytes_per_second, true});
            heard.erase(it);
        } else {
            views_.push_back({now.steady, std::nullopt, true});
        }
        resumed_ = true;
    }
    // Near its lapse, or past it, the others may count this host as not heard from.
    if (published_ && now.wall_ms - published_->time_ms >= published_->lease_ms - grace.count())
        views_.push_back({now.steady, std::nullopt, true});

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
    const bool publish = measured && (!links.empty() || had_links) && worth_publishing(mine, links, heard, here, now);
    // A view counts from its push until a later confirmed one is `grace` old: every other host has
    // read that one by then, and lowered its part or fallen back.
    if (publish) views_.push_back({now.steady, mine.bytes_per_second, false});
    size_t anchor = 0;
    for (size_t i = 0; i < views_.size(); ++i)
        if (views_[i].confirmed && views_[i].at <= now.steady - grace) anchor = i;
    views_.erase(views_.begin(), views_.begin() + static_cast<std::ptrdiff_t>(anchor));

    // The parts first, with the claim about to be published among the views: an agent killed
    // between the two leaves no part that the others do not allow for.
    const auto until = now.steady + std::chrono::milliseconds(2 * round.interval_ms);
    std::vector<LinkPart> out;
    std::map<std::pair<uint32_t, Direction>, std::string> written;
    for (const auto& l : links) {
        const auto part = part_of(l, heard, here, now);
        kernel.set_link_share(l.slot, l.link.second, LinkShare{l.link.first, part.rate, part.fallback, until});
        written[{l.slot, l.link.second}] = l.link.first;
        double own = std::numeric_limits<double>::infinity();
        for (const auto& v : views_) {
            auto it = v.claims ? v.claims->find(l.link) : std::map<LinkKey, double>::const_iterator{};
            own = std::min(own, v.claims && it != v.claims->end() ? it->second : 0.0);
        }
        out.push_back({l, std::isfinite(own) ? own : 0.0, part});
    }
    if (publish) {
        try {
            board.publish(here, mine);
            published_ = mine;
            published_at_ = now.steady;
            views_.back().confirmed = true;
        } catch (const std::exception& e) {
            spdlog::warn("bandwidth shared with other hosts: publishing this host's demand: {}", e.what());
        }
    }
    // Parts of links no longer shared; at the first run, any an earlier agent left.
    auto clear = [&](uint32_t slot, Direction d) {
        if (!written.contains({slot, d})) kernel.set_link_share(slot, d, std::nullopt);
    };
    if (!swept_) {
        for (const auto& p : round.peerings)
            for (Direction d : kDirections) clear(p.slot, d);
        swept_ = true;
    } else {
        for (const auto& [key, pcc] : written_) clear(key.first, key.second);
    }
    written_ = std::move(written);
    return out;
}

}  // namespace xpeer
