#pragma once
// A store and a fake kernel for controller tests, and a controller per command, as the CLI
// makes one per invocation.
#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "controller/controller.h"
#include "fake_dataplane.h"
#include "model/errors.h"

namespace xpeer::testing {

// The v4 trie entries of a vSwitch: its subnet, and its network, gateway and broadcast addresses.
constexpr size_t kV4EntriesPerVSwitch = 4;

struct World {
    std::string dir;
    std::shared_ptr<FakeKernel> kernel = std::make_shared<FakeKernel>();
    int64_t clock = 1'800'000'000;

    World() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "xpeer-world-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        dir = tmpl;
    }
    ~World() { std::filesystem::remove_all(dir); }
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    std::string db() const { return dir + "/xpeer.db"; }

    // What a command for `account` runs with (as the host's operator: --operator), at the world's clock (its wall clock too).
    Config config(AccountId account, bool is_operator = false) const {
        Config c;
        c.state_path = db();
        c.bpffs_dir = dir + "/bpffs";
        c.datapath_netns = "unused";
        c.netns_prefix = "unused";
        c.account = account;
        c.is_operator = is_operator;
        c.now = clock;
        c.wall_now = clock;
        return c;
    }

    // A controller acting for `account` (as the host's operator: --operator).
    std::unique_ptr<Controller> as(AccountId account, bool is_operator = false) { return with(config(account, is_operator)); }

    // A controller acting as the host's operator (--operator).
    std::unique_ptr<Controller> as_operator() {
        Config c = config(1);
        c.is_operator = true;
        return with(c);
    }

    std::unique_ptr<Controller> with(const Config& c) { return std::make_unique<Controller>(c, std::make_unique<FakeDataplane>(kernel)); }

    // Every row of every table, and the maps: equal before and after means nothing changed.
    std::string dump() const {
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open_v2(db().c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        std::string out;
        auto rows = [&](const std::string& sql) {
            sqlite3_stmt* st = nullptr;
            REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
            std::vector<std::string> result;
            while (sqlite3_step(st) == SQLITE_ROW) {
                std::string row;
                for (int i = 0; i < sqlite3_column_count(st); ++i) {
                    auto t = sqlite3_column_text(st, i);
                    row += (t ? reinterpret_cast<const char*>(t) : "NULL") + std::string("|");
                }
                result.push_back(row);
            }
            sqlite3_finalize(st);
            return result;
        };
        for (const auto& table : rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")) {
            std::string name = table.substr(0, table.size() - 1);
            out += "[" + name + "]\n";
            for (const auto& r : rows("SELECT * FROM " + name)) out += r + "\n";
        }
        sqlite3_close(h);
        return out + kernel->dump();
    }
};

// The code of the Error fn throws, "" if it throws none; compare it with errors::code::*.
inline std::string error_code(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.code();
    }
    return "";
}

// A VPC with one vSwitch, for account `owner`; returns the VPC id.
inline std::string vpc_with_vswitch(World& w, AccountId owner, const std::string& cidr, const std::string& vsw_cidr,
                                    const std::string& region = "cn-hangzhou") {
    auto c = w.as(owner);
    VpcSpec spec;
    spec.cidr = cidr;
    spec.region = region;
    auto vpc = c->create_vpc(spec);
    c->create_vswitch(VSwitchSpec{vpc.id, vsw_cidr, std::nullopt, ""});
    return vpc.id;
}

}  // namespace xpeer::testing
