// The error codes are written once, in loader/model/errors.h: no other source of the program
// spells one, and every code a test or an e2e script expects is one the program can emit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/errors.h"

using namespace xpeer;
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// `text` without its // and /* */ comments; string literals are kept as they are.
std::string without_comments(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        const bool digit_separator = text[i] == '\'' && i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]));  // 60'000
        if (text[i] == '"' || (text[i] == '\'' && !digit_separator)) {
            const char quote = text[i];
            out += text[i];
            for (++i; i < text.size() && text[i] != quote; ++i) {
                if (text[i] == '\\' && i + 1 < text.size()) out += text[i++];
                out += text[i];
            }
            if (i < text.size()) out += text[i];
        } else if (text.compare(i, 2, "//") == 0) {
            i = std::min(text.find('\n', i), text.size()) - 1;
        } else if (text.compare(i, 2, "/*") == 0) {
            i = std::min(text.find("*/", i + 2), text.size() - 2) + 1;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The program's C++ sources, but the one file that may spell codes.
std::vector<fs::path> loader_sources() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(XPEER_SOURCE_DIR) / "loader")) {
        const auto ext = entry.path().extension();
        if (ext != ".cpp" && ext != ".h") continue;
        if (entry.path().parent_path().filename() == "model" && entry.path().stem() == "errors") continue;
        files.push_back(entry.path());
    }
    return files;
}

// "file:line: text" for each match of `re` in the code (not the comments) of `file`.
std::vector<std::string> matches(const fs::path& file, const std::regex& re) {
    const std::string code = without_comments(read_text(file));
    std::vector<std::string> found;
    for (auto it = std::sregex_iterator(code.begin(), code.end(), re); it != std::sregex_iterator(); ++it) {
        const auto line = 1 + std::count(code.begin(), code.begin() + it->position(), '\n');
        found.push_back(fs::relative(file, XPEER_SOURCE_DIR).string() + ":" + std::to_string(line) + ": " + it->str());
    }
    return found;
}

}  // namespace

TEST_CASE("no source outside model/errors.* builds an Error from a string literal code", "[errors]") {
    const std::regex literal_code(R"(\bError\s*\(\s*"[^"]*")");
    std::vector<std::string> found;
    const auto files = loader_sources();
    REQUIRE(files.size() > 50);  // the walk found the program
    for (const auto& file : files)
        for (auto& m : matches(file, literal_code)) found.push_back(m);
    INFO("use or add a constructor in loader/model/errors.h instead of these");
    CHECK(found == std::vector<std::string>{});
}

TEST_CASE("no source outside model/errors.* spells a known error code", "[errors]") {
    std::vector<std::string> found;
    for (const auto& file : loader_sources()) {
        const std::string code = without_comments(read_text(file));
        for (const auto& c : errors::all_codes())
            if (code.find('"' + c + '"') != std::string::npos)
                found.push_back(fs::relative(file, XPEER_SOURCE_DIR).string() + ": \"" + c + '"');
    }
    INFO("refer to errors::code::... or a constructor instead of these");
    CHECK(found == std::vector<std::string>{});
}

TEST_CASE("every code is written once and in the cloud's shape", "[errors]") {
    const auto& codes = errors::all_codes();
    CHECK(codes.size() > 100);
    CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == codes.size());
    const std::regex shape(R"([A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)?)");
    std::vector<std::string> misshapen;
    std::ranges::copy_if(codes, std::back_inserter(misshapen), [&](const std::string& c) { return !std::regex_match(c, shape); });
    CHECK(misshapen == std::vector<std::string>{});
}

TEST_CASE("every code the tests and e2e scripts expect is one the program can emit", "[errors]") {
    const auto& codes = errors::all_codes();
    const std::set<std::string> known(codes.begin(), codes.end());
    std::set<std::string> families;  // "InvalidVpcId" of "InvalidVpcId.NotFound"
    for (const auto& c : codes)
        if (auto dot = c.find('.'); dot != std::string::npos) families.insert(c.substr(0, dot));
    std::string alternatives;
    for (const auto& f : families) alternatives += (alternatives.empty() ? "" : "|") + f;
    const std::regex dotted("\\b(" + alternatives + ")\\.[A-Z][A-Za-z0-9]*\\b");
    std::vector<std::string> unknown;
    size_t seen = 0;
    for (const char* dir : {"tests/unit", "tests/bpf", "tests/e2e"}) {
        for (const auto& entry : fs::directory_iterator(fs::path(XPEER_SOURCE_DIR) / dir)) {
            const auto ext = entry.path().extension();
            if (ext != ".cpp" && ext != ".h" && ext != ".sh") continue;
            const std::string text = read_text(entry.path());
            for (auto it = std::sregex_iterator(text.begin(), text.end(), dotted); it != std::sregex_iterator(); ++it, ++seen)
                if (!known.contains(it->str())) unknown.push_back(fs::relative(entry.path(), XPEER_SOURCE_DIR).string() + ": " + it->str());
        }
    }
    CHECK(seen > 100);  // the scan found the tests' codes
    INFO("codes that loader/model/errors.h does not list");
    CHECK(unknown == std::vector<std::string>{});
}

TEST_CASE("not found: one wording for every kind, with its own code", "[errors]") {
    const Error vpc = errors::not_found(errors::Kind::Vpc, "vpc-1");
    CHECK(vpc.code() == errors::code::InvalidVpcIdNotFound);
    CHECK(std::string(vpc.what()) == "VPC vpc-1 not found (or not visible to this account)");
    const Error route = errors::not_found(errors::Kind::RouteEntry, "rte-1", "in account 7");
    CHECK(route.code() == std::string("InvalidRouteEntryId.NotFound"));
    CHECK(std::string(route.what()) == "route entry rte-1 not found in account 7");
    CHECK(errors::not_found(errors::Kind::VpcPeer, "pcc-1").code() == std::string("InvalidVpcPeerId.NotFound"));
    CHECK(errors::not_found(errors::Kind::Alert, "alert-1").code() == std::string("InvalidAlertId.NotFound"));
}

TEST_CASE("a malformed name has its kind's code, and a kind without names is a program error", "[errors]") {
    CHECK(errors::name_malformed(errors::Kind::VpcPeer, "x").code() == std::string("InvalidVpcPeerName.Malformed"));
    CHECK(errors::name_malformed(errors::Kind::VSwitch, "x").code() == std::string("InvalidVSwitchName.Malformed"));
    CHECK_THROWS_AS(errors::name_malformed(errors::Kind::Instance, "x"), std::logic_error);
}
