#pragma once
// What a host's kernel must change for rows that another host committed: the rows a replica
// loaded since its kernel last followed it, each as the kernel has it and as the store has it now.
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace xpeer::kernel_lag {

struct RowChange {
    std::string table;
    nlohmann::json key;                 // the primary key's values
    std::optional<nlohmann::json> was;  // the columns the kernel follows; nullopt: no such row
    std::optional<nlohmann::json> now;  // the columns in the store now; nullopt: deleted
};

// A row's text column `name`; nullopt if it has none (or null).
std::optional<std::string> text_of(const nlohmann::json& columns, const char* name);

// Whether the kernel holds nothing made from a row of `table`: no map entry and no kernel object
// (accounts, events, usage, a VPC's own row...).
bool kernel_ignores(const std::string& table);

// What `changes` change in host `local_host`'s kernel: map entries, and the links and addresses
// of its own vSwitches; nullopt when they change the tunnels to the hosts, or anything this
// function cannot tell: then every kernel object and map entry is made to follow the store.
// host_of_vswitch: the host a vSwitch lives on ("" for none named), nullopt if unknown.
std::optional<KernelLag> of(const std::vector<RowChange>& changes, const std::string& local_host,
                            const std::function<std::optional<std::string>(const std::string& vswitch_id)>& host_of_vswitch);

}  // namespace xpeer::kernel_lag
