// Sets of IPv4 and IPv6 address ranges with a lookup that is a binary search over merged, sorted
// intervals (IPv4 as numbers, IPv6 as BigInt): O(log n) with tens of thousands of ranges, where
// node's net.BlockList scans every rule. Used by the blocklist, the allowlist, trusted proxies and
// CIDR bans.
import { isIP } from 'node:net';
import { canonicalIp } from '../model/validate.js';
import { expandIpv6, plainAddress } from './address.js';

export interface Cidr {
  family: 4 | 6;
  /** First and last address of the range. */
  first: bigint;
  last: bigint;
  prefix: number;
}

/** A dotted-quad IPv4 address as a number (no leading zeros, as net.isIP), or undefined. Hot path: no regex. */
export function ipv4ToNumber(address: string): number | undefined {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return undefined;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && part === 0)) {
      part = part * 10 + (c - 48);
      digits++;
    } else {
      return undefined;
    }
  }
  if (dots !== 3 || digits === 0 || part > 255) return undefined;
  return n * 256 + part;
}

function ipv6ToBigInt(address: string): bigint {
  let n = 0n;
  for (const g of expandIpv6(address)) n = (n << 16n) | BigInt(g);
  return n;
}

/** The numeric value and family of an address (IPv4-mapped IPv6 counts as IPv4), or undefined. */
export function addressValue(address: string): { family: 4 | 6; value: bigint } | undefined {
  const plain = plainAddress(address);
  const family = isIP(plain);
  if (family === 4) return { family, value: BigInt(ipv4ToNumber(plain)!) };
  if (family === 6) return { family, value: ipv6ToBigInt(plain) };
  return undefined;
}

/** Parses "192.0.2.1", "192.0.2.0/24", "2001:db8::/32"; throws with the text on anything else. */
export function parseCidr(text: string): Cidr {
  const [address, prefixText, extra] = text.trim().split('/');
  const addr = addressValue(address);
  if (!addr || extra !== undefined || (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText))) {
    throw new Error(`not an address or CIDR range: ${text}`);
  }
  const bits = addr.family === 4 ? 32 : 128;
  // An IPv4-mapped IPv6 range (::ffff:192.0.2.0/120) is the IPv4 range it maps.
  let prefix = prefixText === undefined ? bits : Number(prefixText);
  if (addr.family === 4 && isIP(address) === 6 && prefixText !== undefined) prefix -= 96;
  if (prefix < 0 || prefix > bits) throw new Error(`not an address or CIDR range: ${text}`);
  const host = (1n << BigInt(bits - prefix)) - 1n;
  const first = addr.value & ~host & ((1n << BigInt(bits)) - 1n);
  return { family: addr.family, first, last: first | host, prefix };
}

function formatValue(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return canonicalIp(groups.join(':'));
}

/**
 * The canonical text of a range: an IPv4 /32 is the bare address, anything else is
 * "first/prefix" with host bits cleared. IPv6 /64s come out exactly as clientKey() writes them,
 * so a ban on a client key and a ban typed by an operator meet in one hash lookup.
 */
export function formatCidr(cidr: Cidr): string {
  const base = formatValue(cidr.family, cidr.first);
  return cidr.family === 4 && cidr.prefix === 32 ? base : `${base}/${cidr.prefix}`;
}

export function canonicalCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

class Intervals<N extends number | bigint> {
  constructor(private readonly starts: N[], private readonly ends: N[]) {}

  static build<N extends number | bigint>(ranges: [N, N][]): Intervals<N> {
    ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const starts: N[] = [];
    const ends: N[] = [];
    for (const [s, e] of ranges) {
      const i = ends.length - 1;
      // Merge overlapping and adjacent ranges.
      if (i >= 0 && (typeof s === 'number' ? s <= (ends[i] as number) + 1 : (s as bigint) <= (ends[i] as bigint) + 1n)) {
        if (e > ends[i]) ends[i] = e;
      } else {
        starts.push(s);
        ends.push(e);
      }
    }
    return new Intervals(starts, ends);
  }

  get size(): number {
    return this.starts.length;
  }

  has(x: N): boolean {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= x) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && x <= this.ends[found];
  }
}

export class CidrSet {
  private readonly v4: Intervals<number>;
  private readonly v6: Intervals<bigint>;

  constructor(ranges: Iterable<string | Cidr> = []) {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const r of ranges) {
      const c = typeof r === 'string' ? parseCidr(r) : r;
      if (c.family === 4) v4.push([Number(c.first), Number(c.last)]);
      else v6.push([c.first, c.last]);
    }
    this.v4 = Intervals.build(v4);
    this.v6 = Intervals.build(v6);
  }

  /** Number of disjoint intervals after merging. */
  get size(): number {
    return this.v4.size + this.v6.size;
  }

  has(address: string): boolean {
    if (this.size === 0) return false;
    const plain = plainAddress(address);
    const v4 = ipv4ToNumber(plain);
    if (v4 !== undefined) return this.v4.size > 0 && this.v4.has(v4);
    return isIP(plain) === 6 && this.v6.size > 0 && this.v6.has(ipv6ToBigInt(plain));
  }
}

