#include "cli/map_render.h"

#include <cctype>

#include "cli/table.h"

namespace xpeer::render {
namespace {

std::string type_of(const MapInfo& m) { return m.per_cpu ? m.type + ", per CPU" : m.type; }

std::string cell(const nlohmann::ordered_json& v) {
    if (v.is_null()) return "-";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
    return v.dump();
}

nlohmann::ordered_json summary_json(const MapSummary& s) {
    return {{"Name", s.info.name},         {"Path", s.path},       {"Type", s.info.type}, {"PerCpu", s.info.per_cpu != 0}, {"Used", s.used},
            {"MaxEntries", s.max_entries}, {"Holds", s.info.holds}};
}

}  // namespace

std::string column_title(const std::string& field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(field[i]);
        if (i > 0 && std::isupper(c) && !std::isupper(static_cast<unsigned char>(field[i - 1]))) out += ' ';
        out += static_cast<char>(std::toupper(c));
    }
    return out;
}

void maps_table(std::ostream& out, const std::vector<MapSummary>& maps) {
    TextTable t({"PATH", "TYPE", "USED", "MAX", "HOLDS"});
    for (const auto& m : maps) t.add({m.path, type_of(m.info), std::to_string(m.used), std::to_string(m.max_entries), m.info.holds});
    t.print(out);
}

nlohmann::ordered_json maps_json(const std::vector<MapSummary>& maps) {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const auto& m : maps) j.push_back(summary_json(m));
    return j;
}

void map_table(std::ostream& out, const MapContents& m) {
    out << m.summary.path << " (" << type_of(m.summary.info) << "): " << m.summary.used << " of " << m.summary.max_entries
        << " entries in this scope; " << m.summary.info.holds << '\n';
    if (m.rows.empty()) return;
    std::vector<std::string> fields, titles;
    for (const auto& [field, value] : m.rows.front().items()) {
        fields.push_back(field);
        titles.push_back(column_title(field));
    }
    TextTable t(titles);
    for (const auto& row : m.rows) {
        std::vector<std::string> cells;
        for (const auto& f : fields) cells.push_back(row.contains(f) ? cell(row[f]) : "-");
        t.add(std::move(cells));
    }
    t.print(out);
}

nlohmann::ordered_json map_json(const MapContents& m) {
    auto j = summary_json(m.summary);
    j["Entries"] = m.rows;
    return j;
}

}  // namespace xpeer::render
