// One lookup per query kind, behind one table: what the Store is asked for each kind of query, and
// how the answer is viewed (redaction through viewed(), for the kinds that show contacts). The
// directory's scope (scope.ts) is applied here, between the Store and the view: a registrar's
// service answers for its own objects only, a thin registry shows no contacts.
import type { DomainRecord, Referral } from '../model/records.js';
import type { SearchExpr } from '../model/search.js';
import type { ClientLimits } from '../policy/policy.js';
import type { Query, QueryKind } from '../query/query.js';
import { viewContact, viewDomain, viewHosts, viewRegistrar, viewSearch, type ResultsView, type SearchView, type View } from '../policy/view.js';
import { rdapSearch } from './rdap-search.js';
import { inScope, referralFor } from './scope.js';
import { viewed, type LookupContext } from './viewed.js';

/** A lookup's result: answered with a view (none for help), or nothing found. */
export interface Found {
  outcome: 'answered' | 'not-found';
  view?: View;
  search?: SearchView;
  results?: ResultsView;
  /** Tells the client its access was reduced (quota or budget spent). */
  notice?: string;
  /** Not found here: the name's registry answers for it (registrar mode, other_names referral). */
  referral?: Referral;
  /** help: the limits in force for this client. */
  limits?: ClientLimits;
}

type Lookup<K extends QueryKind> = (query: Extract<Query, { kind: K }>, ctx: LookupContext) => Promise<Found>;

const NOT_FOUND: Found = Object.freeze({ outcome: 'not-found' });
const answered = (view: View | undefined): Found => (view ? { outcome: 'answered', view } : NOT_FOUND);

const LOOKUPS: { [K in QueryKind]: Lookup<K> } = {
  async domain(q, ctx) {
    const found = await ctx.store.lookupDomain(q.name);
    if (!found || !inScope(ctx.scope, found.domain.registrarId)) return otherName(ctx, found?.domain.name ?? q.name);
    const record = ctx.scope.noContacts ? withoutContacts(found) : found;
    const { view, notice } = await viewed(ctx, (access) => viewDomain(record, access, { adminBlock: ctx.adminBlock }));
    return { outcome: 'answered', view, notice };
  },
  async nameserver(q, ctx) {
    const host = await ctx.store.lookupHost(q.name);
    return answered(host && inScope(ctx.scope, host.host.registrarId) ? viewHosts([host]) : undefined);
  },
  async 'nameserver-ip'(q, ctx) {
    const hosts = (await ctx.store.lookupHostsByAddress(q.address)).filter((h) => inScope(ctx.scope, h.host.registrarId));
    return answered(hosts.length > 0 ? viewHosts(hosts) : undefined);
  },
  async 'registrar-id'(q, ctx) {
    const registrar = await ctx.store.getRegistrar(q.ianaId);
    return answered(registrar && inScope(ctx.scope, registrar.ianaId) ? viewRegistrar(registrar) : undefined);
  },
  async 'registrar-name'(q, ctx) {
    const registrar = await ctx.store.getRegistrarByName(q.name);
    return answered(registrar && inScope(ctx.scope, registrar.ianaId) ? viewRegistrar(registrar) : undefined);
  },
  async contact(q, ctx) {
    const contact = ctx.scope.noContacts ? undefined : await ctx.store.getContact(q.handle);
    if (!contact || !inScope(ctx.scope, contact.registrarId)) return NOT_FOUND;
    const { view, notice } = await viewed(ctx, (access) => viewContact(contact, access));
    return { outcome: 'answered', view, notice };
  },
  // Searchable WHOIS: domain names only, no contact data (each result links to its lookup).
  async search(q, ctx) {
    // A thin registry holds no contact data: a search that needs some matches nothing.
    if (ctx.scope.noContacts && usesContactFields(q.expr)) return { outcome: 'not-found', search: viewSearch([], q.offset, false) };
    const expr: SearchExpr = ctx.scope.sponsor === undefined ? q.expr : { op: 'and', args: [q.expr, { op: 'term', field: 'registrar', pattern: String(ctx.scope.sponsor) }] };
    const found = await ctx.store.searchDomains(expr, { limit: q.limit, offset: q.offset });
    return { outcome: found.items.length > 0 ? 'answered' : 'not-found', search: viewSearch(found.items, q.offset, found.truncated) };
  },
  // RDAP search: each result viewed like its lookup, under this client's access, within the scope.
  async 'rdap-search'(q, ctx) {
    const { view: results, notice } = await viewed(ctx, async (access) => scopedResults(ctx, await rdapSearch(ctx.store, q.search, { size: q.limit, paging: q.paging }, access, { adminBlock: ctx.adminBlock })));
    return { outcome: results.items.length > 0 ? 'answered' : 'not-found', results, notice };
  },
  async help(_q, ctx) {
    return { outcome: 'answered', limits: await ctx.policy.limitsFor?.(ctx.client) };
  },
};

/** A name this directory does not answer for: not found, with its registry's referral where one is configured. */
function otherName(ctx: LookupContext, name: string): Found {
  const referral = referralFor(ctx.scope, name);
  return referral ? { outcome: 'not-found', referral } : NOT_FOUND;
}

function withoutContacts(record: DomainRecord): DomainRecord {
  return { ...record, contacts: {} };
}

/** The search fields that read contact data. */
const CONTACT_SEARCH_FIELDS = new Set(['name', 'org', 'street', 'city', 'sp', 'pc', 'cc']);

function usesContactFields(expr: SearchExpr): boolean {
  switch (expr.op) {
    case 'term':
      return CONTACT_SEARCH_FIELDS.has(expr.field);
    case 'not':
      return usesContactFields(expr.arg);
    default:
      return expr.args.some(usesContactFields);
  }
}

/**
 * RDAP search results within the scope. The search itself knows nothing of it, so results are
 * dropped after it: a registrar's answer may carry fewer results than the cap although more of
 * its own objects match (docs/registrar.md).
 */
async function scopedResults(ctx: LookupContext, results: ResultsView): Promise<ResultsView> {
  const { scope } = ctx;
  if (scope.sponsor === undefined && !scope.noContacts) return results;
  const items: View[] = [];
  for (const item of results.items) {
    switch (item.kind) {
      case 'domain':
        if (!inScope(scope, item.record.domain.registrarId)) continue;
        items.push(scope.noContacts ? { ...item, contacts: [], personalRecords: 0 } : item);
        break;
      case 'host':
        if (inScope(scope, item.hosts[0].host.registrarId)) items.push(item);
        break;
      case 'registrar':
        if (inScope(scope, item.registrar.ianaId)) items.push(item);
        break;
      case 'contact': {
        if (scope.noContacts) continue;
        const contact = await ctx.store.getContact(item.contact.handle);
        if (contact && inScope(scope, contact.registrarId)) items.push(item);
        break;
      }
    }
  }
  const personalRecords = items.reduce((n, v) => n + (v.kind === 'domain' || v.kind === 'contact' ? v.personalRecords : 0), 0);
  return { ...results, items, personalRecords };
}

export function lookup(query: Query, ctx: LookupContext): Promise<Found> {
  return (LOOKUPS[query.kind] as Lookup<QueryKind>)(query as never, ctx);
}
