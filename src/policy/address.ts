// Client addresses: IPv4-mapped IPv6 unwrapped, and the key that limits and accounting use
// (the IPv4 address itself, or the IPv6 prefix: one household or server usually holds a whole /64).
import { isIP } from 'node:net';
import { canonicalIp } from '../model/validate.js';

export function plainAddress(address: string): string {
  if (address.charCodeAt(0) !== 58) return address; // not "::ffff:..."
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

export function expandIpv6(address: string): number[] {
  const [head, tail] = address.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':') : []).flatMap((g) => {
    if (g.includes('.')) {
      const b = g.split('.').map(Number);
      return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    }
    return [parseInt(g, 16)];
  });
  const h = parse(head);
  const t = parse(tail);
  if (tail === undefined) return h;
  return [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
}

export function clientKey(address: string, ipv6Prefix = 64): string {
  const plain = plainAddress(address);
  if (!plain.includes(':') || isIP(plain) !== 6) return plain;
  const groups = expandIpv6(plain);
  const bits = Math.max(0, Math.min(128, ipv6Prefix));
  const kept = groups.map((g, i) => {
    const from = i * 16;
    if (bits >= from + 16) return g;
    if (bits <= from) return 0;
    return g & (0xffff << (16 - (bits - from)));
  });
  return `${canonicalIp(kept.map((g) => g.toString(16)).join(':'))}/${bits}`;
}
