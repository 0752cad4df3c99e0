#include "netns/links.h"

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/neighbour.h>
#include <linux/sockios.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "model/errors.h"
#include "netns/netns.h"
#include "netns/policy_rules.h"
#include "netns/rtnl.h"

namespace xpeer::links {

namespace {

void check_spec(const VswitchVethSpec& s) {
    check_ifname(s.datapath_ifname);
    check_ifname(s.vpc_ifname);
    const std::string of = "vSwitch veth " + s.vpc_ifname;
    if (s.table == 0 || (s.table >= RT_TABLE_DEFAULT && s.table <= RT_TABLE_LOCAL) || s.table > 0xffffffffu - 1000)
        throw errors::invalid_parameter_route_table(of + ": route table " + std::to_string(s.table) + " is reserved or out of range");
    if (s.cidr.family() != Family::V4 || s.gateway.family != Family::V4)
        throw errors::invalid_parameter_family(of + ": cidr and gateway must be IPv4");
    if ((s.ipv6_cidr && s.ipv6_cidr->family() != Family::V6) || (s.gateway6 && s.gateway6->family != Family::V6))
        throw errors::invalid_parameter_family(of + ": ipv6_cidr and gateway6 must be IPv6");
}

bool is_veth(rtnl_link* link) {
    const char* type = rtnl_link_get_type(link);
    return type && std::strcmp(type, "veth") == 0;
}

// An end of a veth pair by name, with the ifindex of its peer; nullopt if absent or not a veth.
struct End {
    VethEnd end;
    uint32_t peer = 0;
};
std::optional<End> read_end(Rtnl& nl, const std::string& ifname) {
    const LinkPtr link = get_link(nl, ifname);
    if (!link || !is_veth(link.get())) return std::nullopt;
    End e{{ifname, static_cast<uint32_t>(rtnl_link_get_ifindex(link.get())), {}}, static_cast<uint32_t>(rtnl_link_get_link(link.get()))};
    if (nl_addr* a = rtnl_link_get_addr(link.get()); a && nl_addr_get_len(a) == e.end.mac.size())
        std::memcpy(e.end.mac.data(), nl_addr_get_binary_addr(a), e.end.mac.size());
    return e;
}

void set_up(Rtnl& nl, const std::string& ifname) {
    rtnl_link* raw = nullptr;
    nl.check(rtnl_link_get_kernel(nl.get(), 0, ifname.c_str(), &raw), "RTM_GETLINK " + ifname);
    const LinkPtr link(raw), change(rtnl_link_alloc());
    if (!change) throw SystemError("rtnl_link_alloc", ENOMEM);
    rtnl_link_set_flags(change.get(), IFF_UP);
    nl.check(rtnl_link_change(nl.get(), link.get(), change.get(), 0), "RTM_NEWLINK " + ifname + " up");
}

// The lowest ifindex no interface of the current namespace holds.
uint32_t lowest_free_ifindex() {
    std::vector<uint32_t> used;
    if (struct if_nameindex* all = if_nameindex()) {
        for (const struct if_nameindex* i = all; i->if_index != 0; ++i) used.push_back(i->if_index);
        if_freenameindex(all);
    } else {
        throw SystemError("if_nameindex", errno);
    }
    std::sort(used.begin(), used.end());
    uint32_t free = 1;
    for (uint32_t idx : used)
        if (idx == free) ++free;
    return free;
}

void make_veth(const VswitchVethSpec& s) {
    const netns::Fd vpc_ns = netns::open(s.vpc_netns);  // opened here: "" means the caller's namespace
    netns::run_in(s.datapath_netns, [&] {
        Rtnl nl(s.datapath_netns);
        const std::string what =
            "RTM_NEWLINK veth " + s.datapath_ifname + " (peer " + s.vpc_ifname + " into " + netns::describe(s.vpc_netns) + ")";
        // Another process may take the ifindex first (EEXIST, or EBUSY): then the next lowest.
        for (int attempt = 0;; ++attempt) {
            const LinkPtr veth(rtnl_link_veth_alloc());
            if (!veth) throw SystemError("rtnl_link_veth_alloc", ENOMEM);
            const LinkPtr peer(rtnl_link_veth_get_peer(veth.get()));
            rtnl_link_set_name(veth.get(), s.datapath_ifname.c_str());
            rtnl_link_set_name(peer.get(), s.vpc_ifname.c_str());
            rtnl_link_set_ns_fd(peer.get(), vpc_ns.get());
            if (s.ifindex_below) {
                const uint32_t idx = lowest_free_ifindex();
                if (idx >= s.ifindex_below)
                    throw errors::quota_exceeded_datapath_ifindex("veth " + s.datapath_ifname + ": no ifindex below " +
                                                                  std::to_string(s.ifindex_below) + " is free in " +
                                                                  netns::describe(s.datapath_netns));
                rtnl_link_set_ifindex(veth.get(), static_cast<int>(idx));
            }
            const int err = nl.call(rtnl_link_add(nl.get(), veth.get(), NLM_F_CREATE | NLM_F_EXCL));
            const bool index_taken = err == EBUSY || (err == EEXIST && if_nametoindex(s.datapath_ifname.c_str()) == 0);
            if (index_taken && s.ifindex_below && attempt < 16) continue;
            if (err) nl.fail(what, err);
            return;
        }
    });
}

void set_tx_checksum(const std::string& ifname, const std::string& ns, bool on) {
    const netns::Fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SystemError("socket(AF_INET) in " + netns::describe(ns), errno);
    ethtool_value ev{ETHTOOL_STXCSUM, on ? 1u : 0u};
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    ifr.ifr_data = reinterpret_cast<char*>(&ev);
    if (ioctl(sock.get(), SIOCETHTOOL, &ifr) != 0)
        throw SystemError(
            std::string("ioctl(SIOCETHTOOL, ETHTOOL_STXCSUM ") + (on ? "on" : "off") + ") on " + ifname + " in " + netns::describe(ns),
            errno);
}

void add_neighbour(Rtnl& nl, uint32_t idx, const std::string& ifname, const IpAddr& ip, const Mac& mac) {
    const Ptr<rtnl_neigh, rtnl_neigh_put> n(rtnl_neigh_alloc());
    const AddrPtr ll(nl_addr_build(AF_LLC, mac.data(), mac.size()));
    if (!n || !ll) throw SystemError("rtnl_neigh_alloc", ENOMEM);
    rtnl_neigh_set_ifindex(n.get(), static_cast<int>(idx));
    rtnl_neigh_set_family(n.get(), af(ip));
    rtnl_neigh_set_dst(n.get(), nl_ip(ip, ip.bits()).get());
    rtnl_neigh_set_lladdr(n.get(), ll.get());
    rtnl_neigh_set_state(n.get(), NUD_PERMANENT);
    nl.check(rtnl_neigh_add(nl.get(), n.get(), NLM_F_CREATE | NLM_F_REPLACE),
             "RTM_NEWNEIGH " + ip.str() + " lladdr " + mac_str(mac) + " dev " + ifname + " permanent");
}

void add_default_route(Rtnl& nl, uint32_t idx, const std::string& ifname, const IpAddr& gw, uint32_t table, uint32_t metric) {
    const Ptr<rtnl_route, rtnl_route_put> r(rtnl_route_alloc());
    if (!r) throw SystemError("rtnl_route_alloc", ENOMEM);
    const auto dst = nl_ip(IpAddr{gw.family, {}}, 0);
    const auto via = nl_ip(gw, gw.bits());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();  // nothing may throw between here and add_nexthop
    if (!nh) throw SystemError("rtnl_route_nh_alloc", ENOMEM);
    rtnl_route_set_family(r.get(), static_cast<uint8_t>(af(gw)));
    rtnl_route_set_table(r.get(), table);
    rtnl_route_set_priority(r.get(), metric);
    rtnl_route_set_protocol(r.get(), RTPROT_STATIC);
    rtnl_route_set_scope(r.get(), RT_SCOPE_UNIVERSE);
    rtnl_route_set_dst(r.get(), dst.get());
    rtnl_route_nh_set_ifindex(nh, static_cast<int>(idx));
    rtnl_route_nh_set_gateway(nh, via.get());
    rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);  // libnl copies a lone nexthop's flags into rtm_flags
    rtnl_route_add_nexthop(r.get(), nh);         // r owns nh from here
    // Plain NLM_F_CREATE: EEXIST only for an identical route, so re-running is harmless, while
    // NLM_F_REPLACE would silently take over another vSwitch's default route of the same metric.
    if (int err = nl.call(rtnl_route_add(nl.get(), r.get(), NLM_F_CREATE)); err && err != EEXIST)
        nl.fail("RTM_NEWROUTE default via " + gw.str() + " dev " + ifname + " onlink table " + std::to_string(table) + " metric " +
                    std::to_string(metric),
                err);
}

// Deletes the interface by name (a veth takes its peer along, and both their routes and
// neighbours); a missing one is fine, and with veth_only so is one of another type.
void remove_link(Rtnl& nl, const std::string& ifname, bool veth_only) {
    const LinkPtr link = get_link(nl, ifname);
    if (!link || (veth_only && !is_veth(link.get()))) return;
    if (int err = nl.call(rtnl_link_delete(nl.get(), link.get())); err && err != ENODEV) nl.fail("RTM_DELLINK " + ifname, err);
}

void configure(const VswitchVethSpec& s) {
    const std::string conf = "net/ipv6/conf/";
    netns::set_sysctl(s.datapath_netns, conf + s.datapath_ifname + "/disable_ipv6", "1");
    netns::set_sysctl(s.vpc_netns, conf + s.vpc_ifname + "/accept_dad", "0");
    netns::set_sysctl(s.vpc_netns, conf + s.vpc_ifname + "/accept_ra", "0");
    // A vSwitch without an IPv6 block has no IPv6: nothing of its own (MLD, RS) crosses it.
    netns::set_sysctl(s.vpc_netns, conf + s.vpc_ifname + "/disable_ipv6", s.ipv6_cidr ? "0" : "1");
    const Mac dp_mac = netns::run_in(s.datapath_netns, [&] {
        Rtnl nl(s.datapath_netns);
        set_up(nl, s.datapath_ifname);
        return read_end(nl, s.datapath_ifname).value().end.mac;
    });
    netns::run_in(s.vpc_netns, [&] {
        Rtnl nl(s.vpc_netns);
        const std::string& dev = s.vpc_ifname;
        set_tx_checksum(dev, s.vpc_netns, s.tx_checksum);
        set_up(nl, dev);  // before the routes: an onlink nexthop needs its device up
        const uint32_t idx = ifindex_here(dev, s.vpc_netns);
        add_neighbour(nl, idx, dev, s.gateway, dp_mac);
        add_default_route(nl, idx, dev, s.gateway, s.table, 0);
        add_default_route(nl, idx, dev, s.gateway, RT_TABLE_MAIN, s.metric);
        add_rule(nl, vswitch_rule(s.cidr, s.table));
        if (s.gateway6) {
            add_neighbour(nl, idx, dev, *s.gateway6, dp_mac);
            add_default_route(nl, idx, dev, *s.gateway6, s.table, 0);
            add_default_route(nl, idx, dev, *s.gateway6, RT_TABLE_MAIN, s.metric);
        }
        if (s.ipv6_cidr) add_rule(nl, vswitch_rule(*s.ipv6_cidr, s.table));
    });
}

void check_prefix(const std::string& ifname, const IpAddr& ip, uint8_t prefix_len) {
    check_ifname(ifname);
    if (prefix_len > ip.bits())
        throw errors::invalid_parameter_prefix_length(ip.str() + "/" + std::to_string(prefix_len) + " on " + ifname +
                                                      ": prefix length out of range");
}

Ptr<rtnl_addr, rtnl_addr_put> addr_object(uint32_t idx, const IpAddr& ip, uint8_t prefix_len) {
    Ptr<rtnl_addr, rtnl_addr_put> a(rtnl_addr_alloc());
    if (!a) throw SystemError("rtnl_addr_alloc", ENOMEM);
    rtnl_addr_set_ifindex(a.get(), static_cast<int>(idx));
    rtnl_addr_set_family(a.get(), af(ip));
    rtnl_addr_set_local(a.get(), nl_ip(ip, prefix_len).get());
    rtnl_addr_set_prefixlen(a.get(), prefix_len);
    return a;
}

}  // namespace

std::optional<VswitchVeth> find_vswitch_veth(const VswitchVethSpec& s) {
    check_spec(s);
    if (!present(s.datapath_netns) || !present(s.vpc_netns)) return std::nullopt;
    const auto dp = netns::run_in(s.datapath_netns, [&] {
        Rtnl nl(s.datapath_netns);
        return read_end(nl, s.datapath_ifname);
    });
    if (!dp) return std::nullopt;
    const auto vpc = netns::run_in(s.vpc_netns, [&] {
        Rtnl nl(s.vpc_netns);
        return read_end(nl, s.vpc_ifname);
    });
    if (!vpc || dp->peer != vpc->end.ifindex || vpc->peer != dp->end.ifindex) return std::nullopt;
    return VswitchVeth{dp->end, vpc->end};
}

VswitchVeth create_vswitch_veth(const VswitchVethSpec& s) {
    const auto found = find_vswitch_veth(s);  // validates s first
    if (found && s.ifindex_below && found->datapath.ifindex >= s.ifindex_below) delete_vswitch_veth(s);
    const bool created = !found || (s.ifindex_below && found->datapath.ifindex >= s.ifindex_below);
    if (created) make_veth(s);
    try {
        configure(s);
        if (auto link = find_vswitch_veth(s)) return *link;
        throw errors::internal_error_vswitch_link("veth " + s.datapath_ifname + " <-> " + s.vpc_ifname + " vanished while being set up");
    } catch (...) {
        if (created) {
            try {
                delete_vswitch_veth(s);
            } catch (...) {  // the first error is the one worth reporting
            }
        }
        throw;
    }
}

void delete_vswitch_veth(const VswitchVethSpec& s) {
    check_spec(s);
    if (present(s.vpc_netns)) {
        netns::run_in(s.vpc_netns, [&] {
            Rtnl nl(s.vpc_netns);
            remove_rule(nl, vswitch_rule(s.cidr, s.table));  // rules outlive the device they point through
            if (s.ipv6_cidr) remove_rule(nl, vswitch_rule(*s.ipv6_cidr, s.table));
            remove_link(nl, s.vpc_ifname, /*veth_only=*/true);  // takes its peer, routes and neighbours with it
        });
    }
    if (present(s.datapath_netns)) {
        netns::run_in(s.datapath_netns, [&] {
            Rtnl nl(s.datapath_netns);
            remove_link(nl, s.datapath_ifname, /*veth_only=*/true);
        });
    }
}

void add_address(const std::string& ns, const std::string& ifname, const IpAddr& ip, uint8_t prefix_len) {
    check_prefix(ifname, ip, prefix_len);
    netns::run_in(ns, [&] {
        Rtnl nl(ns);
        const auto a = addr_object(ifindex_here(ifname, ns), ip, prefix_len);
        if (ip.family == Family::V6) rtnl_addr_set_flags(a.get(), IFA_F_NODAD);
        nl.check(rtnl_addr_add(nl.get(), a.get(), NLM_F_REPLACE),
                 "RTM_NEWADDR " + ip.str() + "/" + std::to_string(prefix_len) + " dev " + ifname);
    });
}

void remove_address(const std::string& ns, const std::string& ifname, const IpAddr& ip, uint8_t prefix_len) {
    check_prefix(ifname, ip, prefix_len);
    if (!present(ns)) return;
    netns::run_in(ns, [&] {
        const unsigned idx = if_nametoindex(ifname.c_str());
        if (idx == 0) return;  // gone with its interface
        Rtnl nl(ns);
        const int err = nl.call(rtnl_addr_delete(nl.get(), addr_object(idx, ip, prefix_len).get(), 0));
        if (err && err != EADDRNOTAVAIL && err != ENODEV)
            nl.fail("RTM_DELADDR " + ip.str() + "/" + std::to_string(prefix_len) + " dev " + ifname, err);
    });
}

uint32_t ifindex(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    return netns::run_in(ns, [&] { return ifindex_here(ifname, ns); });
}

void keep_neighbour(const std::string& ns, uint32_t ifindex, const IpAddr& ip) {
    netns::run_in(ns, [&] {
        Rtnl nl(ns);
        const Ptr<nl_msg, nlmsg_free> msg(nlmsg_alloc_simple(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE));
        if (!msg) throw SystemError("nlmsg_alloc_simple", ENOMEM);
        ndmsg nd{};
        nd.ndm_family = static_cast<uint8_t>(af(ip));
        nd.ndm_ifindex = static_cast<int>(ifindex);
        nd.ndm_state = NUD_NONE;  // the kernel resolves it, and keeps it resolved
        const std::string what = "RTM_NEWNEIGH " + ip.str() + " ifindex " + std::to_string(ifindex) + " managed";
        if (nlmsg_append(msg.get(), &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
            nla_put(msg.get(), NDA_DST, static_cast<int>(ip.size()), ip.bytes.data()) < 0 ||
            nla_put_u32(msg.get(), NDA_FLAGS_EXT, NTF_EXT_MANAGED) < 0)
            throw SystemError(what + ": message", ENOMEM);
        nl.check(nl_send_auto(nl.get(), msg.get()), what);
        nl.check(nl_wait_for_ack(nl.get()), what);
    });
}

uint32_t mtu(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    return netns::run_in(ns, [&] {
        Rtnl nl(ns);
        const LinkPtr link = get_link(nl, ifname);
        if (!link) throw SystemError("RTM_GETLINK " + ifname + " in " + netns::describe(ns), ENODEV);
        return static_cast<uint32_t>(rtnl_link_get_mtu(link.get()));
    });
}

std::vector<IpAddr> global_addresses(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    return netns::run_in(ns, [&] {
        Rtnl nl(ns);
        const auto idx = static_cast<int>(ifindex_here(ifname, ns));
        nl_cache* raw = nullptr;
        nl.check(rtnl_addr_alloc_cache(nl.get(), &raw), "RTM_GETADDR dev " + ifname);
        CachePtr cache(raw);
        std::vector<IpAddr> out;
        for (nl_object* o = nl_cache_get_first(raw); o; o = nl_cache_get_next(o)) {
            auto* a = reinterpret_cast<rtnl_addr*>(o);
            if (rtnl_addr_get_ifindex(a) != idx || rtnl_addr_get_scope(a) != RT_SCOPE_UNIVERSE) continue;
            nl_addr* local = rtnl_addr_get_local(a);
            const int family = nl_addr_get_family(local);
            if (family != AF_INET && family != AF_INET6) continue;
            char text[INET6_ADDRSTRLEN] = {};
            if (!inet_ntop(family, nl_addr_get_binary_addr(local), text, sizeof(text))) continue;
            out.push_back(IpAddr::parse(text));
        }
        std::ranges::stable_sort(out, [](const IpAddr& x, const IpAddr& y) { return x.family == Family::V4 && y.family != Family::V4; });
        return out;
    });
}

namespace {

// fn(link, name) for each interface of the current namespace whose name starts with prefix.
template <typename F>
void for_each_link(const std::string& ns, const std::string& prefix, F&& fn) {
    Rtnl nl(ns);
    nl_cache* raw = nullptr;
    nl.check(rtnl_link_alloc_cache(nl.get(), AF_UNSPEC, &raw), "RTM_GETLINK dump");
    const CachePtr cache(raw);
    for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
        auto* link = reinterpret_cast<rtnl_link*>(o);
        if (const char* name = rtnl_link_get_name(link); name && std::string_view(name).starts_with(prefix)) fn(link, name);
    }
}

}  // namespace

std::vector<std::string> list_links(const std::string& ns, const std::string& prefix) {
    if (!present(ns)) return {};
    return netns::run_in(ns, [&] {
        std::vector<std::string> names;
        for_each_link(ns, prefix, [&](rtnl_link*, const char* name) { names.emplace_back(name); });
        std::sort(names.begin(), names.end());
        return names;
    });
}

InterfaceDrops interface_drops(const std::string& ns, const std::string& prefix) {
    if (!present(ns)) return {};
    return netns::run_in(ns, [&] {
        InterfaceDrops d;
        for_each_link(ns, prefix, [&](rtnl_link* link, const char*) {
            d.tx += rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED);
            d.rx += rtnl_link_get_stat(link, RTNL_LINK_RX_DROPPED);
        });
        return d;
    });
}

void delete_link(const std::string& ns, const std::string& ifname) {
    check_ifname(ifname);
    if (!present(ns)) return;
    netns::run_in(ns, [&] {
        Rtnl nl(ns);
        remove_link(nl, ifname, /*veth_only=*/false);
    });
}

}  // namespace xpeer::links
