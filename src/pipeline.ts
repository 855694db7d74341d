// The path of one query, shared by every door (../shared/DESIGN.md):
//   identity -> admission -> parse -> lookup -> view -> render -> response + query log.
// A door supplies only its parser and renderer; policy, lookups, redaction, caching and logging
// happen here, the same way for all of them.
import type { Config } from './config.js';
import type { QueryLog, Outcome } from './observe/query-record.js';
import type { Admission, ClientIdentity, Policy, Remote } from './policy/policy.js';
import { viewContact, viewDomain, viewHosts, viewRegistrar, viewSearch, type ResultsView, type SearchView, type View } from './policy/view.js';
import { rdapSearch } from './rdap-search-lookup.js';
import { BadQuery, queryKey, type Query } from './query/query.js';
import type { DataVersion, Store } from './store/store.js';

export interface Resolution {
  outcome: Outcome;
  client: ClientIdentity;
  query?: Query;
  view?: View;
  /** The answer to a searchable-WHOIS query (kind 'search'). */
  search?: SearchView;
  /** The answer to an RDAP search (kind 'rdap-search'): each result viewed like its lookup. */
  results?: ResultsView;
  refusal?: Extract<Admission, { admitted: false }>;
  /** Why a query was bad, or that an internal error happened (never internal details). */
  error?: string;
  /** Tells the client its access was reduced (quota or budget spent). */
  notice?: string;
  data: DataVersion;
}

export interface DoorRequest<T> {
  remote: Remote;
  /** Parses the door's own syntax; throws BadQuery for a malformed query. */
  parse: () => Query;
  render: (res: Resolution) => T;
  /** Size of a rendered answer in bytes, for the query log. */
  size: (answer: T) => number;
  /** Everything besides the resolution that the rendered answer depends on (format, language, URL form). */
  format: string;
}

export interface PipelineOptions {
  /** Rendered public answers kept in memory (0 turns the cache off). */
  cacheEntries: number;
  /** How often to ask the Store whether the data changed. */
  dataPollMs: number;
}

interface CachedAnswer {
  answer: unknown;
  outcome: Outcome;
  objects: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Pipeline {
  private data: DataVersion = { serial: -1, updatedAt: new Date(0).toISOString() };
  // Rendered public answers by format and query; a public answer is the same for every client
  // until the data changes, and then the whole cache is dropped. Insertion-ordered Map = FIFO bound.
  private readonly cache = new Map<string, CachedAnswer>();
  private poller?: NodeJS.Timeout;
  /** Called after every data change is seen (metrics, logs). */
  onDataChange?: (data: DataVersion) => void;

  constructor(
    readonly store: Store,
    readonly policy: Policy,
    readonly log: QueryLog,
    readonly config: Config,
    private readonly options: PipelineOptions = { cacheEntries: 10000, dataPollMs: 1000 },
  ) {}

  async start(): Promise<void> {
    await this.refreshData();
    this.poller = setInterval(() => void this.refreshData().catch(() => {}), this.options.dataPollMs);
    this.poller.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poller);
  }

  get dataVersion(): DataVersion {
    return this.data;
  }

  async refreshData(): Promise<void> {
    const data = await this.store.dataVersion();
    if (data.serial !== this.data.serial || data.updatedAt !== this.data.updatedAt) {
      this.data = data;
      this.cache.clear();
      this.onDataChange?.(data);
    }
  }

  async handle<T>(req: DoorRequest<T>): Promise<T> {
    const started = performance.now();
    const client = this.policy.identify(req.remote);
    let res: Resolution = { outcome: 'error', client, data: this.data };
    let delayMs = 0;
    let key: string | undefined; // the normalised query: cache key (with the format) and log text
    let cacheKey: string | undefined;
    let hit: CachedAnswer | undefined;
    try {
      const admission = await this.policy.admit(client);
      if (!admission.admitted) {
        res = { ...res, outcome: 'refused', refusal: admission };
      } else {
        delayMs = admission.delayMs ?? 0;
        res = this.parse(res, req);
        if (res.query) key = queryKey(res.query);
        // A public answer is the same for every client until the data changes: serve it from
        // the cache without touching the Store.
        if (res.query && client.tier === 'public' && this.options.cacheEntries > 0) {
          cacheKey = `${req.format}\n${key}`;
          hit = this.cache.get(cacheKey);
        }
        if (res.query && !hit) res = await this.lookup(res, res.query);
      }
    } catch (err) {
      res = { ...res, outcome: 'error', error: 'internal error; please try again later' };
      cacheKey = undefined;
      this.onError?.(err);
    }
    if (!hit) {
      const objects = res.search ? res.search.domains.length : res.results ? res.results.items.length : objectCount(res.view);
      hit = { answer: req.render(res), outcome: res.outcome, objects };
      if (cacheKey !== undefined && (res.outcome === 'answered' || res.outcome === 'not-found')) {
        if (this.cache.size >= this.options.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(cacheKey, hit);
      }
    }
    if (delayMs > 0) await sleep(delayMs);
    const answer = hit.answer as T;
    this.log.record({
      time: new Date().toISOString(),
      door: req.remote.door,
      clientKey: client.key,
      address: req.remote.address,
      endUser: req.remote.endUser,
      tier: client.tier,
      kind: res.query?.kind ?? 'unknown',
      query: key ?? res.error ?? '',
      outcome: hit.outcome,
      reason: res.refusal?.reason ?? (res.outcome === 'error' || res.outcome === 'bad-query' ? res.error : undefined),
      objects: hit.objects,
      personal: res.view?.kind === 'domain' || res.view?.kind === 'contact' ? res.view.personalRecords : (res.results?.personalRecords ?? 0),
      latencyMs: performance.now() - started,
      bytes: req.size(answer),
    });
    return answer;
  }

  /** Reports unexpected errors (a store outage, a bug); the client only sees a short error. */
  onError?: (err: unknown) => void;

  private parse<T>(res: Resolution, req: DoorRequest<T>): Resolution {
    try {
      return { ...res, query: req.parse() };
    } catch (err) {
      if (err instanceof BadQuery) return { ...res, outcome: 'bad-query', error: err.message };
      throw err;
    }
  }

  private async lookup(res: Resolution, query: Query): Promise<Resolution> {
    if (query.kind === 'help') return { ...res, outcome: 'answered' };
    if (query.kind === 'search') {
      // Which tiers may search is the door's check (configuration); results are domain names only.
      const found = await this.store.searchDomains(query.expr, { limit: query.limit, offset: query.offset });
      const search = viewSearch(found.items, query.offset, found.truncated);
      return { ...res, outcome: found.items.length > 0 ? 'answered' : 'not-found', search };
    }
    if (query.kind === 'rdap-search') {
      // Which tiers may search is the door's check (configuration); each result is viewed under this client's access.
      const decision = await this.policy.access(res.client);
      if (decision.notice) res.notice = decision.notice;
      const results = await rdapSearch(this.store, query.search, query.limit, decision.access, { adminBlock: this.config.whois.admin_block });
      if (results.personalRecords > 0) await this.policy.charge(res.client, results.personalRecords);
      return { ...res, outcome: results.items.length > 0 ? 'answered' : 'not-found', results };
    }
    const view = await this.find(query, res);
    return view ? { ...res, outcome: 'answered', view } : { ...res, outcome: 'not-found' };
  }

  private async find(query: Query, res: Resolution): Promise<View | undefined> {
    const store = this.store;
    const client = res.client;
    switch (query.kind) {
      case 'domain': {
        const record = await store.lookupDomain(query.name);
        if (!record) return undefined;
        const decision = await this.policy.access(client);
        if (decision.notice) res.notice = decision.notice;
        const view = viewDomain(record, decision.access, { adminBlock: this.config.whois.admin_block });
        if (view.personalRecords > 0) await this.policy.charge(client, view.personalRecords);
        return view;
      }
      case 'nameserver': {
        const host = await store.lookupHost(query.name);
        return host && viewHosts([host]);
      }
      case 'nameserver-ip': {
        const hosts = await store.lookupHostsByAddress(query.address);
        return hosts.length > 0 ? viewHosts(hosts) : undefined;
      }
      case 'registrar-id': {
        const registrar = await store.getRegistrar(query.ianaId);
        return registrar && viewRegistrar(registrar);
      }
      case 'registrar-name': {
        const registrar = await store.getRegistrarByName(query.name);
        return registrar && viewRegistrar(registrar);
      }
      case 'contact': {
        const contact = await store.getContact(query.handle);
        if (!contact) return undefined;
        const decision = await this.policy.access(client);
        if (decision.notice) res.notice = decision.notice;
        const view = viewContact(contact, decision.access);
        if (view.personalRecords > 0) await this.policy.charge(client, view.personalRecords);
        return view;
      }
      case 'search':
      case 'rdap-search':
      case 'help':
        return undefined;
    }
  }
}

function objectCount(view: View | undefined): number {
  if (!view) return 0;
  return view.kind === 'host' ? view.hosts.length : 1;
}
