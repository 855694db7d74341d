// The lookup and view stages of an RDAP search (RFC 9082 §3.2) and reverse search (RFC 9536),
// page by page (RFC 8977): the 'rdap-search' lookup of lookups.ts. The Store's search side gives
// candidates in the page's order, after the cursor's position (keyset paging: a deep page costs
// what the first does). Where the Store's patterns are wider than RFC 9082's (`?` is a wildcard
// there, plain free text is a substring, `*` crosses dots), each candidate is checked against the
// RDAP pattern, so a page holds exactly what matched. Reverse searches compile to the Store's
// domain search expression (the searchable WHOIS's engine), which matches them exactly.
// Every result is viewed like the same object's lookup, under the client's access.
import type { HostRecord } from '../model/records.js';
import type { DomainOrder, SearchExpr, SearchPage, SearchResult } from '../model/search.js';
import { CONTACT_ROLES, type Contact, type ContactRole, type Registrar } from '../model/types.js';
import type { CursorPosition } from '../query/rdap-cursor.js';
import { SORT_PROPERTIES, type RdapPaging, type RdapPattern, type RdapSearch, type ReverseConditions } from '../query/rdap-search.js';
import { viewContact, viewDomain, viewHosts, viewRegistrar, type Access, type ResultsView, type Truncation, type View } from '../policy/view.js';
import type { Store } from '../store/store.js';

/** Store rows read at most for one page while checking candidates, before giving up ("excessive load"). */
export const SCAN_LIMIT = 2000;
/** Name servers a `domains?nsLdhName=` partial match may expand to. */
export const NS_EXPANSION_LIMIT = 100;
/** Candidates read at most to count a search whose Store patterns are wider than its RDAP pattern (count=true). */
export const COUNT_SCAN_LIMIT = 100_000;

interface Found<T> {
  items: T[];
  truncated?: Truncation;
  /** More results follow: where the next page starts. */
  next?: CursorPosition;
}

/** How one search is read from the Store: a page of candidates, the position of each, and which of them match. */
interface Source<T> {
  fetch: (page: SearchPage) => Promise<SearchResult<T>>;
  position: (item: T, value: string | undefined) => CursorPosition;
  keep: (item: T) => boolean;
}

/** The Store's side of the page: its order, direction and where it starts. */
interface PageOrder {
  order: DomainOrder;
  descending: boolean;
  after?: CursorPosition;
}

const always = () => true;

/**
 * Reads candidates after `start` until `limit` are kept (and one more proves more follow: then
 * `next` is the last kept one's position), the Store has no more, or SCAN_LIMIT rows were read.
 */
async function collect<T>(source: Source<T>, limit: number, order: PageOrder, start: CursorPosition | undefined): Promise<Found<T>> {
  const items: T[] = [];
  const batch = Math.max(limit + 1, 64);
  let after = start;
  let lastKept: CursorPosition | undefined;
  let read = 0;
  for (;;) {
    const page = await source.fetch({ limit: batch, after: after && { key: after.key, value: after.value }, descending: order.descending, order: order.order });
    for (const [i, item] of page.items.entries()) {
      const position = source.position(item, page.values?.[i]);
      after = position;
      if (!source.keep(item)) continue;
      if (items.length === limit) return { items, next: lastKept };
      items.push(item);
      lastKept = position;
    }
    read += page.items.length;
    if (!page.truncated || page.items.length === 0) return { items };
    if (read >= SCAN_LIMIT) return { items, truncated: 'excessive load' };
  }
}

/** How many candidates match, reading them all (up to COUNT_SCAN_LIMIT; undefined past it). */
async function countMatching<T>(source: Source<T>, order: PageOrder): Promise<number | undefined> {
  let n = 0;
  let read = 0;
  let after: CursorPosition | undefined;
  for (;;) {
    const page = await source.fetch({ limit: 1000, after: after && { key: after.key, value: after.value }, descending: order.descending, order: order.order });
    for (const [i, item] of page.items.entries()) {
      after = source.position(item, page.values?.[i]);
      if (source.keep(item)) n++;
    }
    read += page.items.length;
    if (!page.truncated || page.items.length === 0) return n;
    if (read >= COUNT_SCAN_LIMIT) return undefined;
  }
}

/** The pattern as the Store takes it: `*` for the partial run, the rest literal (name text has no `?`, `%` or `_`). */
function storePattern(p: RdapPattern): string {
  return p.partial ? `${p.prefix}*${p.suffix}` : p.prefix;
}

/**
 * RFC 9082 §4.1 name matching on A-labels: a trailing `*` matches any trailing characters
 * (`exam*` finds example.com); followed by labels, it matches a run inside its own label only
 * (`exam*.com` finds example.com, not exam.ple.com).
 */
function nameMatches(p: RdapPattern, name: string): boolean {
  const n = name.toLowerCase();
  if (!p.partial) return n === p.prefix;
  if (!n.startsWith(p.prefix)) return false;
  if (p.suffix === '') return true;
  if (n.length < p.prefix.length + p.suffix.length || !n.endsWith(p.suffix)) return false;
  return !n.slice(p.prefix.length, n.length - p.suffix.length).includes('.');
}

/** Free text (`fn`, `handle`): case-insensitive, whole value, or prefix with `*`. */
function textMatches(p: RdapPattern, value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.toLowerCase();
  const want = p.prefix.toLowerCase();
  return p.partial ? v.startsWith(want) : v === want;
}

/** Free text as the Store's pattern, with its own wildcards taken literally enough (the check above is exact). */
function storeText(p: RdapPattern): string {
  return p.partial ? `${p.prefix}*` : p.prefix;
}

export interface RdapSearchOptions {
  adminBlock: boolean;
}

/** One page of a search: its size, and the sort and position the request asked for. */
export interface RdapSearchPage {
  size: number;
  paging: RdapPaging;
}

/**
 * Answers one page of an RDAP search for a client with this access. Contacts are searched (by
 * name, handle or e-mail) only for a client that sees them unredacted: for anyone else a match
 * would give away a personal value the answer redacts, so they find registrars only.
 */
export async function rdapSearch(store: Store, search: RdapSearch, page: RdapSearchPage, access: Access, options: RdapSearchOptions): Promise<ResultsView> {
  const sort = page.paging.sort ?? { property: SORT_PROPERTIES[search.kind][0], descending: false };
  const order: PageOrder = { order: sort.property.order, descending: sort.descending, after: page.paging.after };
  let views: View[];
  let found: Found<unknown>;
  let total: number | undefined;
  switch (search.kind) {
    case 'domains': {
      const domains = await domainSearch(store, search, access);
      found = await domains.page(page.size, order);
      if (page.paging.count) total = await domains.count(order);
      const records = await Promise.all((found.items as string[]).map((name) => store.lookupDomain(name)));
      views = records.flatMap((r) => (r ? [viewDomain(r, access, { adminBlock: options.adminBlock })] : []));
      break;
    }
    case 'nameservers': {
      const source: Source<HostRecord> =
        search.by === 'ip'
          ? { fetch: (p) => store.searchHosts({ address: search.address }, p), position: (h) => ({ key: h.host.name }), keep: always }
          : { fetch: (p) => store.searchHosts({ name: storePattern(search.pattern) }, p), position: (h) => ({ key: h.host.name }), keep: (h) => nameMatches(search.pattern, h.host.name) };
      found = await collect(source, page.size, order, order.after);
      if (page.paging.count) total = await countMatching(source, order);
      views = (found.items as HostRecord[]).map((h) => viewHosts([h]));
      break;
    }
    case 'entities': {
      const phases = entityPhases(store, search, access);
      found = await phased(phases, page.size, order);
      if (page.paging.count) total = await countPhases(phases, order);
      views = (found.items as (Contact | Registrar)[]).map((e) => ('ianaId' in e ? viewRegistrar(e) : viewContact(e, access)));
      break;
    }
  }
  const personalRecords = views.reduce((n, v) => n + (v.kind === 'domain' || v.kind === 'contact' ? v.personalRecords : 0), 0);
  return { kind: 'results', items: views, truncated: found.truncated, personalRecords, next: found.next, total };
}

// --- domains --------------------------------------------------------------------------------

/** A domain search: how to read a page of it, and how to count it. */
interface DomainSearch {
  page(limit: number, order: PageOrder): Promise<Found<string>>;
  count(order: PageOrder): Promise<number | undefined>;
}

const NONE: DomainSearch = { page: async () => ({ items: [] }), count: async () => 0 };

/** A search the Store answers exactly: its pages and counts are the Store's. */
function exactly(store: Store, expr: SearchExpr): DomainSearch {
  const source = byExpr(store, expr, always);
  return { page: (limit, order) => collect(source, limit, order, order.after), count: () => store.countDomainSearch(expr) };
}

/** A search whose Store expression is wider than the RDAP pattern: each candidate checked, counted by reading them. */
function checked(store: Store, expr: SearchExpr, keep: (name: string) => boolean): DomainSearch {
  const source = byExpr(store, expr, keep);
  return { page: (limit, order) => collect(source, limit, order, order.after), count: (order) => countMatching(source, order) };
}

function byExpr(store: Store, expr: SearchExpr, keep: (name: string) => boolean): Source<string> {
  return { fetch: (p) => store.searchDomains(expr, p), position: (name, value) => ({ key: name, value }), keep };
}

async function domainSearch(store: Store, search: Extract<RdapSearch, { kind: 'domains' }>, access: Access): Promise<DomainSearch> {
  if (search.by === 'nsIp') return exactly(store, { op: 'term', field: 'nsip', pattern: search.address });
  if (search.by === 'reverse') {
    const expr = reverseExpression(search.conditions, access.full);
    return expr ? exactly(store, expr) : NONE;
  }
  const p = search.pattern;
  if (search.by === 'name') {
    if (!p.partial) {
      const record = await store.lookupDomain(p.prefix);
      const items = record ? [record.domain.name] : [];
      return { page: async (_limit, order) => ({ items: order.after ? [] : items }), count: async () => items.length };
    }
    return checked(store, { op: 'term', field: 'domain', pattern: storePattern(p) }, (name) => nameMatches(p, name));
  }
  if (!p.partial) return exactly(store, { op: 'term', field: 'ns', pattern: p.prefix });
  // A partial name server name: the matching hosts first (exactly, `*` inside one label), then the domains using any of them.
  const hostSource: Source<HostRecord> = {
    fetch: (page) => store.searchHosts({ name: storePattern(p) }, page),
    position: (h) => ({ key: h.host.name }),
    keep: (h) => nameMatches(p, h.host.name),
  };
  const hosts = await collect(hostSource, NS_EXPANSION_LIMIT, { order: 'name', descending: false }, undefined);
  if (hosts.items.length === 0) return NONE;
  const terms: SearchExpr[] = hosts.items.map((h) => ({ op: 'term', field: 'ns', pattern: h.host.name }));
  const domains = exactly(store, terms.length === 1 ? terms[0] : { op: 'or', args: terms });
  if (!hosts.next && !hosts.truncated) return domains;
  // More hosts matched than a search expands to: every page says the result set is cut short.
  return { page: async (limit, order) => ({ ...(await domains.page(limit, order)), truncated: 'excessive load' }), count: async () => undefined };
}

/**
 * A reverse search as the Store's domain search expression: the domains one of whose entities
 * matches every condition. With a role, that entity is the domain's contact in that role (or its
 * registrar); without one, it is any of them: one branch per role when several properties must
 * hold for the same contact. Undefined when no entity this client may search can match.
 */
export function reverseExpression(c: ReverseConditions, contactsVisible: boolean): SearchExpr | undefined {
  const and = (terms: SearchExpr[]): SearchExpr => (terms.length === 1 ? terms[0] : { op: 'and', args: terms });
  const contactTerms = (role?: ContactRole): SearchExpr[] => {
    const terms: SearchExpr[] = [];
    if (c.fn) terms.push({ op: 'term', field: 'name', pattern: storeText(c.fn), whole: true, ...(role && { role }) });
    if (c.handle) terms.push({ op: 'term', field: 'handle', pattern: storeText(c.handle), ...(role && { role }) });
    if (c.email) terms.push({ op: 'term', field: 'email', pattern: storeText(c.email), ...(role && { role }) });
    return terms;
  };
  // The registrar entity shows its name (fn) and its IANA ID (handle), no e-mail address.
  const registrar = (): SearchExpr | undefined => {
    if (c.email || (c.handle && (c.handle.partial || !/^\d{1,10}$/.test(c.handle.prefix)))) return undefined;
    const terms: SearchExpr[] = [];
    if (c.fn) terms.push({ op: 'term', field: 'registrar', pattern: storeText(c.fn), whole: true });
    if (c.handle) terms.push({ op: 'term', field: 'registrar', pattern: c.handle.prefix });
    return and(terms);
  };
  if (c.role === 'registrar') return registrar();
  const branches: SearchExpr[] = [];
  if (contactsVisible) {
    if (c.role) branches.push(and(contactTerms(c.role)));
    else if (contactTerms().length === 1) branches.push(contactTerms()[0]);
    else for (const role of CONTACT_ROLES) branches.push(and(contactTerms(role)));
  }
  const r = c.role ? undefined : registrar();
  if (r) branches.push(r);
  return branches.length === 0 ? undefined : branches.length === 1 ? branches[0] : { op: 'or', args: branches };
}

// --- entities -------------------------------------------------------------------------------

/** Entity results are two lists read one after the other: contacts by handle, registrars by IANA ID. */
interface Phase {
  phase: 'contact' | 'registrar';
  source: Source<Contact | Registrar>;
}

function entityPhases(store: Store, search: Extract<RdapSearch, { kind: 'entities' }>, access: Access): Phase[] {
  const p = search.pattern;
  const contact = (q: { fn?: string; handle?: string }, keep: (c: Contact) => boolean): Phase => ({
    phase: 'contact',
    source: { fetch: (page) => store.searchContacts(q, page), position: (c) => ({ key: (c as Contact).handle, phase: 'contact' }), keep: keep as (e: Contact | Registrar) => boolean },
  });
  const registrars = (fn: string, keep: (r: Registrar) => boolean): Phase => ({
    phase: 'registrar',
    source: { fetch: (page) => store.searchRegistrars({ fn }, page), position: (r) => ({ key: String((r as Registrar).ianaId), phase: 'registrar' }), keep: keep as (e: Contact | Registrar) => boolean },
  });
  const phases: Phase[] = [];
  if (search.by === 'fn') {
    if (access.full) phases.push(contact({ fn: storeText(p) }, (c) => textMatches(p, c.postalInt?.name) || textMatches(p, c.postalLoc?.name)));
    phases.push(registrars(storeText(p), (r) => textMatches(p, r.name)));
  } else {
    if (access.full) phases.push(contact({ handle: storeText(p) }, (c) => (p.partial ? textMatches(p, c.handle) : c.handle === p.prefix)));
    // A registrar's handle is its IANA ID: a partial one reads the registrar list, which is short.
    if (/^\d+$/.test(p.prefix) && (p.partial || p.prefix.length <= 10)) phases.push(registrars('*', (r) => (p.partial ? String(r.ianaId).startsWith(p.prefix) : String(r.ianaId) === p.prefix)));
  }
  return phases;
}

/** A page over the phases in the page's direction, from the cursor's phase on. */
async function phased(phases: Phase[], limit: number, order: PageOrder): Promise<Found<Contact | Registrar>> {
  const ordered = order.descending ? [...phases].reverse() : phases;
  const from = Math.max(0, ordered.findIndex((p) => p.phase === order.after?.phase));
  const items: (Contact | Registrar)[] = [];
  let last: CursorPosition | undefined;
  for (let i = from; i < ordered.length; i++) {
    const phase = ordered[i];
    if (items.length === limit) {
      // The page is full: more follow if a later list has a match.
      const probe = await collect(phase.source, 1, order, undefined);
      if (probe.items.length > 0) return { items, next: last };
      continue;
    }
    const found = await collect(phase.source, limit - items.length, order, i === from ? order.after : undefined);
    items.push(...found.items);
    if (found.truncated || found.next) return { items, truncated: found.truncated, next: found.next };
    if (found.items.length > 0) last = phase.source.position(found.items[found.items.length - 1], undefined);
  }
  return { items };
}

async function countPhases(phases: Phase[], order: PageOrder): Promise<number | undefined> {
  let n = 0;
  for (const phase of phases) {
    const c = await countMatching(phase.source, order);
    if (c === undefined) return undefined;
    n += c;
  }
  return n;
}
