// The shared Store: one PostgreSQL database behind many rdds nodes, through a node-postgres Pool.
// Same semantics as the SQLite store; writes are buffered and flushed in batches (one multi-row
// statement per kind and step, from unnest(...)), so a million-domain import costs a few thousand
// round trips instead of millions.
//
// A flush: removals first, then puts. A put whose references are neither stored nor stored by the
// same batch waits in the temp table import_pending; when the transaction settles, the waiting
// objects are flushed again in kind order (contacts, hosts, domains: registrars never wait), and
// one that still dangles fails the transaction. Every write records the replaced row in `undo`
// and its key in `changes`; unchanged objects are not written.
import pg from 'pg';
import { normalizeName } from '../../model/idn.js';
import { canonicalIp, validate, ValidationError } from '../../model/validate.js';
import type { Gateway } from '../../model/gateway.js';
import { CONTACT_ROLES, SPONSOR_BY_CLIENT_ID, type Contact, type Domain, type Host, type ObjectKind, type Registrar, type RegistryObject } from '../../model/types.js';
import {
  chainRefusal,
  CHANGE_HISTORY,
  describeObject,
  keyOf,
  KINDS,
  lacksAbuseContact,
  MAX_CHANGES_PER_TRANSACTION,
  mergeRegistrar,
  MissingReferenceError,
  nextChain,
  referencesOf,
  type Reference,
} from '../references.js';
import type { DataVersion, DomainRecord, HostRecord } from '../../model/records.js';
import {
  emptyCounts,
  registrarNameKey,
  StoreRefusal,
  type DepositChain,
  type DepositEnvelope,
  type ImportCounts,
  type ObjectChange,
  type RemoveTarget,
  type Store,
  type StoreWriter,
  type TransactionOptions,
  type TransactionSummary,
} from '../store.js';
import { POSTGRES_IMPORT_TABLES, POSTGRES_MIGRATIONS } from './schema.js';
import { indexBatch, PostgresSearch, unindexBatch } from './search.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { isIP } from 'node:net';


export interface PostgresStoreOptions {
  /** Objects buffered before a flush (default 2000). Small values are for tests. */
  batchSize?: number;
  /** Extra pg.Pool settings (max connections, search_path through `options`, ...). */
  pool?: pg.PoolConfig;
  /** Create or upgrade the schema when it is not current (default true); false for commands that only read. */
  migrate?: boolean;
}

/** Arbitrary constant key for pg_advisory_lock, held while migrations are applied ("rdds"). */
const MIGRATION_LOCK = 0x72646473;
const DEFAULT_BATCH = 2000;

const NOW_ISO = `to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

const TABLE: Record<ObjectKind, { table: string; key: string; keyType: string }> = {
  registrar: { table: 'registrars', key: 'iana_id', keyType: 'bigint' },
  contact: { table: 'contacts', key: 'handle', keyType: 'text' },
  host: { table: 'hosts', key: 'name', keyType: 'text' },
  domain: { table: 'domains', key: 'name', keyType: 'text' },
};

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
  gateways: 'SELECT data FROM gateways ORDER BY name',
  putGateway: 'INSERT INTO gateways (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data',
  removeGateway: 'DELETE FROM gateways WHERE name = $1',
  contact: 'SELECT data FROM contacts WHERE handle = $1',
  countDomains: 'SELECT count(*)::int AS n FROM domains WHERE registrar_id = $1',
  meta: "SELECT key, value FROM meta WHERE key IN ('serial', 'updated_at')",
  metaValue: 'SELECT value FROM meta WHERE key = $1',
  setMeta: 'UPDATE meta SET value = $1 WHERE key = $2',
  // On a standby: 0 when it has replayed all it has received, else the age of the last transaction replayed.
  replicationLag: `SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                               WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                               ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END AS lag`,
  mark: 'SELECT value AS data FROM marks WHERE name = $1',
  setMark: 'INSERT INTO marks (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value',
  lease: `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
          WHERE leases.holder = EXCLUDED.holder OR leases.until < $4`,
  lockSerial: "SELECT value FROM meta WHERE key = 'serial' FOR UPDATE",
  bump: "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'serial'",
  exists: {
    registrar: 'SELECT iana_id::text AS k FROM registrars WHERE iana_id = ANY ($1::bigint[])',
    contact: 'SELECT handle AS k FROM contacts WHERE handle = ANY ($1::text[])',
    host: 'SELECT name AS k FROM hosts WHERE name = ANY ($1::text[])',
  },
  registrarsByRepositoryId: 'SELECT repository_id AS id, iana_id::text AS k FROM registrars WHERE repository_id = ANY ($1::text[])',
  hostsByRoid: 'SELECT name AS k FROM hosts WHERE roid = ANY ($1::text[])',
  // Rows whose document did not change are left alone (no dead tuple on a repeated full import).
  put: {
    registrar: `
      INSERT INTO registrars (iana_id, name_key, repository_id, data) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
      ON CONFLICT (iana_id) DO UPDATE SET name_key = EXCLUDED.name_key, repository_id = EXCLUDED.repository_id, data = EXCLUDED.data
      WHERE registrars.data IS DISTINCT FROM EXCLUDED.data`,
    contact: `
      INSERT INTO contacts (handle, registrar_id, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
      ON CONFLICT (handle) DO UPDATE SET registrar_id = EXCLUDED.registrar_id, data = EXCLUDED.data
      WHERE contacts.data IS DISTINCT FROM EXCLUDED.data`,
    host: `
      INSERT INTO hosts (name, registrar_id, roid, data) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[])
      ON CONFLICT (name) DO UPDATE SET registrar_id = EXCLUDED.registrar_id, roid = EXCLUDED.roid, data = EXCLUDED.data
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
  undoPut: 'INSERT INTO undo (kind, key, data) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING',
  undoPage: 'SELECT kind, key, data FROM undo WHERE (kind, key) > ($1, $2) ORDER BY kind, key LIMIT $3',
  changesPut: 'INSERT INTO changes (serial, kind, key) SELECT $1, $2, unnest($3::text[])',
  changesDrop: 'DELETE FROM changes WHERE serial = $1',
  changesPrune: 'DELETE FROM changes WHERE serial <= $1',
  changesSince: 'SELECT serial::int AS serial, kind, key FROM changes WHERE serial > $1 ORDER BY serial LIMIT $2',
  pendingPut: `
    INSERT INTO import_pending (kind, key, seq, at, data) SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[])
    ON CONFLICT (kind, key) DO UPDATE SET seq = EXCLUDED.seq, at = EXCLUDED.at, data = EXCLUDED.data`,
  pendingDelete: 'DELETE FROM import_pending WHERE kind = $1 AND key = ANY ($2::text[])',
  pendingPage: 'SELECT key, seq, at, data FROM import_pending WHERE kind = $1 ORDER BY seq LIMIT $2',
  pendingCount: 'SELECT count(*)::int AS n FROM import_pending',
  seenPut: 'INSERT INTO import_seen (kind, key) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
  removedPut: `
    INSERT INTO import_removed (kind, key, at) SELECT $1, * FROM unnest($2::text[], $3::text[])
    ON CONFLICT (kind, key) DO UPDATE SET at = EXCLUDED.at`,
  membersDrop: 'DELETE FROM members WHERE kind = $1 AND key = ANY ($2::text[]) RETURNING tld, key',
  memberCounts: 'SELECT kind, count(*)::int AS n FROM members WHERE tld = $1 GROUP BY kind',
  membersDropUnseen: `
    DELETE FROM members m WHERE tld = $1 AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.kind = m.kind AND s.key = m.key)
    RETURNING kind, key`,
  chain: 'SELECT data FROM deposits WHERE tld = $1',
  chainPut: 'INSERT INTO deposits (tld, data) VALUES ($1, $2) ON CONFLICT (tld) DO UPDATE SET data = EXCLUDED.data',
  chainDelete: 'DELETE FROM deposits WHERE tld = $1',
  // Removed objects that something still refers to when the transaction settles.
  stillUsed: [
    `SELECT r.kind, r.key, r.at, 'domain' AS "byKind", dh.domain AS "byKey" FROM import_removed r JOIN domain_hosts dh ON dh.host = r.key
     WHERE r.kind = 'host' AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.name = r.key) LIMIT 1`,
    `SELECT r.kind, r.key, r.at, 'domain' AS "byKind", dc.domain AS "byKey" FROM import_removed r JOIN domain_contacts dc ON dc.contact = r.key
     WHERE r.kind = 'contact' AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.handle = r.key) LIMIT 1`,
    ...(['domain', 'contact', 'host'] as const).map(
      (by) => `SELECT r.kind, r.key, r.at, '${by}' AS "byKind", o.${TABLE[by].key} AS "byKey" FROM import_removed r JOIN ${TABLE[by].table} o ON o.registrar_id = r.key::bigint
       WHERE r.kind = 'registrar' AND NOT EXISTS (SELECT 1 FROM registrars x WHERE x.iana_id = r.key::bigint) LIMIT 1`,
    ),
  ],
};

/** FULL deposits: add what the deposit put (and is stored) to the TLD's members; returns the new keys. */
function membersAddSql(kind: ObjectKind): string {
  const t = TABLE[kind];
  return `
    INSERT INTO members (tld, kind, key)
    SELECT $1, s.kind, s.key FROM import_seen s JOIN ${t.table} o ON o.${t.key} = s.key::${t.keyType}
    WHERE s.kind = $2 ON CONFLICT DO NOTHING RETURNING key`;
}

/** What a FULL deposit leaves behind, one page at a time (docs/rde.md, "What a FULL deposit replaces"). */
const SWEEP: Record<ObjectKind, string> = {
  domain: `
    SELECT name AS k FROM domains d WHERE name > $2 AND name LIKE '%.' || $1
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.tld = $1 AND m.kind = 'domain' AND m.key = d.name)
    ORDER BY name LIMIT $3`,
  host: `
    SELECT name AS k FROM hosts h WHERE name > $2
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'host' AND m.key = h.name)
      AND (name LIKE '%.' || $1 OR NOT EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.host = h.name))
    ORDER BY name LIMIT $3`,
  contact: `
    SELECT handle AS k FROM contacts c WHERE handle > $2 AND $1::text IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'contact' AND m.key = c.handle)
      AND NOT EXISTS (SELECT 1 FROM domain_contacts dc WHERE dc.contact = c.handle)
    ORDER BY handle LIMIT $3`,
  registrar: `
    SELECT iana_id::text AS k FROM registrars r WHERE iana_id > $2::bigint AND $1::text IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'registrar' AND m.key = r.iana_id::text)
      AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.registrar_id = r.iana_id)
      AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.registrar_id = r.iana_id)
      AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.registrar_id = r.iana_id)
    ORDER BY iana_id LIMIT $3`,
};

/** Rows read at a time when paging through a table that the same loop changes. */
const PAGE = 2000;

type Waiting = { obj: RegistryObject; at: string | undefined; seq: number };

/** Puts and removals buffered between two flushes. */
class Batch {
  readonly puts: Record<ObjectKind, Map<string, Waiting>> = { registrar: new Map(), contact: new Map(), host: new Map(), domain: new Map() };
  readonly removes: { target: RemoveTarget; key?: string; at: string | undefined }[] = [];
  size = 0;

  addPut(entry: Waiting): void {
    const map = this.puts[entry.obj.type];
    const key = keyOf(entry.obj);
    map.delete(key); // the later version, written once
    map.set(key, entry);
    this.size++;
  }

  addRemove(target: RemoveTarget, key: string | undefined, at: string | undefined): void {
    if (key !== undefined) this.puts[target.kind].delete(key); // removals run before puts
    this.removes.push({ target, key, at });
    this.size++;
  }
}

/** One write transaction on one client: its writer, its batches and its bookkeeping. */
class PgTransaction implements StoreWriter {
  readonly counts = emptyCounts();
  readonly written = emptyCounts();
  readonly removed = emptyCounts();
  readonly incompleteRegistrars = new Set<number>();
  depositFinished = false;
  private batch = new Batch();
  private inflight: Promise<void> | undefined;
  private failure: unknown;
  private closed = false;
  private seq = 0;
  private maybePending = false;
  private changeCount = 0;
  changesOverflow = false;

  constructor(
    readonly client: pg.PoolClient,
    readonly serial: number,
    readonly deposit: boolean,
    private readonly batchSize: number,
  ) {}

  private q(sql: string, values: unknown[] = []) {
    return this.client.query(sql, values);
  }

  // --- the writer ---

  async put(input: RegistryObject, at?: string): Promise<void> {
    this.usable();
    const obj = validate(input);
    this.counts[obj.type]++;
    this.batch.addPut({ obj, at, seq: ++this.seq });
    if (this.batch.size >= this.batchSize) await this.startFlush();
  }

  async remove(target: RemoveTarget, at?: string): Promise<void> {
    this.usable();
    let key: string | undefined;
    if ('name' in target) {
      const forms = normalizeName(target.name);
      if (!forms) throw new ValidationError('name', `is not a valid domain or host name: ${JSON.stringify(target.name)}`);
      key = forms.aLabel;
    } else if ('handle' in target) key = target.handle;
    else if ('ianaId' in target) key = String(target.ianaId);
    this.batch.addRemove(target, key, at);
    if (this.batch.size >= this.batchSize) await this.startFlush();
  }

  async checkDeposit(d: DepositEnvelope, force: boolean): Promise<void> {
    await this.checkChain(d, force);
  }

  async finishDeposit(d: DepositEnvelope, force: boolean): Promise<ImportCounts> {
    if (!this.deposit) throw new Error('finishDeposit() needs a transaction opened with { deposit: true }');
    const last = await this.checkChain(d, force);
    await this.settle();
    for (const kind of KINDS) {
      const added = await this.q(membersAddSql(kind), [d.tld, kind]);
      await this.recordUndo('member', added.rows.map((r: { key: string }) => memberKey(d.tld, kind, r.key)), null);
    }
    if (d.type === 'FULL') {
      const dropped = await this.q(SQL.membersDropUnseen, [d.tld]);
      await this.recordUndo('member', dropped.rows.map((r: { kind: ObjectKind; key: string }) => memberKey(d.tld, r.kind, r.key)), '1');
      // Domains first: what they used may then be unreferenced.
      for (const kind of ['domain', 'host', 'contact', 'registrar'] as const) {
        for (let after = kind === 'registrar' ? '0' : ''; ; ) {
          const res = await this.q(SWEEP[kind], [d.tld, after, PAGE]);
          const keys = res.rows.map((r: { k: string }) => r.k);
          if (keys.length === 0) break;
          await this.removeKeys(kind, keys, () => `not in FULL deposit ${d.id}`);
          after = keys[keys.length - 1];
        }
      }
      await this.settle();
    }
    const old = await this.q(SQL.chain, [d.tld]);
    await this.recordUndo('deposit', [d.tld], old.rows[0]?.data ?? null);
    await this.q(SQL.chainPut, [d.tld, JSON.stringify(nextChain(d, last))]);
    await this.q(SQL.setMeta, [d.watermark, 'updated_at']);
    this.depositFinished = true;
    const totals = emptyCounts();
    for (const row of (await this.q(SQL.memberCounts, [d.tld])).rows as { kind: ObjectKind; n: number }[]) totals[row.kind] = row.n;
    return totals;
  }

  /** The writer takes no more puts or removals. */
  end(): void {
    this.closed = true;
  }

  private usable(): void {
    if (this.closed) throw new Error('put() after the transaction ended');
    if (this.failure !== undefined) throw this.failure;
  }

  private async checkChain(d: DepositEnvelope, force: boolean): Promise<DepositChain | undefined> {
    const res = await this.q(SQL.chain, [d.tld]);
    const last = res.rows.length ? (JSON.parse(res.rows[0].data) as DepositChain) : undefined;
    const refusal = chainRefusal(d, last);
    if (refusal && !force) throw new StoreRefusal(`${refusal} (--force imports it anyway)`);
    return last;
  }

  // --- flushing ---

  private async startFlush(): Promise<void> {
    // At most one flush in flight: wait for the previous one (and throw its error), then start this one.
    await this.inflight;
    const batch = this.batch;
    this.batch = new Batch();
    if (batch.size === 0) return;
    this.inflight = this.flush(batch, false).catch((err: unknown) => {
      this.failure = err;
      throw err;
    });
    this.inflight.catch(() => {}); // handled by whoever awaits it next
  }

  /** Flushes what is buffered and waits for it. */
  private async drain(): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    await this.startFlush();
    await this.inflight;
  }

  /**
   * Stops taking puts and waits for a flush in flight to end: its queries share the client, so a
   * ROLLBACK sent before they ran would let them land outside the transaction.
   */
  async abort(): Promise<void> {
    this.closed = true;
    await this.inflight?.catch(() => {});
  }

  /** Stores the waiting objects, then checks what removed objects leave behind. */
  async settle(): Promise<void> {
    await this.drain();
    for (const kind of KINDS) {
      for (;;) {
        const res = await this.q(SQL.pendingPage, [kind, PAGE]);
        if (res.rows.length === 0) break;
        const batch = new Batch();
        for (const row of res.rows as { key: string; seq: string; at: string | null; data: string }[]) {
          batch.addPut({ obj: JSON.parse(row.data) as RegistryObject, at: row.at ?? undefined, seq: Number(row.seq) });
        }
        await this.flush(batch, true);
      }
    }
    for (const sql of SQL.stillUsed) {
      const row = (await this.q(sql)).rows[0] as { kind: ObjectKind; key: string; at: string | null; byKind: ObjectKind; byKey: string } | undefined;
      if (row) {
        throw new StoreRefusal(`${describeObject(row.kind, row.key, row.at ?? undefined)} cannot be removed: ${describeObject(row.byKind, row.byKey)} still refers to it`);
      }
    }
  }

  /** Applies one batch: removals, then puts. `final`: a put whose references are missing fails the transaction. */
  private async flush(b: Batch, final: boolean): Promise<void> {
    if (b.removes.length) await this.applyRemoves(b);
    await this.applyPuts(b, final);
  }

  private async applyRemoves(b: Batch): Promise<void> {
    const byKind: Record<ObjectKind, Map<string, string | undefined>> = { registrar: new Map(), contact: new Map(), host: new Map(), domain: new Map() };
    const roids = b.removes.filter((r) => 'roid' in r.target);
    if (roids.length) {
      const res = await this.q('SELECT name AS k, roid FROM hosts WHERE roid = ANY ($1::text[])', [roids.map((r) => (r.target as { roid: string }).roid)]);
      const at = new Map(roids.map((r) => [(r.target as { roid: string }).roid, r.at]));
      for (const row of res.rows as { k: string; roid: string }[]) byKind.host.set(row.k, at.get(row.roid));
    }
    const repos = b.removes.filter((r) => 'repositoryId' in r.target);
    if (repos.length) {
      const res = await this.q(SQL.registrarsByRepositoryId, [repos.map((r) => (r.target as { repositoryId: string }).repositoryId)]);
      const at = new Map(repos.map((r) => [(r.target as { repositoryId: string }).repositoryId, r.at]));
      for (const row of res.rows as { id: string; k: string }[]) byKind.registrar.set(row.k, at.get(row.id));
    }
    for (const r of b.removes) if (r.key !== undefined) byKind[r.target.kind].set(r.key, r.at);
    for (const kind of KINDS) {
      const map = byKind[kind];
      if (map.size) await this.removeKeys(kind, [...map.keys()], (key) => map.get(key));
    }
  }

  /** Removes stored objects (and their waiting versions), recording them for undo and the checks at the end. */
  private async removeKeys(kind: ObjectKind, keys: string[], at: (key: string) => string | undefined): Promise<void> {
    if (this.maybePending) await this.q(SQL.pendingDelete, [kind, keys]);
    const old = await deleteRows(this.client, kind, keys);
    if (old.length === 0) return;
    const removedKeys = old.map((r) => r.key);
    await this.q(SQL.undoPut, [kind, removedKeys, old.map((r) => r.data)]);
    await this.listChanges(kind, removedKeys);
    const members = await this.q(SQL.membersDrop, [kind, removedKeys]);
    await this.recordUndo('member', members.rows.map((r: { tld: string; key: string }) => memberKey(r.tld, kind, r.key)), '1');
    await this.q(SQL.removedPut, [kind, removedKeys, removedKeys.map((k) => at(k) ?? null)]);
    this.removed[kind] += removedKeys.length;
  }

  private async recordUndo(kind: string, keys: string[], data: string | null): Promise<void> {
    if (keys.length) await this.q(SQL.undoPut, [kind, keys, keys.map(() => data)]);
  }

  async listChanges(kind: ObjectKind, keys: string[]): Promise<void> {
    if (this.changesOverflow || keys.length === 0) return;
    this.changeCount += keys.length;
    if (this.changeCount > MAX_CHANGES_PER_TRANSACTION) {
      // Too many to list: readers of the change list are told to take everything as changed.
      await this.q(SQL.changesDrop, [this.serial]);
      this.changesOverflow = true;
      return;
    }
    await this.q(SQL.changesPut, [this.serial, kind, keys]);
  }

  /** Which of `keys` (of a referenced kind) are stored. */
  private async storedKeys(kind: Reference['kind'], keys: Set<string>): Promise<Set<string>> {
    if (keys.size === 0) return new Set();
    const values = kind === 'registrar' ? [...keys].map(Number) : [...keys];
    const res = await this.q(SQL.exists[kind], [values]);
    return new Set(res.rows.map((r: { k: string }) => r.k));
  }

  private async applyPuts(b: Batch, final: boolean): Promise<void> {
    // Sponsors named by the registry's own id: from this batch's registrars, or stored ones.
    const byRepositoryId = new Map<string, number>();
    for (const { obj } of b.puts.registrar.values()) if (obj.type === 'registrar' && obj.repositoryId) byRepositoryId.set(obj.repositoryId, obj.ianaId);
    const wantedIds = new Set<string>();
    for (const kind of ['contact', 'host', 'domain'] as const) {
      for (const { obj } of b.puts[kind].values()) {
        if (obj.type !== 'registrar' && obj.registrarId === SPONSOR_BY_CLIENT_ID && !byRepositoryId.has(obj.clientId!)) wantedIds.add(obj.clientId!);
      }
    }
    if (wantedIds.size) {
      const res = await this.q(SQL.registrarsByRepositoryId, [[...wantedIds]]);
      for (const row of res.rows as { id: string; k: string }[]) byRepositoryId.set(row.id, Number(row.k));
    }

    // In kind order, what this batch stores: an object whose references are stored, or stored by this batch.
    const storing: Record<ObjectKind, Set<string>> = { registrar: new Set(b.puts.registrar.keys()), contact: new Set(), host: new Set(), domain: new Set() };
    const ready: Record<ObjectKind, RegistryObject[]> = { registrar: [...b.puts.registrar.values()].map((w) => w.obj), contact: [], host: [], domain: [] };
    const waiting: Waiting[] = [];
    for (const kind of ['contact', 'host', 'domain'] as const) {
      const entries = [...b.puts[kind].values()].map((w) => {
        const o = w.obj as Contact | Host | Domain;
        const id = o.registrarId === SPONSOR_BY_CLIENT_ID ? byRepositoryId.get(o.clientId!) : o.registrarId;
        return { w, obj: (id === undefined ? o : { ...o, registrarId: id }) as RegistryObject, unresolved: id === undefined };
      });
      const wanted: Record<Reference['kind'], Set<string>> = { registrar: new Set(), contact: new Set(), host: new Set() };
      for (const e of entries) {
        if (e.unresolved) continue;
        for (const ref of referencesOf(e.obj)) if (!storing[ref.kind].has(String(ref.key))) wanted[ref.kind].add(String(ref.key));
      }
      const stored = { registrar: await this.storedKeys('registrar', wanted.registrar), contact: await this.storedKeys('contact', wanted.contact), host: await this.storedKeys('host', wanted.host) };
      for (const e of entries) {
        const missing = e.unresolved
          ? referencesOf(e.w.obj)[0]
          : referencesOf(e.obj).find((ref) => !storing[ref.kind].has(String(ref.key)) && !stored[ref.kind].has(String(ref.key)));
        if (missing) {
          if (final) {
            const more = ((await this.q(SQL.pendingCount)).rows[0].n as number) - 1;
            throw new MissingReferenceError(kind, keyOf(e.w.obj), e.w.at, missing, more);
          }
          waiting.push(e.w);
        } else {
          storing[kind].add(keyOf(e.obj));
          ready[kind].push(e.obj);
        }
      }
    }

    if (waiting.length) {
      for (const kind of KINDS) {
        const ws = waiting.filter((w) => w.obj.type === kind);
        if (ws.length === 0) continue;
        await this.q(SQL.pendingPut, [kind, ws.map((w) => keyOf(w.obj)), ws.map((w) => w.seq), ws.map((w) => w.at ?? null), ws.map((w) => JSON.stringify(w.obj))]);
      }
      this.maybePending = true;
    }
    for (const kind of KINDS) {
      if (ready[kind].length === 0) continue;
      const keys = ready[kind].map(keyOf);
      if (this.maybePending) await this.q(SQL.pendingDelete, [kind, keys]); // waiting older versions are superseded
      await this.store(kind, ready[kind], keys);
    }
    if (this.deposit) {
      for (const kind of KINDS) {
        const keys = [...b.puts[kind].keys()];
        if (keys.length) await this.q(SQL.seenPut, [kind, keys]);
      }
    }
  }

  /** Writes the objects that differ from the stored ones (registrars merged with them first). */
  private async store(kind: ObjectKind, objects: RegistryObject[], keys: string[]): Promise<void> {
    const t = TABLE[kind];
    const res = await this.q(`SELECT ${t.key}::text AS k, data FROM ${t.table} WHERE ${t.key} = ANY ($1::${t.keyType}[])`, [kind === 'registrar' ? keys.map(Number) : keys]);
    const old = new Map<string, string>(res.rows.map((r: { k: string; data: string }) => [r.k, r.data]));
    const changed: { obj: RegistryObject; json: string }[] = [];
    for (const input of objects) {
      const key = keyOf(input);
      const before = old.get(key);
      let obj = input;
      if (obj.type === 'registrar') {
        obj = mergeRegistrar(obj, before === undefined ? undefined : (JSON.parse(before) as Registrar));
        if (lacksAbuseContact(obj)) this.incompleteRegistrars.add(obj.ianaId);
        else this.incompleteRegistrars.delete(obj.ianaId);
      }
      const json = JSON.stringify(obj);
      if (json !== before) changed.push({ obj, json });
    }
    if (changed.length === 0) return;
    const changedKeys = changed.map((c) => keyOf(c.obj));
    await this.q(SQL.undoPut, [kind, changedKeys, changedKeys.map((k) => old.get(k) ?? null)]);
    await this.listChanges(kind, changedKeys);
    await writeRows(this.client, kind, changed);
    this.written[kind] += changed.length;
  }
}

/** Deletes rows and their search entries; returns the deleted keys with their documents. */
async function deleteRows(client: pg.PoolClient, kind: ObjectKind, keys: string[]): Promise<{ key: string; data: string }[]> {
  const t = TABLE[kind];
  const res = await client.query(`DELETE FROM ${t.table} WHERE ${t.key} = ANY ($1::${t.keyType}[]) RETURNING ${t.key}::text AS key, data`, [
    kind === 'registrar' ? keys.map(Number) : keys,
  ]);
  const deleted = res.rows as { key: string; data: string }[];
  if (deleted.length) {
    const names = deleted.map((r) => r.key);
    await unindexBatch(client, kind, names);
    if (kind === 'host') await client.query(SQL.put.clearAddresses, [names]);
  }
  return deleted;
}

/** Upserts rows with their glue and search entries. */
async function writeRows(client: pg.PoolClient, kind: ObjectKind, rows: { obj: RegistryObject; json: string }[]): Promise<void> {
  const q = (sql: string, values: unknown[]) => client.query(sql, values);
  const objs = rows.map((r) => r.obj);
  const jsons = rows.map((r) => r.json);
  switch (kind) {
    case 'registrar': {
      const rs = objs as Registrar[];
      await q(SQL.put.registrar, [rs.map((r) => r.ianaId), rs.map((r) => registrarNameKey(r.name)), rs.map((r) => r.repositoryId ?? null), jsons]);
      break;
    }
    case 'contact': {
      const cs = objs as Contact[];
      await q(SQL.put.contact, [cs.map((c) => c.handle), cs.map((c) => c.registrarId), jsons]);
      await indexBatch(client, { contacts: cs, hosts: [], domains: [] });
      break;
    }
    case 'host': {
      const hs = objs as Host[];
      const names = hs.map((h) => h.name);
      await q(SQL.put.host, [names, hs.map((h) => h.registrarId), hs.map((h) => h.roid), jsons]);
      await q(SQL.put.clearAddresses, [names]);
      const addresses: string[] = [];
      const owners: string[] = [];
      for (const h of hs) {
        for (const a of h.addresses) {
          addresses.push(a);
          owners.push(h.name);
        }
      }
      if (addresses.length) await q(SQL.put.addresses, [addresses, owners]);
      await indexBatch(client, { contacts: [], hosts: hs, domains: [] });
      break;
    }
    case 'domain': {
      const ds = objs as Domain[];
      await q(SQL.put.domain, [ds.map((d) => d.name), ds.map((d) => d.registrarId), jsons]);
      await indexBatch(client, { contacts: [], hosts: [], domains: ds });
      break;
    }
  }
}

/** The undo log's key for one TLD's membership of one object. */
function memberKey(tld: string, kind: ObjectKind, key: string): string {
  return `${tld}\t${kind}\t${key}`;
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
      await migrate(pool, options.migrate ?? true);
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

  async replicationLag(): Promise<number | undefined> {
    const res = await this.pool.query<{ lag: number | null }>(SQL.replicationLag);
    return res.rows[0].lag ?? undefined;
  }

  async changesSince(serial: number, limit: number): Promise<ObjectChange[] | undefined> {
    const from = await this.pool.query<{ value: string }>(SQL.metaValue, ['changes_from']);
    if (serial + 1 < Number(from.rows[0].value)) return undefined;
    const res = await this.pool.query<ObjectChange>(SQL.changesSince, [serial, limit + 1]);
    return res.rows.length > limit ? undefined : res.rows;
  }

  async depositChain(tld: string): Promise<DepositChain | undefined> {
    return this.one<DepositChain>(SQL.chain, [tld]);
  }

  async mark(name: string): Promise<string | undefined> {
    const res = await this.pool.query<{ data: string }>(SQL.mark, [name]);
    return res.rows[0]?.data;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return ((await this.pool.query(SQL.lease, [name, holder, now + ttlMs, now])).rowCount ?? 0) > 0;
  }

  async gateways(): Promise<Gateway[]> {
    const res = await this.pool.query<{ data: string }>(SQL.gateways);
    return res.rows.map((r) => JSON.parse(r.data) as Gateway);
  }

  async putGateway(gateway: Gateway): Promise<void> {
    await this.pool.query(SQL.putGateway, [gateway.name, JSON.stringify(gateway)]);
  }

  async removeGateway(name: string): Promise<boolean> {
    return ((await this.pool.query(SQL.removeGateway, [name])).rowCount ?? 0) > 0;
  }

  searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>> {
    return this.search.searchDomains(expr, page);
  }

  countDomainSearch(expr: SearchExpr): Promise<number> {
    return this.search.countDomains(expr);
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

  /**
   * Runs `fn` with a write transaction on one client: BEGIN, the serial row locked (one import at
   * a time), the scratch tables; at the end the serial moves and the change list is pruned.
   */
  private async writeTransaction<R>(deposit: boolean, fn: (tx: PgTransaction) => Promise<R>, dryRun = false): Promise<{ value: R; tx: PgTransaction }> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    let tx: PgTransaction | undefined;
    try {
      await client.query('BEGIN');
      const serial = Number((await client.query(SQL.lockSerial)).rows[0].value) + 1;
      await client.query(POSTGRES_IMPORT_TABLES);
      tx = new PgTransaction(client, serial, deposit, this.batchSize);
      const value = await fn(tx);
      tx.end();
      await client.query(SQL.bump);
      const current = Number((await client.query(SQL.metaValue, ['changes_from'])).rows[0].value);
      const from = Math.max(current, tx.changesOverflow ? serial + 1 : 0, serial - CHANGE_HISTORY + 1);
      await client.query(SQL.changesPrune, [from - 1]);
      await client.query(SQL.setMeta, [String(from), 'changes_from']);
      await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
      return { value, tx };
    } catch (err) {
      await tx?.abort();
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

  async transaction<T>(fn: (writer: StoreWriter) => Promise<T>, options: TransactionOptions = {}): Promise<TransactionSummary<T>> {
    const deposit = options.deposit ?? false;
    const { value: result, tx } = await this.writeTransaction(
      deposit,
      async (tx) => {
        const client = tx.client;
        await client.query('TRUNCATE undo');
        await client.query("INSERT INTO undo (kind, key, data) SELECT 'meta', 'updated_at', value FROM meta WHERE key = 'updated_at'");
        const result = await fn(tx);
        await tx.settle();
        if (deposit && !tx.depositFinished) throw new Error('a deposit transaction must end with finishDeposit()');
        if (!tx.depositFinished) {
          if (options.updatedAt) await client.query(SQL.setMeta, [options.updatedAt, 'updated_at']);
          else await client.query(`UPDATE meta SET value = ${NOW_ISO} WHERE key = 'updated_at'`);
        }
        for (const [name, value] of Object.entries(options.marks ?? {})) await client.query(SQL.setMark, [name, value]);
        return result;
      },
      options.dryRun,
    );
    return {
      result,
      counts: tx.counts,
      written: tx.written,
      removed: tx.removed,
      serial: options.dryRun ? tx.serial - 1 : tx.serial,
      incompleteRegistrars: [...tx.incompleteRegistrars].sort((a, b) => a - b),
    };
  }

  async rollback(): Promise<number | undefined> {
    const { value } = await this.writeTransaction(false, async (tx) => {
      const client = tx.client;
      if ((await client.query('SELECT 1 FROM undo LIMIT 1')).rows.length === 0) return undefined;
      let restored = 0;
      let updatedAt: string | undefined;
      for (let kind = '', key = ''; ; ) {
        const rows = (await client.query(SQL.undoPage, [kind, key, PAGE])).rows as { kind: string; key: string; data: string | null }[];
        if (rows.length === 0) break;
        for (const objectKind of KINDS) {
          const mine = rows.filter((r) => r.kind === objectKind);
          if (mine.length === 0) continue;
          await deleteRows(client, objectKind, mine.map((r) => r.key));
          const back = mine.flatMap((r) => (r.data === null ? [] : [{ obj: JSON.parse(r.data) as RegistryObject, json: r.data }]));
          if (back.length) await writeRows(client, objectKind, back);
          await tx.listChanges(objectKind, mine.map((r) => r.key));
          restored += mine.length;
        }
        for (const row of rows) {
          if (row.kind === 'meta') updatedAt = row.data ?? undefined;
          else if (row.kind === 'deposit') {
            if (row.data === null) await client.query(SQL.chainDelete, [row.key]);
            else await client.query(SQL.chainPut, [row.key, row.data]);
          } else if (row.kind === 'member') {
            const [tld, k, key] = row.key.split('\t');
            if (row.data === null) await client.query('DELETE FROM members WHERE tld = $1 AND kind = $2 AND key = $3', [tld, k, key]);
            else await client.query('INSERT INTO members (tld, kind, key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [tld, k, key]);
          }
        }
        ({ kind, key } = rows[rows.length - 1]);
      }
      await client.query('TRUNCATE undo');
      if (updatedAt !== undefined) await client.query(SQL.setMeta, [updatedAt, 'updated_at']);
      return restored;
    });
    return value;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Applies the missing migrations, each in its own transaction, under a database-wide advisory lock. */
/** The schema version the database has (0 when it has none), read without writing anything. */
async function schemaVersion(pool: pg.Pool): Promise<number> {
  const table = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (table.rows[0].t === null) return 0;
  const res = await pool.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_version');
  return res.rows[0].v;
}

/**
 * Brings the schema to this rdds's version. A current schema is only read (a node on a read
 * replica, or with a role that may only read, starts); one that is not is created or upgraded
 * under an advisory lock, or refused with what to do when `allowed` is false or the server is a standby.
 */
async function migrate(pool: pg.Pool, allowed: boolean): Promise<void> {
  const version = await schemaVersion(pool);
  if (version === POSTGRES_MIGRATIONS.length) return;
  if (version > POSTGRES_MIGRATIONS.length) throw new Error(`database schema version ${version} is newer than this rdds (${POSTGRES_MIGRATIONS.length}): upgrade rdds`);
  const standby = (await pool.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
  if (!allowed || standby) {
    throw new Error(`the database schema is at version ${version}, this rdds needs ${POSTGRES_MIGRATIONS.length}${standby ? ' and this server is a read replica' : ''}: run rdds import or rdds serve once against the primary with a role that may create tables`);
  }
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
