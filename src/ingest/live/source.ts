// Reading a registry's own PostgreSQL through the views of the source contract
// (source-contract.ts, docs/live-source.md), read-only: every session is opened with
// default_transaction_read_only, so rdds could not write there even with a role that may.
import pg from 'pg';
import type { Contact, ContactData, Disclose, Domain, Host, ObjectKind, PostalInfo, Registrar, RegistryObject } from '../../model/types.js';
import { contractFaults } from './source-contract.js';

/** The source cannot be used as configured (unreachable, or its views do not meet the contract). */
export class SourceError extends Error {}

export interface SourceChange {
  seq: number;
  kind: ObjectKind;
  key: string;
  /** ISO 8601 UTC, without fractions. */
  changedAt: string;
}

const KINDS = new Set<string>(['registrar', 'contact', 'host', 'domain']);
const DISCLOSE = new Set(['name', 'org', 'addr', 'voice', 'fax', 'email']);

type Row = Record<string, unknown>;

const iso = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : new Date(v as string | Date).toISOString().replace(/\.\d{3}Z$/, 'Z'));
const text = (v: unknown): string | undefined => (v === null || v === undefined || v === '' ? undefined : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => x !== null).map(String) : []);
/** EPP: an object with no other status has status ok. */
const statuses = (v: unknown): string[] => (list(v).length > 0 ? list(v) : ['ok']);

export class LiveSource {
  private constructor(private readonly pool: pg.Pool, private readonly schema: string) {}

  /** Connects and checks the views; throws SourceError naming what is missing or of the wrong type. */
  static async open(url: string, schema: string, onError: (err: Error) => void = () => {}): Promise<LiveSource> {
    const pool = new pg.Pool({ connectionString: url, max: 2, options: '-c default_transaction_read_only=on', connectionTimeoutMillis: 5000 });
    pool.on('error', onError); // an idle connection dropped: the next query reconnects
    const source = new LiveSource(pool, schema);
    try {
      await source.check();
    } catch (err) {
      await pool.end();
      throw err;
    }
    return source;
  }

  private get q(): string {
    return `"${this.schema.replace(/"/g, '""')}"`;
  }

  /** The views against the contract. */
  async check(): Promise<void> {
    let rows: Row[];
    try {
      rows = (await this.pool.query('SELECT table_name, column_name, data_type, udt_name FROM information_schema.columns WHERE table_schema = $1', [this.schema])).rows;
    } catch (err) {
      throw new SourceError(`cannot read the source database: ${(err as Error).message}`);
    }
    const found = new Map<string, Map<string, [string, string]>>();
    for (const r of rows) {
      const view = String(r.table_name);
      if (!found.has(view)) found.set(view, new Map());
      found.get(view)!.set(String(r.column_name), [String(r.data_type), String(r.udt_name)]);
    }
    const faults = contractFaults(this.schema, found);
    if (faults.length > 0) throw new SourceError(`the source does not meet the contract (docs/live-source.md): ${faults.join('; ')}`);
  }

  /** The change log's last and first positions (0 when it is empty). */
  async logBounds(): Promise<{ first: number; last: number }> {
    const r = (await this.pool.query(`SELECT coalesce(min(seq), 0) AS first, coalesce(max(seq), 0) AS last FROM ${this.q}.changes`)).rows[0];
    return { first: Number(r.first), last: Number(r.last) };
  }

  /** Changes after `seq`, oldest first. */
  async changesAfter(seq: number, limit: number): Promise<SourceChange[]> {
    const res = await this.pool.query(`SELECT seq, kind, key, changed_at FROM ${this.q}.changes WHERE seq > $1 ORDER BY seq LIMIT $2`, [seq, limit]);
    return res.rows
      .filter((r) => KINDS.has(String(r.kind)))
      .map((r) => ({ seq: Number(r.seq), kind: r.kind as ObjectKind, key: String(r.key), changedAt: iso(r.changed_at) ?? new Date(0).toISOString() }));
  }

  /** The objects of one kind with these keys as the source has them now (a key absent: the object is gone). */
  async read(kind: ObjectKind, keys: readonly string[]): Promise<Map<string, RegistryObject>> {
    const view = `${kind}s`;
    const column = kind === 'registrar' ? 'iana_id' : kind === 'contact' ? 'handle' : 'name';
    const values = kind === 'registrar' ? keys.map(Number).filter(Number.isSafeInteger) : keys.map((k) => k);
    const res = await this.pool.query(`SELECT * FROM ${this.q}.${view} WHERE ${column} = ANY($1)`, [values]);
    return this.objects(kind, res.rows);
  }

  /** One page of a whole view in key order, after `after` (a full copy). */
  async page(kind: ObjectKind, after: string | undefined, limit: number): Promise<{ objects: RegistryObject[]; last?: string }> {
    const view = `${kind}s`;
    const column = kind === 'registrar' ? 'iana_id' : kind === 'contact' ? 'handle' : 'name';
    const where = after === undefined ? '' : `WHERE ${column} > $2`;
    const params: unknown[] = [limit];
    if (after !== undefined) params.push(kind === 'registrar' ? Number(after) : after);
    const res = await this.pool.query(`SELECT * FROM ${this.q}.${view} ${where} ORDER BY ${column} LIMIT $1`, params);
    const objects = [...(await this.objects(kind, res.rows)).values()];
    const lastRow = res.rows.at(-1);
    return { objects, last: lastRow ? String(lastRow[column]) : undefined };
  }

  private async objects(kind: ObjectKind, rows: Row[]): Promise<Map<string, RegistryObject>> {
    const out = new Map<string, RegistryObject>();
    if (kind === 'domain') {
      const ds = await this.ds(rows.map((r) => String(r.name)));
      for (const r of rows) out.set(String(r.name), domainOf(r, ds.get(String(r.name)) ?? []));
    } else {
      for (const r of rows) {
        const obj = kind === 'registrar' ? registrarOf(r) : kind === 'contact' ? contactOf(r) : hostOf(r);
        out.set(kind === 'registrar' ? String(r.iana_id) : String(r.handle ?? r.name), obj);
      }
    }
    return out;
  }

  private async ds(domains: string[]): Promise<Map<string, Domain['ds']>> {
    const out = new Map<string, Domain['ds']>();
    if (domains.length === 0) return out;
    const res = await this.pool.query(`SELECT domain, key_tag, algorithm, digest_type, digest FROM ${this.q}.domain_ds WHERE domain = ANY($1) ORDER BY domain, key_tag, digest_type`, [domains]);
    for (const r of res.rows) {
      const d = String(r.domain);
      if (!out.has(d)) out.set(d, []);
      out.get(d)!.push({ keyTag: Number(r.key_tag), algorithm: Number(r.algorithm), digestType: Number(r.digest_type), digest: String(r.digest) });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function registrarOf(r: Row): Registrar {
  const out: Registrar = {
    type: 'registrar',
    ianaId: Number(r.iana_id),
    name: String(r.name ?? ''),
    postal: { street: list(r.street), city: String(r.city ?? ''), cc: String(r.cc ?? '') },
    email: String(r.email ?? ''),
    abuseEmail: String(r.abuse_email ?? ''),
    abusePhone: String(r.abuse_phone ?? ''),
  };
  const optional: [keyof Registrar, unknown][] = [['voice', r.voice], ['fax', r.fax], ['whoisServer', r.whois_server], ['url', r.url], ['rdapBaseUrl', r.rdap_base_url]];
  for (const [k, v] of optional) if (text(v) !== undefined) (out as unknown as Record<string, unknown>)[k] = text(v);
  if (text(r.sp)) out.postal.sp = text(r.sp);
  if (text(r.pc)) out.postal.pc = text(r.pc);
  if (iso(r.updated)) out.updated = iso(r.updated);
  return out;
}

function postal(r: Row, prefix: 'int' | 'loc'): PostalInfo | undefined {
  const name = text(r[`${prefix}_name`]);
  if (name === undefined) return undefined;
  const p: PostalInfo = { name, street: list(r[`${prefix}_street`]), city: String(r[`${prefix}_city`] ?? ''), cc: String(r[`${prefix}_cc`] ?? '') };
  const org = text(r[`${prefix}_org`]);
  if (org) p.org = org;
  const sp = text(r[`${prefix}_sp`]);
  if (sp) p.sp = sp;
  const pc = text(r[`${prefix}_pc`]);
  if (pc) p.pc = pc;
  return p;
}

function contactOf(r: Row): Contact {
  const data: ContactData = { email: String(r.email ?? '') };
  const int = postal(r, 'int');
  const loc = postal(r, 'loc');
  if (int) data.postalInt = int;
  if (loc) data.postalLoc = loc;
  for (const [k, v] of [['voice', r.voice], ['voiceExt', r.voice_ext], ['fax', r.fax], ['faxExt', r.fax_ext]] as const) if (text(v)) data[k] = text(v);
  const contact: Contact = { type: 'contact', handle: String(r.handle), roid: String(r.roid), registrarId: Number(r.registrar_id), created: iso(r.created) ?? new Date(0).toISOString(), ...data };
  const disclosed = list(r.disclose).filter((d) => DISCLOSE.has(d));
  if (disclosed.length > 0) contact.disclose = Object.fromEntries(disclosed.map((d) => [d, true])) as Disclose;
  if (iso(r.updated)) contact.updated = iso(r.updated);
  return contact;
}

function hostOf(r: Row): Host {
  const host: Host = { type: 'host', name: String(r.name), roid: String(r.roid), registrarId: Number(r.registrar_id), addresses: list(r.addresses), statuses: statuses(r.statuses), created: iso(r.created) ?? new Date(0).toISOString() };
  if (iso(r.updated)) host.updated = iso(r.updated);
  return host;
}

function domainOf(r: Row, ds: Domain['ds']): Domain {
  const domain: Domain = {
    type: 'domain',
    name: String(r.name),
    roid: String(r.roid),
    registrarId: Number(r.registrar_id),
    nameservers: list(r.nameservers),
    statuses: statuses(r.statuses),
    created: iso(r.created) ?? new Date(0).toISOString(),
    expires: iso(r.expires) ?? new Date(0).toISOString(),
    ds,
  };
  for (const role of ['registrant', 'admin', 'tech', 'billing'] as const) if (text(r[role])) domain[role] = text(r[role]);
  if (iso(r.updated)) domain.updated = iso(r.updated);
  if (iso(r.transferred)) domain.transferred = iso(r.transferred);
  if (text(r.reseller)) domain.reseller = text(r.reseller);
  return domain;
}
