// Search on the PostgreSQL store: pg_trgm GIN indexes serve partial matches and wildcards (ILIKE
// with a run of three or more literal characters), B-tree indexes the exact fields, and two
// mapping tables lead from contacts and hosts to the domains that use them. The mapping rows are
// written by the same batched flush as the records (BatchWriter.flush calls indexBatch), so a
// search sees what lookups see, in the same transaction.
//
// A boolean expression compiles to one compound SELECT: AND = INTERSECT (then EXCEPT for NOT),
// OR = UNION; every term yields domain names, and the outer query sorts and pages them: by name,
// or by a date and then the name, ascending or descending, after a keyset position
// (SearchPage.after) or at an offset.
import type pg from 'pg';
import { isIP } from 'node:net';
import { CONTACT_ROLES, type Contact, type ContactRole, type Domain, type Host, type Registrar } from '../../model/types.js';
import { canonicalIp } from '../../model/validate.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { hasWildcard, likePattern } from '../search-pattern.js';
import type { HostRecord } from '../../model/records.js';
import { registrarNameKey } from '../store.js';

/**
 * Appended to POSTGRES_MIGRATIONS. pg_trgm goes into `public` (one per database, whatever the
 * search_path of the node that migrates first), and its operator class is named with that schema.
 */
export const POSTGRES_SEARCH_MIGRATION = `
  CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
  CREATE TABLE domain_contacts (contact text COLLATE "C" NOT NULL, domain text COLLATE "C" NOT NULL, PRIMARY KEY (contact, domain));
  CREATE INDEX domain_contacts_by_domain ON domain_contacts (domain);
  CREATE TABLE domain_hosts (host text COLLATE "C" NOT NULL, domain text COLLATE "C" NOT NULL, PRIMARY KEY (host, domain));
  CREATE INDEX domain_hosts_by_domain ON domain_hosts (domain);
  CREATE TABLE domain_names (name text COLLATE "C" PRIMARY KEY, uname text);
  CREATE INDEX domain_names_trgm ON domain_names USING gin (lower(name) public.gin_trgm_ops, lower(uname) public.gin_trgm_ops);
  CREATE TABLE host_names (name text COLLATE "C" PRIMARY KEY, uname text);
  CREATE INDEX host_names_trgm ON host_names USING gin (lower(name) public.gin_trgm_ops, lower(uname) public.gin_trgm_ops);
  CREATE TABLE contact_search (handle text COLLATE "C" NOT NULL, form smallint NOT NULL, name text, org text, street text, city text, sp text, pc text, cc text, PRIMARY KEY (handle, form));
  CREATE INDEX contact_search_cc ON contact_search (cc);
  CREATE INDEX contact_search_trgm ON contact_search USING gin (
    lower(name) public.gin_trgm_ops, lower(org) public.gin_trgm_ops, lower(street) public.gin_trgm_ops,
    lower(city) public.gin_trgm_ops, lower(sp) public.gin_trgm_ops, lower(pc) public.gin_trgm_ops);
  CREATE INDEX registrars_name_trgm ON registrars USING gin (name_key public.gin_trgm_ops);

  INSERT INTO domain_contacts (contact, domain)
    SELECT DISTINCT h, d.name FROM domains d, LATERAL (SELECT d.data::jsonb AS j) x,
      unnest(ARRAY[x.j->>'registrant', x.j->>'admin', x.j->>'tech', x.j->>'billing']) h WHERE h IS NOT NULL;
  INSERT INTO domain_hosts (host, domain)
    SELECT DISTINCT ns, d.name FROM domains d, jsonb_array_elements_text(d.data::jsonb->'nameservers') ns;
  INSERT INTO domain_names (name, uname) SELECT name, data::jsonb->>'unicodeName' FROM domains;
  INSERT INTO host_names (name, uname) SELECT name, data::jsonb->>'unicodeName' FROM hosts;
  INSERT INTO contact_search (handle, form, name, org, street, city, sp, pc, cc)
    SELECT c.handle, f.form, f.p->>'name', f.p->>'org',
      (SELECT string_agg(s, ', ') FROM jsonb_array_elements_text(f.p->'street') s),
      f.p->>'city', f.p->>'sp', f.p->>'pc', f.p->>'cc'
    FROM contacts c, LATERAL (VALUES (0, c.data::jsonb->'postalInt'), (1, c.data::jsonb->'postalLoc')) f(form, p)
    WHERE f.p IS NOT NULL AND jsonb_typeof(f.p) = 'object';
`;

/**
 * Appended to POSTGRES_MIGRATIONS after the first: what RDAP reverse search (RFC 9536) needs, as in
 * the SQLite store: the roles in which each domain uses each contact (ROLE_BITS), and contact
 * e-mail addresses (B-tree on lower(email) for exact and prefix matches, trigram for the rest).
 */
export const POSTGRES_REVERSE_SEARCH_MIGRATION = `
  ALTER TABLE domain_contacts ADD COLUMN roles smallint NOT NULL DEFAULT 0;
  UPDATE domain_contacts dc SET roles =
    (CASE WHEN x.j->>'registrant' = dc.contact THEN 1 ELSE 0 END) | (CASE WHEN x.j->>'admin' = dc.contact THEN 2 ELSE 0 END)
    | (CASE WHEN x.j->>'tech' = dc.contact THEN 4 ELSE 0 END) | (CASE WHEN x.j->>'billing' = dc.contact THEN 8 ELSE 0 END)
    FROM (SELECT name, data::jsonb AS j FROM domains) x WHERE x.name = dc.domain;
  ALTER TABLE contact_search ADD COLUMN email text;
  UPDATE contact_search s SET email = c.data::jsonb->>'email' FROM contacts c WHERE c.handle = s.handle;
  CREATE INDEX contact_search_email ON contact_search (lower(email) text_pattern_ops) INCLUDE (handle);
  CREATE INDEX contact_search_email_trgm ON contact_search USING gin (lower(email) public.gin_trgm_ops);
`;

/** The bit of each contact role in domain_contacts.roles (the same as in the SQLite store). */
const ROLE_BITS: Record<ContactRole, number> = { registrant: 1, admin: 2, tech: 4, billing: 8 };

function roleCondition(role: ContactRole | undefined): string {
  return role ? ` AND (dc.roles & ${ROLE_BITS[role]}) <> 0` : '';
}
interface Sql {
  sql: string;
  params: unknown[];
}

/** Writes the search rows of one flushed batch (after its records are written). */
export async function indexBatch(
  client: pg.PoolClient,
  batch: { contacts: Contact[]; hosts: Host[]; domains: Domain[] },
): Promise<void> {
  const q = (sql: string, values: unknown[]) => client.query(sql, values);
  const { contacts, hosts, domains } = batch;
  if (contacts.length) {
    const handles = contacts.map((c) => c.handle);
    await q('DELETE FROM contact_search WHERE handle = ANY ($1::text[])', [handles]);
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
    for (const c of contacts) {
      [c.postalInt, c.postalLoc].forEach((p, form) => {
        if (!p) return;
        [c.handle, form, p.name, p.org ?? null, p.street.join(', '), p.city, p.sp ?? null, p.pc ?? null, p.cc, c.email].forEach((v, i) => cols[i].push(v));
      });
    }
    await q(
      `INSERT INTO contact_search (handle, form, name, org, street, city, sp, pc, cc, email)
       SELECT * FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
      cols,
    );
  }
  if (hosts.length) {
    await q(
      `INSERT INTO host_names (name, uname) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (name) DO NOTHING`,
      [hosts.map((h) => h.name), hosts.map((h) => h.unicodeName ?? null)],
    );
  }
  if (domains.length) {
    const names = domains.map((d) => d.name);
    const byName = new Map(domains.map((d) => [d.name, d]));
    await q(`INSERT INTO domain_names (name, uname) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (name) DO NOTHING`, [
      names,
      domains.map((d) => d.unicodeName ?? null),
    ]);
    await q('DELETE FROM domain_contacts WHERE domain = ANY ($1::text[])', [names]);
    await q('DELETE FROM domain_hosts WHERE domain = ANY ($1::text[])', [names]);
    const pairs = (get: (d: Domain) => (string | undefined)[]) => {
      const a: string[] = [];
      const b: string[] = [];
      for (const d of domains) for (const k of new Set(get(d))) if (k !== undefined) (a.push(k), b.push(d.name));
      return [a, b];
    };
    const [ch, cd] = pairs((d) => [d.registrant, d.admin, d.tech, d.billing]);
    const roles = ch.map((handle, i) => {
      const d = byName.get(cd[i])!;
      return CONTACT_ROLES.reduce((bits, role) => (d[role] === handle ? bits | ROLE_BITS[role] : bits), 0);
    });
    if (ch.length) await q('INSERT INTO domain_contacts (contact, domain, roles) SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[])', [ch, cd, roles]);
    const [hh, hd] = pairs((d) => d.nameservers);
    if (hh.length) await q('INSERT INTO domain_hosts (host, domain) SELECT * FROM unnest($1::text[], $2::text[])', [hh, hd]);
  }
}

/** Removes the search rows of objects about to be deleted. */
export async function unindexBatch(client: pg.PoolClient, kind: 'registrar' | 'contact' | 'host' | 'domain', keys: string[]): Promise<void> {
  const q = (sql: string) => client.query(sql, [keys]);
  switch (kind) {
    case 'domain':
      await q('DELETE FROM domain_names WHERE name = ANY ($1::text[])');
      await q('DELETE FROM domain_contacts WHERE domain = ANY ($1::text[])');
      await q('DELETE FROM domain_hosts WHERE domain = ANY ($1::text[])');
      break;
    case 'host':
      await q('DELETE FROM host_names WHERE name = ANY ($1::text[])');
      break;
    case 'contact':
      await q('DELETE FROM contact_search WHERE handle = ANY ($1::text[])');
      break;
    case 'registrar':
      break;
  }
}

export class PostgresSearch {
  constructor(private readonly pool: pg.Pool) {}

  async searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>> {
    const c = compile(expr, new Params());
    if (page.order && page.order !== 'name') return this.byDate(c, page, page.order);
    return this.page(c, page);
  }

  /** A page in a date order: the match set with each domain's date, sorted, after the keyset position. */
  private async byDate(c: Sql, page: SearchPage, order: 'created' | 'expires'): Promise<SearchResult<string>> {
    const params = new Params(c.params);
    const value = `(d.data::jsonb->>'${order}') COLLATE "C"`;
    const dir = page.descending ? 'DESC' : 'ASC';
    const after = page.after ? `AND (${value}, d.name) ${page.descending ? '<' : '>'} (${params.add(page.after.value ?? '')}, ${params.add(page.after.key)})` : '';
    const res = await this.pool.query<{ name: string; value: string }>(
      `SELECT d.name, ${value} AS value FROM (SELECT DISTINCT name FROM (${c.sql}) AS found) m JOIN domains d ON d.name = m.name
       WHERE true ${after} ORDER BY ${value} ${dir}, d.name ${dir} LIMIT ${params.add(page.limit + 1)} OFFSET ${params.add(page.offset ?? 0)}`,
      params.values,
    );
    const shown = res.rows.slice(0, page.limit);
    return { items: shown.map((r) => r.name), values: shown.map((r) => r.value), truncated: res.rows.length > page.limit };
  }

  async countDomains(expr: SearchExpr): Promise<number> {
    const c = compile(expr, new Params());
    const res = await this.pool.query<{ n: string }>(`SELECT count(DISTINCT name) AS n FROM (${c.sql}) AS found`, c.params);
    return Number(res.rows[0].n);
  }

  async searchHosts(q: { name?: string; address?: string }, page: SearchPage): Promise<SearchResult<HostRecord>> {
    const params = new Params();
    const parts: string[] = [];
    if (q.name !== undefined) parts.push(hostNameTerm(q.name.toLowerCase(), 'name', params));
    if (q.address !== undefined) {
      if (!isIP(q.address)) return { items: [], truncated: false };
      parts.push(`SELECT host AS name FROM host_addresses WHERE address = ${params.add(canonicalIp(q.address))}`);
    }
    if (parts.length === 0) return { items: [], truncated: false };
    const names = await this.page({ sql: intersect(parts), params: params.values }, page);
    if (names.items.length === 0) return { items: [], truncated: names.truncated };
    const res = await this.pool.query<{ data: string; registrar: string }>(
      `SELECT h.data, r.data AS registrar FROM hosts h JOIN registrars r ON r.iana_id = h.registrar_id WHERE h.name = ANY ($1::text[]) ORDER BY h.name ${page.descending ? 'DESC' : 'ASC'}`,
      [names.items],
    );
    return { items: res.rows.map((r) => ({ host: JSON.parse(r.data) as Host, registrar: JSON.parse(r.registrar) as Registrar })), truncated: names.truncated };
  }

  async searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): Promise<SearchResult<Contact>> {
    const params = new Params();
    const parts: string[] = [];
    if (q.fn !== undefined) parts.push(`SELECT handle AS name FROM contact_search WHERE ${ilike('lower(name)', q.fn, true, params)}`);
    if (q.handle !== undefined) {
      parts.push(
        hasWildcard(q.handle)
          ? `SELECT handle AS name FROM contacts WHERE handle LIKE ${params.add(likePattern(q.handle, false).like)}`
          : `SELECT handle AS name FROM contacts WHERE handle = ${params.add(q.handle)}`,
      );
    }
    if (parts.length === 0) return { items: [], truncated: false };
    const handles = await this.page({ sql: intersect(parts), params: params.values }, page);
    if (handles.items.length === 0) return { items: [], truncated: handles.truncated };
    const res = await this.pool.query<{ data: string }>(`SELECT data FROM contacts WHERE handle = ANY ($1::text[]) ORDER BY handle ${page.descending ? 'DESC' : 'ASC'}`, [handles.items]);
    return { items: res.rows.map((r) => JSON.parse(r.data) as Contact), truncated: handles.truncated };
  }

  async searchRegistrars(q: { fn?: string }, page: SearchPage): Promise<SearchResult<Registrar>> {
    if (q.fn === undefined) return { items: [], truncated: false };
    const after = page.after ? `AND iana_id ${page.descending ? '<' : '>'} $4` : '';
    const res = await this.pool.query<{ data: string }>(
      `SELECT data FROM registrars WHERE name_key LIKE $1 ${after} ORDER BY iana_id ${page.descending ? 'DESC' : 'ASC'} LIMIT $2 OFFSET $3`,
      [likePattern(registrarNameKey(q.fn), true).like, page.limit + 1, page.offset ?? 0, ...(page.after ? [Number(page.after.key)] : [])],
    );
    return { items: res.rows.slice(0, page.limit).map((r) => JSON.parse(r.data) as Registrar), truncated: res.rows.length > page.limit };
  }

  /** Distinct names of a compound SELECT, sorted in the page's direction, after its keyset position. */
  private async page(c: Sql, page: SearchPage): Promise<SearchResult<string>> {
    const params = new Params(c.params);
    const after = page.after ? `WHERE name ${page.descending ? '<' : '>'} ${params.add(page.after.key)}` : '';
    const res = await this.pool.query<{ name: string }>(
      `SELECT DISTINCT name FROM (${c.sql}) AS found ${after} ORDER BY name ${page.descending ? 'DESC' : 'ASC'} LIMIT ${params.add(page.limit + 1)} OFFSET ${params.add(page.offset ?? 0)}`,
      params.values,
    );
    const items = res.rows.map((r) => r.name);
    return { items: items.slice(0, page.limit), truncated: items.length > page.limit };
  }
}

class Params {
  readonly values: unknown[];
  constructor(values: unknown[] = []) {
    this.values = [...values];
  }
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** ILIKE on a lower-cased column (the trigram indexes are on lower(...)); `\\` is ILIKE's default escape. */
function ilike(column: string, pattern: string, substring: boolean, params: Params): string {
  return `${column} LIKE ${params.add(likePattern(pattern.toLowerCase(), substring).like)}`;
}

function intersect(parts: string[]): string {
  return parts.map((p) => `(${p})`).join(' INTERSECT ');
}

function hostNameTerm(pattern: string, out: 'name' | 'domain', params: Params): string {
  if (!hasWildcard(pattern)) {
    return out === 'name'
      ? `SELECT name FROM hosts WHERE name = ${params.add(pattern)}`
      : `SELECT domain AS name FROM domain_hosts WHERE host = ${params.add(pattern)}`;
  }
  const hosts = `SELECT name FROM host_names WHERE ${ilike('lower(name)', pattern, false, params)} OR ${ilike('lower(uname)', pattern, false, params)}`;
  return out === 'name' ? hosts : `SELECT dh.domain AS name FROM (${hosts}) h JOIN domain_hosts dh ON dh.host = h.name`;
}

const CONTACT_COLUMNS = new Set(['name', 'org', 'street', 'city', 'sp', 'pc']);

type TermOf = Extract<SearchExpr, { op: 'term' }>;

function term(t: TermOf, params: Params): string {
  const { field, pattern } = t;
  const role = roleCondition(t.role);
  switch (field) {
    case 'domain':
      return `SELECT name FROM domain_names WHERE ${ilike('lower(name)', pattern, true, params)} OR ${ilike('lower(uname)', pattern, true, params)}`;
    case 'cc': {
      const cond = hasWildcard(pattern) ? `s.cc LIKE ${params.add(likePattern(pattern.toUpperCase(), false).like)}` : `s.cc = ${params.add(pattern.toUpperCase())}`;
      return `SELECT dc.domain AS name FROM contact_search s JOIN domain_contacts dc ON dc.contact = s.handle${role} WHERE ${cond}`;
    }
    case 'email': {
      const cond = hasWildcard(pattern) ? ilike('lower(s.email)', pattern, false, params) : `lower(s.email) = ${params.add(pattern.toLowerCase())}`;
      return `SELECT dc.domain AS name FROM contact_search s JOIN domain_contacts dc ON dc.contact = s.handle${role} WHERE ${cond}`;
    }
    case 'handle': {
      const cond = hasWildcard(pattern) ? `dc.contact LIKE ${params.add(likePattern(pattern, false).like)}` : `dc.contact = ${params.add(pattern)}`;
      return `SELECT dc.domain AS name FROM domain_contacts dc WHERE ${cond}${role}`;
    }
    case 'registrar':
      if (/^\d{1,10}$/.test(pattern)) return `SELECT name FROM domains WHERE registrar_id = ${params.add(Number(pattern))}`;
      return `SELECT d.name FROM registrars r JOIN domains d ON d.registrar_id = r.iana_id WHERE r.name_key LIKE ${params.add(likePattern(registrarNameKey(pattern), !t.whole).like)}`;
    case 'ns':
      return hostNameTerm(pattern.toLowerCase(), 'domain', params);
    case 'nsip':
      return `SELECT dh.domain AS name FROM host_addresses a JOIN domain_hosts dh ON dh.host = a.host WHERE a.address = ${params.add(isIP(pattern) ? canonicalIp(pattern) : pattern)}`;
    default:
      if (!CONTACT_COLUMNS.has(field)) throw new Error(`unknown search field ${field}`);
      return `SELECT dc.domain AS name FROM contact_search s JOIN domain_contacts dc ON dc.contact = s.handle${role} WHERE ${ilike(`lower(s.${field})`, pattern, !t.whole, params)}`;
  }
}

function compile(expr: SearchExpr, params: Params): Sql {
  const walk = (e: SearchExpr): string => {
    switch (e.op) {
      case 'term':
        return term(e, params);
      case 'or':
        return e.args.map((a) => `(${walk(a)})`).join(' UNION ');
      case 'not':
        throw new Error('NOT needs a positive term beside it');
      case 'and': {
        const positive = e.args.filter((a) => a.op !== 'not');
        if (positive.length === 0) throw new Error('NOT needs a positive term beside it');
        const kept = positive.map((a) => `(${walk(a)})`).join(' INTERSECT ');
        const negative = e.args.flatMap((a) => (a.op === 'not' ? [`(${walk(a.arg)})`] : []));
        return negative.length ? `(${kept}) EXCEPT ${negative.join(' EXCEPT ')}` : kept;
      }
    }
  };
  const sql = walk(expr);
  return { sql, params: params.values };
}
