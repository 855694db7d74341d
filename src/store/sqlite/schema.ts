// SQLite schema, as numbered migrations applied in order (PRAGMA user_version counts them).
import { SQLITE_SEARCH_MIGRATION } from './search.js';

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
];
