#include "datapath/map_roles.h"

#include <cstddef>
#include <string_view>

namespace xpeer {
namespace {

#define XPEER_FIELD(type, member) \
    ValueField { #member, offsetof(type, member), sizeof(type::member) }

// The counters of a link direction; policer_stash is not one (tokens taken ahead from a bucket,
// which starts full again if the policers are new): it starts at zero.
std::vector<ValueField> link_counters() {
    return {XPEER_FIELD(xp_link_counters, packets),       XPEER_FIELD(xp_link_counters, bytes),
            XPEER_FIELD(xp_link_counters, drop_inactive), XPEER_FIELD(xp_link_counters, drop_no_route),
            XPEER_FIELD(xp_link_counters, drop_transit),  XPEER_FIELD(xp_link_counters, drop_ttl),
            XPEER_FIELD(xp_link_counters, drop_policer)};
}

#undef XPEER_FIELD

}  // namespace

MapSpec map_spec(const RouterMap& m, const MapLayout& layout) {
    MapSpec s{m.name, layout, m.per_cpu};
    const std::string_view name = m.name;
    if (name == "xp_link_stats") {
        s.role = MapRole::Counters;
        s.carried = link_counters();
        s.must_carry = true;  // billing: never lost silently
        s.from_store = false;
    } else if (name == "xp_verdicts") {
        s.role = MapRole::Counters;
        s.carried = {{"lookup", offsetof(xp_verdicts, lookup), sizeof(xp_verdicts::lookup)},
                     {"reason", offsetof(xp_verdicts, reason), sizeof(xp_verdicts::reason)}};
        s.from_store = false;
    } else if (name == "xp_ports") {
        s.role = MapRole::Counters;  // the rest of a port is written from the store
        s.carried = {{"rx", offsetof(xp_port, rx), sizeof(xp_port::rx)}, {"tx", offsetof(xp_port, tx), sizeof(xp_port::tx)}};
    } else if (name == "xp_control") {
        s.role = MapRole::Settings;  // a command killed before the upgrade stays marked: the next one repairs what it left
        s.carried = {{"compiled_off", offsetof(xp_control, compiled_off), sizeof(xp_control::compiled_off)},
                     {"dirty", offsetof(xp_control, dirty), sizeof(xp_control::dirty)}};
    } else if (name.starts_with("xp_fib_")) {
        s.group = "compiled lookup";  // roots index nodes, nodes index nodes and results
    } else if (name == "xp_policers" || name == "xp_underlay_policer" || name == "xp_link_shares") {
        s.role = MapRole::Scratch;  // buckets start full; the agent writes its parts again within an interval
        s.from_store = false;
    }
    return s;
}

}  // namespace xpeer
