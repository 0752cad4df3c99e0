#include "store/etcd/etcd_client.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "model/errors.h"
#include "store/etcd/http_post.h"

namespace xpeer::etcd {
namespace {

using nlohmann::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(const std::string& in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
        for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (i + 1 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string unbase64(const std::string& in) {
    std::string out;
    out.reserve(in.size() / 4 * 3);
    uint32_t v = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const char* at = std::strchr(kAlphabet, c);
        if (!at || !c) throw errors::store_refused("etcd: a value that is not base64");
        v = v << 6 | uint32_t(at - kAlphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((v >> bits) & 0xff);
        }
    }
    return out;
}

// The gateway writes int64 as strings, and leaves out fields at their zero value.
// j's field, or an empty object: a const json's operator[] must not be given a missing key.
const json& member(const json& j, const char* field) {
    static const json empty = json::object();
    if (!j.is_object()) return empty;
    auto it = j.find(field);
    return it == j.end() ? empty : *it;
}

int64_t int_of(const json& j, const char* field) {
    auto it = j.find(field);
    if (it == j.end() || it->is_null()) return 0;
    return it->is_string() ? std::stoll(it->get<std::string>()) : it->get<int64_t>();
}

KeyValue kv_of(const json& j) {
    KeyValue kv;
    kv.key = unbase64(j.value("key", ""));
    kv.value = unbase64(j.value("value", ""));
    kv.create_revision = int_of(j, "create_revision");
    kv.mod_revision = int_of(j, "mod_revision");
    kv.version = int_of(j, "version");
    kv.lease = int_of(j, "lease");
    return kv;
}

struct Url {
    std::string host;
    int port = 2379;
};

Url parse_endpoint(const std::string& endpoint) {
    static const std::regex parts(R"(http://(\[[0-9a-fA-F:.]+\]|[^/:\[\]]+)(?::([0-9]{1,5}))?/?)");
    std::smatch m;
    if (!std::regex_match(endpoint, m, parts)) throw errors::store_unreachable("etcd endpoint " + endpoint + ": not http://HOST[:PORT]");
    Url u{m[1].str(), m[2].matched ? std::stoi(m[2].str()) : 2379};
    if (u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
    return u;
}

json compare_of(const ModifiedBefore& c) {
    json j{{"key", base64(c.key)}, {"target", "MOD"}, {"result", "LESS"}, {"mod_revision", std::to_string(c.revision)}};
    if (!c.range_end.empty()) j["range_end"] = base64(c.range_end);
    return j;
}

json request_of(const Op& op) {
    if (op.kind == Op::Kind::Delete) return {{"request_delete_range", {{"key", base64(op.key)}}}};
    json put{{"key", base64(op.key)}, {"value", base64(op.value)}};
    if (op.lease) put["lease"] = std::to_string(op.lease);
    return {{"request_put", put}};
}

void check_gateway_error(const json& j, const std::string& what) {
    const std::string message = j.value("message", j.value("error", std::string()));
    if (message.find("compacted") != std::string::npos)
        throw errors::store_compacted("etcd compacted the revision of " + what + " (" + message + "): read again");
    if (j.contains("error") || (j.contains("code") && j.contains("message")))
        throw errors::store_refused("etcd refused " + what + ": " + j.value("message", j.value("error", std::string("?"))));
}

}  // namespace

std::string prefix_end(const std::string& prefix) {
    std::string end = prefix;
    while (!end.empty()) {
        if (uint8_t(end.back()) < 0xff) {
            end.back() = char(uint8_t(end.back()) + 1);
            return end;
        }
        end.pop_back();
    }
    return std::string(1, '\0');  // every key: etcd's "\0" range end
}

Client::Client(std::vector<std::string> endpoints, std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)), timeout_(timeout) {
    if (endpoints_.empty()) throw errors::store_unreachable("etcd: no endpoint given");
    for (const auto& e : endpoints_) parse_endpoint(e);
}

std::string Client::endpoints_text() const {
    std::string out;
    for (const auto& e : endpoints_) out += (out.empty() ? "" : ",") + e;
    return out;
}

std::string Client::post(const std::string& path, const std::string& body, bool idempotent) {
    // A member that lost its leader (the leader stopped) answers "no leader" until the others
    // elect one, within an election timeout or two: asked again, for a while, before giving up.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        bool electing = false;
        std::string failures;
        if (auto body_of = post_once(path, body, idempotent, failures, electing)) return *body_of;
        if (!electing || std::chrono::steady_clock::now() >= give_up)
            throw errors::store_unreachable("etcd at " + endpoints_text() + " is unreachable (" + failures + ")");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

std::optional<std::string> Client::post_once(const std::string& path, const std::string& body, bool idempotent, std::string& failures,
                                             bool& electing) {
    for (size_t tried = 0; tried < endpoints_.size(); ++tried) {
        const size_t i = (current_ + tried) % endpoints_.size();
        const Url u = parse_endpoint(endpoints_[i]);
        HttpResponse res;
        try {
            res = http_post(u.host, u.port, path, body, timeout_);
        } catch (const HttpConnectError& e) {
            failures += (failures.empty() ? "" : "; ") + endpoints_[i] + ": " + e.what();
            continue;
        } catch (const HttpError& e) {
            if (!idempotent)
                throw errors::store_unknown("etcd at " + endpoints_[i] + ": " + path + " was sent, then " + e.what() +
                                            ": whether it was applied is unknown; list to see");
            failures += (failures.empty() ? "" : "; ") + endpoints_[i] + ": " + e.what();
            continue;
        }
        // A member without a leader (its quorum lost) answers 503: another may have one. For a
        // write, a 503 can also be a proposal that timed out and may still be applied.
        if (res.status == 503 && !idempotent && res.body.find("no leader") == std::string::npos)
            throw errors::store_unknown("etcd at " + endpoints_[i] + ": " + path + " answered HTTP 503 " + res.body +
                                        ": whether it was applied is unknown; list to see");
        if (res.status == 503) {
            failures += (failures.empty() ? "" : "; ") + endpoints_[i] + ": " + res.body;
            electing = electing || res.body.find("no leader") != std::string::npos;
            continue;
        }
        current_ = i;
        if (res.status != 200) {
            std::string message = res.body;
            try {
                message = json::parse(res.body).value("message", res.body);
            } catch (const json::exception&) {
            }
            const std::string what =
                "etcd at " + endpoints_[i] + " refused " + path + ": HTTP " + std::to_string(res.status) + " " + message;
            if (message.find("compacted") != std::string::npos) throw errors::store_compacted(what + ": read again");
            throw errors::store_refused(what);
        }
        return res.body;
    }
    return std::nullopt;
}

RangeResult Client::range(const std::string& key, const std::string& range_end, int64_t revision, int64_t limit) {
    json req{{"key", base64(key)}};
    if (!range_end.empty()) req["range_end"] = base64(range_end);
    if (revision) req["revision"] = std::to_string(revision);
    if (limit) req["limit"] = std::to_string(limit);
    const json res = json::parse(post("/v3/kv/range", req.dump()));
    check_gateway_error(res, "a range");
    RangeResult out;
    out.revision = int_of(member(res, "header"), "revision");
    out.more = res.value("more", false);
    if (auto it = res.find("kvs"); it != res.end())
        for (const auto& kv : *it) out.kvs.push_back(kv_of(kv));
    return out;
}

std::vector<KeyValue> Client::range_prefix(const std::string& prefix, int64_t* revision, int64_t page) {
    std::vector<KeyValue> out;
    const std::string end = prefix_end(prefix);
    std::string from = prefix;
    for (;;) {
        RangeResult r = range(from, end, *revision, page);
        if (!*revision) *revision = r.revision;
        for (auto& kv : r.kvs) out.push_back(std::move(kv));
        if (!r.more || out.empty()) return out;
        from = out.back().key + '\0';
    }
}

std::vector<KeyValue> Client::modified_since(const std::string& prefix, int64_t since, int64_t at) {
    json req{{"key", base64(prefix)},
             {"range_end", base64(prefix_end(prefix))},
             {"keys_only", true},
             {"min_mod_revision", std::to_string(since)}};
    if (at) req["revision"] = std::to_string(at);
    const json res = json::parse(post("/v3/kv/range", req.dump()));
    check_gateway_error(res, "a range");
    std::vector<KeyValue> out;
    if (auto it = res.find("kvs"); it != res.end())
        for (const auto& kv : *it) out.push_back(kv_of(kv));
    return out;
}

int64_t Client::txn(const std::vector<ModifiedBefore>& conditions, const std::vector<Op>& writes) {
    json req{{"compare", json::array()}, {"success", json::array()}};
    for (const auto& c : conditions) req["compare"].push_back(compare_of(c));
    for (const auto& op : writes) req["success"].push_back(request_of(op));
    const json res = json::parse(post("/v3/kv/txn", req.dump(), writes.empty()));
    check_gateway_error(res, "a transaction");
    return res.value("succeeded", false) ? int_of(member(res, "header"), "revision") : 0;
}

int64_t Client::put(const std::string& key, const std::string& value, int64_t lease) { return txn({}, {Op::put(key, value, lease)}); }

int64_t Client::del(const std::string& key, const std::string& range_end) {
    json req{{"key", base64(key)}};
    if (!range_end.empty()) req["range_end"] = base64(range_end);
    const json res = json::parse(post("/v3/kv/deleterange", req.dump(), false));
    check_gateway_error(res, "a delete");
    return int_of(member(res, "header"), "revision");
}

int64_t Client::grant_lease(int64_t ttl_seconds) {
    const json res = json::parse(post("/v3/lease/grant", json{{"TTL", std::to_string(ttl_seconds)}}.dump()));
    check_gateway_error(res, "a lease");
    if (!res.value("error", std::string()).empty()) throw errors::store_refused("etcd refused a lease: " + res["error"].get<std::string>());
    return int_of(res, "ID");
}

int64_t Client::keep_alive(int64_t lease) {
    // The gateway's keepalive is a stream; one request line gives one answer, under "result".
    const json res = json::parse(post("/v3/lease/keepalive", json{{"ID", std::to_string(lease)}}.dump()));
    check_gateway_error(res, "a lease keepalive");
    return int_of(res.contains("result") ? res["result"] : res, "TTL");
}

void Client::revoke(int64_t lease) {
    const json res = json::parse(post("/v3/lease/revoke", json{{"ID", std::to_string(lease)}}.dump()));
    check_gateway_error(res, "a lease revoke");
}

void Client::watch(const std::string& prefix, int64_t start_revision,
                   const std::function<bool(int64_t, const std::vector<WatchEvent>&)>& on_events, const std::atomic<bool>& stop) {
    watch_while(prefix, start_revision, on_events, [&] { return !stop.load(); });
}

std::vector<WatchEvent> Client::history(const std::string& prefix, int64_t from, int64_t to) {
    std::vector<WatchEvent> out;
    if (from > to) return out;
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    bool reached = false;
    watch_while(
        prefix, from,
        [&](int64_t, const std::vector<WatchEvent>& events) {
            for (const auto& e : events) {
                if (e.kv.mod_revision > to) {
                    reached = true;
                    return false;
                }
                out.push_back(e);
            }
            reached = !out.empty() && out.back().kv.mod_revision == to;
            return !reached;
        },
        [&] { return std::chrono::steady_clock::now() < deadline; });
    if (!reached)
        throw errors::store_unreachable("etcd at " + endpoints_text() + ": the changes of revisions " + std::to_string(from) + " to " +
                                        std::to_string(to) + " did not all arrive within " + std::to_string(timeout_.count()) + " ms");
    return out;
}

void Client::watch_while(const std::string& prefix, int64_t start_revision,
                         const std::function<bool(int64_t, const std::vector<WatchEvent>&)>& on_events,
                         const std::function<bool()>& keep_going) {
    int64_t next = start_revision;  // the first revision not yet given to on_events
    std::string buffer, broken;
    bool stopped = false;
    const auto on_data = [&](std::string_view data) {
        if (!keep_going()) {
            stopped = true;
            return false;
        }
        buffer.append(data);
        for (size_t nl; (nl = buffer.find('\n')) != std::string::npos;) {
            const json j = json::parse(buffer.substr(0, nl));
            buffer.erase(0, nl + 1);
            if (j.contains("error")) {
                broken = j["error"].value("message", "watch error");
                return false;
            }
            const json& res = member(j, "result");
            if (int64_t compacted = int_of(res, "compact_revision"); compacted)
                throw errors::store_compacted("etcd compacted its history up to revision " + std::to_string(compacted) + ": list again");
            if (res.value("canceled", false)) {
                broken = res.value("cancel_reason", std::string("the watch was canceled"));
                return false;
            }
            const bool created = res.value("created", false);
            std::vector<WatchEvent> events;
            if (auto it = res.find("events"); it != res.end())
                for (const auto& e : *it) {
                    WatchEvent ev;
                    ev.type = e.value("type", std::string("PUT")) == "DELETE" ? WatchEvent::Type::Delete : WatchEvent::Type::Put;
                    ev.kv = kv_of(member(e, "kv"));
                    events.push_back(std::move(ev));
                }
            const int64_t revision = int_of(member(res, "header"), "revision");
            if (events.empty()) {
                // A progress notice: every event up to its revision was given. The answer to
                // the create names the newest revision, not one given.
                if (!created) next = std::max(next, revision + 1);
                continue;
            }
            next = events.back().kv.mod_revision + 1;
            if (!on_events(revision, events)) {
                stopped = true;
                return false;
            }
        }
        return true;
    };
    const Url u = parse_endpoint(endpoints_[current_]);
    const json req{{"create_request",
                    {{"key", base64(prefix)},
                     {"range_end", base64(prefix_end(prefix))},
                     {"start_revision", std::to_string(next)},
                     {"progress_notify", true}}}};
    int status = 0;
    try {
        // Silence is a quiet store: it goes on until stopped.
        status = http_post_stream(u.host, u.port, "/v3/watch", req.dump(), timeout_, std::chrono::milliseconds(200), on_data, keep_going);
    } catch (const HttpError& e) {
        const std::string at = endpoints_[current_];
        current_ = (current_ + 1) % endpoints_.size();  // the next watch tries the next member
        throw errors::store_unreachable("etcd watch at " + at + " broke: " + e.what());
    }
    if (stopped || !keep_going()) return;
    const std::string at = endpoints_[current_];
    current_ = (current_ + 1) % endpoints_.size();
    if (!broken.empty()) throw errors::store_unreachable("etcd watch at " + at + " broke: " + broken);
    throw errors::store_unreachable("etcd watch at " + at + " ended (HTTP " + std::to_string(status) + ")");
}

}  // namespace xpeer::etcd
