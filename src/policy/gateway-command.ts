// `rdds gateway add|list|remove|set-limit|suspend|resume`: the operator's register of the gateway
// door's gateways, kept in the Store, so every node sees a change within a second, without restart.
import type { Config } from '../config.js';
import { GATEWAY_NAME, type Gateway } from '../model/gateway.js';
import { canonicalCidr, parseCidr } from './cidr-set.js';

export class GatewayCommandError extends Error {}

/** What the commands need of the Store. */
export interface GatewayStore {
  gateways(): Promise<Gateway[]>;
  putGateway(gateway: Gateway): Promise<void>;
  removeGateway(name: string): Promise<boolean>;
}

function limitOf(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new GatewayCommandError(`${flag} must be a whole number of queries a minute from 1, not ${text}`);
  return n;
}

async function existing(store: GatewayStore, name: string): Promise<Gateway> {
  const gateway = (await store.gateways()).find((g) => g.name === name);
  if (!gateway) throw new GatewayCommandError(`no gateway named ${name} (see rdds gateway list)`);
  return gateway;
}

export async function addGateway(store: GatewayStore, name: string, opts: { address?: string[]; limit?: string; contact?: string }): Promise<string> {
  if (!GATEWAY_NAME.test(name)) throw new GatewayCommandError(`gateway name ${JSON.stringify(name)}: use letters, digits, dot, dash and underscore (at most 63), starting with a letter or digit`);
  const addresses = (opts.address ?? []).map((a) => {
    try {
      return canonicalCidr(a);
    } catch {
      throw new GatewayCommandError(`--address ${a}: not an address or CIDR range`);
    }
  });
  if (addresses.length === 0) throw new GatewayCommandError('--address: give the addresses or CIDR ranges the gateway connects from');
  if (opts.contact !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.contact)) throw new GatewayCommandError(`--contact ${opts.contact}: not an e-mail address`);
  const all = await store.gateways();
  if (all.some((g) => g.name === name)) throw new GatewayCommandError(`a gateway named ${name} exists already (rdds gateway remove ${name} first, or set-limit / suspend / resume it)`);
  // An address belongs to one gateway at most: its queries must count against one.
  for (const a of addresses) {
    const ours = parseCidr(a);
    for (const g of all) {
      const clash = g.addresses.find((b) => {
        const theirs = parseCidr(b);
        return theirs.family === ours.family && theirs.first <= ours.last && ours.first <= theirs.last;
      });
      if (clash) throw new GatewayCommandError(`--address ${a} overlaps ${clash} of gateway ${g.name}: an address belongs to one gateway`);
    }
  }
  const gateway: Gateway = { name, addresses, created: new Date().toISOString() };
  if (opts.limit !== undefined) gateway.limitPerMinute = limitOf(opts.limit, '--limit');
  if (opts.contact !== undefined) gateway.contact = opts.contact;
  await store.putGateway(gateway);
  return `added gateway ${name} (${addresses.join(', ')})${gateway.limitPerMinute ? `, ${gateway.limitPerMinute} queries a minute` : ''}; every node takes it within a second`;
}

export async function listGateways(store: GatewayStore, config: Config): Promise<string> {
  const all = await store.gateways();
  if (all.length === 0) return 'no gateways registered (rdds gateway add NAME --address CIDR...)';
  const rows = all.map((g) => [
    g.name,
    g.addresses.join(','),
    String(g.limitPerMinute ?? `${config.gateway.limit_per_minute} (default)`),
    g.contact ?? '',
    g.suspended ? `suspended ${g.suspended.at} by ${g.suspended.by}: ${g.suspended.reason}` : 'active',
  ]);
  const head = ['NAME', 'ADDRESSES', 'LIMIT/MIN', 'CONTACT', 'STATE'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(width[i]) : c)).join('  ')).join('\n');
}

export async function removeGateway(store: GatewayStore, name: string): Promise<string> {
  if (!(await store.removeGateway(name))) throw new GatewayCommandError(`no gateway named ${name} (see rdds gateway list)`);
  return `removed gateway ${name}; its next connection is refused`;
}

export async function setGatewayLimit(store: GatewayStore, name: string, limit: string): Promise<string> {
  const gateway = await existing(store, name);
  const n = limitOf(limit, 'the limit');
  await store.putGateway({ ...gateway, limitPerMinute: n });
  return `gateway ${name}: ${n} queries a minute`;
}

export async function suspendGateway(store: GatewayStore, name: string, reason: string | undefined): Promise<string> {
  const gateway = await existing(store, name);
  await store.putGateway({ ...gateway, suspended: { at: new Date().toISOString(), reason: reason ?? 'suspended by the operator', by: 'operator' } });
  return `suspended gateway ${name}; its next connection is told so`;
}

export async function resumeGateway(store: GatewayStore, name: string): Promise<string> {
  const gateway = await existing(store, name);
  if (!gateway.suspended) throw new GatewayCommandError(`gateway ${name} is not suspended`);
  const { suspended: _, ...active } = gateway;
  await store.putGateway(active);
  return `resumed gateway ${name}`;
}
