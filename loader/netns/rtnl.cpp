#include "netns/rtnl.h"

#include <netlink/route/addr.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "model/errors.h"
#include "netns/netns.h"

namespace xpeer::links {
namespace {

// libnl folds errnos into its own codes, losing some (ENETUNREACH becomes "Unspecific failure").
int nle_errno(int rc) {
    switch (std::abs(rc)) {
        case NLE_EXIST:
            return EEXIST;
        case NLE_NOMEM:
            return ENOMEM;
        case NLE_INVAL:
            return EINVAL;
        case NLE_RANGE:
            return ERANGE;
        case NLE_OPNOTSUPP:
            return EOPNOTSUPP;
        case NLE_AF_NOSUPPORT:
            return EAFNOSUPPORT;
        case NLE_OBJ_NOTFOUND:
            return ENOENT;
        case NLE_NOADDR:
            return EADDRNOTAVAIL;
        case NLE_BUSY:
            return EBUSY;
        case NLE_NOACCESS:
            return EACCES;
        case NLE_PERM:
            return EPERM;
        case NLE_NODEV:
            return ENODEV;
        case NLE_AGAIN:
            return EAGAIN;
        case NLE_INTR:
            return EINTR;
        default:
            return EPROTO;
    }
}

// The kernel's extended-ack text ("Nexthop device is not up"), if the error carries one.
std::string extack_text(const nlmsgerr* e) {
    const auto* hdr = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(e) - NLMSG_HDRLEN);
    if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    size_t off = sizeof(*e);
    if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) off += e->msg.nlmsg_len - NLMSG_HDRLEN;
    off = NLMSG_ALIGN(off);
    const size_t len = hdr->nlmsg_len - NLMSG_HDRLEN;
    if (off >= len) return {};
    auto* attrs = reinterpret_cast<nlattr*>(const_cast<char*>(reinterpret_cast<const char*>(e) + off));
    const nlattr* msg = nla_find(attrs, static_cast<int>(len - off), NLMSGERR_ATTR_MSG);
    if (!msg) return {};
    const auto* text = static_cast<const char*>(nla_data(msg));
    return std::string(text, strnlen(text, static_cast<size_t>(nla_len(msg))));
}

}  // namespace

int af(const IpAddr& a) { return a.family == Family::V4 ? AF_INET : AF_INET6; }
bool present(const std::string& ns) { return ns.empty() || netns::exists(ns); }

Rtnl::Rtnl(const std::string& ns) : sk_(nl_socket_alloc()), where_(netns::describe(ns)) {
    if (!sk_) throw SystemError("nl_socket_alloc in " + where_, ENOMEM);
    if (int rc = nl_connect(sk_.get(), NETLINK_ROUTE); rc < 0) throw SystemError("nl_connect(NETLINK_ROUTE) in " + where_, nle_errno(rc));
    const int one = 1;  // best effort: older kernels just give no text
    setsockopt(nl_socket_get_fd(sk_.get()), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    setsockopt(nl_socket_get_fd(sk_.get()), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    nl_socket_modify_err_cb(sk_.get(), NL_CB_CUSTOM, &Rtnl::on_error, this);
}

int Rtnl::call(int rc) {
    const int err = rc >= 0 ? 0 : kernel_err_ ? kernel_err_ : nle_errno(rc);
    detail_ = rc >= 0 ? "" : kernel_err_ ? kernel_msg_ : std::string("libnl: ") + nl_geterror(rc);
    kernel_err_ = 0;
    kernel_msg_.clear();
    return err;
}

void Rtnl::fail(const std::string& what, int err) const {
    throw SystemError(what + " in " + where_ + (detail_.empty() ? "" : " (" + detail_ + ")"), err);
}

int Rtnl::on_error(sockaddr_nl*, nlmsgerr* e, void* arg) {
    auto* self = static_cast<Rtnl*>(arg);
    self->kernel_err_ = std::abs(e->error);
    self->kernel_msg_ = extack_text(e);
    return NL_STOP;  // libnl then returns its own (lossy) code for the same error
}

AddrPtr nl_ip(const IpAddr& a, unsigned prefix_len) {
    AddrPtr p(nl_addr_build(af(a), a.bytes.data(), a.size()));
    if (!p) throw SystemError("nl_addr_build(" + a.str() + ")", ENOMEM);
    nl_addr_set_prefixlen(p.get(), static_cast<int>(prefix_len));
    return p;
}

void check_ifname(const std::string& name) {
    if (name.size() >= IFNAMSIZ)
        throw errors::invalid_parameter_interface_name("interface name '" + name + "' is " + std::to_string(name.size()) +
                                                       " characters long; at most " + std::to_string(IFNAMSIZ - 1) + " allowed");
    if (name.empty() || name == "." || name == ".." || name.find_first_of("/: \t\n") != std::string::npos)
        throw errors::invalid_parameter_interface_name("interface name '" + name + "' is invalid: no '/', ':', whitespace, '.' or '..'");
}

uint32_t ifindex_here(const std::string& ifname, const std::string& ns) {
    const unsigned idx = if_nametoindex(ifname.c_str());
    if (idx == 0) throw SystemError("if_nametoindex(" + ifname + ") in " + netns::describe(ns), errno);
    return idx;
}

LinkPtr get_link(Rtnl& nl, const std::string& ifname) {
    rtnl_link* raw = nullptr;
    const int err = nl.call(rtnl_link_get_kernel(nl.get(), 0, ifname.c_str(), &raw));
    LinkPtr link(raw);
    if (err == ENODEV || err == ENOENT) return nullptr;
    if (err) nl.fail("RTM_GETLINK " + ifname, err);
    return link;
}

}  // namespace xpeer::links
