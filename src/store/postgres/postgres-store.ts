// The shared Store: one PostgreSQL database behind many rdds nodes, through a node-postgres Pool.
// Same semantics as the SQLite store; writes are buffered and flushed in batches (one multi-row
// INSERT ... SELECT FROM unnest(...) per kind, one reference check query per kind), so a
// million-domain import costs a few thousand round trips instead of millions.
import pg from 'pg';
import { normalizeName } from '../../model/idn.js';
import { canonicalIp, validate, ValidationError } from '../../model/validate.js';
import { CONTACT_ROLES, type Contact, type Domain, type Host, type Registrar, type RegistryObject } from '../../model/types.js';
import { missingReferenceMessage, referencesOf, type Reference } from '../references.js';
import type { DataVersion, DomainRecord, HostRecord } from '../../model/records.js';
import { emptyCounts, registrarNameKey, type ImportCounts, type Store, type StoreWriter,  } from '../store.js';
import { POSTGRES_MIGRATIONS } from './schema.js';
import { indexBatch, PostgresSearch } from './search.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { isIP } from 'node:net';

export interface PostgresStoreOptions {
  /** Objects buffered before a flush (default 2000). Small values are for tests. */
  batchSize?: number;
  /** Extra pg.Pool settings (max connections, search_path through `options`, ...). */
  pool?: pg.PoolConfig;
}

/** Arbitrary constant key for pg_advisory_lock, held while migrations are applied ("rdds"). */
const MIGRATION_LOCK = 0x72646473;
const DEFAULT_BATCH = 2000;

/**
 * A reference that was found missing when a buffered batch was flushed, so after the put that
 * caused it returned: the message names the record (`domain foo.example: registrant refers to ...`).
 */
export class MissingReferenceError extends ValidationError {
  constructor(
    readonly recordType: RegistryObject['type'],
    readonly recordKey: string | number,
    ref: Reference,
  ) {
    super(ref.field, missingReferenceMessage(ref));
    this.message = `${recordType} ${recordKey}: ${ref.field} ${missingReferenceMessage(ref)}`;
  }
}

const NOW_ISO = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const SQL = {
  domain: `
    SELECT d.data AS domain, r.data AS registrar,
      ARRAY(SELECT c.data FROM contacts c
            WHERE c.handle = ANY (ARRAY[x.j->>'registrant', x.j->>'admin', x.j->>'tech', x.j->>'billing'])) AS contacts,
      ARRAY(SELECT h.data FROM jsonb_array_elements_text(x.j->'nameservers') WITH ORDINALITY AS ns(name, i)
            JOIN hosts h ON h.name = ns.name ORDER BY ns.i) AS hosts
    FROM domains d
    CROSS JOIN LATERAL (SELECT d.data::jsonb AS j) x
    LEFT JOIN registrars r ON r.iana_id = d.registrar_id
    WHERE d.name = $1`,
  host: 'SELECT h.data, r.data AS registrar FROM hosts h LEFT JOIN registrars r ON r.iana_id = h.registrar_id WHERE h.name = $1',
  hostsByAddress: `
    SELECT h.data, r.data AS registrar
    FROM host_addresses a JOIN hosts h ON h.name = a.host LEFT JOIN registrars r ON r.iana_id = h.registrar_id
    WHERE a.address = $1 ORDER BY h.name`,
  registrar: 'SELECT data FROM registrars WHERE iana_id = $1',
  registrarByName: 'SELECT data FROM registrars WHERE name_key = $1',
  contact: 'SELECT data FROM contacts WHERE handle = $1',
  countDomains: 'SELECT count(*)::int AS n FROM domains WHERE registrar_id = $1',
  meta: "SELECT key, value FROM meta WHERE key IN ('serial', 'updated_at')",
  bump: `UPDATE meta SET value = CASE key WHEN 'serial' THEN (value::bigint + 1)::text ELSE ${NOW_ISO} END
         WHERE key IN ('serial', 'updated_at')`,
  exists: {
    registrar: 'SELECT iana_id AS k FROM registrars WHERE iana_id = ANY ($1::bigint[])',
    contact: 'SELECT handle AS k FROM contacts WHERE handle = ANY ($1::text[])',
    host: 'SELECT name AS k FROM hosts WHERE name = ANY ($1::text[])',
  },
  // Rows whose document did not change are left alone (no dead tuple on a repeated full import).
  put: {
    registrar: `
      INSERT INTO registrars (iana_id, name_key, data) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
      ON CONFLICT (iana_id) DO UPDATE SET name_key = EXCLUDED.name_key, data = EXCLUDED.data
      WHERE registrars.data IS DISTINCT FROM EXCLUDED.data`,
    contact: `
      INSERT INTO contacts (handle, data) SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT (handle) DO UPDATE SET data = EXCLUDED.data
      WHERE contacts.data IS DISTINCT FROM EXCLUDED.data`,
    host: `
      INSERT INTO hosts (name, registrar_id, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
      ON CONFLICT (name) DO UPDATE SET registrar_id = EXCLUDED.registrar_id, data = EXCLUDED.data
      WHERE hosts.data IS DISTINCT FROM EXCLUDED.data`,
    clearAddresses: 'DELETE FROM host_addresses WHERE host = ANY ($1::text[])',
    addresses: `
      INSERT INTO host_addresses (address, host) SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT DO NOTHING`,
    domain: `
      INSERT INTO domains (name, registrar_id, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
      ON CONFLICT (name) DO UPDATE SET registrar_id = EXCLUDED.registrar_id, data = EXCLUDED.data
      WHERE domains.data IS DISTINCT FROM EXCLUDED.data`,
  },
};

type RefKind = Reference['kind'];
type Key = string | number;

function keyOf(obj: RegistryObject): Key {
  return obj.type === 'registrar' ? obj.ianaId : obj.type === 'contact' ? obj.handle : obj.name;
}

/** Puts buffered between two flushes: the last version of each object by key, and the references still to check. */
class Batch {
  readonly objects = {
    registrar: new Map<Key, Registrar>(),
    contact: new Map<Key, Contact>(),
    host: new Map<Key, Host>(),
    domain: new Map<Key, Domain>(),
  };
  /** References not satisfied by an earlier put of this batch, in put order: they must be stored already. */
  readonly toCheck: { ref: Reference; type: RegistryObject['type']; key: Key }[] = [];
  size = 0;

  has(kind: RefKind, key: Key): boolean {
    return this.objects[kind].has(key);
  }

  add(obj: RegistryObject): void {
    for (const ref of referencesOf(obj)) {
      if (!this.has(ref.kind, ref.key)) this.toCheck.push({ ref, type: obj.type, key: keyOf(obj) });
    }
    const map = this.objects[obj.type] as Map<Key, RegistryObject>;
    const key = keyOf(obj);
    // Delete first, so a key put twice is written once (the later version): one INSERT ... ON
    // CONFLICT DO UPDATE cannot touch the same row twice.
    map.delete(key);
    map.set(key, obj);
    this.size++;
  }
}

/**
 * The writer of one transaction. Each put is validated at once (a bad field throws from that put);
 * objects are buffered and flushed in batches. A flush runs while the caller goes on filling the
 * next batch, so a missing reference (found at flush) surfaces from a later put or at commit.
 */
class BatchWriter implements StoreWriter {
  private batch = new Batch();
  private inflight: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly counts: ImportCounts,
    private readonly batchSize: number,
  ) {}

  async put(input: RegistryObject): Promise<void> {
    if (this.closed) throw new Error('put() after the transaction ended');
    if (this.failure !== undefined) throw this.failure;
    const obj = validate(input);
    this.batch.add(obj);
    this.counts[obj.type]++;
    if (this.batch.size >= this.batchSize) await this.startFlush();
  }

  /** Flushes what is buffered and waits for every flush; the writer accepts no more puts. */
  async finish(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    await this.startFlush();
    await this.inflight;
    this.closed = true;
  }

  /**
   * Stops taking puts and waits for a flush in flight to end: its queries share the client, so a
   * ROLLBACK sent before they ran would let them land outside the transaction.
   */
  async abort(): Promise<void> {
    this.closed = true;
    await this.inflight?.catch(() => {});
  }

  private async startFlush(): Promise<void> {
    // At most one flush in flight: wait for the previous one (and throw its error), then start this one.
    await this.inflight;
    const batch = this.batch;
    this.batch = new Batch();
    if (batch.size === 0) return;
    this.inflight = this.flush(batch).catch((err: unknown) => {
      this.failure = err;
      throw err;
    });
    this.inflight.catch(() => {}); // handled by whoever awaits it next
  }

  private async flush(b: Batch): Promise<void> {
    await this.checkReferences(b);
    const q = (sql: string, values: unknown[]) => this.client.query(sql, values);
    const registrars = [...b.objects.registrar.values()];
    if (registrars.length) {
      await q(SQL.put.registrar, [
        registrars.map((r) => r.ianaId),
        registrars.map((r) => registrarNameKey(r.name)),
        registrars.map((r) => JSON.stringify(r)),
      ]);
    }
    const contacts = [...b.objects.contact.values()];
    if (contacts.length) {
      await q(SQL.put.contact, [contacts.map((c) => c.handle), contacts.map((c) => JSON.stringify(c))]);
    }
    const hosts = [...b.objects.host.values()];
    if (hosts.length) {
      const names = hosts.map((h) => h.name);
      await q(SQL.put.host, [names, hosts.map((h) => h.registrarId), hosts.map((h) => JSON.stringify(h))]);
      await q(SQL.put.clearAddresses, [names]);
      const addresses: string[] = [];
      const owners: string[] = [];
      for (const h of hosts) {
        for (const a of h.addresses) {
          addresses.push(a);
          owners.push(h.name);
        }
      }
      if (addresses.length) await q(SQL.put.addresses, [addresses, owners]);
    }
    const domains = [...b.objects.domain.values()];
    if (domains.length) {
      await q(SQL.put.domain, [domains.map((d) => d.name), domains.map((d) => d.registrarId), domains.map((d) => JSON.stringify(d))]);
    }
    await indexBatch(this.client, { contacts, hosts, domains });
  }

  /** One query per kind: every reference not met within the batch must already be stored. */
  private async checkReferences(b: Batch): Promise<void> {
    if (b.toCheck.length === 0) return;
    const missing: Record<RefKind, Set<Key>> = { registrar: new Set(), contact: new Set(), host: new Set() };
    for (const kind of ['registrar', 'contact', 'host'] as const) {
      const wanted = new Set<Key>();
      for (const { ref } of b.toCheck) if (ref.kind === kind) wanted.add(ref.key);
      if (wanted.size === 0) continue;
      const res = await this.client.query<{ k: string }>(SQL.exists[kind], [[...wanted]]);
      // bigint comes back as a string: compare registrar IDs as numbers.
      const found = new Set<Key>(res.rows.map((r) => (kind === 'registrar' ? Number(r.k) : r.k)));
      for (const key of wanted) if (!found.has(key)) missing[kind].add(key);
    }
    const first = b.toCheck.find(({ ref }) => missing[ref.kind].has(ref.key));
    if (first) throw new MissingReferenceError(first.type, first.key, first.ref);
  }
}

type DataRow = { data: string; registrar: string | null };

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  private readonly search: PostgresSearch;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly batchSize: number,
  ) {
    this.search = new PostgresSearch(pool);
  }

  /**
   * Connects to `url` (a postgres:// URL; `?options=-c search_path=myschema` selects a schema)
   * and brings the schema up to date.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: url, ...options.pool });
    // An idle client's error (server restart, network) must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    try {
      await migrate(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool, Math.max(1, options.batchSize ?? DEFAULT_BATCH));
  }

  private withRegistrar<T extends { registrarId: number }>(row: DataRow): { obj: T; registrar: Registrar } {
    const obj = JSON.parse(row.data) as T;
    if (row.registrar === null) throw new Error(`store is inconsistent: registrar ${obj.registrarId} is missing`);
    return { obj, registrar: JSON.parse(row.registrar) as Registrar };
  }

  private async one<T>(sql: string, values: unknown[]): Promise<T | undefined> {
    const res = await this.pool.query<{ data: string }>(sql, values);
    return res.rows.length ? (JSON.parse(res.rows[0].data) as T) : undefined;
  }

  async lookupDomain(name: string): Promise<DomainRecord | undefined> {
    const forms = normalizeName(name);
    if (!forms) return undefined;
    const res = await this.pool.query<{ domain: string; registrar: string | null; contacts: string[]; hosts: string[] }>(SQL.domain, [
      forms.aLabel,
    ]);
    if (res.rows.length === 0) return undefined;
    const row = res.rows[0];
    const domain = JSON.parse(row.domain) as Domain;
    if (row.registrar === null) throw new Error(`store is inconsistent: registrar ${domain.registrarId} is missing`);
    const byHandle = new Map(row.contacts.map((data) => {
      const c = JSON.parse(data) as Contact;
      return [c.handle, c];
    }));
    const contacts: DomainRecord['contacts'] = {};
    for (const role of CONTACT_ROLES) {
      const handle = domain[role];
      if (handle !== undefined) contacts[role] = byHandle.get(handle);
    }
    return {
      domain,
      registrar: JSON.parse(row.registrar) as Registrar,
      contacts,
      hosts: row.hosts.map((data) => JSON.parse(data) as Host),
    };
  }

  async lookupHost(name: string): Promise<HostRecord | undefined> {
    const forms = normalizeName(name);
    if (!forms) return undefined;
    const res = await this.pool.query<DataRow>(SQL.host, [forms.aLabel]);
    if (res.rows.length === 0) return undefined;
    const { obj: host, registrar } = this.withRegistrar<Host>(res.rows[0]);
    return { host, registrar };
  }

  async lookupHostsByAddress(address: string): Promise<HostRecord[]> {
    if (isIP(address) === 0) return [];
    const res = await this.pool.query<DataRow>(SQL.hostsByAddress, [canonicalIp(address)]);
    return res.rows.map((row) => {
      const { obj: host, registrar } = this.withRegistrar<Host>(row);
      return { host, registrar };
    });
  }

  async getRegistrar(ianaId: number): Promise<Registrar | undefined> {
    if (!Number.isSafeInteger(ianaId)) return undefined;
    return this.one<Registrar>(SQL.registrar, [ianaId]);
  }

  async getRegistrarByName(name: string): Promise<Registrar | undefined> {
    return this.one<Registrar>(SQL.registrarByName, [registrarNameKey(name)]);
  }

  async getContact(handle: string): Promise<Contact | undefined> {
    return this.one<Contact>(SQL.contact, [handle]);
  }

  async countDomains(ianaId: number): Promise<number> {
    if (!Number.isSafeInteger(ianaId)) return 0;
    const res = await this.pool.query<{ n: number }>(SQL.countDomains, [ianaId]);
    return res.rows[0].n;
  }

  async dataVersion(): Promise<DataVersion> {
    const res = await this.pool.query<{ key: string; value: string }>(SQL.meta);
    const meta = Object.fromEntries(res.rows.map((r) => [r.key, r.value]));
    return { serial: Number(meta.serial), updatedAt: meta.updated_at };
  }

  searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>> {
    return this.search.searchDomains(expr, page);
  }

  searchHosts(q: { name?: string; address?: string }, page: SearchPage): Promise<SearchResult<HostRecord>> {
    return this.search.searchHosts(q, page);
  }

  searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): Promise<SearchResult<Contact>> {
    return this.search.searchContacts(q, page);
  }

  searchRegistrars(q: { fn?: string }, page: SearchPage): Promise<SearchResult<Registrar>> {
    return this.search.searchRegistrars(q, page);
  }

  async transaction<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<{ result: T; counts: ImportCounts }> {
    const client = await this.pool.connect();
    const counts = emptyCounts();
    const writer = new BatchWriter(client, counts, this.batchSize);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(writer);
      await writer.finish();
      await client.query(SQL.bump);
      await client.query('COMMIT');
      return { result, counts };
    } catch (err) {
      await writer.abort();
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: drop it from the pool instead of returning it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Applies the missing migrations, each in its own transaction, under a database-wide advisory lock. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const res = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_version');
      const current = res.rows[0].v;
      if (current > POSTGRES_MIGRATIONS.length) {
        throw new Error(`database schema version ${current} is newer than this rdds (${POSTGRES_MIGRATIONS.length}): upgrade rdds`);
      }
      for (let i = current; i < POSTGRES_MIGRATIONS.length; i++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[i]);
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [i + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // On error, destroy the connection: it also drops the advisory lock if unlocking failed.
    client.release(broken);
  }
}
