// The embedded Store: one SQLite file through better-sqlite3. Its calls are synchronous and take
// microseconds, so the async contract is met by returning settled promises (no thread hop).
//
// An import is one IMMEDIATE transaction (readers keep the snapshot from before, WAL). Each write
// records the replaced row in `undo` (for rollback) and the key in `changes` (for caches); an
// object whose references are not stored yet waits in the temp table import_pending and is stored
// when the transaction settles, in kind order (registrars, contacts, hosts, domains), so one pass
// resolves everything that can be resolved.
import Database from 'better-sqlite3';
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
import { SQLITE_IMPORT_TABLES, SQLITE_MIGRATIONS } from './schema.js';
import { SqliteSearch, type SearchTuning } from './search.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { isIP } from 'node:net';

type Row = { data: string } | undefined;

/** Imports at least this large refresh the query planner's statistics when they commit. */
const ANALYZE_AFTER_PUTS = 10000;
/** Rows read at a time when paging through a table that the same loop changes. */
const PAGE = 500;

const TABLE: Record<ObjectKind, { table: string; key: string }> = {
  registrar: { table: 'registrars', key: 'iana_id' },
  contact: { table: 'contacts', key: 'handle' },
  host: { table: 'hosts', key: 'name' },
  domain: { table: 'domains', key: 'name' },
};

/** What one transaction has done so far. */
class TxState {
  readonly counts = emptyCounts();
  readonly written = emptyCounts();
  readonly removed = emptyCounts();
  readonly incompleteRegistrars = new Set<number>();
  /** Registrars by the registry's own id, as looked up in this transaction (they are few). */
  readonly sponsors = new Map<string, number | undefined>();
  seq = 0;
  maybePending = false;
  changeCount = 0;
  changesOverflow = false;
  depositFinished = false;
  constructor(
    readonly serial: number,
    readonly deposit: boolean,
  ) {}
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly q;
  private readonly search: SqliteSearch;

  private constructor(
    private readonly db: Database.Database,
    searchTuning?: SearchTuning,
  ) {
    this.search = new SqliteSearch(db, searchTuning);
    const p = (sql: string) => db.prepare(sql);
    const byKind = <T>(make: (t: { table: string; key: string }) => T): Record<ObjectKind, T> =>
      ({ registrar: make(TABLE.registrar), contact: make(TABLE.contact), host: make(TABLE.host), domain: make(TABLE.domain) });
    this.q = {
      domain: p('SELECT data FROM domains WHERE name = ?'),
      host: p('SELECT data FROM hosts WHERE name = ?'),
      hostsByAddress: p('SELECT h.data FROM host_addresses a JOIN hosts h ON h.name = a.host WHERE a.address = ? ORDER BY h.name'),
      registrar: p('SELECT data FROM registrars WHERE iana_id = ?'),
      registrarByName: p('SELECT data FROM registrars WHERE name_key = ?'),
      gateways: p('SELECT data FROM gateways ORDER BY name').pluck(),
      putGateway: p('INSERT INTO gateways (name, data) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data'),
      removeGateway: p('DELETE FROM gateways WHERE name = ?'),
      contact: p('SELECT data FROM contacts WHERE handle = ?'),
      countDomains: p('SELECT count(*) AS n FROM domains WHERE registrar_id = ?').pluck(),
      meta: p("SELECT key, value FROM meta WHERE key IN ('serial', 'updated_at')"),
      metaValue: p('SELECT value FROM meta WHERE key = ?').pluck(),
      setMeta: p('UPDATE meta SET value = ? WHERE key = ?'),
      mark: p('SELECT value FROM marks WHERE name = ?').pluck(),
      setMark: p('INSERT INTO marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      lease: p('INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE leases.holder = excluded.holder OR leases.until < ?'),
      data: byKind((t) => p(`SELECT data FROM ${t.table} WHERE ${t.key} = ?`).pluck()),
      registrarByRepositoryId: p("SELECT iana_id FROM registrars WHERE json_extract(data, '$.repositoryId') = ?").pluck(),
      hostByRoid: p("SELECT name FROM hosts WHERE json_extract(data, '$.roid') = ?").pluck(),
      exists: {
        registrar: p('SELECT 1 FROM registrars WHERE iana_id = ?').pluck(),
        contact: p('SELECT 1 FROM contacts WHERE handle = ?').pluck(),
        host: p('SELECT 1 FROM hosts WHERE name = ?').pluck(),
      },
      put: {
        registrar: p('INSERT INTO registrars (iana_id, name_key, data) VALUES (?, ?, ?) ON CONFLICT (iana_id) DO UPDATE SET name_key = excluded.name_key, data = excluded.data'),
        contact: p('INSERT INTO contacts (handle, data) VALUES (?, ?) ON CONFLICT (handle) DO UPDATE SET data = excluded.data'),
        host: p('INSERT INTO hosts (name, data) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data'),
        clearAddresses: p('DELETE FROM host_addresses WHERE host = ?'),
        address: p('INSERT OR IGNORE INTO host_addresses (address, host) VALUES (?, ?)'),
        domain: p('INSERT INTO domains (name, registrar_id, data) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET registrar_id = excluded.registrar_id, data = excluded.data'),
      },
      del: byKind((t) => p(`DELETE FROM ${t.table} WHERE ${t.key} = ?`)),
      undoPut: p('INSERT OR IGNORE INTO undo (kind, key, data) VALUES (?, ?, ?)'),
      undoPage: p('SELECT kind, key, data FROM undo WHERE (kind, key) > (?, ?) ORDER BY kind, key LIMIT ?'),
      undoCount: p('SELECT count(*) FROM undo').pluck(),
      changePut: p('INSERT INTO changes (serial, kind, key) VALUES (?, ?, ?)'),
      changesDrop: p('DELETE FROM changes WHERE serial = ?'),
      changesPrune: p('DELETE FROM changes WHERE serial <= ?'),
      changesSince: p('SELECT serial, kind, key FROM changes WHERE serial > ? ORDER BY serial, rowid LIMIT ?'),
      pendingPut: p('INSERT OR REPLACE INTO import_pending (kind, key, seq, at, data) VALUES (?, ?, ?, ?, ?)'),
      pendingDelete: p('DELETE FROM import_pending WHERE kind = ? AND key = ?'),
      pendingPage: p('SELECT key, seq, at, data FROM import_pending WHERE kind = ? AND seq > ? ORDER BY seq LIMIT ?'),
      pendingCount: p('SELECT count(*) FROM import_pending').pluck(),
      seenPut: p('INSERT OR IGNORE INTO import_seen (kind, key) VALUES (?, ?)'),
      removedPut: p('INSERT OR REPLACE INTO import_removed (kind, key, at) VALUES (?, ?, ?)'),
      memberRows: p('SELECT tld FROM members WHERE kind = ? AND key = ?').pluck(),
      memberDelete: p('DELETE FROM members WHERE kind = ? AND key = ?'),
      memberRestore: p('INSERT OR IGNORE INTO members (tld, kind, key) VALUES (?, ?, ?)'),
      memberForget: p('DELETE FROM members WHERE tld = ? AND kind = ? AND key = ?'),
      memberCounts: p('SELECT kind, count(*) AS n FROM members WHERE tld = ? GROUP BY kind'),
      chain: p('SELECT data FROM deposits WHERE tld = ?').pluck(),
      chainPut: p('INSERT INTO deposits (tld, data) VALUES (?, ?) ON CONFLICT (tld) DO UPDATE SET data = excluded.data'),
      chainDelete: p('DELETE FROM deposits WHERE tld = ?'),
      // A FULL deposit: the TLD's members become what the deposit put (and is still there).
      membersAdd: byKind((t) =>
        db.prepare(`
          INSERT INTO members (tld, kind, key)
          SELECT @tld, s.kind, s.key FROM import_seen s JOIN ${t.table} o ON o.${t.key} = ${t.key === 'iana_id' ? 'CAST(s.key AS INTEGER)' : 's.key'}
          WHERE s.kind = @kind AND NOT EXISTS (SELECT 1 FROM members m WHERE m.tld = @tld AND m.kind = s.kind AND m.key = s.key)
          RETURNING key`).pluck(),
      ),
      membersDropUnseen: p(`
        DELETE FROM members WHERE tld = ? AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.kind = members.kind AND s.key = members.key)
        RETURNING kind, key`),
      // What a FULL deposit leaves behind (docs/rde.md, "What a FULL deposit replaces").
      sweep: {
        domain: p(`
          SELECT name FROM domains d WHERE name > @after AND name LIKE '%.' || @tld
            AND NOT EXISTS (SELECT 1 FROM members m WHERE m.tld = @tld AND m.kind = 'domain' AND m.key = d.name)
          ORDER BY name LIMIT ${PAGE}`).pluck(),
        host: p(`
          SELECT name FROM hosts h WHERE name > @after
            AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'host' AND m.key = h.name)
            AND (name LIKE '%.' || @tld OR NOT EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.host = h.name))
          ORDER BY name LIMIT ${PAGE}`).pluck(),
        contact: p(`
          SELECT handle FROM contacts c WHERE handle > @after
            AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'contact' AND m.key = c.handle)
            AND NOT EXISTS (SELECT 1 FROM domain_contacts dc WHERE dc.contact = c.handle)
          ORDER BY handle LIMIT ${PAGE}`).pluck(),
        registrar: p(`
          SELECT CAST(iana_id AS TEXT) FROM registrars r WHERE iana_id > CAST(@after AS INTEGER)
            AND NOT EXISTS (SELECT 1 FROM members m WHERE m.kind = 'registrar' AND m.key = CAST(r.iana_id AS TEXT))
            AND NOT EXISTS (SELECT 1 FROM domains d WHERE d.registrar_id = r.iana_id)
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE json_extract(c.data, '$.registrarId') = r.iana_id)
            AND NOT EXISTS (SELECT 1 FROM hosts h WHERE json_extract(h.data, '$.registrarId') = r.iana_id)
          ORDER BY iana_id LIMIT ${PAGE}`).pluck(),
      },
      // Removed objects that something still refers to when the transaction settles.
      stillUsed: [
        p(`SELECT r.kind, r.key, r.at, 'domain' AS byKind, dh.domain AS byKey FROM import_removed r JOIN domain_hosts dh ON dh.host = r.key
           WHERE r.kind = 'host' AND NOT EXISTS (SELECT 1 FROM hosts h WHERE h.name = r.key) LIMIT 1`),
        p(`SELECT r.kind, r.key, r.at, 'domain' AS byKind, dc.domain AS byKey FROM import_removed r JOIN domain_contacts dc ON dc.contact = r.key
           WHERE r.kind = 'contact' AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.handle = r.key) LIMIT 1`),
        p(`SELECT r.kind, r.key, r.at, 'domain' AS byKind, d.name AS byKey FROM import_removed r JOIN domains d ON d.registrar_id = CAST(r.key AS INTEGER)
           WHERE r.kind = 'registrar' AND NOT EXISTS (SELECT 1 FROM registrars x WHERE x.iana_id = CAST(r.key AS INTEGER)) LIMIT 1`),
        p(`SELECT r.kind, r.key, r.at, 'contact' AS byKind, c.handle AS byKey FROM import_removed r JOIN contacts c ON json_extract(c.data, '$.registrarId') = CAST(r.key AS INTEGER)
           WHERE r.kind = 'registrar' AND NOT EXISTS (SELECT 1 FROM registrars x WHERE x.iana_id = CAST(r.key AS INTEGER)) LIMIT 1`),
        p(`SELECT r.kind, r.key, r.at, 'host' AS byKind, h.name AS byKey FROM import_removed r JOIN hosts h ON json_extract(h.data, '$.registrarId') = CAST(r.key AS INTEGER)
           WHERE r.kind = 'registrar' AND NOT EXISTS (SELECT 1 FROM registrars x WHERE x.iana_id = CAST(r.key AS INTEGER)) LIMIT 1`),
      ],
      clearImportTables: ['DELETE FROM import_pending', 'DELETE FROM import_seen', 'DELETE FROM import_removed'].map(p),
      clearUndo: p('DELETE FROM undo'),
      bump: p("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'serial'"),
    };
  }

  /** `searchTuning` is for tests: it forces domain searches onto a given plan (see search.ts). */
  static open(path: string, options: { searchTuning?: SearchTuning } = {}): SqliteStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('temp_store = FILE'); // an import's scratch tables stay on disk, not in memory
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < SQLITE_MIGRATIONS.length; i++) {
      db.transaction(() => {
        db.exec(SQLITE_MIGRATIONS[i]);
        db.pragma(`user_version = ${i + 1}`);
      })();
    }
    db.exec(SQLITE_IMPORT_TABLES);
    // The search plans depend on the planner's table statistics: without them a two-term search
    // on a million domains can take seconds instead of milliseconds (docs/benchmarks.md).
    const analyzed = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get() !== undefined;
    if (!analyzed) db.exec('ANALYZE');
    return new SqliteStore(db, options.searchTuning);
  }

  /** The underlying database, for modules that add their own tables (query log, search index). */
  get database(): Database.Database {
    return this.db;
  }

  private parse<T>(row: Row): T | undefined {
    return row ? (JSON.parse(row.data) as T) : undefined;
  }

  private registrarSync(ianaId: number): Registrar {
    const r = this.parse<Registrar>(this.q.registrar.get(ianaId) as Row);
    if (!r) throw new Error(`store is inconsistent: registrar ${ianaId} is missing`);
    return r;
  }

  async lookupDomain(name: string): Promise<DomainRecord | undefined> {
    const forms = normalizeName(name);
    if (!forms) return undefined;
    const domain = this.parse<Domain>(this.q.domain.get(forms.aLabel) as Row);
    if (!domain) return undefined;
    const contacts: DomainRecord['contacts'] = {};
    for (const role of CONTACT_ROLES) {
      const handle = domain[role];
      if (handle !== undefined) contacts[role] = this.parse<Contact>(this.q.contact.get(handle) as Row);
    }
    const hosts = domain.nameservers.flatMap((ns) => this.parse<Host>(this.q.host.get(ns) as Row) ?? []);
    return { domain, registrar: this.registrarSync(domain.registrarId), contacts, hosts };
  }

  async lookupHost(name: string): Promise<HostRecord | undefined> {
    const forms = normalizeName(name);
    const host = forms && this.parse<Host>(this.q.host.get(forms.aLabel) as Row);
    return host ? { host, registrar: this.registrarSync(host.registrarId) } : undefined;
  }

  async lookupHostsByAddress(address: string): Promise<HostRecord[]> {
    if (isIP(address) === 0) return [];
    const rows = this.q.hostsByAddress.all(canonicalIp(address)) as { data: string }[];
    return rows.map((row) => {
      const host = JSON.parse(row.data) as Host;
      return { host, registrar: this.registrarSync(host.registrarId) };
    });
  }

  async getRegistrar(ianaId: number): Promise<Registrar | undefined> {
    return this.parse(this.q.registrar.get(ianaId) as Row);
  }

  async getRegistrarByName(name: string): Promise<Registrar | undefined> {
    return this.parse(this.q.registrarByName.get(registrarNameKey(name)) as Row);
  }

  async getContact(handle: string): Promise<Contact | undefined> {
    return this.parse(this.q.contact.get(handle) as Row);
  }

  async countDomains(ianaId: number): Promise<number> {
    return this.q.countDomains.get(ianaId) as number;
  }

  async dataVersion(): Promise<DataVersion> {
    const rows = this.q.meta.all() as { key: string; value: string }[];
    const meta = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    return { serial: Number(meta.serial), updatedAt: meta.updated_at };
  }

  async changesSince(serial: number, limit: number): Promise<ObjectChange[] | undefined> {
    if (serial + 1 < Number(this.q.metaValue.get('changes_from'))) return undefined;
    const rows = this.q.changesSince.all(serial, limit + 1) as ObjectChange[];
    return rows.length > limit ? undefined : rows;
  }

  async depositChain(tld: string): Promise<DepositChain | undefined> {
    const data = this.q.chain.get(tld) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as DepositChain);
  }

  /** An embedded database has no replica. */
  async replicationLag(): Promise<undefined> {
    return undefined;
  }

  async mark(name: string): Promise<string | undefined> {
    return this.q.mark.get(name) as string | undefined;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.q.lease.run(name, holder, now + ttlMs, now).changes > 0;
  }

  async gateways(): Promise<Gateway[]> {
    return (this.q.gateways.all() as string[]).map((data) => JSON.parse(data) as Gateway);
  }

  async putGateway(gateway: Gateway): Promise<void> {
    this.q.putGateway.run(gateway.name, JSON.stringify(gateway));
  }

  async removeGateway(name: string): Promise<boolean> {
    return this.q.removeGateway.run(name).changes > 0;
  }

  async searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>> {
    return this.search.searchDomains(expr, page);
  }

  async countDomainSearch(expr: SearchExpr): Promise<number> {
    return this.search.countDomains(expr);
  }

  async searchHosts(q: { name?: string; address?: string }, page: SearchPage): Promise<SearchResult<HostRecord>> {
    return this.search.searchHosts(q, page);
  }

  async searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): Promise<SearchResult<Contact>> {
    return this.search.searchContacts(q, page);
  }

  async searchRegistrars(q: { fn?: string }, page: SearchPage): Promise<SearchResult<Registrar>> {
    return this.search.searchRegistrars(q, page);
  }

  // --- writes: rows and their search entries, without bookkeeping (also used by rollback) ---

  private writeRow(obj: RegistryObject, json: string): void {
    this.search.index(obj);
    const put = this.q.put;
    switch (obj.type) {
      case 'registrar':
        put.registrar.run(obj.ianaId, registrarNameKey(obj.name), json);
        break;
      case 'contact':
        put.contact.run(obj.handle, json);
        break;
      case 'host':
        put.host.run(obj.name, json);
        put.clearAddresses.run(obj.name);
        for (const a of obj.addresses) put.address.run(a, obj.name);
        break;
      case 'domain':
        put.domain.run(obj.name, obj.registrarId, json);
        break;
    }
  }

  private deleteRow(obj: RegistryObject): void {
    this.search.unindex(obj);
    if (obj.type === 'host') this.q.put.clearAddresses.run(obj.name);
    this.q.del[obj.type].run(obj.type === 'registrar' ? obj.ianaId : keyOf(obj));
  }

  private rowKey(kind: ObjectKind, key: string): string | number {
    return kind === 'registrar' ? Number(key) : key;
  }

  // --- one transaction's writes ---

  private recordChange(tx: TxState, kind: ObjectKind, key: string, old: string | null): void {
    this.q.undoPut.run(kind, key, old);
    this.listChange(tx, kind, key);
  }

  private listChange(tx: TxState, kind: ObjectKind, key: string): void {
    if (tx.changesOverflow) return;
    if (++tx.changeCount > MAX_CHANGES_PER_TRANSACTION) {
      // Too many to list: readers of the change list are told to take everything as changed.
      this.q.changesDrop.run(tx.serial);
      tx.changesOverflow = true;
      return;
    }
    this.q.changePut.run(tx.serial, kind, key);
  }

  /** The object with its sponsor named by IANA ID, or the first reference that is not stored. */
  private resolve(tx: TxState, obj: RegistryObject): { obj: RegistryObject } | { missing: Reference } {
    let resolved = obj;
    if (obj.type !== 'registrar' && obj.registrarId === SPONSOR_BY_CLIENT_ID) {
      const id = obj.clientId!;
      if (!tx.sponsors.has(id)) tx.sponsors.set(id, this.q.registrarByRepositoryId.get(id) as number | undefined);
      const ianaId = tx.sponsors.get(id);
      if (ianaId === undefined) return { missing: referencesOf(obj)[0] };
      resolved = { ...obj, registrarId: ianaId };
    }
    for (const ref of referencesOf(resolved)) {
      if (this.q.exists[ref.kind].get(ref.key) === undefined) return { missing: ref };
    }
    return { obj: resolved };
  }

  private putSync(tx: TxState, input: RegistryObject, at: string | undefined): void {
    const obj = validate(input);
    tx.counts[obj.type]++;
    const key = keyOf(obj);
    if (tx.deposit) this.q.seenPut.run(obj.type, key);
    const r = this.resolve(tx, obj);
    if ('missing' in r) {
      this.q.pendingPut.run(obj.type, key, ++tx.seq, at ?? null, JSON.stringify(obj));
      tx.maybePending = true;
      return;
    }
    this.storeSync(tx, r.obj);
  }

  /** Writes an object whose references are stored, unless it equals the stored one. */
  private storeSync(tx: TxState, input: RegistryObject): void {
    const key = keyOf(input);
    if (tx.maybePending) this.q.pendingDelete.run(input.type, key); // a waiting older version is superseded
    const old = this.q.data[input.type].get(this.rowKey(input.type, key)) as string | undefined;
    let obj = input;
    if (obj.type === 'registrar') {
      obj = mergeRegistrar(obj, old === undefined ? undefined : (JSON.parse(old) as Registrar));
      if (lacksAbuseContact(obj)) tx.incompleteRegistrars.add(obj.ianaId);
      else tx.incompleteRegistrars.delete(obj.ianaId);
    }
    const json = JSON.stringify(obj);
    if (json === old) return;
    this.recordChange(tx, obj.type, key, old ?? null);
    this.writeRow(obj, json);
    if (obj.type === 'registrar') tx.sponsors.clear(); // a repository id may have moved
    tx.written[obj.type]++;
  }

  /** Removes a stored object (its waiting version too), recording it for undo and the checks at the end. */
  private removeObject(tx: TxState, kind: ObjectKind, key: string, at: string | undefined): void {
    if (tx.maybePending) this.q.pendingDelete.run(kind, key);
    const old = this.q.data[kind].get(this.rowKey(kind, key)) as string | undefined;
    if (old === undefined) return;
    this.recordChange(tx, kind, key, old);
    this.deleteRow(JSON.parse(old) as RegistryObject);
    if (kind === 'registrar') tx.sponsors.clear();
    for (const tld of this.q.memberRows.all(kind, key) as string[]) this.q.undoPut.run('member', memberKey(tld, kind, key), '1');
    this.q.memberDelete.run(kind, key);
    this.q.removedPut.run(kind, key, at ?? null);
    tx.removed[kind]++;
  }

  private removeSync(tx: TxState, target: RemoveTarget, at: string | undefined): void {
    const name = (field: string, value: string) => {
      const forms = normalizeName(value);
      if (!forms) throw new ValidationError(field, `is not a valid domain or host name: ${JSON.stringify(value)}`);
      return forms.aLabel;
    };
    let key: string | undefined;
    if ('name' in target) key = name('name', target.name);
    else if ('roid' in target) key = this.q.hostByRoid.get(target.roid) as string | undefined;
    else if ('handle' in target) key = target.handle;
    else if ('ianaId' in target) key = String(target.ianaId);
    else {
      const id = this.q.registrarByRepositoryId.get(target.repositoryId) as number | undefined;
      key = id === undefined ? undefined : String(id);
    }
    if (key !== undefined) this.removeObject(tx, target.kind, key, at);
  }

  /** Stores the objects that waited for their references, then checks what removed objects leave behind. */
  private settle(tx: TxState): void {
    for (const kind of KINDS) {
      for (let seq = 0; ; ) {
        const rows = this.q.pendingPage.all(kind, seq, PAGE) as { key: string; seq: number; at: string | null; data: string }[];
        if (rows.length === 0) break;
        for (const row of rows) {
          const r = this.resolve(tx, JSON.parse(row.data) as RegistryObject);
          if ('missing' in r) {
            const more = (this.q.pendingCount.get() as number) - 1;
            throw new MissingReferenceError(kind, row.key, row.at ?? undefined, r.missing, more);
          }
          this.storeSync(tx, r.obj);
          seq = row.seq;
        }
      }
    }
    for (const q of this.q.stillUsed) {
      const row = q.get() as { kind: ObjectKind; key: string; at: string | null; byKind: ObjectKind; byKey: string } | undefined;
      if (row) {
        throw new StoreRefusal(`${describeObject(row.kind, row.key, row.at ?? undefined)} cannot be removed: ${describeObject(row.byKind, row.byKey)} still refers to it`);
      }
    }
  }

  private checkDepositSync(d: DepositEnvelope, force: boolean): DepositChain | undefined {
    const data = this.q.chain.get(d.tld) as string | undefined;
    const last = data === undefined ? undefined : (JSON.parse(data) as DepositChain);
    const refusal = chainRefusal(d, last);
    if (refusal && !force) throw new StoreRefusal(`${refusal} (--force imports it anyway)`);
    return last;
  }

  private finishDepositSync(tx: TxState, d: DepositEnvelope, force: boolean): ImportCounts {
    if (!tx.deposit) throw new Error('finishDeposit() needs a transaction opened with { deposit: true }');
    const last = this.checkDepositSync(d, force);
    this.settle(tx);
    for (const kind of KINDS) {
      for (const key of this.q.membersAdd[kind].all({ tld: d.tld, kind }) as string[]) this.q.undoPut.run('member', memberKey(d.tld, kind, key), null);
    }
    if (d.type === 'FULL') {
      for (const m of this.q.membersDropUnseen.all(d.tld) as { kind: ObjectKind; key: string }[]) {
        this.q.undoPut.run('member', memberKey(d.tld, m.kind, m.key), '1');
      }
      // Domains first: what they used may then be unreferenced.
      for (const kind of ['domain', 'host', 'contact', 'registrar'] as const) {
        for (let after = kind === 'registrar' ? '0' : ''; ; ) {
          const keys = this.q.sweep[kind].all({ tld: d.tld, after }) as string[];
          if (keys.length === 0) break;
          for (const key of keys) this.removeObject(tx, kind, key, `not in FULL deposit ${d.id}`);
          after = keys[keys.length - 1];
        }
      }
      this.settle(tx);
    }
    const old = this.q.chain.get(d.tld) as string | undefined;
    this.q.undoPut.run('deposit', d.tld, old ?? null);
    this.q.chainPut.run(d.tld, JSON.stringify(nextChain(d, last)));
    this.q.setMeta.run(d.watermark, 'updated_at');
    tx.depositFinished = true;
    const totals = emptyCounts();
    for (const row of this.q.memberCounts.all(d.tld) as { kind: ObjectKind; n: number }[]) totals[row.kind] = row.n;
    return totals;
  }

  private writer(tx: TxState): StoreWriter {
    return {
      put: async (obj, at) => this.putSync(tx, obj, at),
      remove: async (target, at) => this.removeSync(tx, target, at),
      checkDeposit: async (d, force) => void this.checkDepositSync(d, force),
      finishDeposit: async (d, force) => this.finishDepositSync(tx, d, force),
    };
  }

  /** Starts a write transaction that replaces the undo log; returns its state. */
  private begin(deposit: boolean): TxState {
    this.db.exec('BEGIN IMMEDIATE');
    const serial = Number(this.q.metaValue.get('serial')) + 1;
    for (const q of this.q.clearImportTables) q.run();
    return new TxState(serial, deposit);
  }

  /** Moves the serial, prunes the change list and commits (or rolls back a dry run). */
  private end(tx: TxState, dryRun: boolean): void {
    this.q.bump.run();
    const from = Math.max(Number(this.q.metaValue.get('changes_from')), tx.changesOverflow ? tx.serial + 1 : 0, tx.serial - CHANGE_HISTORY + 1);
    this.q.changesPrune.run(from - 1);
    this.q.setMeta.run(String(from), 'changes_from');
    for (const q of this.q.clearImportTables) q.run();
    this.db.exec(dryRun ? 'ROLLBACK' : 'COMMIT');
  }

  async transaction<T>(fn: (writer: StoreWriter) => Promise<T>, options: TransactionOptions = {}): Promise<TransactionSummary<T>> {
    const tx = this.begin(options.deposit ?? false);
    let result: T;
    try {
      this.q.clearUndo.run();
      this.q.undoPut.run('meta', 'updated_at', this.q.metaValue.get('updated_at'));
      result = await fn(this.writer(tx));
      this.settle(tx);
      if (tx.deposit && !tx.depositFinished) throw new Error('a deposit transaction must end with finishDeposit()');
      if (!tx.depositFinished) this.q.setMeta.run(options.updatedAt ?? nowIso(), 'updated_at');
      for (const [name, value] of Object.entries(options.marks ?? {})) this.q.setMark.run(name, value);
      this.end(tx, options.dryRun ?? false);
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    // A large import changes the shape of the data: refresh the planner's statistics (about
    // 1.5 s for a million domains, once per import).
    const puts = tx.counts.registrar + tx.counts.contact + tx.counts.host + tx.counts.domain;
    if (!options.dryRun && puts >= ANALYZE_AFTER_PUTS) this.db.exec('ANALYZE');
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
    if (this.q.undoCount.get() === 0) return undefined;
    const tx = this.begin(false);
    let restored = 0;
    try {
      let updatedAt: string | undefined;
      for (let kind = '', key = ''; ; ) {
        const rows = this.q.undoPage.all(kind, key, PAGE) as { kind: string; key: string; data: string | null }[];
        if (rows.length === 0) break;
        for (const row of rows) {
          if (row.kind === 'meta') updatedAt = row.data ?? undefined;
          else if (row.kind === 'deposit') {
            if (row.data === null) this.q.chainDelete.run(row.key);
            else this.q.chainPut.run(row.key, row.data);
          } else if (row.kind === 'member') {
            const [tld, k, key] = row.key.split('\t');
            if (row.data === null) this.q.memberForget.run(tld, k, key);
            else this.q.memberRestore.run(tld, k, key);
          } else {
            const kind = row.kind as ObjectKind;
            const current = this.q.data[kind].get(this.rowKey(kind, row.key)) as string | undefined;
            if (current !== undefined) this.deleteRow(JSON.parse(current) as RegistryObject);
            if (row.data !== null) this.writeRow(JSON.parse(row.data) as RegistryObject, row.data);
            this.listChange(tx, kind, row.key);
            restored++;
          }
        }
        ({ kind, key } = rows[rows.length - 1]);
      }
      this.q.clearUndo.run();
      if (updatedAt !== undefined) this.q.setMeta.run(updatedAt, 'updated_at');
      this.end(tx, false);
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    return restored;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** The undo log's key for one TLD's membership of one object. */
function memberKey(tld: string, kind: ObjectKind, key: string): string {
  return `${tld}\t${kind}\t${key}`;
}

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}
