#include "netns/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "model/errors.h"

namespace xpeer::netns {
namespace {

constexpr const char* kRunDir = "/run/netns";

std::string path_of(const std::string& name) {
    if (name.empty() || name.size() > NAME_MAX || name == "." || name == ".." || name.find('/') != std::string::npos)
        throw errors::invalid_netns_name_malformed("invalid network namespace name '" + name +
                                                   "': 1 to 255 characters, no '/', not '.' or '..'");
    return std::string(kRunDir) + "/" + name;
}

bool is_netns(int fd) {
    struct statfs fs {};
    return fstatfs(fd, &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

// /run/netns must be a shared mount so that namespaces mounted later show up in every mount
// namespace (iproute2 does the same: make it a mount point by bind-mounting it on itself).
void ensure_run_dir() {
    if (mkdir(kRunDir, 0755) != 0 && errno != EEXIST) throw SystemError("mkdir(/run/netns)", errno);
    if (mount("", kRunDir, "none", MS_SHARED | MS_REC, nullptr) == 0) return;
    if (errno != EINVAL) throw SystemError("mount(/run/netns, MS_SHARED|MS_REC)", errno);
    if (mount(kRunDir, kRunDir, "none", MS_BIND | MS_REC, nullptr) != 0)
        throw SystemError("mount(/run/netns on itself, MS_BIND|MS_REC)", errno);
    if (mount("", kRunDir, "none", MS_SHARED | MS_REC, nullptr) != 0)
        throw SystemError("mount(/run/netns, MS_SHARED|MS_REC) after bind", errno);
}

void set_up(const std::string& ifname, const std::string& ns) {
    const Fd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock) throw SystemError("socket(AF_INET) in netns '" + ns + "'", errno);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
    if (ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) throw SystemError("ioctl(SIOCGIFFLAGS) on " + ifname + " in netns '" + ns + "'", errno);
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(sock.get(), SIOCSIFFLAGS, &ifr) != 0)
        throw SystemError("ioctl(SIOCSIFFLAGS, IFF_UP) on " + ifname + " in netns '" + ns + "'", errno);
}

}  // namespace

bool exists(const std::string& name) {
    const Fd fd(::open(path_of(name).c_str(), O_RDONLY | O_CLOEXEC));
    return fd && is_netns(fd.get());
}

void create(const std::string& name) {
    const std::string path = path_of(name);
    if (!exists(name)) {
        ensure_run_dir();
        // No O_EXCL: an empty file left by a crashed run is reused as the mount point.
        if (const Fd f(::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0)); !f) throw SystemError("create " + path, errno);
        // unshare() moves only this thread; the bind mount keeps the namespace alive after it ends.
        int err = 0;
        std::string step = "unshare(CLONE_NEWNET)";
        std::thread([&] {
            if (unshare(CLONE_NEWNET) == 0) {
                step = "mount(/proc/thread-self/ns/net, MS_BIND)";
                if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) == 0) return;
            }
            err = errno;
        }).join();
        if (err) {
            ::unlink(path.c_str());
            throw SystemError(step + " for netns '" + name + "' on " + path, err);
        }
    }
    run_in(name, [&] { set_up("lo", name); });
}

void remove(const std::string& name) {
    const std::string path = path_of(name);
    if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        throw SystemError("umount2(" + path + ", MNT_DETACH)", errno);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw SystemError("unlink(" + path + ")", errno);
}

Fd open(const std::string& name) {
    if (name.empty()) {
        Fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
        if (!fd) throw SystemError("open(/proc/thread-self/ns/net)", errno);
        return fd;
    }
    const std::string path = path_of(name);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd && errno != ENOENT) throw SystemError("open(" + path + ")", errno);
    // Not a rule a caller broke: a namespace xpeer made is gone (drift), which the caller repairs.
    if (!fd || !is_netns(fd.get()))
        throw SystemError("network namespace '" + name + "' does not exist (" + path + (fd ? " is not a namespace mount)" : " is missing)"),
                          ENOENT);
    return fd;
}

std::vector<std::string> list() {
    std::vector<std::string> names;
    DIR* dir = opendir(kRunDir);
    if (!dir) {
        if (errno == ENOENT) return names;
        throw SystemError("opendir(/run/netns)", errno);
    }
    while (const dirent* e = readdir(dir))
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

void detail::enter(const Fd& ns, const std::string& name) {
    if (setns(ns.get(), CLONE_NEWNET) != 0) throw SystemError("setns(CLONE_NEWNET) into netns '" + name + "'", errno);
}

void exec(const std::string& name, const std::vector<std::string>& argv) {
    if (argv.empty()) throw errors::invalid_parameter_command("exec in netns '" + name + "': empty command");
    detail::enter(open(name), name);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    throw SystemError("execvp(" + argv[0] + ") in netns '" + name + "'", errno);
}

void set_sysctl(const std::string& netns, const std::string& key_path, const std::string& value) {
    if (key_path.empty() || key_path.front() == '/' || ("/" + key_path + "/").find("/../") != std::string::npos)
        throw errors::invalid_parameter_sysctl("invalid sysctl key '" + key_path + "'");
    const std::string path = "/proc/sys/" + key_path;
    const std::string where = netns.empty() ? "the current netns" : "netns '" + netns + "'";
    run_in(netns, [&] {
        const Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd) throw SystemError("open(" + path + ") in " + where, errno);
        if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
            throw SystemError("write('" + value + "' to " + path + ") in " + where, errno);
    });
}

std::string describe(const std::string& name) { return name.empty() ? "the current netns" : "netns '" + name + "'"; }

}  // namespace xpeer::netns
