#pragma once
#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "model/capacity.h"

// The destinations of `route import --file`: one CIDR a line, '#' comments and empty lines
// skipped. Bounded, so that /dev/zero or a runaway pipe fails fast instead of filling memory.
namespace xpeer::route_file {

struct Limits {
    size_t line_bytes = 256;                        // a CIDR with spaces around it is at most ~50
    size_t destinations = kMaxRoutesPerFamily;      // what one family's table holds
    size_t total_bytes = kMaxRoutesPerFamily * 64;  // 128 MiB: every destination a long IPv6 line
};

// Reads `in` to its end. Error("InvalidFile.LineTooLong" | ".ControlCharacter" | ".TooManyLines"
// | ".TooLarge") naming the line.
std::vector<std::string> read(std::istream& in, const Limits& limits = {});
// Reads `path` ("-": standard input): Error("InvalidFile") if it cannot be read,
// Error("InvalidFile.Directory") for a directory.
std::vector<std::string> read_path(const std::string& path, const Limits& limits = {});

}  // namespace xpeer::route_file
