#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "controller/map_writer.h"
#include "store/store.h"

namespace xpeer {

// One command's changes, all or nothing: the store's transaction, the map writes that follow it
// (MapWriter), and the kernel steps made outside the maps (a namespace, a link, an address). A
// command that ends without commit() is rolled back: the store first, then the kernel steps in
// reverse, then the maps made to follow the rolled-back store.
class CommandTransaction {
public:
    CommandTransaction(Store& store, MapWriter& maps);  // begins the store's transaction
    ~CommandTransaction();
    CommandTransaction(const CommandTransaction&) = delete;
    CommandTransaction& operator=(const CommandTransaction&) = delete;

    // The kernel step just made, and what reverses it.
    void on_failure(std::function<void()> undo);
    // Commits the store (a dry run rolls it back instead), then clears the maps' mark.
    void commit(bool dry_run);

private:
    void roll_back() noexcept;

    std::optional<Store::Transaction> store_tx_;
    MapWriter& maps_;
    std::vector<std::function<void()>> undo_;
    bool done_ = false;
};

}  // namespace xpeer
