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
import type { DataVersion } from './model/records.js';
import type { Store } from './store/store.js';

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
  /**
   * The query exactly as the client sent it (the line, the request target). Together with
   * `format` it must decide the whole public answer: a repeat is answered from the cache
   * without being parsed again.
   */
  input: string;
  /** Parses the door's own syntax; throws BadQuery for a malformed query. */
  parse: () => Query;
  render: (res: Resolution) => T;
  /** Size of a rendered answer in bytes, for the query log. */
  size: (answer: T) => number;
  /** Everything besides the input that the rendered answer depends on (door, format, language). */
  format: string;
}

export interface PipelineOptions {
  /** Rendered public answers kept in memory (0 turns the cache off). */
  cacheEntries: number;
  /** How often to ask the Store whether the data changed. */
  dataPollMs: number;
}

/** A rendered public answer, with what the query log says about it. */
interface CachedAnswer {
  answer: unknown;
  outcome: Outcome;
  kind: Query['kind'] | 'unknown';
  /** The normalised query (queryKey): the query log's text. */
  key: string;
  objects: number;
  personal: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Pipeline {
  private data: DataVersion = { serial: -1, updatedAt: new Date(0).toISOString() };
  // Rendered public answers by format and input; a public answer is the same for every client
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

  /**
   * Answers one query. A public repeat admitted by a policy that decides without I/O (memory
   * state) is answered synchronously, from the cache, without a promise: the common case costs
   * a few hash lookups. Everything else returns a promise.
   */
  handle<T>(req: DoorRequest<T>): T | Promise<T> {
    const started = performance.now();
    const client = this.policy.identify(req.remote);
    let admission: Admission | Promise<Admission>;
    try {
      admission = this.policy.admit(client);
    } catch (err) {
      admission = Promise.reject(err);
    }
    if (admission instanceof Promise) {
      const pending = admission;
      return pending.then((a) => this.admitted(req, client, a, started), () => this.resolve(req, client, pending, started));
    }
    return this.admitted(req, client, admission, started);
  }

  private admitted<T>(req: DoorRequest<T>, client: ClientIdentity, admission: Admission, started: number): T | Promise<T> {
    if (admission.admitted && !admission.delayMs && client.tier === 'public') {
      const hit = this.cache.get(cacheKey(req));
      if (hit) return this.answer(req, client, hit, {}, started) as T;
    }
    return this.resolve(req, client, admission, started);
  }

  /** Everything but a cached public answer: parse, look up, view, render (and cache), log. */
  private async resolve<T>(req: DoorRequest<T>, client: ClientIdentity, admitting: Admission | Promise<Admission>, started: number): Promise<T> {
    const data = this.data;
    let res: Resolution = { outcome: 'error', client, data };
    let cacheable = false;
    try {
      const admission = await admitting;
      if (!admission.admitted) {
        res = { ...res, outcome: 'refused', refusal: admission };
      } else {
        res = this.parse(res, req);
        if (res.query) res = await this.lookup(res, res.query);
        cacheable = client.tier === 'public' && this.options.cacheEntries > 0;
        if (admission.delayMs) await sleep(admission.delayMs);
      }
    } catch (err) {
      res = { ...res, outcome: 'error', error: 'internal error; please try again later' };
      cacheable = false;
      this.onError?.(err);
    }
    const rendered: CachedAnswer = {
      answer: req.render(res),
      outcome: res.outcome,
      kind: res.query?.kind ?? 'unknown',
      key: res.query ? queryKey(res.query) : (res.error ?? ''),
      objects: res.search ? res.search.domains.length : res.results ? res.results.items.length : objectCount(res.view),
      personal: res.view?.kind === 'domain' || res.view?.kind === 'contact' ? res.view.personalRecords : (res.results?.personalRecords ?? 0),
    };
    // Not when the data changed during the lookup: the cache was dropped, and this answer may be of the old data.
    if (cacheable && data === this.data && (res.outcome === 'answered' || res.outcome === 'not-found')) {
      if (this.cache.size >= this.options.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(cacheKey(req), rendered);
    }
    return this.answer(req, client, rendered, res, started) as T;
  }

  /** Logs the answer and hands it back. */
  private answer<T>(req: DoorRequest<T>, client: ClientIdentity, a: CachedAnswer, res: Pick<Resolution, 'refusal' | 'error'>, started: number): unknown {
    this.log.record({
      time: isoNow(),
      door: req.remote.door,
      clientKey: client.key,
      address: req.remote.address,
      endUser: req.remote.endUser,
      tier: client.tier,
      kind: a.kind,
      query: a.key,
      outcome: a.outcome,
      reason: res.refusal?.reason ?? (a.outcome === 'error' || a.outcome === 'bad-query' ? res.error : undefined),
      objects: a.objects,
      personal: a.personal,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      bytes: req.size(a.answer as T),
    });
    return a.answer;
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

function cacheKey(req: { format: string; input: string }): string {
  return `${req.format}\n${req.input}`;
}

// The log's time stamp, made once per millisecond: many queries share one at full load.
let isoMs = -1;
let isoText = '';
function isoNow(): string {
  const ms = Date.now();
  if (ms !== isoMs) {
    isoMs = ms;
    isoText = new Date(ms).toISOString();
  }
  return isoText;
}

function objectCount(view: View | undefined): number {
  if (!view) return 0;
  return view.kind === 'host' ? view.hosts.length : 1;
}
