// What the agent keeps: link readings, hourly usage, prices, alert rules and their history.
#include <algorithm>
#include <sstream>

#include "store/counters_text.h"
#include "store/sqlite_store.h"
#include "store/statement.h"

namespace xpeer {

using namespace store_detail;

namespace {

alerts::Rule read_rule(const Statement& s) {
    return alerts::Rule{s.text(0), s.u64(1), s.text(2), alerts::metric_from_string(s.text(3)), s.real(4), s.i64(5), s.text(6)};
}

}  // namespace

std::optional<LinkReading> SqliteStore::link_reading(const std::string& pcc, Direction direction) {
    return one<LinkReading>(
        db_,
        [](const Statement& s) {
            return LinkReading{s.text(0), direction_of(s.i64(1)), s.i64(2), parse_counters(s.text(3), "link_readings"),
                               parse_counters(s.text(4), "link_readings")};
        },
        "SELECT pcc, direction, time_ms, raw, total FROM link_readings WHERE pcc = ? AND direction = ?", pcc, direction);
}

void SqliteStore::put(const LinkReading& r) {
    Statement(db_, "INSERT OR REPLACE INTO link_readings (pcc, direction, time_ms, raw, total) VALUES (?, ?, ?, ?, ?)", r.pcc, r.direction,
              r.time_ms, counters_text(r.raw), counters_text(r.total))
        .run();
}

void SqliteStore::add_usage(const UsageRow& d) {
    Statement(db_,
              "INSERT INTO usage (pcc, direction, hour, packets, bytes) VALUES (?, ?, ?, ?, ?) ON CONFLICT (pcc, direction, hour) "
              "DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes",
              d.pcc, d.direction, d.hour, d.packets, d.bytes)
        .run();
}

std::vector<UsageRow> SqliteStore::usage(int64_t from_hour, int64_t to_hour) {
    return all<UsageRow>(
        db_,
        [](const Statement& s) {
            return UsageRow{s.text(0), direction_of(s.i64(1)), s.i64(2), s.u64(3), s.u64(4)};
        },
        "SELECT pcc, direction, hour, packets, bytes FROM usage WHERE hour >= ? AND hour < ? ORDER BY pcc, direction, hour", from_hour,
        to_hour);
}

std::vector<billing::Price> SqliteStore::prices() {
    return all<billing::Price>(
        db_,
        [](const Statement& s) {
            return billing::Price{s.text(0), s.text(1), s.text(2), s.real(3), s.i64(4)};
        },
        "SELECT region_a, region_b, link_type, usd_per_gb, effective_from FROM prices ORDER BY effective_from, region_a, region_b, "
        "link_type");
}

void SqliteStore::set_price(const billing::Price& p) {
    const auto& [a, b] = std::minmax(p.region_a, p.region_b);
    Statement(db_, "INSERT OR REPLACE INTO prices (region_a, region_b, link_type, effective_from, usd_per_gb) VALUES (?, ?, ?, ?, ?)", a, b,
              p.link_type, p.effective_from, p.usd_per_gb)
        .run();
}

void SqliteStore::insert(const alerts::Rule& r) {
    Statement(db_, "INSERT INTO alerts (id, account, pcc, metric, threshold, for_seconds, webhook) VALUES (?, ?, ?, ?, ?, ?, ?)", r.id,
              r.account, r.peering, alerts::to_string(r.metric), r.threshold, r.for_seconds, r.webhook)
        .run();
}

std::vector<alerts::Rule> SqliteStore::alert_rules() {
    return all<alerts::Rule>(db_, read_rule, "SELECT id, account, pcc, metric, threshold, for_seconds, webhook FROM alerts ORDER BY rowid");
}

std::optional<alerts::Rule> SqliteStore::find_alert(const std::string& id) {
    return one<alerts::Rule>(db_, read_rule, "SELECT id, account, pcc, metric, threshold, for_seconds, webhook FROM alerts WHERE id = ?",
                             id);
}

void SqliteStore::delete_alert(const std::string& id) { Statement(db_, "DELETE FROM alerts WHERE id = ?", id).run(); }

alerts::State SqliteStore::alert_state(const std::string& id) {
    auto st = one<alerts::State>(
        db_,
        [](const Statement& s) {
            return alerts::State{s.null(0) ? std::nullopt : std::optional(s.i64(0)), s.i64(1) != 0};
        },
        "SELECT breached_since, firing FROM alerts WHERE id = ?", id);
    return st.value_or(alerts::State{});
}

void SqliteStore::set_alert_state(const std::string& id, const alerts::State& st) {
    Statement(db_, "UPDATE alerts SET breached_since = ?, firing = ? WHERE id = ?", st.breached_since, st.firing ? 1 : 0, id).run();
}

int64_t SqliteStore::record(const AlertChange& c) {
    Statement(db_, "INSERT INTO alert_history (alert_id, time, change, value, delivery) VALUES (?, ?, ?, ?, ?)", c.alert_id, c.time,
              c.change, c.value, c.delivery)
        .run();
    return sqlite3_last_insert_rowid(db_);
}

void SqliteStore::set_delivery(int64_t seq, const std::string& delivery) {
    Statement(db_, "UPDATE alert_history SET delivery = ? WHERE seq = ?", delivery, seq).run();
}

std::vector<AlertChange> SqliteStore::alert_history(const std::string& alert_id) {
    return all<AlertChange>(
        db_, [](const Statement& s) { return AlertChange{s.i64(0), s.text(1), s.i64(2), s.text(3), s.real(4), s.text(5)}; },
        "SELECT seq, alert_id, time, change, value, delivery FROM alert_history WHERE alert_id = ? ORDER BY seq", alert_id);
}

}  // namespace xpeer
