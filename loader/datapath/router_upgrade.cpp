#include "datapath/router_upgrade.h"

#include <bpf/bpf.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "datapath/cpu_array.h"
#include "datapath/map_carry.h"
#include "datapath/pinned_maps.h"
#include "model/errors.h"

namespace xpeer {
namespace fs = std::filesystem;
namespace {

bool creates(const MapStep& s) { return s.action == MapAction::Create || s.action == MapAction::Migrate; }

UniqueFd open_pin(const std::string& path, bool required) {
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (fd.get() < 0 && (required || errno != ENOENT)) throw SystemError("bpf_obj_get " + path, errno);
    return fd;
}

void pin_fd(int fd, const std::string& path) {
    ::unlink(path.c_str());  // a leftover of an upgrade killed while staging
    if (bpf_obj_pin(fd, path.c_str()) != 0) throw SystemError("pin " + path, errno);
}

void make_dir(const std::string& path) {
    std::error_code ec;
    fs::create_directory(path, ec);
    if (ec) throw SystemError("mkdir " + path, ec.value());
}

void set_dirty(BpfRouter& dp, bool dirty) {
    xp_control c = dp.read_control();
    c.dirty = dirty ? 1 : 0;
    dp.write_control(c);
}

}  // namespace

bool RouterUpgrade::interrupted(const std::string& dir) { return fs::exists(dir + "/" + kUpgradeStaging); }

RouterUpgrade::RouterUpgrade(const std::string& dir) : dir_(dir), specs_(BpfRouter::map_specs()) {
    for (size_t i = 0; i < kRouterProgramCount; ++i) old_[i] = open_pin(pin(kRouterPrograms[i].name), !kRouterPrograms[i].optional);
    // The pins in place name the running build's maps, except those a killed upgrade's commit
    // moved already: of this build's layout, so kept by the plan, and staged no more.
    plan_ = plan_upgrade(specs_, pinned_maps(dir_), cpu_ids());
    carried_.assign(plan_.size(), 0);
    resumed_ = fs::exists(staged(kUpgradeSwapping));
    if (resumed_) {
        for (auto& step : plan_) {
            if (!creates(step) || fs::exists(staged(step.name))) continue;
            if (step.grouped) {  // its new map was moved in place before the kill; the group's others not yet
                step = MapStep{step.name, MapAction::Keep};
                continue;
            }
            throw errors::datapath_map_layout(staged(step.name) + " is missing, and links may run the programs that use it: " +
                                              "`xpeer teardown` then `xpeer reconcile` rebuilds the data plane");
        }
        next_ = BpfRouter::open_at([&](const std::string& name) { return fs::exists(staged(name)) ? staged(name) : pin(name); });
        return;
    }
    // Staged but never swapped in: nothing runs what the folder holds. Made again at once, it
    // says that an upgrade began, until it is done.
    std::error_code ec;
    fs::remove_all(dir_ + "/" + kUpgradeStaging, ec);
    if (ec) throw SystemError("remove " + dir_ + "/" + kUpgradeStaging, ec.value());
    make_dir(dir_ + "/" + kUpgradeStaging);
    next_ = BpfRouter::load_beside(dir_, plan_);
}

const MapSpec& RouterUpgrade::spec(const std::string& name) const {
    auto it = std::ranges::find_if(specs_, [&](const MapSpec& s) { return s.name == name; });
    if (it == specs_.end()) throw errors::internal_error_map_table(name + " is not a map of this build");
    return *it;
}

void RouterUpgrade::carry_settings() {
    for (size_t i = 0; i < plan_.size(); ++i) {
        const MapStep& step = plan_[i];
        if (step.action != MapAction::Migrate || spec(step.name).role != MapRole::Settings) continue;
        UniqueFd old = open_pin(pin(step.name), true);
        carried_[i] = copy_fields(step, old.get(), next_->map_fd(step.name));
    }
    was_dirty_ = next_->read_control().dirty != 0;  // resumed: set by the killed upgrade, which the next command then repairs after
    set_dirty(*next_, true);
}

void RouterUpgrade::stage() {
    if (resumed_) return;
    for (const auto& step : plan_)
        if (creates(step)) pin_fd(next_->map_fd(step.name), staged(step.name));
    for (size_t i = 0; i < kRouterProgramCount; ++i) pin_fd(next_->prog_fd(Prog(i)), staged(kRouterPrograms[i].name));
    make_dir(staged(kUpgradeSwapping));
}

void RouterUpgrade::carry_counters() {
    for (size_t i = 0; i < plan_.size(); ++i) {
        const MapStep& step = plan_[i];
        if (step.action != MapAction::Migrate || spec(step.name).role != MapRole::Counters) continue;
        UniqueFd old = open_pin(pin(step.name), true);
        carried_[i] += add_counters(step, old.get(), next_->map_fd(step.name));
    }
}

void RouterUpgrade::commit() {
    auto move_in = [&](const std::string& name) {
        if (!fs::exists(staged(name))) return;  // moved by a killed upgrade's commit
        if (::rename(staged(name).c_str(), pin(name).c_str()) != 0) throw SystemError("rename " + staged(name) + " to " + pin(name), errno);
    };
    for (const auto& step : plan_)
        if (creates(step)) move_in(step.name);
    for (const auto& prog : kRouterPrograms) move_in(prog.name);
    for (const auto& step : plan_)
        if (step.action == MapAction::RemoveStale && ::unlink(pin(step.name).c_str()) != 0 && errno != ENOENT)
            throw SystemError("unpin " + pin(step.name), errno);
    std::error_code ec;
    fs::remove_all(dir_ + "/" + kUpgradeStaging, ec);
    if (ec) throw SystemError("remove " + dir_ + "/" + kUpgradeStaging, ec.value());
    set_dirty(*next_, was_dirty_);
}

std::vector<MapUpgrade> RouterUpgrade::outcomes() const {
    std::vector<MapUpgrade> out;
    for (size_t i = 0; i < plan_.size(); ++i) {
        const MapStep& step = plan_[i];
        MapUpgrade u{step.name, to_string(step.action), step.why, carried_[i]};
        if (!step.zeroed.empty()) {
            std::string fields;
            for (const auto& f : step.zeroed) fields += (fields.empty() ? "" : ", ") + f;
            u.detail += (u.detail.empty() ? "" : "; ") + fields + " start from zero";
        }
        if (creates(step) && spec(step.name).from_store) u.detail += (u.detail.empty() ? "" : "; ") + std::string("written from the store");
        out.push_back(std::move(u));
    }
    return out;
}

}  // namespace xpeer
