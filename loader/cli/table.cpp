#include "cli/table.h"

#include <algorithm>

namespace xpeer {

void TextTable::print(std::ostream& out) const {
    std::vector<size_t> width(header_.size());
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
    };
    measure(header_);
    for (const auto& r : rows_) measure(r);
    auto line = [&](const std::vector<std::string>& row) {
        std::string s;
        for (size_t i = 0; i < width.size(); ++i) {
            std::string cell = i < row.size() ? row[i] : "";
            s += cell;
            if (i + 1 < width.size()) s += std::string(width[i] - cell.size() + 2, ' ');
        }
        out << s << '\n';
    };
    line(header_);
    for (const auto& r : rows_) line(r);
}

}  // namespace xpeer
