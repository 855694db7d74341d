// One lookup per query kind, behind one table: what the Store is asked for each kind of query, and
// how the answer is viewed (redaction through viewed(), for the kinds that show contacts).
import type { ClientLimits } from '../policy/policy.js';
import type { Query, QueryKind } from '../query/query.js';
import { viewContact, viewDomain, viewHosts, viewRegistrar, viewSearch, type ResultsView, type SearchView, type View } from '../policy/view.js';
import { rdapSearch } from './rdap-search.js';
import { viewed, type LookupContext } from './viewed.js';

/** A lookup's result: answered with a view (none for help), or nothing found. */
export interface Found {
  outcome: 'answered' | 'not-found';
  view?: View;
  search?: SearchView;
  results?: ResultsView;
  /** Tells the client its access was reduced (quota or budget spent). */
  notice?: string;
  /** help: the limits in force for this client. */
  limits?: ClientLimits;
}

type Lookup<K extends QueryKind> = (query: Extract<Query, { kind: K }>, ctx: LookupContext) => Promise<Found>;

const NOT_FOUND: Found = Object.freeze({ outcome: 'not-found' });
const answered = (view: View | undefined): Found => (view ? { outcome: 'answered', view } : NOT_FOUND);

const LOOKUPS: { [K in QueryKind]: Lookup<K> } = {
  async domain(q, ctx) {
    const record = await ctx.store.lookupDomain(q.name);
    if (!record) return NOT_FOUND;
    const { view, notice } = await viewed(ctx, (access) => viewDomain(record, access, { adminBlock: ctx.adminBlock }));
    return { outcome: 'answered', view, notice };
  },
  async nameserver(q, ctx) {
    const host = await ctx.store.lookupHost(q.name);
    return answered(host && viewHosts([host]));
  },
  async 'nameserver-ip'(q, ctx) {
    const hosts = await ctx.store.lookupHostsByAddress(q.address);
    return answered(hosts.length > 0 ? viewHosts(hosts) : undefined);
  },
  async 'registrar-id'(q, ctx) {
    const registrar = await ctx.store.getRegistrar(q.ianaId);
    return answered(registrar && viewRegistrar(registrar));
  },
  async 'registrar-name'(q, ctx) {
    const registrar = await ctx.store.getRegistrarByName(q.name);
    return answered(registrar && viewRegistrar(registrar));
  },
  async contact(q, ctx) {
    const contact = await ctx.store.getContact(q.handle);
    if (!contact) return NOT_FOUND;
    const { view, notice } = await viewed(ctx, (access) => viewContact(contact, access));
    return { outcome: 'answered', view, notice };
  },
  // Searchable WHOIS: domain names only, no contact data (each result links to its lookup).
  async search(q, ctx) {
    const found = await ctx.store.searchDomains(q.expr, { limit: q.limit, offset: q.offset });
    return { outcome: found.items.length > 0 ? 'answered' : 'not-found', search: viewSearch(found.items, q.offset, found.truncated) };
  },
  // RDAP search: each result viewed like its lookup, under this client's access.
  async 'rdap-search'(q, ctx) {
    const { view: results, notice } = await viewed(ctx, (access) => rdapSearch(ctx.store, q.search, { size: q.limit, paging: q.paging }, access, { adminBlock: ctx.adminBlock }));
    return { outcome: results.items.length > 0 ? 'answered' : 'not-found', results, notice };
  },
  async help(_q, ctx) {
    return { outcome: 'answered', limits: await ctx.policy.limitsFor?.(ctx.client) };
  },
};

export function lookup(query: Query, ctx: LookupContext): Promise<Found> {
  return (LOOKUPS[query.kind] as Lookup<QueryKind>)(query as never, ctx);
}
