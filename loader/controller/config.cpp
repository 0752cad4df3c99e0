#include "controller/config.h"

namespace xpeer {
namespace {

std::string id_suffix(const std::string& id, size_t n) {
    auto dash = id.find('-');
    return id.substr(dash == std::string::npos ? 0 : dash + 1, n);
}

}  // namespace

std::string vpc_netns_name(const Config& c, const std::string& vpc_id) { return c.netns_prefix + "-" + vpc_id; }
std::string datapath_ifname(const std::string& vswitch_id) { return "xp" + id_suffix(vswitch_id, 13); }
std::string vpc_ifname(const std::string& vswitch_id) { return "vs" + id_suffix(vswitch_id, 13); }
std::string xdp_links_dir(const Config& c) { return c.bpffs_dir + "/links"; }
std::string xdp_link_pin(const Config& c, const std::string& ifname) { return xdp_links_dir(c) + "/" + ifname; }
std::string underlay_link_pin(const Config& c) { return c.bpffs_dir + "/underlay-link"; }
uint32_t vswitch_table(uint32_t number) { return 1000 + number; }
uint32_t vswitch_metric(uint32_t number) { return 100 + number; }

}  // namespace xpeer
