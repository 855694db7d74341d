// The lookup and view stages of an RDAP search (RFC 9082 §3.2), the 'rdap-search' lookup of
// lookups.ts. The Store's search side gives candidates (its patterns are wider than
// RFC 9082's: `?` is a wildcard there, plain free text is a substring, `*` crosses dots); each
// candidate is then checked against the RDAP pattern, so an answer holds exactly what matched.
// Every result is viewed like the same object's lookup, under the client's access.
import type { SearchExpr, SearchPage, SearchResult } from '../model/search.js';
import type { Contact, Registrar } from '../model/types.js';
import type { RdapPattern, RdapSearch } from '../query/rdap-search.js';
import { viewContact, viewDomain, viewHosts, viewRegistrar, type Access, type ResultsView, type Truncation, type View } from '../policy/view.js';
import type { Store } from '../store/store.js';

/** Store rows read at most for one search while checking candidates, before giving up ("excessive load"). */
export const SCAN_LIMIT = 2000;
/** Name servers a `domains?nsLdhName=` partial match may expand to. */
export const NS_EXPANSION_LIMIT = 100;

interface Found<T> {
  items: T[];
  truncated?: Truncation;
}

/**
 * Reads pages of candidates, keeping those `keep` accepts, until `limit` are kept (and one more
 * proves the set truncated), the Store has no more, or SCAN_LIMIT rows were read.
 */
async function collect<T>(fetch: (page: SearchPage) => Promise<SearchResult<T>>, keep: (item: T) => boolean, limit: number): Promise<Found<T>> {
  const items: T[] = [];
  const batch = Math.max(limit + 1, 64);
  let offset = 0;
  for (;;) {
    const page = await fetch({ limit: batch, offset });
    for (const item of page.items) {
      if (!keep(item)) continue;
      if (items.length === limit) return { items, truncated: 'authorization' };
      items.push(item);
    }
    offset += page.items.length;
    if (!page.truncated || page.items.length === 0) return { items };
    if (offset >= SCAN_LIMIT) return { items, truncated: 'excessive load' };
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

function merge<T>(a: Found<T>, b: Found<T>, limit: number): Found<T> {
  const all = [...a.items, ...b.items];
  const truncated = a.truncated === 'excessive load' || b.truncated === 'excessive load' ? 'excessive load' : all.length > limit || a.truncated || b.truncated ? 'authorization' : undefined;
  return { items: all.slice(0, limit), truncated };
}

export interface RdapSearchOptions {
  adminBlock: boolean;
}

/**
 * Answers one RDAP search for a client with this access: up to `limit` results. Contacts are
 * searched (by name or handle) only for a client that sees them unredacted: for anyone else a
 * match would give away a personal value the answer redacts, so they find registrars only.
 */
export async function rdapSearch(store: Store, search: RdapSearch, limit: number, access: Access, options: RdapSearchOptions): Promise<ResultsView> {
  let views: View[];
  let truncated: Truncation | undefined;
  switch (search.kind) {
    case 'domains': {
      const found = await domainNames(store, search, limit);
      truncated = found.truncated;
      const records = await Promise.all(found.items.map((name) => store.lookupDomain(name)));
      views = records.flatMap((r) => (r ? [viewDomain(r, access, { adminBlock: options.adminBlock })] : []));
      break;
    }
    case 'nameservers': {
      const found =
        search.by === 'ip'
          ? await collect((page) => store.searchHosts({ address: search.address }, page), () => true, limit)
          : await collect((page) => store.searchHosts({ name: storePattern(search.pattern) }, page), (h) => nameMatches(search.pattern, h.host.name), limit);
      truncated = found.truncated;
      views = found.items.map((h) => viewHosts([h]));
      break;
    }
    case 'entities': {
      const p = search.pattern;
      const none: Found<Contact> = { items: [] };
      let contacts = none;
      let registrars: Found<Registrar>;
      if (search.by === 'fn') {
        if (access.full) {
          contacts = await collect((page) => store.searchContacts({ fn: storeText(p) }, page), (c) => textMatches(p, c.postalInt?.name) || textMatches(p, c.postalLoc?.name), limit);
        }
        registrars = await collect((page) => store.searchRegistrars({ fn: storeText(p) }, page), (r) => textMatches(p, r.name), limit);
      } else {
        if (access.full) {
          contacts = await collect((page) => store.searchContacts({ handle: storeText(p) }, page), (c) => (p.partial ? textMatches(p, c.handle) : c.handle === p.prefix), limit);
        }
        registrars = await registrarsById(store, p, limit);
      }
      const found = merge<Contact | Registrar>(contacts, registrars, limit);
      truncated = found.truncated;
      views = found.items.map((e) => ('ianaId' in e ? viewRegistrar(e) : viewContact(e, access)));
      break;
    }
  }
  const personalRecords = views.reduce((n, v) => n + (v.kind === 'domain' || v.kind === 'contact' ? v.personalRecords : 0), 0);
  return { kind: 'results', items: views, truncated, personalRecords };
}

async function domainNames(store: Store, search: Extract<RdapSearch, { kind: 'domains' }>, limit: number): Promise<Found<string>> {
  const byExpr = (expr: SearchExpr, keep: (name: string) => boolean = () => true) => collect((page) => store.searchDomains(expr, page), keep, limit);
  if (search.by === 'nsIp') return byExpr({ op: 'term', field: 'nsip', pattern: search.address });
  const p = search.pattern;
  if (search.by === 'name') {
    if (!p.partial) {
      const record = await store.lookupDomain(p.prefix);
      return { items: record ? [record.domain.name] : [] };
    }
    return byExpr({ op: 'term', field: 'domain', pattern: storePattern(p) }, (name) => nameMatches(p, name));
  }
  if (!p.partial) return byExpr({ op: 'term', field: 'ns', pattern: p.prefix });
  // A partial name server name: the matching hosts first (exactly, `*` inside one label), then the domains using any of them.
  const hosts = await collect((page) => store.searchHosts({ name: storePattern(p) }, page), (h) => nameMatches(p, h.host.name), NS_EXPANSION_LIMIT);
  if (hosts.items.length === 0) return { items: [] };
  const expr: SearchExpr = { op: 'or', args: hosts.items.map((h) => ({ op: 'term', field: 'ns', pattern: h.host.name })) };
  const found = await byExpr(hosts.items.length === 1 ? expr.args[0] : expr);
  return hosts.truncated ? { items: found.items, truncated: 'excessive load' } : found;
}

/** Registrars whose handle (the IANA ID as text) matches; a partial match reads the registrar list, which is short. */
async function registrarsById(store: Store, p: RdapPattern, limit: number): Promise<Found<Registrar>> {
  if (!/^\d+$/.test(p.prefix)) return { items: [] };
  if (!p.partial) {
    const r = p.prefix.length <= 10 ? await store.getRegistrar(Number(p.prefix)) : undefined;
    return { items: r ? [r] : [] };
  }
  return collect((page) => store.searchRegistrars({ fn: '*' }, page), (r) => String(r.ianaId).startsWith(p.prefix), limit);
}
