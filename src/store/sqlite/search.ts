// Search on the SQLite store: FTS5 tables with the trigram tokenizer serve partial matches and
// wildcards (a LIKE pattern with a run of three or more literal characters is answered from the
// index; shorter runs fall back to a scan), and two mapping tables lead from contacts and hosts to
// the domains that use them. The index is kept in the same put as the record (SqliteStore.putSync
// calls index() first), so a search sees exactly what lookups see, in the same transaction.
//
// A search answers one page of domain names in name order without building every term's whole set:
//  1. Candidates from one small conjunct: the first positive term (or group) of the top-level AND
//     that yields at most driverCap rows, tried cheapest kind first and read with a LIMIT, so a
//     big term costs little to give up on. The candidates are sorted and every other conjunct is
//     tested row by row (test(), the per-domain mirror of term()), stopping when the page is full.
//  2. No small conjunct: the first scanWindow domains in name order are tested against the whole
//     expression; when the page fills up within them (dense results), or they are all there is,
//     that is the answer.
//  3. Otherwise one compound SELECT: AND = INTERSECT (then EXCEPT for NOT), OR = UNION ALL; every
//     term yields domain names, and the outer query sorts and pages them.
// Pages are keyset pages (SearchPage.after: only names after the last one shown, in either
// direction), so a deep page costs what the first one does; OFFSET is kept for the web's pages. A
// date order (RDAP sort) reads the whole match set with each domain's date (a compound SELECT).
import type Database from 'better-sqlite3';
import { isIP } from 'node:net';
import { CONTACT_ROLES, type Contact, type ContactRole, type Domain, type Host, type Registrar, type RegistryObject } from '../../model/types.js';
import { canonicalIp } from '../../model/validate.js';
import type { SearchExpr, SearchPage, SearchResult } from '../../model/search.js';
import { hasWildcard, likePattern } from '../search-pattern.js';
import type { HostRecord } from '../../model/records.js';
import { registrarNameKey } from '../store.js';

/** Appended to SQLITE_MIGRATIONS: the search tables, filled from what is already stored. */
export const SQLITE_SEARCH_MIGRATION = `
  CREATE TABLE domain_contacts (contact TEXT NOT NULL, domain TEXT NOT NULL, PRIMARY KEY (contact, domain)) WITHOUT ROWID;
  CREATE TABLE domain_hosts (host TEXT NOT NULL, domain TEXT NOT NULL, PRIMARY KEY (host, domain)) WITHOUT ROWID;
  CREATE VIRTUAL TABLE domain_fts USING fts5(name, uname, tokenize = 'trigram');
  CREATE VIRTUAL TABLE host_fts USING fts5(name, uname, tokenize = 'trigram');
  CREATE TABLE contact_search (id INTEGER PRIMARY KEY, handle TEXT NOT NULL, name TEXT, org TEXT, street TEXT, city TEXT, sp TEXT, pc TEXT, cc TEXT);
  CREATE INDEX contact_search_by_handle ON contact_search (handle);
  CREATE INDEX contact_search_by_cc ON contact_search (cc);
  CREATE VIRTUAL TABLE contact_fts USING fts5(name, org, street, city, sp, pc, content = 'contact_search', content_rowid = 'id', tokenize = 'trigram');

  INSERT INTO domain_contacts (contact, domain)
    SELECT DISTINCT h.value, d.name FROM domains d,
      json_each(json_array(json_extract(d.data, '$.registrant'), json_extract(d.data, '$.admin'), json_extract(d.data, '$.tech'), json_extract(d.data, '$.billing'))) h
    WHERE h.value IS NOT NULL;
  INSERT OR IGNORE INTO domain_hosts (host, domain) SELECT ns.value, d.name FROM domains d, json_each(d.data, '$.nameservers') ns;
  INSERT INTO domain_fts (name, uname) SELECT name, json_extract(data, '$.unicodeName') FROM domains;
  INSERT INTO host_fts (name, uname) SELECT name, json_extract(data, '$.unicodeName') FROM hosts;
  INSERT INTO contact_search (handle, name, org, street, city, sp, pc, cc)
    SELECT c.handle, json_extract(p.value, '$.name'), json_extract(p.value, '$.org'),
      (SELECT group_concat(s.value, ', ') FROM json_each(p.value, '$.street') s),
      json_extract(p.value, '$.city'), json_extract(p.value, '$.sp'), json_extract(p.value, '$.pc'), json_extract(p.value, '$.cc')
    FROM contacts c, json_each(json_array(json_extract(c.data, '$.postalInt'), json_extract(c.data, '$.postalLoc'))) p
    WHERE p.value IS NOT NULL;
  INSERT INTO contact_fts (contact_fts) VALUES ('rebuild');
`;

/**
 * Appended to SQLITE_MIGRATIONS after the first: what RDAP reverse search (RFC 9536) needs. The
 * roles in which each domain uses each contact (a bit per role, ROLE_BITS), and contact e-mail
 * addresses (in contact_search, a case-insensitive B-tree with the handle for exact and prefix
 * matches, and in a rebuilt contact_fts for the other patterns).
 */
export const SQLITE_REVERSE_SEARCH_MIGRATION = `
  ALTER TABLE domain_contacts ADD COLUMN roles INTEGER NOT NULL DEFAULT 0;
  UPDATE domain_contacts SET roles = (
    SELECT (json_extract(d.data, '$.registrant') IS domain_contacts.contact) | ((json_extract(d.data, '$.admin') IS domain_contacts.contact) << 1)
      | ((json_extract(d.data, '$.tech') IS domain_contacts.contact) << 2) | ((json_extract(d.data, '$.billing') IS domain_contacts.contact) << 3)
    FROM domains d WHERE d.name = domain_contacts.domain);
  ALTER TABLE contact_search ADD COLUMN email TEXT COLLATE NOCASE;
  UPDATE contact_search SET email = (SELECT json_extract(c.data, '$.email') FROM contacts c WHERE c.handle = contact_search.handle);
  CREATE INDEX contact_search_by_email ON contact_search (email, handle);
  DROP TABLE contact_fts;
  CREATE VIRTUAL TABLE contact_fts USING fts5(name, org, street, city, sp, pc, email, content = 'contact_search', content_rowid = 'id', tokenize = 'trigram');
  INSERT INTO contact_fts (contact_fts) VALUES ('rebuild');
`;

/** The bit of each contact role in domain_contacts.roles. */
export const ROLE_BITS: Record<ContactRole, number> = { registrant: 1, admin: 2, tech: 4, billing: 8 };

/** Contact columns a domain search can name, in contact_search and contact_fts (free text). */
const CONTACT_COLUMNS = new Set(['name', 'org', 'street', 'city', 'sp', 'pc']);

/** The roles in which a domain uses a contact, as domain_contacts.roles bits. */
function roleBits(d: Domain, handle: string): number {
  let bits = 0;
  for (const role of CONTACT_ROLES) if (d[role] === handle) bits |= ROLE_BITS[role];
  return bits;
}

/**
 * driverCap: most rows a conjunct may yield to be the candidates (a big one is given up after
 * this many). scanWindow: how many domains, in name order, the dense-results scan looks at.
 */
export interface SearchTuning {
  driverCap: number;
  scanWindow: number;
}

export const SEARCH_TUNING: SearchTuning = { driverCap: 20_000, scanWindow: 10_000 };

interface Sql {
  sql: string;
  params: unknown[];
}

type ContactRow = { id: number; name: string | null; org: string | null; street: string | null; city: string | null; sp: string | null; pc: string | null; email: string | null };

export class SqliteSearch {
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly tuning = SEARCH_TUNING,
  ) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      oldDomain: p('SELECT data FROM domains WHERE name = ?').pluck(),
      hostExists: p('SELECT 1 FROM hosts WHERE name = ?').pluck(),
      addContact: p('INSERT INTO domain_contacts (contact, domain, roles) VALUES (?, ?, ?) ON CONFLICT (contact, domain) DO UPDATE SET roles = excluded.roles'),
      dropContact: p('DELETE FROM domain_contacts WHERE contact = ? AND domain = ?'),
      addHost: p('INSERT OR IGNORE INTO domain_hosts (host, domain) VALUES (?, ?)'),
      dropHost: p('DELETE FROM domain_hosts WHERE host = ? AND domain = ?'),
      domainFts: p('INSERT INTO domain_fts (name, uname) VALUES (?, ?)'),
      hostFts: p('INSERT INTO host_fts (name, uname) VALUES (?, ?)'),
      // GLOB with the exact name is answered from the trigram index; = would scan the table.
      dropDomainFts: p('DELETE FROM domain_fts WHERE rowid IN (SELECT rowid FROM domain_fts WHERE name GLOB ?)'),
      dropHostFts: p('DELETE FROM host_fts WHERE rowid IN (SELECT rowid FROM host_fts WHERE name GLOB ?)'),
      dropDomainContacts: p('DELETE FROM domain_contacts WHERE domain = ?'),
      dropDomainHosts: p('DELETE FROM domain_hosts WHERE domain = ?'),
      contactRows: p('SELECT id, name, org, street, city, sp, pc, email FROM contact_search WHERE handle = ?'),
      contactFtsDelete: p("INSERT INTO contact_fts (contact_fts, rowid, name, org, street, city, sp, pc, email) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?)"),
      contactDelete: p('DELETE FROM contact_search WHERE handle = ?'),
      contactInsert: p('INSERT INTO contact_search (handle, name, org, street, city, sp, pc, email, cc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      contactFtsInsert: p('INSERT INTO contact_fts (rowid, name, org, street, city, sp, pc, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      contact: p('SELECT data FROM contacts WHERE handle = ?').pluck(),
      host: p('SELECT data FROM hosts WHERE name = ?').pluck(),
      registrar: p('SELECT data FROM registrars WHERE iana_id = ?').pluck(),
      countUpTo: p('SELECT count(*) FROM (SELECT 1 FROM domains LIMIT ?)').pluck(),
      countAfter: p('SELECT count(*) FROM (SELECT 1 FROM domains WHERE name > ? LIMIT ?)').pluck(),
      countBefore: p('SELECT count(*) FROM (SELECT 1 FROM domains WHERE name < ? LIMIT ?)').pluck(),
    };
  }

  /** Brings the search tables up to date for an object about to be upserted (call before the write). */
  index(obj: RegistryObject): void {
    switch (obj.type) {
      case 'domain': {
        const old = this.q.oldDomain.get(obj.name) as string | undefined;
        const contacts = new Set([obj.registrant, obj.admin, obj.tech, obj.billing].filter((h): h is string => h !== undefined));
        const hosts = new Set(obj.nameservers);
        if (old === undefined) {
          this.q.domainFts.run(obj.name, obj.unicodeName ?? null);
        } else {
          // Names never change; only the contacts and name servers a domain uses do.
          const prev = JSON.parse(old) as { registrant?: string; admin?: string; tech?: string; billing?: string; nameservers: string[] };
          for (const h of [prev.registrant, prev.admin, prev.tech, prev.billing]) if (h !== undefined && !contacts.has(h)) this.q.dropContact.run(h, obj.name);
          for (const h of prev.nameservers) if (!hosts.has(h)) this.q.dropHost.run(h, obj.name);
        }
        for (const h of contacts) this.q.addContact.run(h, obj.name, roleBits(obj, h));
        for (const h of hosts) this.q.addHost.run(h, obj.name);
        break;
      }
      case 'host':
        if (this.q.hostExists.get(obj.name) === undefined) this.q.hostFts.run(obj.name, obj.unicodeName ?? null);
        break;
      case 'contact': {
        this.dropContactSearchRows(obj.handle);
        for (const postal of [obj.postalInt, obj.postalLoc]) {
          if (!postal) continue;
          const values = [postal.name, postal.org ?? null, postal.street.join(', '), postal.city, postal.sp ?? null, postal.pc ?? null, obj.email] as const;
          const { lastInsertRowid } = this.q.contactInsert.run(obj.handle, ...values, postal.cc);
          this.q.contactFtsInsert.run(lastInsertRowid, ...values);
        }
        break;
      }
      case 'registrar':
        break;
    }
  }

  /** Removes an object from the search tables (call before it is deleted). */
  unindex(obj: RegistryObject): void {
    switch (obj.type) {
      case 'domain':
        this.q.dropDomainFts.run(obj.name);
        this.q.dropDomainContacts.run(obj.name);
        this.q.dropDomainHosts.run(obj.name);
        break;
      case 'host':
        this.q.dropHostFts.run(obj.name);
        break;
      case 'contact':
        this.dropContactSearchRows(obj.handle);
        break;
      case 'registrar':
        break;
    }
  }

  private dropContactSearchRows(handle: string): void {
    for (const row of this.q.contactRows.all(handle) as ContactRow[]) {
      this.q.contactFtsDelete.run(row.id, row.name, row.org, row.street, row.city, row.sp, row.pc, row.email);
    }
    this.q.contactDelete.run(handle);
  }

  searchDomains(expr: SearchExpr, page: SearchPage): SearchResult<string> {
    if (page.order && page.order !== 'name') return this.byDate(expr, page, page.order);
    const tuning = this.tuning;
    const result = (rows: string[]) => ({ items: rows.slice(0, page.limit), truncated: rows.length > page.limit });
    const keyset = nameKeyset('x.name', page);
    const conjuncts = expr.op === 'and' ? expr.args : [expr];
    const positives = conjuncts.filter((a) => a.op !== 'not').sort((a, b) => driverOrder(a) - driverOrder(b));
    for (const driver of positives) {
      const set = compile(driver);
      const names = this.db.prepare(`SELECT name FROM (${set.sql}) LIMIT ?`).pluck().all(...set.params, tuning.driverCap + 1) as string[];
      if (names.length > tuning.driverCap) continue;
      const rest = conjuncts.filter((a) => a !== driver);
      return result(this.tested({ sql: 'SELECT DISTINCT value FROM json_each(?) ORDER BY value', params: [JSON.stringify(names)] }, rest, page, keyset));
    }
    // The first scanWindow domains after the page's start, in the page's direction.
    const windowStart = nameKeyset('name', page);
    const windowSql = `SELECT name FROM domains WHERE ${windowStart.sql} ORDER BY name ${windowStart.direction} LIMIT ?`;
    const window = this.tested({ sql: windowSql, params: [...windowStart.params, tuning.scanWindow] }, conjuncts, page, keyset);
    if (window.length > page.limit || this.domainsLeft(page, tuning.scanWindow) < tuning.scanWindow) return result(window); // a full page, or every domain left
    const compiled = compile(expr);
    const outer = nameKeyset('name', page);
    const rows = this.db
      .prepare(`SELECT DISTINCT name FROM (${compiled.sql}) WHERE ${outer.sql} ORDER BY name ${outer.direction} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...compiled.params, ...outer.params, page.limit + 1, page.offset ?? 0) as string[];
    return result(rows);
  }

  /** How many domains come after the page's start (counted up to `max`). */
  private domainsLeft(page: SearchPage, max: number): number {
    if (!page.after) return this.q.countUpTo.get(max) as number;
    return (page.descending ? this.q.countBefore : this.q.countAfter).get(page.after.key, max) as number;
  }

  /** A page in a date order: the whole match set with each domain's date, sorted, after the keyset position. */
  private byDate(expr: SearchExpr, page: SearchPage, order: 'created' | 'expires'): SearchResult<string> {
    const compiled = compile(expr);
    const value = `json_extract(d.data, '$.${order}')`;
    const dir = page.descending ? 'DESC' : 'ASC';
    const after = page.after ? { sql: `(${value}, d.name) ${page.descending ? '<' : '>'} (?, ?)`, params: [page.after.value ?? '', page.after.key] } : { sql: '1', params: [] };
    const rows = this.db
      .prepare(
        `WITH m(name) AS (SELECT DISTINCT name FROM (${compiled.sql})) SELECT d.name AS name, ${value} AS value FROM m CROSS JOIN domains d ON d.name = m.name
         WHERE ${after.sql} ORDER BY value ${dir}, d.name ${dir} LIMIT ? OFFSET ?`,
      )
      .all(...compiled.params, ...after.params, page.limit + 1, page.offset ?? 0) as { name: string; value: string }[];
    const shown = rows.slice(0, page.limit);
    return { items: shown.map((r) => r.name), values: shown.map((r) => r.value), truncated: rows.length > page.limit };
  }

  /** How many domains match (RDAP count=true). */
  countDomains(expr: SearchExpr): number {
    const compiled = compile(expr);
    return this.db.prepare(`SELECT count(*) FROM (SELECT DISTINCT name FROM (${compiled.sql}))`).pluck().get(...compiled.params) as number;
  }

  /** One page (plus one row) of the candidates (sorted domain names, distinct) that pass every conjunct, after the keyset position. */
  private tested(candidates: Sql, conjuncts: SearchExpr[], page: SearchPage, keyset: Keyset): string[] {
    const t = conjuncts.length ? test({ op: 'and', args: conjuncts }) : { sql: '1', params: [] };
    // A materialized, ordered candidate list lets SQLite skip the final sort and stop at the LIMIT.
    return this.db
      .prepare(`WITH c(name) AS MATERIALIZED (${candidates.sql}) SELECT name FROM c x WHERE ${keyset.sql} AND ${t.sql} ORDER BY name ${keyset.direction} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...candidates.params, ...keyset.params, ...t.params, page.limit + 1, page.offset ?? 0) as string[];
  }

  searchHosts(q: { name?: string; address?: string }, page: SearchPage): SearchResult<HostRecord> {
    const parts: Sql[] = [];
    if (q.name !== undefined) parts.push(hostNameTerm(q.name.toLowerCase(), 'name'));
    if (q.address !== undefined) {
      if (!isIP(q.address)) return { items: [], truncated: false };
      parts.push({ sql: 'SELECT host AS name FROM host_addresses WHERE address = ?', params: [canonicalIp(q.address)] });
    }
    const names = this.page(parts, page);
    const items = names.items.flatMap((name) => {
      const data = this.q.host.get(name) as string | undefined;
      if (!data) return [];
      const host = JSON.parse(data) as Host;
      return [{ host, registrar: JSON.parse(this.q.registrar.get(host.registrarId) as string) as Registrar }];
    });
    return { items, truncated: names.truncated };
  }

  searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): SearchResult<Contact> {
    const parts: Sql[] = [];
    if (q.fn !== undefined) parts.push(contactTerm('name', q.fn, 'handle'));
    if (q.handle !== undefined) {
      parts.push(
        hasWildcard(q.handle)
          ? { sql: "SELECT handle AS name FROM contacts WHERE handle LIKE ? ESCAPE '\\'", params: [likePattern(q.handle, false).like] }
          : { sql: 'SELECT handle AS name FROM contacts WHERE handle = ?', params: [q.handle] },
      );
    }
    const handles = this.page(parts, page);
    const items = handles.items.flatMap((h) => {
      const data = this.q.contact.get(h) as string | undefined;
      return data ? [JSON.parse(data) as Contact] : [];
    });
    return { items, truncated: handles.truncated };
  }

  searchRegistrars(q: { fn?: string }, page: SearchPage): SearchResult<Registrar> {
    if (q.fn === undefined) return { items: [], truncated: false };
    const p = likePattern(registrarNameKey(q.fn), true);
    const after = page.after ? { sql: `iana_id ${page.descending ? '<' : '>'} ?`, params: [Number(page.after.key)] } : { sql: '1', params: [] };
    const rows = this.db
      .prepare(`SELECT data FROM registrars WHERE name_key LIKE ? ESCAPE '\\' AND ${after.sql} ORDER BY iana_id ${page.descending ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`)
      .pluck()
      .all(p.like, ...after.params, page.limit + 1, page.offset ?? 0) as string[];
    return { items: rows.slice(0, page.limit).map((r) => JSON.parse(r) as Registrar), truncated: rows.length > page.limit };
  }

  /** Intersects keys (each part yields a column `name`), sorted and paged. */
  private page(parts: Sql[], page: SearchPage): SearchResult<string> {
    if (parts.length === 0) return { items: [], truncated: false };
    const sql = parts.map((p) => `SELECT name FROM (${p.sql})`).join(' INTERSECT ');
    const keyset = nameKeyset('name', page);
    const rows = this.db
      .prepare(`SELECT DISTINCT name FROM (${sql}) WHERE ${keyset.sql} ORDER BY name ${keyset.direction} LIMIT ? OFFSET ?`)
      .pluck()
      .all(...parts.flatMap((p) => p.params), ...keyset.params, page.limit + 1, page.offset ?? 0) as string[];
    return { items: rows.slice(0, page.limit), truncated: rows.length > page.limit };
  }
}

interface Keyset extends Sql {
  direction: 'ASC' | 'DESC';
}

/** The keyset condition on a name column: after the page's start in its direction (`1` on the first page). */
function nameKeyset(column: string, page: SearchPage): Keyset {
  const direction = page.descending ? 'DESC' : 'ASC';
  if (!page.after) return { sql: '1', params: [], direction };
  return { sql: `${column} ${page.descending ? '<' : '>'} ?`, params: [page.after.key], direction };
}

/** A GLOB pattern (case-sensitive, served by a B-tree index) for a `*`/`?` pattern, its other characters literal. */
function globPattern(pattern: string): string {
  return [...pattern].map((c) => (c === '*' || c === '?' ? c : c === '[' ? '[[]' : c)).join('');
}

/** The contacts a term names, narrowed to a role: the condition on domain_contacts `dc`. */
function roleCondition(role: ContactRole | undefined): string {
  return role ? ` AND (dc.roles & ${ROLE_BITS[role]}) != 0` : '';
}

/** Term options that matter to contact terms. */
type TermOf = Extract<SearchExpr, { op: 'term' }>;

/** A LIKE condition on an FTS column: the loose pattern for the trigram index, the exact one when they differ. */
function likeOn(column: string, pattern: string, substring: boolean): Sql {
  const p = likePattern(pattern, substring);
  if (!p.needsExact) return { sql: `${column} LIKE ?`, params: [p.loose] };
  return { sql: `${column} LIKE ? AND ${column} LIKE ? ESCAPE '\\'`, params: [p.loose, p.like] };
}

/** Contacts (as `out`: their handle, or the domains using them, in the term's role) whose column matches. */
function contactTerm(column: string, pattern: string, out: 'handle' | 'domain', t: Pick<TermOf, 'role' | 'whole'> = {}): Sql {
  const cond = likeOn(`f.${column}`, pattern, !t.whole);
  const from = `contact_fts f CROSS JOIN contact_search s ON s.id = f.rowid`;
  if (out === 'handle') return { sql: `SELECT DISTINCT s.handle AS name FROM ${from} WHERE ${cond.sql}`, params: cond.params };
  return { sql: `SELECT dc.domain AS name FROM ${from} CROSS JOIN domain_contacts dc ON dc.contact = s.handle${roleCondition(t.role)} WHERE ${cond.sql}`, params: cond.params };
}

/**
 * Contacts by e-mail: exact (case-insensitive) or a pattern with a literal start through the
 * NOCASE index, any other pattern through the trigram index.
 */
function emailCondition(pattern: string, alias: 's' | 'f'): Sql {
  if (!hasWildcard(pattern)) return { sql: `${alias}.email = ?`, params: [pattern] };
  if (alias === 'f') return likeOn('f.email', pattern, false);
  return { sql: `s.email LIKE ? ESCAPE '\\'`, params: [likePattern(pattern, false).like] };
}

function emailTerm(t: TermOf): Sql {
  const indexed = !hasWildcard(t.pattern) || !/^[*?]/.test(t.pattern);
  const cond = emailCondition(t.pattern, indexed ? 's' : 'f');
  const from = indexed ? 'contact_search s' : 'contact_fts f CROSS JOIN contact_search s ON s.id = f.rowid';
  return { sql: `SELECT dc.domain AS name FROM ${from} CROSS JOIN domain_contacts dc ON dc.contact = s.handle${roleCondition(t.role)} WHERE ${cond.sql}`, params: cond.params };
}

/** Domains by contact handle (case-sensitive, as EPP handles are), in the term's role. */
function handleTerm(t: TermOf): Sql {
  const cond = hasWildcard(t.pattern) ? { sql: 'dc.contact GLOB ?', params: [globPattern(t.pattern)] } : { sql: 'dc.contact = ?', params: [t.pattern] };
  return { sql: `SELECT dc.domain AS name FROM domain_contacts dc WHERE ${cond.sql}${roleCondition(t.role)}`, params: cond.params };
}

/** Hosts (as `out`: their names, or the domains using them) whose A-label or U-label matches; plain text is exact. */
function hostNameTerm(pattern: string, out: 'name' | 'domain'): Sql {
  if (!hasWildcard(pattern)) {
    const sql = out === 'name' ? 'SELECT name FROM hosts WHERE name = ?' : 'SELECT domain AS name FROM domain_hosts WHERE host = ?';
    return { sql, params: [pattern] };
  }
  const a = likeOn('name', pattern, false);
  const u = likeOn('uname', pattern, false);
  const hosts = `SELECT name FROM host_fts WHERE ${a.sql} UNION SELECT name FROM host_fts WHERE ${u.sql}`;
  if (out === 'name') return { sql: hosts, params: [...a.params, ...u.params] };
  return { sql: `SELECT dh.domain AS name FROM (${hosts}) h CROSS JOIN domain_hosts dh ON dh.host = h.name`, params: [...a.params, ...u.params] };
}

function term(t: TermOf): Sql {
  const { field, pattern } = t;
  switch (field) {
    case 'domain': {
      const a = likeOn('name', pattern, true);
      const u = likeOn('uname', pattern, true);
      return { sql: `SELECT name FROM domain_fts WHERE ${a.sql} UNION ALL SELECT name FROM domain_fts WHERE ${u.sql}`, params: [...a.params, ...u.params] };
    }
    case 'cc': {
      const from = `contact_search s CROSS JOIN domain_contacts dc ON dc.contact = s.handle${roleCondition(t.role)}`;
      if (!hasWildcard(pattern)) return { sql: `SELECT dc.domain AS name FROM ${from} WHERE s.cc = ?`, params: [pattern.toUpperCase()] };
      return { sql: `SELECT dc.domain AS name FROM ${from} WHERE s.cc LIKE ? ESCAPE '\\'`, params: [likePattern(pattern.toUpperCase(), false).like] };
    }
    case 'email':
      return emailTerm(t);
    case 'handle':
      return handleTerm(t);
    case 'registrar':
      if (/^\d{1,10}$/.test(pattern)) return { sql: 'SELECT name FROM domains WHERE registrar_id = ?', params: [Number(pattern)] };
      return {
        sql: "SELECT d.name FROM registrars r CROSS JOIN domains d ON d.registrar_id = r.iana_id WHERE r.name_key LIKE ? ESCAPE '\\'",
        params: [likePattern(registrarNameKey(pattern), !t.whole).like],
      };
    case 'ns':
      return hostNameTerm(pattern.toLowerCase(), 'domain');
    case 'nsip':
      return {
        sql: 'SELECT dh.domain AS name FROM host_addresses a CROSS JOIN domain_hosts dh ON dh.host = a.host WHERE a.address = ?',
        params: [isIP(pattern) ? canonicalIp(pattern) : pattern],
      };
    default:
      if (!CONTACT_COLUMNS.has(field)) throw new Error(`unknown search field ${field}`);
      return contactTerm(field, pattern, 'domain', t);
  }
}

/** Compiles a (checked) expression into one compound SELECT of domain names in a column `name`. */
export function compile(expr: SearchExpr): Sql {
  switch (expr.op) {
    case 'term':
      return term(expr);
    case 'or':
      return join(expr.args.map(compile), 'UNION ALL'); // every reader of a set makes it distinct
    case 'not':
      throw new Error('NOT needs a positive term beside it');
    case 'and': {
      const positive = expr.args.filter((a) => a.op !== 'not').map(compile);
      const negative = expr.args.flatMap((a) => (a.op === 'not' ? [compile(a.arg)] : []));
      if (positive.length === 0) throw new Error('NOT needs a positive term beside it');
      const kept = join(positive, 'INTERSECT');
      return negative.length ? join([kept, ...negative], 'EXCEPT') : kept;
    }
  }
}

function join(parts: Sql[], op: 'UNION ALL' | 'INTERSECT' | 'EXCEPT'): Sql {
  if (parts.length === 1) return parts[0];
  // Each member is wrapped, so SQLite's left-to-right compound operators keep the tree's grouping.
  return { sql: parts.map((p) => `SELECT name FROM (${p.sql})`).join(` ${op} `), params: parts.flatMap((p) => p.params) };
}

/**
 * Which conjuncts to try first as candidates (lowest first): exact terms on indexed keys, cheap to
 * read or to give up on; then domain names; then longer patterns, likely to match less.
 */
function driverOrder(e: SearchExpr): number {
  if (e.op !== 'term') return 3;
  const exact = !hasWildcard(e.pattern);
  if (exact && (e.field === 'nsip' || e.field === 'ns' || e.field === 'cc' || e.field === 'email' || e.field === 'handle' || (e.field === 'registrar' && /^\d{1,10}$/.test(e.pattern)))) return 0;
  if (e.field === 'domain') return 1;
  return 2 + 1 / (1 + e.pattern.replace(/[*?]/g, '').length);
}

/** A LIKE on a plain column: what likeOn's FTS pair decides, row by row (FTS5 rechecks LIKE on the content too). */
function likeRow(column: string, pattern: string, substring: boolean): Sql {
  return { sql: `${column} LIKE ? ESCAPE '\\'`, params: [likePattern(pattern, substring).like] };
}

/** The domain `x.name` matches the term: term() tested for one domain, through the by-domain indexes. */
function termTest(t: TermOf): Sql {
  const { field, pattern } = t;
  const contactTest = (cond: Sql): Sql => ({
    sql: `EXISTS (SELECT 1 FROM domain_contacts dc CROSS JOIN contact_search s ON s.handle = dc.contact WHERE dc.domain = x.name${roleCondition(t.role)} AND ${cond.sql})`,
    params: cond.params,
  });
  switch (field) {
    case 'domain': {
      const a = likeRow('x.name', pattern, true);
      const u = likeRow("json_extract(d.data, '$.unicodeName')", pattern, true);
      // Only a name with an IDN label (xn--) has a U-label: the others skip reading the record.
      const sql = `(${a.sql} OR (x.name LIKE '%xn--%' AND EXISTS (SELECT 1 FROM domains d WHERE d.name = x.name AND ${u.sql})))`;
      return { sql, params: [...a.params, ...u.params] };
    }
    case 'cc':
      return contactTest(hasWildcard(pattern) ? likeRow('s.cc', pattern.toUpperCase(), false) : { sql: 's.cc = ?', params: [pattern.toUpperCase()] });
    case 'email':
      return contactTest(emailCondition(pattern, 's'));
    case 'handle': {
      const cond = hasWildcard(pattern) ? { sql: 'dc.contact GLOB ?', params: [globPattern(pattern)] } : { sql: 'dc.contact = ?', params: [pattern] };
      return { sql: `EXISTS (SELECT 1 FROM domain_contacts dc WHERE dc.domain = x.name AND ${cond.sql}${roleCondition(t.role)})`, params: cond.params };
    }
    case 'registrar': {
      const registrar = /^\d{1,10}$/.test(pattern)
        ? { sql: 'd.registrar_id = ?', params: [Number(pattern)] }
        : { sql: "d.registrar_id IN (SELECT iana_id FROM registrars WHERE name_key LIKE ? ESCAPE '\\')", params: [likePattern(registrarNameKey(pattern), !t.whole).like] };
      return { sql: `EXISTS (SELECT 1 FROM domains d WHERE d.name = x.name AND ${registrar.sql})`, params: registrar.params };
    }
    case 'ns': {
      if (!hasWildcard(pattern)) return { sql: 'EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.host = ? AND dh.domain = x.name)', params: [pattern.toLowerCase()] };
      const hosts = hostNameTerm(pattern.toLowerCase(), 'name');
      // `+`: the matching hosts are one list, built once; without it SQLite probes (domain, host) once per listed host.
      return { sql: `EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.domain = x.name AND +dh.host IN (${hosts.sql}))`, params: hosts.params };
    }
    case 'nsip':
      return {
        sql: 'EXISTS (SELECT 1 FROM host_addresses a CROSS JOIN domain_hosts dh ON dh.host = a.host AND dh.domain = x.name WHERE a.address = ?)',
        params: [isIP(pattern) ? canonicalIp(pattern) : pattern],
      };
    default:
      if (!CONTACT_COLUMNS.has(field)) throw new Error(`unknown search field ${field}`);
      return contactTest(likeRow(`s.${field}`, pattern, !t.whole));
  }
}

/** A condition on the domain `x.name`, true exactly when compile(expr) would yield it. */
function test(expr: SearchExpr): Sql {
  switch (expr.op) {
    case 'term':
      return termTest(expr);
    case 'not': {
      const t = test(expr.arg);
      return { sql: `NOT (${t.sql})`, params: t.params };
    }
    case 'and':
    case 'or': {
      const parts = expr.args.map(test);
      return { sql: `(${parts.map((p) => p.sql).join(expr.op === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
    }
  }
}
