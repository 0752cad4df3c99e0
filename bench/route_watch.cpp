// xpeer-route-watch: how long after a command starts one route is visible in the data plane.
// It runs the command and meanwhile polls the pinned LPM trie for the route's key, and the root of
// the VPC's compiled lookup of the route's family (which decides before the tries while it is
// set; the loader sets it to 0 before it changes the tries, and then to a new trie's root).
// Visible = the trie holds the key (or no longer does) and the root is 0 or no longer the one of
// the start. Times are CLOCK_MONOTONIC from just before fork(). The command's own output goes to
// standard error.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include <bpf/bpf.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/exit_status.h"
#include "compiler/lpm_key.h"
#include "model/error.h"
#include "sys/unique_fd.h"

using namespace xpeer;

namespace {

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

UniqueFd open_pin(const std::string& path) {
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) throw SystemError("bpf_obj_get " + path, errno);
    return UniqueFd(fd);
}

// The trie lookup for one route, whichever the family, and the VPC's compiled lookup root.
class RouteProbe {
public:
    RouteProbe(const std::string& bpffs, uint32_t vpc, const Cidr& cidr)
        : trie_(open_pin(bpffs + (cidr.family() == Family::V4 ? "/xp_routes_v4" : "/xp_routes_v6"))),
          roots_(open_pin(bpffs + "/xp_fib_roots")),
          root_key_(vpc * 2 + (cidr.family() == Family::V6 ? 1 : 0)) {
        if (cidr.family() == Family::V4) {
            auto k = lpm_key_v4(vpc, cidr);
            key_.assign(reinterpret_cast<const uint8_t*>(&k), reinterpret_cast<const uint8_t*>(&k) + sizeof(k));
        } else {
            auto k = lpm_key_v6(vpc, cidr);
            key_.assign(reinterpret_cast<const uint8_t*>(&k), reinterpret_cast<const uint8_t*>(&k) + sizeof(k));
        }
    }
    // A lookup in an LPM trie finds the longest match, which may be a covering prefix. The
    // kernel's get_next_key tells exact keys apart: for a key the trie holds it returns that
    // key's successor (ENOENT after the last), for any other key the trie's first key.
    bool present() const {
        std::vector<uint8_t> first(key_.size()), first_again(key_.size()), next(key_.size());
        for (;;) {
            if (bpf_map_get_next_key(trie_.get(), nullptr, first.data()) != 0) return false;  // empty
            const int r = bpf_map_get_next_key(trie_.get(), key_.data(), next.data());
            const int r_errno = errno;
            if (bpf_map_get_next_key(trie_.get(), nullptr, first_again.data()) != 0) continue;
            if (first != first_again) continue;  // the trie changed in between: ask again
            if (r != 0) {
                if (r_errno != ENOENT) throw SystemError("bpf_map_get_next_key", r_errno);
                return true;  // the key is the last one
            }
            return next != first;
        }
    }
    // 0: the VPC has no compiled lookup of the family now, and the tries decide.
    uint32_t compiled_root() const {
        uint32_t root = 0;
        if (bpf_map_lookup_elem(roots_.get(), &root_key_, &root) != 0) {
            if (errno == ENOENT) return 0;  // a VPC key beyond XP_MAX_VPCS: always the tries
            throw SystemError("lookup xp_fib_roots", errno);
        }
        return root;
    }

private:
    UniqueFd trie_, roots_;
    uint32_t root_key_;
    std::vector<uint8_t> key_;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"xpeer-route-watch: run a command; print when its route change is visible in the pinned maps"};
    std::string bpffs, destination, until = "present";
    uint32_t vpc = 0;
    double timeout_s = 10;
    std::vector<std::string> command;
    app.add_option("--bpffs", bpffs, "the store's bpffs folder")->required();
    app.add_option("--vpc-key", vpc, "the VPC's numeric key (vpcs.key in the store)")->required();
    app.add_option("--destination", destination, "the route's destination CIDR")->required();
    app.add_option("--until", until, "present or absent")->check(CLI::IsMember({"present", "absent"}));
    app.add_option("--timeout", timeout_s, "seconds to wait after the command exits");
    app.add_option("command", command, "the command, after --")->required();
    CLI11_PARSE(app, argc, argv);
    return exit_status_of([&] {
        RouteProbe probe(bpffs, vpc, Cidr::parse(destination));
        const bool want = until == "present";
        if (probe.present() == want) throw Error("RouteWatch.AlreadyThere", destination + " is already " + until);
        const uint32_t root = probe.compiled_root();

        std::vector<char*> args;
        for (auto& a : command) args.push_back(a.data());
        args.push_back(nullptr);
        const double start = now_ms();
        pid_t pid = fork();
        if (pid < 0) throw SystemError("fork", errno);
        if (pid == 0) {
            dup2(STDERR_FILENO, STDOUT_FILENO);  // our standard output is the one JSON line
            execvp(args[0], args.data());
            _exit(127);
        }
        std::optional<double> in_trie, visible, exited;
        int status = 0;
        const timespec pause{0, 20000};  // 20 us between polls: one core stays for the command
        while (!visible) {
            const double t = now_ms();
            if (!in_trie && probe.present() == want) in_trie = t;
            if (in_trie) {
                const uint32_t now_root = probe.compiled_root();
                if (now_root == 0 || now_root != root) visible = now_ms();
            }
            if (!exited && waitpid(pid, &status, WNOHANG) == pid) exited = now_ms();
            if (exited && t - *exited > timeout_s * 1e3) break;
            if (!visible) nanosleep(&pause, nullptr);
        }
        if (!exited) {
            waitpid(pid, &status, 0);
            exited = now_ms();
        }
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (!visible) {
            std::cerr << "error: RouteWatch.Timeout: " << destination << " not " << until << " " << timeout_s
                      << " s after the command exited (status " << code << ")\n";
            return 1;
        }
        std::printf("{\"trie_ms\": %.3f, \"visible_ms\": %.3f, \"command_ms\": %.3f, \"status\": %d}\n", *in_trie - start, *visible - start,
                    *exited - start, code);
        return code == 0 ? 0 : 1;
    });
}
