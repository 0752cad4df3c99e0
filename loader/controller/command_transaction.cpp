#include "controller/command_transaction.h"

#include <spdlog/spdlog.h>

namespace xpeer {

CommandTransaction::CommandTransaction(Store& store, MapWriter& maps) : store_tx_(store.begin()), maps_(maps) {}

CommandTransaction::~CommandTransaction() {
    if (!done_) roll_back();
}

void CommandTransaction::on_failure(std::function<void()> undo) { undo_.push_back(std::move(undo)); }

void CommandTransaction::commit(bool dry_run) {
    if (!dry_run) store_tx_->commit();
    store_tx_.reset();  // a dry run's changes are rolled back here
    done_ = true;       // committed: nothing to undo, even if clearing the mark fails
    undo_.clear();
    maps_.committed();
}

void CommandTransaction::roll_back() noexcept {
    done_ = true;
    store_tx_.reset();
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
        try {
            (*it)();
        } catch (const std::exception& e) {
            spdlog::warn("undo step failed: {}", e.what());
        }
    }
    undo_.clear();
    try {
        maps_.rolled_back();
    } catch (const std::exception& e) {
        spdlog::warn("undo step failed: {}", e.what());
    }
}

}  // namespace xpeer
