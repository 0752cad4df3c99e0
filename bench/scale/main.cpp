// xpeer-scale: many hosts' agents against one etcd, without a data plane (tools/bench scale).
// Each simulated agent is what `xpeer agent --host` runs, minus the kernel: its own replica, the
// controller that follows the store into map entries (scale::MemoryDataplane), its lease, the
// watch of its slice key and its programmed reports (not the tick's sampling and alerts). A
// driver builds VPCS VPCs, one vSwitch each, on hosts round-robin, peered in a ring, with the
// agents stopped; then starts them and makes CHANGES route changes (an add, then its delete, in
// turn), timing each from its command's start until every agent it concerned (whose slice key
// its commit wrote) programmed its revision. Prints one JSON object.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <thread>

#include <httplib.h>

#include "agent/host_membership.h"
#include "controller/controller.h"
#include "controller/quotas.h"
#include "model/error.h"
#include "scale/memory_dataplane.h"
#include "store/etcd/etcd_client.h"
#include "store/etcd/keys.h"

using namespace xpeer;
using Clock = std::chrono::steady_clock;

namespace {

constexpr AccountId kTenant = 1001;

struct Options {
    std::string etcd, dir;
    int agents = 100, vpcs = 100, changes = 100;
};

std::string host_name(int i) { return "sim" + std::to_string(i); }

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
}

// The members, starting at the i-th: the agents spread over them as hosts would.
std::vector<std::string> members_from(const Options& o, int i) {
    auto m = split(o.etcd);
    std::rotate(m.begin(), m.begin() + i % static_cast<int>(m.size()), m.end());
    return m;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

Config config_of(const Options& o, const std::string& replica, AccountId account, bool is_operator, int member = 0) {
    Config c;
    c.etcd = joined(members_from(o, member));
    c.state_path = o.dir + "/" + replica + ".db";
    c.bpffs_dir = o.dir + "/bpffs-" + replica;  // bound in the replica, never made
    c.datapath_netns = "sim-" + replica;
    c.netns_prefix = "sim-" + replica;
    c.account = account;
    c.is_operator = is_operator;
    c.rollout_wait_ms = 0;
    return c;
}

// One host's agent: registered at construction; follows the store on its thread once started.
class SimAgent {
public:
    SimAgent(const Options& o, int i)
        : name_(host_name(i)),
          controller_(config_of(o, name_, 1, true, i), std::make_unique<scale::MemoryDataplane>(true)),
          client_(members_from(o, i)) {
        IpAddr underlay = IpAddr::parse("100.64.0.0");
        underlay.bytes[2] = static_cast<uint8_t>(i >> 8);
        underlay.bytes[3] = static_cast<uint8_t>(i & 0xff);
        controller_.register_host({name_, "cn-hangzhou", underlay, "ul"});
    }
    ~SimAgent() { stop(); }
    SimAgent(const SimAgent&) = delete;
    SimAgent& operator=(const SimAgent&) = delete;
    void start() {
        membership_ = std::make_unique<HostMembership>(client_, name_, std::chrono::seconds(10), controller_.refresh_store());
        thread_ = std::thread([this] { run(); });
    }
    void stop() {
        stop_ = true;
        if (membership_) membership_->stop();
        if (thread_.joinable()) thread_.join();
        membership_.reset();
    }
    int64_t programmed() const { return programmed_; }  // as reported to etcd
    int64_t follows() const { return follows_; }
    const std::string& name() const { return name_; }
    const std::string& failure() const { return failure_; }

private:
    void run() {
        int64_t seen = 0;
        while (!stop_) {
            const int64_t heard = membership_->wait_for_slice(seen, Clock::now() + std::chrono::milliseconds(200));
            if (stop_ || (heard <= seen && seen && programmed_ == seen)) continue;
            try {
                if (heard > seen || !seen) {
                    seen = controller_.follow_store();
                    ++follows_;
                }
                if (programmed_ == seen || !membership_->report_programmed(seen)) continue;  // not reported: again
                programmed_ = seen;
                controller_.settle_rollouts();
            } catch (const std::exception& e) {
                failure_ = name_ + ": " + e.what();
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
    }

    std::string name_;
    Controller controller_;
    etcd::Client client_;
    std::unique_ptr<HostMembership> membership_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int64_t> programmed_{0};
    std::atomic<int64_t> follows_{0};
    std::string failure_;
};

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// etcd's own figures (its /metrics), summed over labels: bytes sent to clients, writes, the
// database's size and its memory.
std::map<std::string, double> member_metrics(const std::string& url) {
    static const std::vector<std::string> wanted{"etcd_network_client_grpc_sent_bytes_total",
                                                 "etcd_network_client_grpc_received_bytes_total",
                                                 "etcd_mvcc_put_total",
                                                 "etcd_mvcc_delete_total",
                                                 "etcd_mvcc_txn_total",
                                                 "etcd_mvcc_db_total_size_in_bytes",
                                                 "process_resident_memory_bytes"};
    std::map<std::string, double> out;
    httplib::Client http(url);
    std::string body, failure;
    for (int attempt = 1; attempt <= 5 && body.empty(); ++attempt) {  // a member busy with 1,000 watchers may not answer at once
        auto res = http.Get("/metrics");
        if (res && res->status == 200)
            body = res->body;
        else
            failure = res ? "HTTP " + std::to_string(res->status) : httplib::to_string(res.error());
        if (body.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
    }
    if (body.empty()) throw std::runtime_error("etcd at " + url + ": no /metrics (" + failure + ")");
    std::istringstream lines(body);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto name_end = line.find_first_of(" {");
        const std::string name = line.substr(0, name_end);
        if (std::ranges::find(wanted, name) == wanted.end()) continue;
        out[name] += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return out;
}

// The cluster's: what each member serves and holds in memory, summed; what every member applies
// (writes, the database), the largest member's.
std::map<std::string, double> etcd_metrics(const Options& o) {
    std::map<std::string, double> out;
    for (const auto& url : split(o.etcd))
        for (const auto& [name, value] : member_metrics(url))
            out[name] = name.starts_with("etcd_mvcc_") ? std::max(out[name], value) : out[name] + value;
    return out;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t at = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(at, v.size() - 1)];
}

std::string cidr_of(int i, int third) {
    return "10." + std::to_string(i >> 8) + "." + std::to_string(i & 0xff) + "." + std::to_string(third);
}

int run(const Options& o) {
    std::filesystem::create_directories(o.dir);
    const auto started = Clock::now();
    std::vector<std::unique_ptr<SimAgent>> agents;
    for (int i = 0; i < o.agents; ++i) agents.push_back(std::make_unique<SimAgent>(o, i));
    const double registered_s = std::chrono::duration<double>(Clock::now() - started).count();

    // The tenant's commands run on a machine of their own (no data plane), a controller each, as the CLI runs.
    const auto tenant = [&](const std::string& host = "") {
        Config c = config_of(o, "driver", kTenant, false);
        c.host = host;
        return std::make_unique<Controller>(c, std::make_unique<scale::MemoryDataplane>(false));
    };
    Controller operator_view(config_of(o, "operator", 1, true), std::make_unique<scale::MemoryDataplane>(false));
    operator_view.set_quota(kTenant, quotas::kPerAccountRegion, o.vpcs);  // one connection a VPC
    std::vector<Vpc> vpcs;
    for (int i = 0; i < o.vpcs; ++i) {
        vpcs.push_back(tenant()->create_vpc({cidr_of(i, 0) + "/24"}));
        tenant(host_name(i % o.agents))->create_vswitch({vpcs.back().id, cidr_of(i, 0) + "/24"});
    }
    std::vector<Peering> ring;
    for (int i = 0; o.vpcs > 1 && i < o.vpcs; ++i) ring.push_back(tenant()->create_peering({vpcs[i].id, vpcs[(i + 1) % o.vpcs].id}));
    // Every host reports the store programmed, and the connections settle (what the agents do once started).
    etcd::Client client(split(o.etcd));
    const etcd::Keys keys;
    const int64_t built = client.range(keys.commit(), {}).revision;
    for (int i = 0; i < o.agents; ++i)
        client.put(keys.host_programmed(host_name(i)), nlohmann::json{{"revision", built}, {"time", 0}}.dump());
    operator_view.settle_rollouts();

    const auto start_agents = Clock::now();
    for (auto& a : agents) a->start();
    const auto all_at = [&](int64_t revision) {
        return std::ranges::all_of(agents, [&](const auto& a) { return a->programmed() >= revision; });
    };
    const int64_t setup_revision = client.range(keys.commit(), {}).kvs.front().mod_revision;
    while (!all_at(setup_revision)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const double caught_up_s = std::chrono::duration<double>(Clock::now() - start_agents).count();

    const auto metrics_before = client.range(keys.commit(), {}).revision;
    std::string metrics_failure;  // etcd's figures are then left out; the agents' stand
    const auto scrape = [&] {
        try {
            return etcd_metrics(o);
        } catch (const std::exception& e) {
            metrics_failure = e.what();
            return std::map<std::string, double>{};
        }
    };
    const auto etcd_before = scrape();
    const double cpu_before = cpu_seconds();
    const auto changes_start = Clock::now();
    std::vector<double> converged_ms, command_ms, woken;
    const auto follows = [&] {
        int64_t n = 0;
        for (const auto& a : agents) n += a->follows();
        return n;
    };
    const int64_t follows_before = follows();
    std::optional<RouteEntry> added;
    for (int c = 0; c < o.changes && !ring.empty(); ++c) {
        const size_t at = static_cast<size_t>(c / 2) % ring.size();
        const auto t0 = Clock::now();
        if (!added) {
            added = tenant()->add_route({ring[at].vpc_id, cidr_of(static_cast<int>((at + 1) % vpcs.size()), 0) + "/24", ring[at].id});
        } else {
            tenant()->delete_route(added->id);
            added.reset();
        }
        command_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        const int64_t revision = client.range(keys.commit(), {}).kvs.front().mod_revision;
        // The hosts the commit concerned: it wrote their slice keys (read as it left them), or every host's.
        std::vector<const SimAgent*> concerned;
        const auto every = client.range(keys.every_slice(), {}, revision);
        const bool everyone = !every.kvs.empty() && every.kvs.front().mod_revision == revision;
        for (const auto& kv : client.modified_since(keys.hosts(), revision, revision)) {
            if (kv.mod_revision != revision) continue;
            for (const auto& a : agents)
                if (kv.key == keys.host_slice(a->name())) concerned.push_back(a.get());
        }
        if (everyone) {
            concerned.clear();
            for (const auto& a : agents) concerned.push_back(a.get());
        }
        const auto done = [&] { return std::ranges::all_of(concerned, [&](const SimAgent* a) { return a->programmed() >= revision; }); };
        while (!done()) std::this_thread::sleep_for(std::chrono::microseconds(500));
        converged_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        woken.push_back(static_cast<double>(concerned.size()));
    }
    const double changes_s = std::chrono::duration<double>(Clock::now() - changes_start).count();
    const double cpu = cpu_seconds() - cpu_before;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // an agent woken wrongly, but late, is counted too
    // Follows beyond one by each concerned agent for each change: agents woken by a change not theirs.
    const int64_t unconcerned_followed =
        follows() - follows_before - static_cast<int64_t>(std::accumulate(woken.begin(), woken.end(), 0.0));
    const int64_t revisions = client.range(keys.commit(), {}).revision - metrics_before;
    const auto etcd_after = scrape();
    const auto figure = [&](const char* name) -> nlohmann::json {
        if (!metrics_failure.empty()) return nullptr;
        return etcd_after.at(name);
    };
    const auto per_change = [&](const char* name) -> nlohmann::json {
        if (!metrics_failure.empty() || converged_ms.empty()) return nullptr;
        return (etcd_after.at(name) - etcd_before.at(name)) / static_cast<double>(converged_ms.size());
    };

    std::string failures;
    for (auto& a : agents) {
        a->stop();
        if (!a->failure().empty() && failures.empty()) failures = a->failure();
    }
    nlohmann::json out{
        {"agents", o.agents},
        {"vpcs", o.vpcs},
        {"changes", converged_ms.size()},
        {"register_s", registered_s},
        {"catch_up_s", caught_up_s},
        {"command_ms_p50", percentile(command_ms, 0.5)},
        {"converged_ms_p50", percentile(converged_ms, 0.5)},
        {"converged_ms_p99", percentile(converged_ms, 0.99)},
        {"hosts_concerned_p50", percentile(woken, 0.5)},
        {"hosts_concerned_max", percentile(woken, 1.0)},
        {"unconcerned_followed", unconcerned_followed},
        {"changes_s", changes_s},
        {"cpu_s_per_change", converged_ms.empty() ? 0 : cpu / static_cast<double>(converged_ms.size())},
        {"etcd_revisions_per_change", converged_ms.empty() ? 0 : static_cast<double>(revisions) / static_cast<double>(converged_ms.size())},
        {"etcd_sent_bytes_per_change", per_change("etcd_network_client_grpc_sent_bytes_total")},
        {"etcd_received_bytes_per_change", per_change("etcd_network_client_grpc_received_bytes_total")},
        {"etcd_puts_per_change", per_change("etcd_mvcc_put_total")},
        {"etcd_db_bytes", figure("etcd_mvcc_db_total_size_in_bytes")},
        {"etcd_rss_bytes", figure("process_resident_memory_bytes")},
        {"etcd_metrics_failure", metrics_failure},
        {"agent_failure", failures}};
    std::cout << out.dump() << std::endl;
    return failures.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"xpeer-scale: many agents without a data plane against one etcd"};
    app.add_option("--etcd", o.etcd, "etcd client URLs, comma-separated: the agents spread over them")->required();
    app.add_option("--dir", o.dir, "a folder for the replicas")->required();
    app.add_option("--agents", o.agents, "simulated hosts")->capture_default_str();
    app.add_option("--vpcs", o.vpcs, "VPCs, one vSwitch each, peered in a ring")->capture_default_str();
    app.add_option("--changes", o.changes, "route changes to time")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::cerr << "xpeer-scale: " << e.what() << std::endl;
        return 2;
    }
}
