#include "store/counters_text.h"

#include <sqlite3.h>

#include <charconv>
#include <iterator>

#include "store/sqlite_store.h"

namespace xpeer::store_detail {

std::string counters_text(const LinkCounters& c) {
    std::string text;
    for (const auto& f : kLinkCounterFields) {
        if (!text.empty()) text += ',';
        text += std::to_string(c.*f.member);
    }
    return text;
}

LinkCounters parse_counters(const std::string& text, const char* table) {
    auto malformed = [&](const std::string& why) {
        return StoreError("store: malformed counters '" + text + "' in " + table + ": " + why, SQLITE_CORRUPT);
    };
    LinkCounters c;
    const char* p = text.data();
    const char* const end = p + text.size();
    for (const auto& f : kLinkCounterFields) {
        auto [next, ec] = std::from_chars(p, end, c.*f.member);
        if (ec != std::errc() || (next != end && *next != ','))
            throw malformed(std::string(f.name) + " is not a number of at most 20 digits");
        p = next;
        if (p == end) return c;
        ++p;  // the comma
    }
    throw malformed("more than the " + std::to_string(std::size(kLinkCounterFields)) + " counters this xpeer knows");
}

}  // namespace xpeer::store_detail
