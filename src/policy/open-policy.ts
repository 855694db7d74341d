// Tier resolution by configured address ranges and the authorization rules, without limits. Used until the full policy
// (rate limits, bans, blocklist, budgets) is configured; it is also the policy of `rdds lookup`.
import type { Config } from '../config.js';
import { clientKey } from './address.js';
import { CidrSet } from './cidr-set.js';
import { Authorizer } from './authorize.js';
import type { AccessDecision, Admission, Authorization, AuthorizationRequest, ClientIdentity, Policy, Remote } from './policy.js';
import { PUBLIC_ACCESS, type Access, type Tier } from './view.js';

const ADMITTED: Admission = Object.freeze({ admitted: true });

export const TIER_ACCESS: Record<Tier, Access> = {
  public: PUBLIC_ACCESS,
  registrar: { tier: 'registrar', full: true, revealCustomer: false },
  authorized: { tier: 'authorized', full: true, revealCustomer: true },
};

export class TierResolver {
  private readonly authorized: CidrSet;
  private readonly registrars: { ianaId: number; list: CidrSet }[];

  constructor(tiers: Config['policy']['tiers']) {
    this.authorized = new CidrSet(tiers.authorized);
    this.registrars = Object.entries(tiers.registrars).map(([id, cidrs]) => ({ ianaId: Number(id), list: new CidrSet(cidrs) }));
  }

  resolve(address: string): { tier: Tier; registrarId?: number } {
    if (this.authorized.has(address)) return { tier: 'authorized' };
    for (const r of this.registrars) if (r.list.has(address)) return { tier: 'registrar', registrarId: r.ianaId };
    return { tier: 'public' };
  }
}

export class OpenPolicy implements Policy {
  private readonly tiers: TierResolver;
  private readonly authorizer: Authorizer;

  constructor(config: Config) {
    this.tiers = new TierResolver(config.policy.tiers);
    this.authorizer = new Authorizer(config);
  }

  identify(remote: Remote): ClientIdentity {
    return { remote, key: clientKey(remote.address), ...this.tiers.resolve(remote.address) };
  }

  admit(): Admission | Promise<Admission> {
    return ADMITTED;
  }

  authorize(client: ClientIdentity, request: AuthorizationRequest): Authorization | Promise<Authorization> {
    return this.authorizer.authorize(client, request);
  }

  async access(client: ClientIdentity): Promise<AccessDecision> {
    return { access: TIER_ACCESS[client.tier] };
  }

  async charge(): Promise<void> {}

  async close(): Promise<void> {}
}
