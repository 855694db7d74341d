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
import { POSTGRES_REVERSE_SEARCH_MIGRATION, POSTGRES_SEARCH_MIGRATION } from './search.js';

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
  // Imports with deletions, deposits and undo, as in the SQLite store (src/store/sqlite/schema.ts):
  // who refers to a registrar, hosts by repository ID, registrars by the registry's own id; the
  // undo log, the change list, the TLDs' deposit members and the deposit chain.
  `
  ALTER TABLE contacts ADD COLUMN registrar_id bigint;
  UPDATE contacts SET registrar_id = (data::jsonb->>'registrarId')::bigint;
  ALTER TABLE contacts ALTER COLUMN registrar_id SET NOT NULL;
  CREATE INDEX contacts_by_registrar ON contacts (registrar_id);
  CREATE INDEX hosts_by_registrar ON hosts (registrar_id);
  ALTER TABLE hosts ADD COLUMN roid text COLLATE "C";
  UPDATE hosts SET roid = data::jsonb->>'roid';
  CREATE INDEX hosts_by_roid ON hosts (roid);
  ALTER TABLE registrars ADD COLUMN repository_id text COLLATE "C";
  UPDATE registrars SET repository_id = data::jsonb->>'repositoryId';
  CREATE INDEX registrars_by_repository_id ON registrars (repository_id);
  CREATE TABLE undo (kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, data text, PRIMARY KEY (kind, key));
  CREATE TABLE changes (serial bigint NOT NULL, kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL);
  CREATE INDEX changes_by_serial ON changes (serial);
  CREATE TABLE members (tld text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, PRIMARY KEY (tld, kind, key));
  CREATE INDEX members_by_object ON members (kind, key);
  CREATE TABLE deposits (tld text COLLATE "C" PRIMARY KEY, data text NOT NULL);
  INSERT INTO meta SELECT 'changes_from', (value::bigint + 1)::text FROM meta WHERE key = 'serial';
  `,
  // The gateway door's registered gateways, and registrar names keyed without a final dot (as in SQLite).
  `
  CREATE TABLE gateways (name text COLLATE "C" PRIMARY KEY, data text NOT NULL);
  UPDATE registrars r SET name_key = rtrim(r.name_key, '.')
  WHERE r.name_key LIKE '%.' AND NOT EXISTS (SELECT 1 FROM registrars o WHERE o.name_key = rtrim(r.name_key, '.'));
  `,
  // Marks written with the data (a live source's position) and leases (one node does a job).
  `
  CREATE TABLE marks (name text COLLATE "C" PRIMARY KEY, value text NOT NULL);
  CREATE TABLE leases (name text COLLATE "C" PRIMARY KEY, holder text NOT NULL, until bigint NOT NULL);
  `,
  // RDAP reverse search (RFC 9536, src/store/postgres/search.ts): contact roles per domain, contact e-mail addresses.
  POSTGRES_REVERSE_SEARCH_MIGRATION,
];

/** One import's scratch tables (as in SQLite), created by each write transaction and dropped at its end. */
export const POSTGRES_IMPORT_TABLES = `
  CREATE TEMP TABLE import_pending (kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, seq bigint NOT NULL, at text, data text NOT NULL, PRIMARY KEY (kind, key)) ON COMMIT DROP;
  CREATE INDEX ON import_pending (kind, seq);
  CREATE TEMP TABLE import_seen (kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, PRIMARY KEY (kind, key)) ON COMMIT DROP;
  CREATE TEMP TABLE import_removed (kind text COLLATE "C" NOT NULL, key text COLLATE "C" NOT NULL, at text, PRIMARY KEY (kind, key)) ON COMMIT DROP;
`;
