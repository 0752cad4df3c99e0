#pragma once
// How `xpeer maps` looks: a table for people, JSON (the cloud's field names) for machines.
#include <ostream>
#include <string>
#include <vector>

#include "model/map_view.h"

namespace xpeer::render {

// A row field as a column title: "VpcId" -> "VPC ID", "Ipv6Cidr" -> "IPV6 CIDR".
std::string column_title(const std::string& field);

void maps_table(std::ostream&, const std::vector<MapSummary>&);
nlohmann::ordered_json maps_json(const std::vector<MapSummary>&);
// One map: a line about it, then its rows under the titles of their fields.
void map_table(std::ostream&, const MapContents&);
nlohmann::ordered_json map_json(const MapContents&);

}  // namespace xpeer::render
