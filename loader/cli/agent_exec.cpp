#include "cli/agent_exec.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "model/errors.h"

namespace xpeer {

CLI::App* add_agent_passthrough(CLI::App& app) {
    auto* agent = app.add_subcommand("agent",
                                     "sample every link each interval: expiry, usage for bills, alerts, Prometheus "
                                     "metrics (runs xpeer-agent; `xpeer agent --help` lists its flags)");
    agent->prefix_command()->fallthrough(false);  // global flags after `agent` are xpeer-agent's to read
    agent->set_help_flag();                       // xpeer-agent's help, with its flags
    return agent;
}

void exec_agent(char** argv) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw errors::agent_cannot_start("xpeer agent: cannot find this program's binary: " + ec.message());
    const std::string agent = (self.parent_path() / "xpeer-agent").string();
    argv[0] = const_cast<char*>(agent.c_str());
    execv(agent.c_str(), argv);
    throw errors::agent_cannot_start("xpeer agent: cannot run " + agent + ": " + std::strerror(errno));
}

}  // namespace xpeer
