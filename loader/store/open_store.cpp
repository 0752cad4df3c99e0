#include "store/open_store.h"

#include "store/etcd/etcd_store.h"
#include "store/sqlite_store.h"

namespace xpeer {
namespace {

std::vector<std::string> split_endpoints(const std::string& list) {
    std::vector<std::string> out;
    size_t from = 0;
    while (from <= list.size()) {
        const size_t comma = std::min(list.find(',', from), list.size());
        if (comma > from) out.push_back(list.substr(from, comma - from));
        from = comma + 1;
    }
    return out;
}

}  // namespace

etcd::Client etcd_client(const Config& config) { return etcd::Client(split_endpoints(config.etcd)); }

std::unique_ptr<Store> open_store(const Config& config) {
    if (config.etcd.empty()) return std::make_unique<SqliteStore>(config.state_path);
    return std::make_unique<EtcdStore>(etcd_client(config), config.state_path);
}

}  // namespace xpeer
