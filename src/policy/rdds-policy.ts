// The registry's access policy, one for every door: who the client is (tier by address), whether it
// may ask now (blocklist, bans, rate limit per client key with ban escalation or throttling), how much
// it may see (registrar daily quota, personal-data budget) and how many connections it may hold.
// Admission on the memory backend is a few hash lookups; on Redis it is one round trip.
import { dirname, join, basename } from 'node:path';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import { clientKey } from './address.js';
import { Authorizer } from './authorize.js';
import { Blocklist } from './blocklist.js';
import type { Captcha } from './captcha.js';
import { GatewayPolicy, GatewayRegistry, type GatewayEvent, type GatewaySource } from './gateways.js';
import { CidrSet } from './cidr-set.js';
import { parseDuration } from './duration.js';
import { TIER_ACCESS, TierResolver } from './open-policy.js';
import type { AccessDecision, Admission, Authorization, AuthorizationRequest, ClientIdentity, ClientLimits, ConnectionGuard, Policy, Remote } from './policy.js';
import { RedisState } from './redis-state.js';
import { BanFile, isPermanent, MemoryState, type Ban, type HitResult, type PolicyState } from './state.js';
import { PUBLIC_ACCESS, type Tier } from './view.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type PolicyLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

export type PolicyEvent =
  | GatewayEvent
  | { type: 'banned'; ban: Ban }
  | { type: 'quota-exhausted'; registrarId: number; key: string; quota: number; day: string }
  | { type: 'budget-exhausted'; key: string; tier: Tier; budget: number; used: number; day: string };

export interface RddsPolicyOptions {
  /** For the registrar tier's quota (110% of the domains it sponsors). */
  store?: Pick<Store, 'countDomains'>;
  /** Counters and bans; built from config.state when not given. */
  state?: PolicyState;
  clock?: () => number;
  /** Operator-visible log lines (start, Redis outages, blocklist reloads, bans, budgets spent). */
  log?: PolicyLog;
  /** Every ban, spent quota and spent budget, for the operator (metrics, alerts, reports). */
  onEvent?: (event: PolicyEvent) => void;
  /** The web lookups' captcha (the web door serves its challenges); without it no captcha is asked. */
  captcha?: Captcha;
  /** Where the gateway door's registered gateways are kept (the Store); without it no address is a gateway. */
  gateways?: GatewaySource;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const QUOTA_CACHE_MS = 5 * MINUTE_MS;
const ADMITTED: Admission = Object.freeze({ admitted: true });

/** Where bans are kept when state is memory: policy.bans_file, or next to the SQLite file. */
export function bansFilePath(config: Config): string {
  if (config.policy.bans_file) return config.policy.bans_file;
  if (/^postgres(ql)?:\/\//.test(config.db)) return join(process.cwd(), 'rdds-bans.json');
  return join(dirname(config.db), `${basename(config.db)}.bans.json`);
}

/** The state backend of a configuration: memory (with the ban file) or Redis. */
export function createState(config: Config, options: { clock?: () => number; log?: PolicyLog; banPollMs?: number } = {}): PolicyState {
  if (config.state === 'memory') {
    return new MemoryState({
      banFile: new BanFile(bansFilePath(config)),
      banPollMs: options.banPollMs,
      clock: options.clock,
      onError: (err) => options.log?.('error', `ban file: ${err.message}`),
    });
  }
  return new RedisState(config.state, { clock: options.clock, log: options.log, banPollMs: options.banPollMs });
}

function limit(n: number | null | undefined): number | null {
  return n === null || n === undefined || n <= 0 ? null : n;
}

export class RddsPolicy implements Policy, ConnectionGuard {
  readonly state: PolicyState;
  readonly blocklist?: Blocklist;
  readonly allowlist: CidrSet;
  readonly trustedProxies: CidrSet;
  private readonly tiers: TierResolver;
  private readonly authorizer: Authorizer;
  readonly gateways: GatewayRegistry;
  private readonly gatewayPolicy: GatewayPolicy;
  private readonly clock: () => number;
  private readonly log: PolicyLog;
  private readonly ipv6Prefix: number;
  private readonly limits: Record<Tier, number | null>;
  private readonly allowlistLimit: number | null;
  private readonly windowMs = MINUTE_MS;
  private readonly banAfter: number;
  private readonly banWindowMs: number;
  private readonly banMs: number;
  private readonly permanentAfter: number;
  private readonly permanentWindowMs: number;
  private readonly throttleMs: number | null;
  private readonly refusalText: string[];
  private readonly banText: string[];
  private readonly authorizedBudget: number | null;
  private readonly quotaPercent: number;
  private readonly maxConnections: number | null;
  private readonly searchPageSize: number;
  private readonly connections = new Map<string, number>();
  private readonly quotas = new Map<number, { quota: number; at: number }>();
  /** Spent quotas and budgets already reported today (reported once per key and day). */
  private readonly reported = new Set<string>();
  private reportedDay = -1;
  /** Set once the operator's hooks are attached (they log bans themselves). */
  private observed = false;

  constructor(config: Config, private readonly options: RddsPolicyOptions = {}) {
    const p = config.policy;
    const rl = p.rate_limit;
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((level, message) => console.error(`rdds policy ${level}: ${message}`));
    this.tiers = new TierResolver(p.tiers);
    this.authorizer = new Authorizer(config, options.captcha);
    this.allowlist = new CidrSet(p.allowlist);
    this.trustedProxies = new CidrSet(p.trusted_proxies);
    this.ipv6Prefix = rl.ipv6_prefix;
    this.limits = { public: limit(rl.per_minute), registrar: limit(rl.per_tier.registrar), authorized: limit(rl.per_tier.authorized) };
    this.allowlistLimit = limit(rl.allowlist_per_minute);
    this.banAfter = rl.ban_after;
    this.banWindowMs = parseDuration(rl.ban_window);
    this.banMs = parseDuration(rl.ban_duration);
    this.permanentAfter = rl.permanent_after;
    this.permanentWindowMs = parseDuration(rl.permanent_window);
    this.throttleMs = rl.mode === 'throttle' ? parseDuration(rl.throttle_delay) : null;
    this.refusalText = rl.refusal_text;
    this.banText = rl.ban_text;
    this.authorizedBudget = limit(p.personal_data_budget.authorized);
    this.quotaPercent = p.registrar_quota_percent;
    this.maxConnections = limit(p.max_connections_per_client);
    this.searchPageSize = config.rdap.search_max_results;
    this.state = options.state ?? createState(config, { clock: this.clock, log: this.log });
    this.gateways = new GatewayRegistry(options.gateways, (err) => this.log('error', `gateways not re-read, the last list stays in force: ${(err as Error).message}`));
    this.gatewayPolicy = new GatewayPolicy(config, this.gateways, this.state, this.clock, (event) => {
      if (event.type === 'gateway-suspended') this.log('warn', `gateway ${event.gateway} suspended: ${event.reason}`);
      this.options.onEvent?.(event);
    });
    if (p.blocklist_file) {
      let first = true;
      this.blocklist = new Blocklist(p.blocklist_file, {
        onLoad: (n) => {
          if (!first) this.log('info', `blocklist ${p.blocklist_file} reloaded: ${n} ranges`);
          first = false;
        },
        onError: (err) => this.log('error', `blocklist not (re)loaded, previous list stays in force: ${err.message}`),
      }).watch();
    }
  }

  /** Reads the registered gateways, and keeps re-reading them every second. */
  async start(): Promise<void> {
    await this.gateways.refresh();
    this.gateways.start();
  }

  identify(remote: Remote): ClientIdentity {
    if (remote.door === 'gateway') {
      // A gateway's query counts against its end user, who sees what the public sees.
      const gateway = this.gateways.match(remote.address);
      const address = gateway && remote.endUser ? remote.endUser : remote.address;
      return { remote, key: clientKey(address, this.ipv6Prefix), tier: 'public', gateway, address };
    }
    const identity: ClientIdentity = { remote, key: clientKey(remote.address, this.ipv6Prefix), ...this.tiers.resolve(remote.address) };
    if (this.gateways.size > 0) identity.gateway = this.gateways.match(remote.address);
    return identity;
  }

  admit(client: ClientIdentity): Admission | Promise<Admission> {
    const address = client.address ?? client.remote.address;
    if (this.blocklist?.has(address)) return { admitted: false, reason: 'blocked', message: this.banText };
    const now = this.clock();
    const allowed = this.allowlist.size > 0 && this.allowlist.has(address);
    if (!allowed) {
      const ban = this.state.matchBan(client.key, address, now);
      if (ban) return this.banned(ban, now);
    }
    const max = allowed ? this.allowlistLimit : this.limits[client.tier];
    if (max === null) return ADMITTED;
    const hit = this.state.hit({
      key: client.key,
      limit: max,
      windowMs: this.windowMs,
      banAfter: allowed ? 0 : this.banAfter,
      banWindowMs: this.banWindowMs,
      banMs: this.banMs,
      permanentAfter: this.permanentAfter,
      permanentWindowMs: this.permanentWindowMs,
      now,
    });
    // Memory state answers at once: no promise on the hot path. Redis answers later.
    return hit instanceof Promise ? hit.then((h) => this.judge(h, max, now)) : this.judge(hit, max, now);
  }

  authorize(client: ClientIdentity, request: AuthorizationRequest, proof?: string): Authorization | Promise<Authorization> {
    if (client.remote.door === 'gateway') return this.gatewayPolicy.authorize(client, request);
    return this.authorizer.authorize(client, request, proof);
  }

  private judge(hit: HitResult, max: number, now: number): Admission {
    if (hit.ban) {
      if (hit.fresh) {
        if (!this.observed) this.log('warn', `banned ${hit.ban.target} ${isPermanent(hit.ban) ? 'permanently' : `until ${new Date(hit.ban.until).toISOString()}`}: ${hit.ban.reason}`);
        this.options.onEvent?.({ type: 'banned', ban: hit.ban });
      }
      return this.banned(hit.ban, now);
    }
    if (hit.count <= max) return ADMITTED;
    if (this.throttleMs !== null) return { admitted: true, delayMs: this.throttleMs };
    return { admitted: false, reason: 'rate-limited', message: this.refusalText, retryAfterSeconds: Math.max(1, Math.ceil(hit.resetInMs / 1000)), limit: { perMinute: max, ipv6Prefix: this.ipv6Prefix } };
  }

  private banned(ban: Ban, now: number): Admission {
    return { admitted: false, reason: 'banned', message: this.banText, retryAfterSeconds: Math.max(1, Math.ceil((ban.until - now) / 1000)) };
  }

  async access(client: ClientIdentity): Promise<AccessDecision> {
    if (client.tier === 'public') return { access: PUBLIC_ACCESS };
    const now = this.clock();
    const day = Math.floor(now / DAY_MS);
    if (client.tier === 'registrar' && client.registrarId !== undefined) {
      const id = client.registrarId;
      const quota = await this.registrarQuota(id, now);
      const used = await this.state.add(`rq:${id}:${day}`, 1, 2 * DAY_MS);
      if (used > quota) {
        if (this.once(`rq:${id}`, day)) {
          this.log('warn', `registrar ${id} spent its daily quota of ${quota} full lookups (from ${client.key}); answering with the public view until 00:00 UTC`);
          this.options.onEvent?.({ type: 'quota-exhausted', registrarId: id, key: client.key, quota, day: dayText(day) });
        }
        return { access: PUBLIC_ACCESS, notice: `The daily quota of ${quota} full lookups for registrar ${id} is spent; this answer shows the public view until 00:00 UTC.` };
      }
      return { access: TIER_ACCESS.registrar };
    }
    if (client.tier === 'authorized' && this.authorizedBudget !== null) {
      const used = await this.state.get(`pd:${client.key}:${day}`);
      if (used >= this.authorizedBudget) {
        if (this.once(`pd:${client.key}`, day)) {
          this.log('warn', `${client.key} (${client.tier}) spent its daily personal-data budget of ${this.authorizedBudget} records; answering with the public view until 00:00 UTC`);
          this.options.onEvent?.({ type: 'budget-exhausted', key: client.key, tier: client.tier, budget: this.authorizedBudget, used, day: dayText(day) });
        }
        return { access: PUBLIC_ACCESS, notice: `The daily budget of ${this.authorizedBudget} records with personal data is spent; this answer shows the public view until 00:00 UTC.` };
      }
    }
    return { access: TIER_ACCESS[client.tier] };
  }

  /**
   * The limits in force for this client, from the settings admission and access read. A public
   * client is told the public tier's limit even from an allowlisted address: public help answers
   * are cached and shared by every public client.
   */
  async limitsFor(client: ClientIdentity): Promise<ClientLimits> {
    const perMinute = this.limits[client.tier];
    const search = this.authorizer.authorize(client, { kind: 'rdap-search' });
    const out: ClientLimits = { search: !(search instanceof Promise) && search.allowed, searchPageSize: this.searchPageSize };
    if (perMinute !== null) out.rate = { perMinute, ipv6Prefix: this.ipv6Prefix };
    if (client.tier === 'authorized' && this.authorizedBudget !== null) out.personalRecordsPerDay = this.authorizedBudget;
    if (client.tier === 'registrar' && client.registrarId !== undefined) out.fullLookupsPerDay = await this.registrarQuota(client.registrarId);
    return out;
  }

  async charge(client: ClientIdentity, personalRecords: number): Promise<void> {
    if (personalRecords <= 0 || client.tier === 'public') return;
    const day = Math.floor(this.clock() / DAY_MS);
    await this.state.add(`pd:${client.key}:${day}`, personalRecords, 2 * DAY_MS);
  }

  /** Records per day a client key has received unredacted (for reports and tests). */
  async personalRecords(key: string): Promise<number> {
    return this.state.get(`pd:${key}:${Math.floor(this.clock() / DAY_MS)}`);
  }

  /** 110% (policy.registrar_quota_percent) of the domains the registrar sponsors, recomputed every 5 minutes. */
  async registrarQuota(ianaId: number, now = this.clock()): Promise<number> {
    const cached = this.quotas.get(ianaId);
    if (cached && now - cached.at < QUOTA_CACHE_MS) return cached.quota;
    const domains = this.options.store ? await this.options.store.countDomains(ianaId) : 0;
    const quota = Math.floor((domains * this.quotaPercent) / 100);
    this.quotas.set(ianaId, { quota, at: now });
    return quota;
  }

  private once(what: string, day: number): boolean {
    if (day !== this.reportedDay) {
      this.reported.clear();
      this.reportedDay = day;
    }
    if (this.reported.has(what)) return false;
    this.reported.add(what);
    return true;
  }

  /** A load balancer whose PROXY protocol header (port 43) or forwarded header (HTTP) is believed. */
  isTrustedProxy(peer: string): boolean {
    return this.trustedProxies.has(peer); // an empty set answers at once
  }

  /** Counts a new connection of this client; false when it holds policy.max_connections_per_client already. */
  connect(address: string): boolean {
    if (this.maxConnections === null || (this.allowlist.size > 0 && this.allowlist.has(address))) return true;
    const key = clientKey(address, this.ipv6Prefix);
    const n = this.connections.get(key) ?? 0;
    if (n >= this.maxConnections) return false;
    this.connections.set(key, n + 1);
    return true;
  }

  disconnect(address: string): void {
    if (this.maxConnections === null || (this.allowlist.size > 0 && this.allowlist.has(address))) return;
    const key = clientKey(address, this.ipv6Prefix);
    const n = (this.connections.get(key) ?? 0) - 1;
    if (n <= 0) this.connections.delete(key);
    else this.connections.set(key, n);
  }

  /**
   * The operator's hooks (src/observe/observability.ts calls this once at start): bans issued,
   * Redis outages and recoveries, and the number of bans in force for the rdds_active_bans gauge.
   */
  observe(events: {
    banIssued(ban: { target: string; reason?: string; until?: string; by?: string }): void;
    outage(component: string, err: unknown): void;
    recovered(component: string): void;
    gatewaySuspended(gateway: string, reason: string): void;
  }): { activeBans: () => Promise<number> } {
    this.observed = true;
    const previous = this.options.onEvent;
    this.options.onEvent = (e) => {
      previous?.(e);
      if (e.type === 'banned') events.banIssued({ target: e.ban.target, reason: e.ban.reason, until: isPermanent(e.ban) ? undefined : new Date(e.ban.until).toISOString(), by: 'policy' });
      if (e.type === 'gateway-suspended') events.gatewaySuspended(e.gateway, e.reason);
    };
    if (this.state instanceof RedisState) {
      this.state.onDown = (err) => events.outage('redis', err);
      this.state.onUp = () => events.recovered('redis');
    }
    return { activeBans: async () => (await this.state.bans(this.clock()).catch(() => [])).length };
  }

  /** Re-reads the blocklist file (SIGHUP). */
  reload(): void {
    this.blocklist?.reload();
  }

  async close(): Promise<void> {
    this.gateways.stop();
    this.blocklist?.close();
    await this.state.close();
  }
}

function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
