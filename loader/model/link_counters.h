#pragma once
// A link direction's counters: the one list of them, from which the struct, the datapath's sum,
// the deltas and totals, the store's text, the JSON, the table and the metrics are derived.
#include <cstdint>
#include <string_view>

namespace xpeer {

// X(member, JsonName, drop_line): JsonName is the key of `stats --json`'s Counters; a drop
// counter (member drop_<reason>) has its line's place among a link's
// xpeer_peering_dropped_packets_total lines (reason=<reason>), -1 is not a drop. The store keeps
// the counters as text in this order: append a new counter at the end, older rows read it as 0.
// The BPF struct xp_link_counters holds the same members (datapath/counters.cpp asserts it).
#define XPEER_LINK_COUNTER_FIELDS(X) \
    X(packets, "Packets", -1) \
    X(bytes, "Bytes", -1) \
    X(drop_inactive, "DropInactive", 1) \
    X(drop_no_route, "DropNoRoute", 2) \
    X(drop_transit, "DropTransit", 3) \
    X(drop_ttl, "DropTtl", 4) \
    X(drop_policer, "DropPolicer", 0) /* over the connection's bandwidth */

// Counters of one direction of a peering connection, summed over CPUs.
struct LinkCounters {
#define XPEER_LINK_COUNTER_MEMBER(member, json, drop_line) uint64_t member = 0;
    XPEER_LINK_COUNTER_FIELDS(XPEER_LINK_COUNTER_MEMBER)
#undef XPEER_LINK_COUNTER_MEMBER
};

struct LinkCounterField {
    std::string_view name;  // the member's: "drop_no_route"
    uint64_t LinkCounters::*member;
    std::string_view json;  // "DropNoRoute"
    int drop_line;

    bool is_drop() const { return drop_line >= 0; }
    std::string_view drop_reason() const { return name.substr(std::string_view("drop_").size()); }  // "no_route"
};

inline constexpr LinkCounterField kLinkCounterFields[] = {
#define XPEER_LINK_COUNTER_FIELD(member, json, drop_line) LinkCounterField{#member, &LinkCounters::member, json, drop_line},
    XPEER_LINK_COUNTER_FIELDS(XPEER_LINK_COUNTER_FIELD)
#undef XPEER_LINK_COUNTER_FIELD
};

}  // namespace xpeer
