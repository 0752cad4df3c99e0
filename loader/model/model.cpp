#include "model/model.h"

#include <array>
#include <utility>

#include "model/errors.h"

namespace xpeer {
namespace {

constexpr std::array<std::pair<PeeringStatus, const char*>, 8> kStatusNames{{
    {PeeringStatus::Creating, "Creating"},
    {PeeringStatus::PeerAccepting, "Peer Accepting"},
    {PeeringStatus::Updating, "Updating"},
    {PeeringStatus::Activated, "Activated"},
    {PeeringStatus::Rejected, "Rejected"},
    {PeeringStatus::Expired, "Expired"},
    {PeeringStatus::Deleting, "Deleting"},
    {PeeringStatus::Deleted, "Deleted"},
}};

}  // namespace

std::string to_string(PeeringStatus s) {
    for (const auto& [status, name] : kStatusNames)
        if (status == s) return name;
    return "Unknown(" + std::to_string(static_cast<int>(s)) + ")";
}

PeeringStatus peering_status_from_string(const std::string& s) {
    std::string known;
    for (const auto& [status, name] : kStatusNames) {
        if (s == name) return status;
        known += (known.empty() ? "" : ", ") + std::string(name);
    }
    throw errors::invalid_status("unknown peering connection status '" + s + "'; expected one of " + known);
}

}  // namespace xpeer
