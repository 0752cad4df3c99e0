#include "controller/controller.h"

namespace xpeer {

std::vector<LinkStats> Controller::link_stats(const std::optional<std::string>& pcc) {
    std::vector<LinkStats> out;
    auto add = [&](const Peering& p) {
        LinkStats s{p, {}, {}};
        if (p.status == PeeringStatus::Deleted) {
            s.a_to_b = store_.archived_counters(p.id, XP_DIR_A_TO_B).value_or(LinkCounters{});
            s.b_to_a = store_.archived_counters(p.id, XP_DIR_B_TO_A).value_or(LinkCounters{});
        } else {
            s.a_to_b = kernel_.link_counters(p.slot, XP_DIR_A_TO_B);
            s.b_to_a = kernel_.link_counters(p.slot, XP_DIR_B_TO_A);
        }
        out.push_back(s);
    };
    if (pcc) {
        add(visible_peering(*pcc));
    } else {
        for (const auto& p : list_peerings()) add(p);
    }
    return out;
}

std::vector<xp_counters> Controller::reason_stats() { return kernel_.reason_counters(); }

std::vector<Event> Controller::events(const std::string& resource) {
    auto all = store_.events(resource);
    std::erase_if(all, [&](const Event& e) { return e.account != config_.account; });
    return all;
}

ReconcileResult Controller::reconcile() {
    auto tx = store_.begin();
    for (const auto& vpc : store_.vpcs()) {
        kernel_.create_vpc(vpc);
        for (const auto& vsw : store_.vswitches_of(vpc.id)) {
            store_.set_vswitch_port(vsw.id, kernel_.create_vswitch(vpc, vsw));
            for (const auto& inst : store_.instances_of(vsw.id)) kernel_.add_instance(vpc, vsw, inst);
        }
    }
    auto result = apply_maps();
    kernel_.remove_orphans(store_.vpcs());
    tx.commit();
    return result;
}

void Controller::teardown() { kernel_.teardown(store_.vpcs()); }

}  // namespace xpeer
