// Quotas, shared VPCs and client tokens: who may do how much, and what a retry returns.
#include "store/sqlite_store.h"
#include "store/statement.h"

namespace xpeer {

using namespace store_detail;

std::optional<int64_t> SqliteStore::quota(AccountId account, const std::string& name) {
    return one<int64_t>(
        db_, [](const Statement& s) { return s.i64(0); }, "SELECT value FROM quotas WHERE account = ? AND name = ?", account, name);
}

void SqliteStore::set_quota(AccountId account, const std::string& name, int64_t value) {
    Statement(db_,
              "INSERT INTO quotas (account, name, value) VALUES (?, ?, ?) ON CONFLICT (account, name) DO UPDATE SET value = excluded.value",
              account, name, value)
        .run();
}

std::vector<AccountId> SqliteStore::principals(const std::string& vpc_id) {
    return all<AccountId>(
        db_, [](const Statement& s) { return s.u64(0); }, "SELECT account FROM vpc_shares WHERE vpc_id = ? ORDER BY account", vpc_id);
}

std::vector<Vpc> SqliteStore::vpcs_shared_with(AccountId account) {
    std::vector<Vpc> out;
    for (const auto& id : all<std::string>(
             db_, [](const Statement& s) { return s.text(0); }, "SELECT vpc_id FROM vpc_shares WHERE account = ? ORDER BY vpc_id", account))
        if (auto v = find_vpc(id)) out.push_back(*v);
    return out;
}

void SqliteStore::share(const std::string& vpc_id, AccountId account) {
    Statement(db_, "INSERT OR IGNORE INTO vpc_shares (vpc_id, account) VALUES (?, ?)", vpc_id, account).run();
}

void SqliteStore::unshare(const std::string& vpc_id, AccountId account) {
    Statement(db_, "DELETE FROM vpc_shares WHERE vpc_id = ? AND account = ?", vpc_id, account).run();
}

std::optional<ClientToken> SqliteStore::client_token(AccountId account, const std::string& token) {
    return one<ClientToken>(
        db_,
        [](const Statement& s) {
            return ClientToken{s.u64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
        },
        "SELECT account, token, kind, request, resource_id FROM client_tokens WHERE account = ? AND token = ?", account, token);
}

void SqliteStore::insert(const ClientToken& t) {
    Statement(db_, "INSERT INTO client_tokens (account, token, kind, request, resource_id) VALUES (?, ?, ?, ?, ?)", t.account, t.token,
              t.kind, t.request, t.resource_id)
        .run();
}

}  // namespace xpeer
