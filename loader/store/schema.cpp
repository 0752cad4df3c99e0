#include "store/schema.h"

namespace xpeer::schema {
namespace {

// Version 1: the first schema.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE vpcs (
  key INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, account INTEGER NOT NULL,
  region TEXT NOT NULL, name TEXT NOT NULL, cidr TEXT NOT NULL, ipv6_cidr TEXT, created_at INTEGER NOT NULL);
CREATE TABLE vswitches (
  id TEXT PRIMARY KEY, slot INTEGER NOT NULL UNIQUE, vpc_id TEXT NOT NULL REFERENCES vpcs(id),
  name TEXT NOT NULL, cidr TEXT NOT NULL, ipv6_cidr TEXT, created_at INTEGER NOT NULL);
CREATE INDEX vswitches_vpc ON vswitches(vpc_id);
CREATE TABLE vswitch_ports (
  vswitch_id TEXT PRIMARY KEY REFERENCES vswitches(id) ON DELETE CASCADE,
  ifindex INTEGER NOT NULL, datapath_mac TEXT NOT NULL, vpc_mac TEXT NOT NULL);
CREATE TABLE instances (
  id TEXT PRIMARY KEY, vswitch_id TEXT NOT NULL REFERENCES vswitches(id), ip TEXT, ipv6 TEXT, created_at INTEGER NOT NULL);
CREATE INDEX instances_vswitch ON instances(vswitch_id);
CREATE TABLE peerings (
  id TEXT PRIMARY KEY, slot INTEGER NOT NULL, account INTEGER NOT NULL, vpc_id TEXT NOT NULL,
  peer_account INTEGER NOT NULL, peer_vpc_id TEXT NOT NULL, region TEXT NOT NULL, peer_region TEXT NOT NULL,
  bandwidth_mbps INTEGER NOT NULL, link_type TEXT NOT NULL, status TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE UNIQUE INDEX peerings_live_slot ON peerings(slot) WHERE status <> 'Deleted';
CREATE TABLE archived_counters (
  pcc TEXT NOT NULL REFERENCES peerings(id), direction INTEGER NOT NULL, packets INTEGER NOT NULL,
  bytes INTEGER NOT NULL, drop_inactive INTEGER NOT NULL, drop_no_route INTEGER NOT NULL,
  drop_transit INTEGER NOT NULL, drop_ttl INTEGER NOT NULL, PRIMARY KEY (pcc, direction));
CREATE TABLE routes (
  id TEXT PRIMARY KEY, vpc_id TEXT NOT NULL REFERENCES vpcs(id), destination TEXT NOT NULL,
  next_hop TEXT NOT NULL REFERENCES peerings(id), created_at INTEGER NOT NULL);
CREATE INDEX routes_vpc ON routes(vpc_id);
CREATE INDEX routes_next_hop ON routes(next_hop);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL, resource TEXT NOT NULL,
  status TEXT NOT NULL, account INTEGER NOT NULL, reason TEXT NOT NULL);
CREATE INDEX events_resource ON events(resource);
)sql";

// Version 2: quotas, shared VPCs, client tokens.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE quotas (account INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (account, name));
CREATE TABLE vpc_shares (
  vpc_id TEXT NOT NULL REFERENCES vpcs(id) ON DELETE CASCADE, account INTEGER NOT NULL, PRIMARY KEY (vpc_id, account));
CREATE INDEX vpc_shares_account ON vpc_shares(account);
ALTER TABLE vswitches ADD COLUMN account INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN account INTEGER NOT NULL DEFAULT 0;
UPDATE vswitches SET account = (SELECT account FROM vpcs WHERE vpcs.id = vswitches.vpc_id);
UPDATE instances SET account = (SELECT account FROM vswitches WHERE vswitches.id = instances.vswitch_id);
CREATE TABLE client_tokens (
  account INTEGER NOT NULL, token TEXT NOT NULL, kind TEXT NOT NULL, request TEXT NOT NULL, resource_id TEXT NOT NULL,
  PRIMARY KEY (account, token));
)sql";

// Version 3: policer drops; what the agent samples, bills and alerts on.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE archived_counters ADD COLUMN drop_policer INTEGER NOT NULL DEFAULT 0;
CREATE TABLE link_readings (
  pcc TEXT NOT NULL, direction INTEGER NOT NULL, time_ms INTEGER NOT NULL,
  raw TEXT NOT NULL, total TEXT NOT NULL, PRIMARY KEY (pcc, direction));
CREATE TABLE usage (
  pcc TEXT NOT NULL, direction INTEGER NOT NULL, hour INTEGER NOT NULL, packets INTEGER NOT NULL, bytes INTEGER NOT NULL,
  PRIMARY KEY (pcc, direction, hour));
CREATE TABLE prices (
  region_a TEXT NOT NULL, region_b TEXT NOT NULL, link_type TEXT NOT NULL, usd_per_gb REAL NOT NULL,
  PRIMARY KEY (region_a, region_b, link_type));
CREATE TABLE alerts (
  id TEXT PRIMARY KEY, account INTEGER NOT NULL, pcc TEXT NOT NULL, metric TEXT NOT NULL, threshold REAL NOT NULL,
  for_seconds INTEGER NOT NULL, webhook TEXT NOT NULL, breached_since INTEGER, firing INTEGER NOT NULL DEFAULT 0);
INSERT INTO prices VALUES ('cn-huhehaote', 'cn-guangzhou', 'Gold', 0.072);
CREATE TABLE alert_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, time INTEGER NOT NULL, change TEXT NOT NULL,
  value REAL NOT NULL, delivery TEXT NOT NULL);
)sql";

// Version 4: a command reads only the rows it needs (one route key, one VPC's connections, the
// requests due to expire), so that its time does not grow with the store. routes_vpc is the
// prefix of routes_vpc_destination: one index less to write for each imported route.
constexpr const char* kSchemaV4 = R"sql(
CREATE INDEX routes_vpc_destination ON routes(vpc_id, destination);
DROP INDEX IF EXISTS routes_vpc;
CREATE INDEX peerings_vpc ON peerings(vpc_id);
CREATE INDEX peerings_peer_vpc ON peerings(peer_vpc_id);
CREATE INDEX peerings_account_region ON peerings(account, region, status);
CREATE INDEX peerings_peer_account ON peerings(peer_account);
CREATE INDEX peerings_status_created ON peerings(status, created_at);
CREATE INDEX vpcs_account ON vpcs(account);
)sql";

// Version 5: route entries keyed by an integer, their ids derived from it (model/route_id.h), so
// that no index of ids is written. A route from before keeps its id in column id (NULL for a
// derived one); meta's route_next_key is the next key, never reused.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE routes_v5 (
  key INTEGER PRIMARY KEY, id TEXT, vpc_id TEXT NOT NULL REFERENCES vpcs(id), destination TEXT NOT NULL,
  next_hop TEXT NOT NULL REFERENCES peerings(id), created_at INTEGER NOT NULL);
INSERT INTO routes_v5 (key, id, vpc_id, destination, next_hop, created_at)
  SELECT rowid, id, vpc_id, destination, next_hop, created_at FROM routes ORDER BY rowid;
DROP TABLE routes;
ALTER TABLE routes_v5 RENAME TO routes;
CREATE UNIQUE INDEX routes_given_id ON routes(id) WHERE id IS NOT NULL;
CREATE INDEX routes_next_hop ON routes(next_hop);
CREATE INDEX routes_vpc_destination ON routes(vpc_id, destination);
INSERT OR REPLACE INTO meta (key, value) SELECT 'route_next_key', MAX(COALESCE(MAX(key), 0) + 1,
  COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'route_next_key'), 1)) FROM routes;
INSERT OR IGNORE INTO meta (key, value) VALUES ('route_id_salt', CAST(random() AS TEXT));
)sql";

// Version 6: price history. A price bills the hours from its effective_from on, so that a change
// leaves earlier hours' amounts as they were; the prices of before bill every hour, as they did.
// A pair is stored with its regions in order.
constexpr const char* kSchemaV6 = R"sql(
CREATE TABLE prices_v6 (
  region_a TEXT NOT NULL, region_b TEXT NOT NULL, link_type TEXT NOT NULL, effective_from INTEGER NOT NULL,
  usd_per_gb REAL NOT NULL, PRIMARY KEY (region_a, region_b, link_type, effective_from));
INSERT INTO prices_v6 (region_a, region_b, link_type, effective_from, usd_per_gb)
  SELECT MIN(region_a, region_b), MAX(region_a, region_b), link_type, 0, usd_per_gb FROM prices;
DROP TABLE prices;
ALTER TABLE prices_v6 RENAME TO prices;
)sql";

// Version 7: a deleted connection's final counters in the one format of link_readings
// (store/counters_text.h), so that a new counter needs no column. Values are the bit patterns of
// unsigned counters: %llu writes them back as they were.
constexpr const char* kSchemaV7 = R"sql(
CREATE TABLE archived_counters_v7 (
  pcc TEXT NOT NULL REFERENCES peerings(id), direction INTEGER NOT NULL, counters TEXT NOT NULL, PRIMARY KEY (pcc, direction));
INSERT INTO archived_counters_v7 (pcc, direction, counters)
  SELECT pcc, direction, printf('%llu,%llu,%llu,%llu,%llu,%llu,%llu', packets, bytes, drop_inactive, drop_no_route, drop_transit,
                                drop_ttl, drop_policer) FROM archived_counters;
DROP TABLE archived_counters;
ALTER TABLE archived_counters_v7 RENAME TO archived_counters;
)sql";

// Version 8: hosts, for a store shared by several machines (etcd): each runs an agent that
// registers its host, and a vSwitch lives on one host (NULL: the only host there is, this one).
constexpr const char* kSchemaV8 = R"sql(
CREATE TABLE hosts (
  name TEXT PRIMARY KEY, region TEXT NOT NULL, underlay_address TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
ALTER TABLE vswitches ADD COLUMN host TEXT REFERENCES hosts(name);
CREATE INDEX vswitches_host ON vswitches(host);
)sql";

}  // namespace

const std::array<const char*, 8> kSteps = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4, kSchemaV5, kSchemaV6, kSchemaV7, kSchemaV8};

}  // namespace xpeer::schema
