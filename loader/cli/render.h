#pragma once
#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "controller/controller.h"

// How resources look to users: JSON for machines (--json), tables for people.
namespace xpeer::render {

inline nlohmann::json to_json(const nlohmann::json& j) { return j; }
nlohmann::json to_json(const Vpc&);
nlohmann::json to_json(const VSwitch&);
nlohmann::json to_json(const Instance&);
nlohmann::json to_json(const Peering&);
nlohmann::json to_json(const RouteEntry&);
nlohmann::json to_json(const QuotaValue&);
nlohmann::json to_json(const billing::Line&);
nlohmann::json to_json(const billing::Price&);
nlohmann::json to_json(const alerts::Rule&);
nlohmann::json to_json(const AlertChange&);
nlohmann::json to_json(const LinkSample&);  // with its rates
nlohmann::json to_json(const Event&);
nlohmann::json to_json(const LinkCounters&);
nlohmann::json to_json(const LinkStats&);
nlohmann::json to_json(const HostView&);

void table(std::ostream&, const std::vector<Vpc>&);
void table(std::ostream&, const std::vector<VSwitch>&);
void table(std::ostream&, const std::vector<Instance>&);
void table(std::ostream&, const std::vector<Peering>&);
void table(std::ostream&, const std::vector<RouteEntry>&);
void table(std::ostream&, const std::vector<QuotaValue>&);
void table(std::ostream&, const std::vector<billing::Line>&);  // with a total
void table(std::ostream&, const std::vector<billing::Price>&);
void table(std::ostream&, const std::vector<alerts::Rule>&);
void table(std::ostream&, const std::vector<AlertChange>&);
void table(std::ostream&, const std::vector<LinkSample>&);  // top's view: rates and drops
void table(std::ostream&, const std::vector<Event>&);
void table(std::ostream&, const std::vector<LinkStats>&);
void table(std::ostream&, const std::vector<HostView>&);
void reasons_table(std::ostream&, const VerdictCounts&);
nlohmann::json reasons_json(const VerdictCounts&);
void route_lookups(std::ostream&, const RouteLookupStats&);
nlohmann::json to_json(const RouteLookupStats&);

// One resource as "key: value" lines.
void details(std::ostream&, const nlohmann::json&);

std::string format_time(int64_t unix_seconds);

}  // namespace xpeer::render
