#include "agent/single_agent.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "model/errors.h"

namespace xpeer {

FileLock lock_agent(const std::string& state_path) {
    const std::string path = state_path + ".agent.lock";
    auto lock = FileLock::try_lock(path);
    if (!lock) {
        std::string pid;
        std::ifstream(path) >> pid;
        throw errors::agent_already_running("another agent" + (pid.empty() ? std::string() : " (pid " + pid + ")") + " holds " + path +
                                            "; one agent runs per store");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lock->fd(), 0) != 0 || ::pwrite(lock->fd(), pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        throw SystemError("write pid to " + path, errno);
    return std::move(*lock);
}

}  // namespace xpeer
