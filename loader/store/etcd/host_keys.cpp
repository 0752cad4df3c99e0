#include "store/etcd/host_keys.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace xpeer::etcd {

using nlohmann::json;

std::string link_name(const LinkKey& link) { return link.first + "/" + std::to_string(to_int(link.second)); }
std::optional<LinkKey> link_of_name(const std::string& name) {
    const auto slash = name.rfind('/');
    if (slash == std::string::npos || slash == 0) return std::nullopt;
    const std::string dir = name.substr(slash + 1);
    if (dir != "0" && dir != "1") return std::nullopt;
    return LinkKey{name.substr(0, slash), direction_of(dir == "1")};
}

std::optional<HostDemand> demand_of(const std::string& text) {
    const json value = json::parse(text, nullptr, false);
    if (!value.is_object()) return std::nullopt;
    auto millis = [&](const char* field, int64_t most) -> std::optional<int64_t> {
        auto it = value.find(field);
        if (it == value.end() || !it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > most) return std::nullopt;
        return it->get<int64_t>();
    };
    constexpr int64_t kYear3000Ms = 32503680000000, kHourMs = 3'600'000;
    const auto time = millis("time_ms", kYear3000Ms), lease = millis("lease_ms", kHourMs);
    auto rates = value.find("demand");
    if (!time || !lease || rates == value.end() || !rates->is_object()) return std::nullopt;
    // A build before intervals were published: as slow as its lease allows.
    const auto interval = value.contains("interval_ms") ? millis("interval_ms", kHourMs) : std::optional<int64_t>(*lease / 2);
    if (!interval) return std::nullopt;
    HostDemand d{*time, *lease, *interval, {}};
    for (const auto& [name, rate] : rates->items()) {
        const auto link = link_of_name(name);
        if (!link || !rate.is_number() || !std::isfinite(rate.get<double>()) || rate.get<double>() < 0) return std::nullopt;
        d.bytes_per_second[*link] = rate.get<double>();
    }
    return d;
}

std::string demand_text(const HostDemand& demand) {
    json rates = json::object();
    for (const auto& [link, rate] : demand.bytes_per_second) rates[link_name(link)] = rate;
    return json{{"time_ms", demand.time_ms}, {"lease_ms", demand.lease_ms}, {"interval_ms", demand.interval_ms}, {"demand", rates}}.dump();
}

}  // namespace xpeer::etcd
