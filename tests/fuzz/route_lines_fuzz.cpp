// The reader of `route import --file` on any file, with small bounds so that they are reached: it
// refuses the file with one of its InvalidFile errors, or keeps the file's non-empty lines not
// starting with '#' (a CRLF's CR dropped), in order; each then goes through Cidr::parse as
// import_routes does, which accepts it or throws xpeer::Error.
#include <sstream>
#include <string>

#include "check.h"
#include "cli/route_file.h"
#include "model/cidr.h"
#include "model/error.h"

using namespace xpeer;
using fuzz::require;

namespace {

// The same lines, split by hand.
std::vector<std::string> expected_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && line[0] != '#') out.push_back(line);
        start = end + 1;
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::istringstream in(text);
    std::vector<std::string> lines;
    try {
        lines = route_file::read(in, route_file::Limits{64, 100, 4096});
    } catch (const Error& e) {
        require(e.code().rfind("InvalidFile.", 0) == 0, "the reader fails with " + e.code());
        return 0;
    }
    require(lines == expected_lines(text), "route_file::read kept other lines than the file's");
    for (const auto& line : lines) {
        try {
            Cidr c = Cidr::parse(line);
            require(Cidr::parse(c.str()) == c, "line " + line + " parsed as " + c.str() + ", which does not parse back");
        } catch (const Error& e) {
            require(e.code() == "InvalidCidrBlock.Malformed", "a route line fails with " + e.code());
        }
    }
    return 0;
}
