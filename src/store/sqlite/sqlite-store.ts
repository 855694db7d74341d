// The embedded Store: one SQLite file through better-sqlite3. Its calls are synchronous and take
// microseconds, so the async contract is met by returning settled promises (no thread hop).
import Database from 'better-sqlite3';
import { normalizeName } from '../../model/idn.js';
import { canonicalIp, validate, ValidationError } from '../../model/validate.js';
import { CONTACT_ROLES, type Contact, type Domain, type Host, type Registrar, type RegistryObject } from '../../model/types.js';
import { missingReferenceMessage, referencesOf } from '../references.js';
import type { DataVersion, DomainRecord, HostRecord } from '../../model/records.js';
import { emptyCounts, registrarNameKey, type Store } from '../store.js';
import { SQLITE_MIGRATIONS } from './schema.js';
import { SqliteSearch, type SearchTuning } from './search.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { isIP } from 'node:net';

type Row = { data: string } | undefined;

/** Imports at least this large refresh the query planner's statistics when they commit. */
const ANALYZE_AFTER_PUTS = 10000;

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
    this.q = {
      domain: p('SELECT data FROM domains WHERE name = ?'),
      host: p('SELECT data FROM hosts WHERE name = ?'),
      hostsByAddress: p('SELECT h.data FROM host_addresses a JOIN hosts h ON h.name = a.host WHERE a.address = ? ORDER BY h.name'),
      registrar: p('SELECT data FROM registrars WHERE iana_id = ?'),
      registrarByName: p('SELECT data FROM registrars WHERE name_key = ?'),
      contact: p('SELECT data FROM contacts WHERE handle = ?'),
      countDomains: p('SELECT count(*) AS n FROM domains WHERE registrar_id = ?').pluck(),
      meta: p("SELECT key, value FROM meta WHERE key IN ('serial', 'updated_at')"),
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
      bump: p("UPDATE meta SET value = CASE key WHEN 'serial' THEN CAST(value AS INTEGER) + 1 ELSE strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END WHERE key IN ('serial', 'updated_at')"),
    };
  }

  /** `searchTuning` is for tests: it forces domain searches onto a given plan (see search.ts). */
  static open(path: string, options: { searchTuning?: SearchTuning } = {}): SqliteStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let i = version; i < SQLITE_MIGRATIONS.length; i++) {
      db.transaction(() => {
        db.exec(SQLITE_MIGRATIONS[i]);
        db.pragma(`user_version = ${i + 1}`);
      })();
    }
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

  async searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>> {
    return this.search.searchDomains(expr, page);
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

  private putSync(input: RegistryObject): RegistryObject {
    const obj = validate(input);
    for (const ref of referencesOf(obj)) {
      if (this.q.exists[ref.kind].get(ref.key) === undefined) throw new ValidationError(ref.field, missingReferenceMessage(ref));
    }
    this.search.index(obj);
    const json = JSON.stringify(obj);
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
    return obj;
  }

  async transaction<T>(fn: (writer: { put(obj: RegistryObject): Promise<void> }) => Promise<T>) {
    const counts = emptyCounts();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = await fn({
        put: async (obj) => {
          counts[this.putSync(obj).type]++;
        },
      });
      this.q.bump.run();
      this.db.exec('COMMIT');
      // A large import changes the shape of the data: refresh the planner's statistics (about
      // 1.5 s for a million domains, once per import).
      if (counts.registrar + counts.contact + counts.host + counts.domain >= ANALYZE_AFTER_PUTS) this.db.exec('ANALYZE');
      return { result, counts };
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
