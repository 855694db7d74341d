// Tier resolution by configured address ranges, without limits. Used until the full policy
// (rate limits, bans, blocklist, budgets) is configured; it is also the policy of `rdds lookup`.
import { BlockList, isIP } from 'node:net';
import type { Config } from '../config.js';
import { clientKey, plainAddress } from './address.js';
import type { AccessDecision, Admission, ClientIdentity, Policy, Remote } from './policy.js';
import { PUBLIC_ACCESS, type Access, type Tier } from './view.js';

export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) throw new Error(`not an address or CIDR range: ${cidr}`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

export function contains(list: BlockList, address: string): boolean {
  const plain = plainAddress(address);
  const family = isIP(plain) === 6 ? 'ipv6' : 'ipv4';
  return isIP(plain) !== 0 && list.check(plain, family);
}

export const TIER_ACCESS: Record<Tier, Access> = {
  public: PUBLIC_ACCESS,
  registrar: { tier: 'registrar', full: true, revealCustomer: false },
  authorized: { tier: 'authorized', full: true, revealCustomer: true },
};

export class TierResolver {
  private readonly authorized: BlockList;
  private readonly registrars: { ianaId: number; list: BlockList }[];

  constructor(tiers: Config['policy']['tiers']) {
    this.authorized = blockListOf(tiers.authorized);
    this.registrars = Object.entries(tiers.registrars).map(([id, cidrs]) => ({ ianaId: Number(id), list: blockListOf(cidrs) }));
  }

  resolve(address: string): { tier: Tier; registrarId?: number } {
    if (contains(this.authorized, address)) return { tier: 'authorized' };
    for (const r of this.registrars) if (contains(r.list, address)) return { tier: 'registrar', registrarId: r.ianaId };
    return { tier: 'public' };
  }
}

export class OpenPolicy implements Policy {
  private readonly tiers: TierResolver;

  constructor(config: Config) {
    this.tiers = new TierResolver(config.policy.tiers);
  }

  identify(remote: Remote): ClientIdentity {
    return { remote, key: clientKey(remote.address), ...this.tiers.resolve(remote.address) };
  }

  async admit(): Promise<Admission> {
    return { admitted: true };
  }

  async access(client: ClientIdentity): Promise<AccessDecision> {
    return { access: TIER_ACCESS[client.tier] };
  }

  async charge(): Promise<void> {}

  async close(): Promise<void> {}
}
