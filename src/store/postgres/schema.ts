// PostgreSQL schema, as numbered migrations applied in order. Migration i (0-based) is recorded as
// version i + 1 in schema_version; PostgresStore.open applies the missing ones under an advisory
// lock, so many nodes starting at once against one database migrate it exactly once.
//
// The tables mirror the SQLite store's (src/store/sqlite/schema.ts). Differences:
// - `data` is `text`, not `jsonb`: the store only ever writes and reads whole documents, so text
//   keeps the bulk import path free of server-side JSON parsing and storing (a million-domain
//   import writes each document once, byte for byte as validated), and reading is one JSON.parse
//   in Node either way (node-postgres parses jsonb with JSON.parse too). The one query that needs
//   fields inside a document (lookupDomain) casts its single row to jsonb.
// - Keys use COLLATE "C": names, handles and addresses are compared byte-wise as in SQLite (and
//   ORDER BY gives the same order), whatever the database's default locale.
// - hosts carry registrar_id, so host lookups join their registrar in the same query.
// - host_addresses is also indexed by host, since every host upsert replaces its addresses.
import { POSTGRES_SEARCH_MIGRATION } from './search.js';

export const POSTGRES_MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
  INSERT INTO meta VALUES
    ('serial', '0'),
    ('updated_at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  CREATE TABLE registrars (iana_id bigint PRIMARY KEY, name_key text COLLATE "C" NOT NULL UNIQUE, data text NOT NULL);
  CREATE TABLE contacts (handle text COLLATE "C" PRIMARY KEY, data text NOT NULL);
  CREATE TABLE hosts (name text COLLATE "C" PRIMARY KEY, registrar_id bigint NOT NULL, data text NOT NULL);
  CREATE TABLE host_addresses (address text COLLATE "C" NOT NULL, host text COLLATE "C" NOT NULL, PRIMARY KEY (address, host));
  CREATE INDEX host_addresses_by_host ON host_addresses (host);
  CREATE TABLE domains (name text COLLATE "C" PRIMARY KEY, registrar_id bigint NOT NULL, data text NOT NULL);
  CREATE INDEX domains_by_registrar ON domains (registrar_id);
  `,
  // Searchable WHOIS and RDAP searches (src/store/postgres/search.ts).
  POSTGRES_SEARCH_MIGRATION,
];
