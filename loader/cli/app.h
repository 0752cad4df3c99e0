#pragma once

namespace xpeer {

// Parses the command line, runs the command, prints its result. Returns the exit status:
// 0 on success, 1 when the command was refused or failed, 2 for a malformed command line.
int run_cli(int argc, char** argv);

}  // namespace xpeer
