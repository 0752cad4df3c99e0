#pragma once
// A program's own cost per packet: BPF_PROG_TEST_RUN with `repeat`, no transmission. Each repeat
// runs xb_cost (bpf/bench.bpf.c), which puts the frame back as it was and tail-calls the program
// under test; the same run with an empty program (xb_pass) under test is subtracted.
// A trial is kRounds rounds of repeat / kRounds (rounded up), the programs taking turns in each
// round. A round that an interrupt or another tenant of the host slowed down shows in the trial's
// mean, and less in its fastest round; the fastest rounds are the least disturbed, not an exact
// cost (each is whole nanoseconds, and the fastest of each program may come from different rounds).
#include <cstdint>
#include <string>
#include <vector>

#include "live_generator.h"

namespace xpeer::bench {

constexpr int kRounds = 10;

struct CostTrial {
    double ns = 0;           // the program's own, per packet: the trial's mean
    double baseline_ns = 0;  // xb_cost with the empty program
    uint32_t retval = 0;     // the program's XDP action
    // With `paired_unaccounted`, the same router without counters and policer, run right
    // after it in each round: their difference does not drift with the host's load.
    double unaccounted_ns = 0;
    uint32_t unaccounted_retval = 0;
    // The same from each program's fastest round (the baseline's fastest subtracted).
    double fastest_ns = 0;
    double fastest_unaccounted_ns = 0;
    // The median over the rounds of the router minus its unaccounted build in the same round: a
    // round slowed down for both cancels out, one slowed down for one of them is an outlier.
    double paired_median_ns = 0;
};

// pin: the pinned router. paired_unaccounted: in each trial, also the same router built without
// counters and policer (bpf/router.bpf.c with xp_unaccounted set), loaded on the maps pinned beside `pin`.
// dst_count > 1: each repeat's destination is the frame's plus a random 0 .. dst_count - 1; the
// program then runs untimed until it has seen about 95% of them, so that caches are warm.
std::vector<CostTrial> program_cost(const std::string& pin, bool paired_unaccounted, const Endpoint& ingress,
                                    const std::vector<uint8_t>& frame, uint32_t dst_count, uint32_t repeat, int trials);

}  // namespace xpeer::bench
