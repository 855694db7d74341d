// The gateway service's policy (WHOIS2, digest whois-text.md §9): which addresses belong to which
// registered gateway (kept in the Store, re-read every second so every node sees additions,
// removals and suspensions without a restart), and the authorization of each gateway query — the
// gateway registered and not suspended, within its own limit over all its addresses (refused,
// throttled or ignored past it, and suspended after recurring excess), and no repeat pattern of one
// end user and one name. The end user's own allowance is the ordinary admission (rdds-policy.ts):
// their gateway queries and their direct queries draw on one counter.
import type { Config } from '../config.js';
import type { Gateway } from '../model/gateway.js';
import { CidrSet } from './cidr-set.js';
import { parseDuration } from './duration.js';
import type { Authorization, AuthorizationRequest, ClientIdentity } from './policy.js';
import type { PolicyState } from './state.js';

/** Where gateways are kept (the Store). */
export interface GatewaySource {
  gateways(): Promise<Gateway[]>;
  putGateway(gateway: Gateway): Promise<void>;
}

export type GatewayEvent = { type: 'gateway-suspended'; gateway: string; reason: string } | { type: 'gateway-over-limit'; gateway: string; occasions: number };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const ALLOWED: Authorization = Object.freeze({ allowed: true });

/** The registered gateways as this node last read them, with a lookup by address. */
export class GatewayRegistry {
  private list: { gateway: Gateway; addresses: CidrSet }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly source: GatewaySource | undefined, private readonly onError: (err: unknown) => void = () => {}) {}

  get size(): number {
    return this.list.length;
  }

  /** The gateway an address belongs to (a hash-free scan: gateways are few). */
  match(address: string): Gateway | undefined {
    for (const g of this.list) if (g.addresses.has(address)) return g.gateway;
    return undefined;
  }

  async refresh(): Promise<void> {
    if (!this.source) return;
    const gateways = await this.source.gateways();
    this.list = gateways.map((gateway) => ({ gateway, addresses: new CidrSet(gateway.addresses) }));
  }

  /** Re-reads the gateways every `everyMs` (a failed read keeps the last list). */
  start(everyMs = 1000): void {
    if (!this.source || this.timer) return;
    this.timer = setInterval(() => void this.refresh().catch(this.onError), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Marks a gateway suspended, in the store and at once on this node. */
  async suspend(gateway: Gateway, reason: string, at: Date): Promise<void> {
    const suspended: Gateway = { ...gateway, suspended: { at: at.toISOString(), reason, by: 'automatic' } };
    await this.source?.putGateway(suspended);
    this.list = this.list.map((g) => (g.gateway.name === gateway.name ? { ...g, gateway: suspended } : g));
  }
}

export class GatewayPolicy {
  private readonly limit: number;
  private readonly overLimit: Config['gateway']['over_limit'];
  private readonly throttleMs: number;
  private readonly suspendAfter: number;
  private readonly repeatLimit: number;

  constructor(
    config: Config,
    readonly registry: GatewayRegistry,
    private readonly state: PolicyState,
    private readonly clock: () => number,
    private readonly onEvent: (event: GatewayEvent) => void,
  ) {
    const g = config.gateway;
    this.limit = g.limit_per_minute;
    this.overLimit = g.over_limit;
    this.throttleMs = parseDuration(g.throttle_delay);
    this.suspendAfter = g.suspend_after;
    this.repeatLimit = g.repeat_limit;
  }

  /** A gateway query: registered, not suspended, within its limit, no repeat pattern. */
  async authorize(client: ClientIdentity, request: AuthorizationRequest): Promise<Authorization> {
    const gateway = client.gateway;
    if (!gateway) return { allowed: false, reason: 'not-a-gateway' };
    if (gateway.suspended) return { allowed: false, reason: 'gateway-suspended', detail: gateway.suspended.reason };
    const now = this.clock();
    const limit = gateway.limitPerMinute ?? this.limit;
    const hit = await this.state.hit({ key: `gw:${gateway.name}`, limit, windowMs: MINUTE_MS, banAfter: 0, banWindowMs: 0, banMs: 0, now });
    if (hit.count > limit) {
      // The first query over the limit in a minute is one occasion of excess.
      if (hit.count === limit + 1) await this.excess(gateway, now);
      const retryAfterSeconds = Math.max(1, Math.ceil(hit.resetInMs / 1000));
      if (this.overLimit === 'throttle') return { allowed: true, delayMs: this.throttleMs };
      return { allowed: false, reason: 'gateway-limited', retryAfterSeconds, silent: this.overLimit === 'ignore' || undefined };
    }
    const query = request.query;
    if (query?.kind === 'domain') {
      const repeat = await this.state.hit({ key: `gwr:${gateway.name}:${client.key}:${query.name}`, limit: this.repeatLimit, windowMs: MINUTE_MS, banAfter: 0, banWindowMs: 0, banMs: 0, now });
      if (repeat.count > this.repeatLimit) return { allowed: false, reason: 'gateway-repeat' };
    }
    return ALLOWED;
  }

  /** Counts an occasion over the limit today; `suspend_after` of them suspend the gateway. */
  private async excess(gateway: Gateway, now: number): Promise<void> {
    const day = Math.floor(now / DAY_MS);
    const occasions = await this.state.add(`gwx:${gateway.name}:${day}`, 1, 2 * DAY_MS);
    this.onEvent({ type: 'gateway-over-limit', gateway: gateway.name, occasions });
    if (this.suspendAfter > 0 && occasions >= this.suspendAfter) {
      const reason = `over its limit of ${gateway.limitPerMinute ?? this.limit} queries a minute on ${occasions} occasions today`;
      await this.registry.suspend(gateway, reason, new Date(now));
      this.onEvent({ type: 'gateway-suspended', gateway: gateway.name, reason });
    }
  }
}
