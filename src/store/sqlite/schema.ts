// SQLite schema, as numbered migrations applied in order (PRAGMA user_version counts them).
import { SQLITE_REVERSE_SEARCH_MIGRATION, SQLITE_SEARCH_MIGRATION } from './search.js';

export const SQLITE_MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO meta VALUES ('serial', '0'), ('updated_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
  CREATE TABLE registrars (iana_id INTEGER PRIMARY KEY, name_key TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
  CREATE TABLE contacts (handle TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE hosts (name TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE host_addresses (address TEXT NOT NULL, host TEXT NOT NULL, PRIMARY KEY (address, host)) WITHOUT ROWID;
  CREATE TABLE domains (name TEXT PRIMARY KEY, registrar_id INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
  CREATE INDEX domains_by_registrar ON domains (registrar_id);
  `,
  // Every host upsert replaces its addresses: find them by host without a scan.
  `CREATE INDEX host_addresses_by_host ON host_addresses (host);`,
  // Searchable WHOIS and RDAP searches (src/store/sqlite/search.ts).
  SQLITE_SEARCH_MIGRATION,
  // Searches test candidate domains one by one (src/store/sqlite/search.ts): mapping rows by domain.
  `CREATE INDEX domain_contacts_by_domain ON domain_contacts (domain);
  CREATE INDEX domain_hosts_by_domain ON domain_hosts (domain);`,
  // Imports with deletions, deposits and undo (src/store/sqlite/sqlite-store.ts):
  // - who refers to a registrar, which host has a repository ID, which registrar a deposit's id names;
  // - undo: what the last import replaced (data NULL: the object did not exist), for rollback;
  // - changes: the objects each commit changed, for caches; changes_from is the oldest serial listed whole;
  // - members: which objects each TLD's deposits hold (shared contacts, hosts, registrars);
  // - deposits: the last deposit imported per TLD (the chain a DIFF or INCR must follow).
  `CREATE INDEX contacts_by_registrar ON contacts (json_extract(data, '$.registrarId'));
  CREATE INDEX hosts_by_registrar ON hosts (json_extract(data, '$.registrarId'));
  CREATE INDEX hosts_by_roid ON hosts (json_extract(data, '$.roid'));
  CREATE INDEX registrars_by_repository_id ON registrars (json_extract(data, '$.repositoryId'));
  CREATE TABLE undo (kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID;
  CREATE TABLE changes (serial INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL);
  CREATE INDEX changes_by_serial ON changes (serial);
  CREATE TABLE members (tld TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (tld, kind, key)) WITHOUT ROWID;
  CREATE INDEX members_by_object ON members (kind, key);
  CREATE TABLE deposits (tld TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
  INSERT INTO meta SELECT 'changes_from', CAST(value AS INTEGER) + 1 FROM meta WHERE key = 'serial';`,
  // The gateway door's registered gateways (rdds gateway); registrar names keyed without a final dot
  // (store.ts registrarNameKey: a name that would then collide with another keeps its old key).
  `CREATE TABLE gateways (name TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
  UPDATE OR IGNORE registrars SET name_key = rtrim(name_key, '.') WHERE name_key LIKE '%.';`,
  // Marks written with the data (a live source's position) and leases (one node does a job).
  `CREATE TABLE marks (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL) WITHOUT ROWID;`,
  // RDAP reverse search (RFC 9536, src/store/sqlite/search.ts): contact roles per domain, contact e-mail addresses.
  SQLITE_REVERSE_SEARCH_MIGRATION,
];

/**
 * Per-connection scratch tables of one import, on disk (temp_store = FILE), emptied when a
 * transaction starts: objects waiting for their references, objects a deposit put, objects removed.
 */
export const SQLITE_IMPORT_TABLES = `
  CREATE TEMP TABLE IF NOT EXISTS import_pending (kind TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL, at TEXT, data TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS temp.import_pending_by_seq ON import_pending (kind, seq);
  CREATE TEMP TABLE IF NOT EXISTS import_seen (kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (kind, key)) WITHOUT ROWID;
  CREATE TEMP TABLE IF NOT EXISTS import_removed (kind TEXT NOT NULL, key TEXT NOT NULL, at TEXT, PRIMARY KEY (kind, key)) WITHOUT ROWID;
`;
