#include "cli/route_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "controller/names.h"
#include "model/errors.h"

namespace xpeer::route_file {

std::vector<std::string> read(std::istream& in, const Limits& limits) {
    std::vector<std::string> out;
    std::streambuf* buf = in.rdbuf();
    std::string line;
    size_t number = 0, total = 0;
    auto finish = [&] {
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF
        if (!names::printable(line))
            throw errors::invalid_file_control_character("line " + std::to_string(number) + " has a control character or is not UTF-8");
        if (!line.empty() && line[0] != '#') {
            if (out.size() == limits.destinations)
                throw errors::invalid_file_too_many_lines("line " + std::to_string(number) + ": more than " +
                                                          std::to_string(limits.destinations) + " destinations, what a route table holds");
            out.push_back(std::move(line));
        }
        line.clear();
    };
    for (int c; (c = buf->sbumpc()) != std::char_traits<char>::eof();) {
        if (++total > limits.total_bytes)
            throw errors::invalid_file_too_large("line " + std::to_string(number + 1) + ": the input is larger than " +
                                                 std::to_string(limits.total_bytes) + " bytes");
        if (c == '\n') {
            finish();
            continue;
        }
        if (line.size() == limits.line_bytes)
            throw errors::invalid_file_line_too_long("line " + std::to_string(number + 1) + " is longer than " +
                                                     std::to_string(limits.line_bytes) + " bytes; a line is one destination CIDR");
        line.push_back(static_cast<char>(c));
    }
    if (!line.empty()) finish();
    return out;
}

std::vector<std::string> read_path(const std::string& path, const Limits& limits) {
    if (path == "-") return read(std::cin, limits);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw errors::invalid_file_directory(path +
                                             " is a directory; give a file of destination CIDRs, one a line, or - for standard input");
    std::ifstream file(path);
    if (!file) throw errors::invalid_file("cannot read " + path);
    return read(file, limits);
}

}  // namespace xpeer::route_file
