#pragma once
#include <memory>

#include "controller/config.h"
#include "store/etcd/etcd_client.h"
#include "store/store.h"

namespace xpeer {

// The store the config names: etcd (config.etcd) through a replica at state_path, or the SQLite
// file at state_path.
std::unique_ptr<Store> open_store(const Config& config);
// A client of the etcd the config names (config.etcd: URLs, comma-separated).
etcd::Client etcd_client(const Config& config);

}  // namespace xpeer
