#pragma once
// Internal to netns/: a NETLINK_ROUTE socket that keeps the kernel's errno and message, and the
// libnl helpers that links.cpp, policy_rules.cpp and xdp.cpp share.
#include <net/if.h>  // before the libnl headers, which pull in <linux/if.h>

#include <netlink/route/link.h>

#include <memory>
#include <string>

#include "model/cidr.h"

namespace xpeer::links {

template <auto Free>
struct Deleter {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
template <class T, auto Free>
using Ptr = std::unique_ptr<T, Deleter<Free>>;
using AddrPtr = Ptr<nl_addr, nl_addr_put>;
using LinkPtr = Ptr<rtnl_link, rtnl_link_put>;
using CachePtr = Ptr<nl_cache, nl_cache_free>;

int af(const IpAddr& a);
bool present(const std::string& ns);  // "" (the caller's) always is

// A NETLINK_ROUTE socket in the calling thread's namespace that keeps the kernel's own errno and
// message of the last failed request.
class Rtnl {
public:
    explicit Rtnl(const std::string& ns);
    Rtnl(const Rtnl&) = delete;
    Rtnl& operator=(const Rtnl&) = delete;

    nl_sock* get() const { return sk_.get(); }

    // 0, or the errno of a failed libnl call (rc < 0).
    int call(int rc);
    void check(int rc, const std::string& what) {
        if (int err = call(rc)) fail(what, err);
    }
    [[noreturn]] void fail(const std::string& what, int err) const;

private:
    static int on_error(sockaddr_nl*, nlmsgerr* e, void* arg);

    Ptr<nl_sock, nl_socket_free> sk_;
    std::string where_, detail_, kernel_msg_;
    int kernel_err_ = 0;
};

AddrPtr nl_ip(const IpAddr& a, unsigned prefix_len);
// Refuses a name the kernel would truncate or that could name a path: InvalidParameter.InterfaceName.
void check_ifname(const std::string& name);
uint32_t ifindex_here(const std::string& ifname, const std::string& ns);  // throws if missing
// The interface by name; null if absent.
LinkPtr get_link(Rtnl& nl, const std::string& ifname);

}  // namespace xpeer::links
