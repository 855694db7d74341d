// Which IP addresses are public unicast: what an end user's address behind a gateway must be (a
// gateway that names a private, loopback, link-local, documentation, reserved or multicast address
// gives false details). The ranges are IANA's special-purpose address registries (RFC 6890 and
// its updates), and multicast.
import { isIP } from 'node:net';

/** Special-purpose and multicast IPv4 ranges. */
const V4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16],
  ['192.175.48.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
];
/** Special-purpose and multicast IPv6 ranges; only 2000::/3 holds global unicast at all. */
const V6: [string, number][] = [
  ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['3fff::', 20], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
];

function v4(address: string): bigint {
  return address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function v6(address: string): bigint {
  const [head, tail] = address.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []).flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const b = g.split('.').map(Number);
    return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
  });
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return all.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

const inRange = (value: bigint, bits: number, [base, prefix]: [string, number], parse: (a: string) => bigint) =>
  value >> BigInt(bits - prefix) === parse(base) >> BigInt(bits - prefix);

export function isPublicUnicast(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1] : address;
  switch (isIP(plain)) {
    case 4: {
      const value = v4(plain);
      return !V4.some((r) => inRange(value, 32, r, v4));
    }
    case 6: {
      const value = v6(plain.split('%')[0]);
      return value >> 125n === 1n && !V6.some((r) => inRange(value, 128, r, v6));
    }
    default:
      return false;
  }
}
