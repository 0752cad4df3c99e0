#pragma once
#include <exception>
#include <future>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "sys/unique_fd.h"

// Named network namespaces, the way iproute2 keeps them: a bind mount of the namespace on
// /run/netns/NAME. Code enters a namespace on a thread of its own (setns affects only the calling
// thread), so the rest of the process, and /sys with bpffs, stay where they are.
namespace xpeer::netns {

using Fd = UniqueFd;

// Names: 1..255 characters, no '/', not "." or ".."; anything else is Error("InvalidNetnsName.Malformed").
bool exists(const std::string& name);
// Like `ip netns add`, but idempotent; brings `lo` up inside.
void create(const std::string& name);
// Like `ip netns delete`; a missing namespace is fine.
void remove(const std::string& name);
// The namespace's fd; "" is the calling thread's current namespace.
// A missing namespace is Error("InvalidNetns.NotFound").
Fd open(const std::string& name);
// Names under /run/netns, sorted.
std::vector<std::string> list();
// "netns 'x'", or "the current netns" for "": where a failure happened, for its message.
std::string describe(const std::string& name);

namespace detail {
void enter(const Fd& ns, const std::string& name);  // setns(CLONE_NEWNET) for the calling thread
}

// Runs fn on a new thread inside the namespace and returns its result; fn's exceptions are
// rethrown here. Sockets fn opens belong to that namespace. "" runs fn directly, in the caller's
// namespace. /proc/sys/net inside fn is the namespace's; /sys stays the caller's.
template <class F>
std::invoke_result_t<F&> run_in(const std::string& name, F&& fn) {
    using R = std::invoke_result_t<F&>;
    if (name.empty()) return fn();
    const Fd ns = open(name);
    std::promise<R> result;
    std::future<R> future = result.get_future();
    std::thread([&] {
        try {
            detail::enter(ns, name);
            if constexpr (std::is_void_v<R>) {
                fn();
                result.set_value();
            } else {
                result.set_value(fn());
            }
        } catch (...) {
            result.set_exception(std::current_exception());
        }
    }).join();
    return future.get();
}

// Moves the calling (single-threaded) process into the namespace and execvp()s argv.
// Unlike `ip netns exec` it leaves /sys alone, so bpffs stays visible. Throws only on failure.
[[noreturn]] void exec(const std::string& name, const std::vector<std::string>& argv);

// Writes /proc/sys/<key_path> inside the namespace ("" = current), e.g.
// set_sysctl("vpc1", "net/ipv6/conf/eth0/disable_ipv6", "1").
void set_sysctl(const std::string& netns, const std::string& key_path, const std::string& value);

}  // namespace xpeer::netns
