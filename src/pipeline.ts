// The path of one query, shared by every door (../shared/DESIGN.md):
//   identity -> admission -> parse -> authorization -> cache -> lookup -> view -> render -> log.
// A door supplies only its grammar and its renderer; policy, lookups, redaction, caching and
// logging happen here, the same way for all of them.
import { AnswerCache, ANY, ANY_HOST, ANY_REGISTRAR, objectKey } from './answer-cache.js';
import type { Config } from './config.js';
import { lookup } from './lookup/lookups.js';
import type { DataVersion } from './model/records.js';
import { CONTACT_ROLES } from './model/types.js';
import type { GatewayBadReason, QueryLog } from './observe/query-record.js';
import type { Admission, Authorization, ClientIdentity, Policy, Remote } from './policy/policy.js';
import { queryKey, type Parsed, type QueryKind } from './query/query.js';
import type { Outcome, Resolution } from './resolution.js';
import { isStoreUnavailable } from './store/errors.js';
import type { Store } from './store/store.js';

export interface DoorRequest<C, T> {
  remote: Remote;
  /**
   * The query exactly as the client sent it (the line, the request target). Together with
   * `format` it must decide the whole public answer: a repeat is answered from the cache
   * without being parsed again.
   */
  input: string;
  /** Everything besides the input that the rendered answer depends on (door, format, language). */
  format: string;
  /** Reads the door's own syntax with its grammar (src/query/). Called at most once per request. */
  parse: () => Parsed<C>;
  /** A solution to the challenge a client must solve for this query (the web lookups' captcha). */
  proof?: string;
  /** `request` is what parse() read; undefined for a query refused before it was read. */
  render: (res: Resolution, request: C | undefined) => T;
  /**
   * A rendered answer with the data's time set anew (src/render/restamp.ts): a cached answer whose
   * objects did not change is kept across a data change. Without it such an answer is looked up again.
   */
  restamp?: (answer: T, updatedAt: string) => T;
  /** Size of a rendered answer in bytes, for the query log. */
  size: (answer: T) => number;
}

export interface PipelineOptions {
  /** Rendered public answers kept in memory (0 turns the cache off). */
  cacheEntries: number;
  /** How often to ask the Store whether the data changed. */
  dataPollMs: number;
}

/** A rendered answer with what the query log says about it; public ones are kept in the cache with the request they answer. */
interface Answer {
  answer: unknown;
  parsed?: Parsed<unknown>;
  outcome: Outcome;
  kind: QueryKind | 'unknown';
  /** The normalised query (queryKey): the query log's text. */
  key: string;
  /** The data's time the answer shows (DataVersion.updatedAt). */
  stamp: string;
  objects: number;
  personal: number;
  reason?: string;
  /** For a gateway's query: why it was a bad one. */
  fault?: GatewayBadReason;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const INTERNAL_ERROR = 'internal error; please try again later';
/** Changed objects taken one by one at a data change; more and the whole cache goes (cheaper then). */
const CHANGES_AT_ONCE = 100_000;
const UNAVAILABLE = 'the registration data is temporarily unavailable; please try again later';

export class Pipeline {
  private data: DataVersion = { serial: -1, updatedAt: new Date(0).toISOString() };
  // Rendered public answers by format and input: a public answer is the same for every client
  // until an object it shows changes (answer-cache.ts).
  private readonly cache: AnswerCache<Answer>;
  private poller?: NodeJS.Timeout;
  /** Called after every data change is seen (metrics, logs). */
  onDataChange?: (data: DataVersion) => void;
  /** Reports unexpected errors (a store outage, a bug); the client only sees a short error. */
  onError?: (err: unknown) => void;

  constructor(
    readonly store: Store,
    readonly policy: Policy,
    readonly log: QueryLog,
    readonly config: Config,
    private readonly options: PipelineOptions = { cacheEntries: 10000, dataPollMs: 1000 },
  ) {
    this.cache = new AnswerCache(options.cacheEntries);
  }

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
      // Only the answers that show a changed object go; unknown changes (a gap, a serial gone back) drop them all.
      const changes = data.serial > this.data.serial && this.data.serial >= 0 ? await this.store.changesSince(this.data.serial, CHANGES_AT_ONCE) : data.serial === this.data.serial ? [] : undefined;
      this.cache.changed(changes);
      this.data = data;
      this.onDataChange?.(data);
    }
  }

  /**
   * Whether this client may run queries of this kind, without running one (a door that offers a
   * form for them asks before showing it). Not logged: no query was asked.
   */
  allows(remote: Remote, kind: QueryKind): Authorization | Promise<Authorization> {
    return this.policy.authorize(this.policy.identify(remote), { kind });
  }

  /**
   * Answers one query. A public repeat, admitted and authorized by a policy that decides without
   * I/O (memory state), is answered synchronously from the cache, without a promise: the common
   * case costs a few hash lookups. So is every refusal. Everything else returns a promise.
   */
  handle<C, T>(req: DoorRequest<C, T>): T | Promise<T> {
    const started = performance.now();
    const client = this.policy.identify(req.remote);
    let admission: Admission | Promise<Admission>;
    try {
      admission = this.policy.admit(client);
    } catch (err) {
      return this.failed(req, client, undefined, err, started);
    }
    if (admission instanceof Promise) {
      return admission.then((a) => this.admitted(req, client, a, started), (err) => this.failed(req, client, undefined, err, started));
    }
    return this.admitted(req, client, admission, started);
  }

  /** Parse (or the request the cached answer was parsed from), then authorization. */
  private admitted<C, T>(req: DoorRequest<C, T>, client: ClientIdentity, admission: Admission, started: number): T | Promise<T> {
    if (!admission.admitted) return this.finish(req, client, { outcome: 'refused', refusal: admission }, undefined, started);
    const cached = client.tier === 'public' && !admission.delayMs ? this.fresh(req) : undefined;
    let parsed: Parsed<C>;
    let authorization: Authorization | Promise<Authorization>;
    try {
      parsed = (cached?.parsed as Parsed<C> | undefined) ?? req.parse();
      authorization = this.policy.authorize(client, parsed, req.proof);
    } catch (err) {
      return this.failed(req, client, undefined, err, started);
    }
    const go = (a: Authorization): T | Promise<T> => {
      if (!a.allowed) return this.finish(req, client, { outcome: 'forbidden', forbidden: a, query: parsed.query }, parsed, started);
      const delayMs = Math.max(admission.delayMs ?? 0, a.delayMs ?? 0);
      if (cached && delayMs === 0) return this.record(req, client, cached, started) as T;
      return this.resolve(req, client, delayMs, parsed, started);
    };
    if (authorization instanceof Promise) return authorization.then(go, (err) => this.failed(req, client, parsed, err, started));
    return go(authorization);
  }

  /** Everything but a cached public answer: look up, view, render (and cache), log. */
  private async resolve<C, T>(req: DoorRequest<C, T>, client: ClientIdentity, delayMs: number | undefined, parsed: Parsed<C>, started: number): Promise<T> {
    const data = this.data;
    let res: Resolution;
    try {
      if (parsed.error) {
        res = { outcome: 'bad-query', client, data, error: parsed.error.message, unsupported: parsed.error.unsupported || undefined };
      } else {
        const found = await lookup(parsed.query!, { store: this.store, policy: this.policy, client, adminBlock: this.config.whois.admin_block });
        res = { client, data, query: parsed.query, ...found };
      }
      if (delayMs) await sleep(delayMs);
    } catch (err) {
      return this.failed(req, client, parsed, err, started);
    }
    const rendered = this.rendered(req, res, parsed);
    // Not when the data changed during the lookup: this answer may be of the old data.
    const cacheable = client.tier === 'public' && this.options.cacheEntries > 0 && data === this.data;
    if (cacheable && (res.outcome === 'answered' || res.outcome === 'not-found')) this.cache.set(cacheKey(req), rendered, shownObjects(res));
    return this.record(req, client, rendered, started) as T;
  }

  /** Renders and logs an answer decided without a lookup (a refusal, a query this client may not run). */
  private finish<C, T>(req: DoorRequest<C, T>, client: ClientIdentity, decided: Pick<Resolution, 'outcome' | 'refusal' | 'forbidden' | 'query'>, parsed: Parsed<C> | undefined, started: number): T {
    return this.record(req, client, this.rendered(req, { client, data: this.data, ...decided }, parsed), started) as T;
  }

  /**
   * A failure: the store out of reach (outcome 'unavailable': the client is told to try again
   * later) or anything else (a bug: 'error'). The client gets a short text, the operator the details.
   */
  private failed<C, T>(req: DoorRequest<C, T>, client: ClientIdentity, parsed: Parsed<C> | undefined, err: unknown, started: number): T {
    this.onError?.(err);
    const res: Resolution = isStoreUnavailable(err)
      ? { outcome: 'unavailable', client, data: this.data, query: parsed?.query, error: UNAVAILABLE }
      : { outcome: 'error', client, data: this.data, query: parsed?.query, error: INTERNAL_ERROR };
    return this.record(req, client, this.rendered(req, res, parsed), started) as T;
  }

  /** A cached answer still right for the data: its objects unchanged, the data's time in it brought up to date. */
  private fresh<C, T>(req: DoorRequest<C, T>): Answer | undefined {
    const key = cacheKey(req);
    const hit = this.cache.get(key);
    if (!hit || hit.stamp === this.data.updatedAt) return hit;
    if (!req.restamp) return undefined;
    const restamped = { ...hit, answer: req.restamp(hit.answer as T, this.data.updatedAt), stamp: this.data.updatedAt };
    this.cache.update(key, restamped);
    return restamped;
  }

  private rendered<C, T>(req: DoorRequest<C, T>, res: Resolution, parsed: Parsed<C> | undefined): Answer {
    return {
      stamp: res.data.updatedAt,
      fault: gatewayFault(res, parsed),
      answer: req.render(res, parsed?.context),
      parsed,
      outcome: res.outcome,
      kind: res.query?.kind ?? parsed?.kind ?? 'unknown',
      key: res.query ? queryKey(res.query) : (res.error ?? ''),
      objects: res.search ? res.search.domains.length : res.results ? res.results.items.length : objectCount(res),
      personal: res.view?.kind === 'domain' || res.view?.kind === 'contact' ? res.view.personalRecords : (res.results?.personalRecords ?? 0),
      reason: res.refusal?.reason ?? res.forbidden?.reason ?? (res.outcome === 'error' || res.outcome === 'unavailable' || res.outcome === 'bad-query' ? res.error : undefined),
    };
  }

  /** Logs the answer and hands it back. */
  private record<C, T>(req: DoorRequest<C, T>, client: ClientIdentity, a: Answer, started: number): unknown {
    this.log.record({
      time: isoNow(),
      door: req.remote.door,
      clientKey: client.key,
      address: req.remote.address,
      endUser: req.remote.endUser,
      gateway: client.gateway?.name,
      fault: a.fault,
      tier: client.tier,
      kind: a.kind,
      query: a.key,
      outcome: a.outcome,
      reason: a.reason,
      objects: a.objects,
      personal: a.personal,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      bytes: req.size(a.answer as T),
    });
    return a.answer;
  }
}

/** The objects an answer shows, as answer-cache.ts keys them: what a change to must drop the answer. */
function shownObjects(res: Resolution): string[] {
  const view = res.view;
  if (view?.kind === 'domain') {
    const { domain, registrar } = view.record;
    return [
      objectKey('domain', domain.name),
      objectKey('registrar', String(registrar.ianaId)),
      ...CONTACT_ROLES.flatMap((role) => (domain[role] ? [objectKey('contact', domain[role]!)] : [])),
      // Every name server the domain names, found or not (a host added later changes the answer).
      ...domain.nameservers.map((n) => objectKey('host', n)),
    ];
  }
  if (view?.kind === 'host') return view.hosts.flatMap(({ host, registrar }) => [objectKey('host', host.name), objectKey('registrar', String(registrar.ianaId))]).concat(res.query?.kind === 'nameserver-ip' ? [ANY_HOST] : []);
  if (view?.kind === 'registrar') return [objectKey('registrar', String(view.registrar.ianaId)), ...(res.query?.kind === 'registrar-name' ? [ANY_REGISTRAR] : [])];
  if (view?.kind === 'contact') return [objectKey('contact', view.contact.handle)];
  const q = res.query;
  switch (q?.kind) {
    // Not found: what the name would be if it came.
    case 'domain':
      return [objectKey('domain', q.name)];
    case 'nameserver':
      return [objectKey('host', q.name)];
    case 'nameserver-ip':
      return [ANY_HOST];
    case 'registrar-id':
      return [objectKey('registrar', String(q.ianaId))];
    case 'registrar-name':
      return [ANY_REGISTRAR];
    case 'contact':
      return [objectKey('contact', q.handle)];
    case 'help':
      return [];
    default:
      // Searches: any change may change them.
      return [ANY];
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

/**
 * Why a registered gateway's query was a bad one (the WHOIS2 contract's list, counted per gateway
 * for its operator): on the gateway door, every fault; on port 43, only a gateway's line sent there.
 */
function gatewayFault(res: Resolution, parsed: Parsed<unknown> | undefined): GatewayBadReason | undefined {
  const client = res.client;
  if (!client.gateway) return undefined;
  const onGatewayDoor = client.remote.door === 'gateway';
  switch (res.outcome) {
    case 'bad-query': {
      const fault = parsed?.error?.gatewayFault;
      return onGatewayDoor || fault === 'wrong-port' ? fault : undefined;
    }
    case 'refused':
      return onGatewayDoor ? (res.refusal!.reason === 'rate-limited' ? 'end-user-limited' : 'end-user-banned') : undefined;
    case 'forbidden':
      if (!onGatewayDoor) return undefined;
      return res.forbidden!.reason === 'gateway-limited' ? 'gateway-limited' : res.forbidden!.reason === 'gateway-repeat' ? 'repeat' : undefined;
    default:
      return undefined;
  }
}

function objectCount(res: Resolution): number {
  if (!res.view) return 0;
  return res.view.kind === 'host' ? res.view.hosts.length : 1;
}
