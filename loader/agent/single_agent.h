#pragma once
#include <string>

#include "sys/file_lock.h"

namespace xpeer {

// One agent a store: an exclusive lock on `<state>.agent.lock`, holding the owner's pid, for as
// long as the agent runs. Two agents would sample the same counters twice an interval and each
// deliver every alert. Error("Agent.AlreadyRunning") naming the pid and the lock file.
FileLock lock_agent(const std::string& state_path);

}  // namespace xpeer
