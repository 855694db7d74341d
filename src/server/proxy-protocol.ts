// The PROXY protocol (HAProxy, versions 1 and 2) in front of port 43, and the forwarded-address
// headers in front of HTTP: how rdds behind a load balancer still sees the real client address.
// Both are believed only from policy.trusted_proxies; a PROXY header from anyone else, or a
// malformed one, refuses the connection (the thrown Error's message becomes its one % line).
import { isIP } from 'node:net';
import type { CidrSet } from '../policy/cidr-set.js';
import { PORT43 } from '../render/texts.js';

const V1 = Buffer.from('PROXY ', 'latin1');
const V2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_MAX = 107;

export interface ProxyHeader {
  version: 1 | 2;
  /** The client address, or undefined for v1 UNKNOWN and v2 LOCAL (use the peer's own address). */
  address?: string;
  /** Header length in bytes. */
  length: number;
}

function startsWith(buf: Buffer, sig: Buffer): 'yes' | 'prefix' | 'no' {
  const n = Math.min(buf.length, sig.length);
  for (let i = 0; i < n; i++) if (buf[i] !== sig[i]) return 'no';
  return buf.length >= sig.length ? 'yes' : 'prefix';
}

/**
 * Parses a PROXY header at the start of buf: the header, undefined when more bytes are needed, or
 * null when buf does not start with one. Throws Error(PORT43.invalidHeader) when it is malformed.
 */
export function parseProxyHeader(buf: Buffer): ProxyHeader | undefined | null {
  const v1 = startsWith(buf, V1);
  if (v1 === 'yes') return parseV1(buf);
  const v2 = startsWith(buf, V2);
  if (v2 === 'yes') return parseV2(buf);
  // "\r\n" alone is an empty query line, not the start of a v2 signature a proxy writes in one piece.
  if (v1 === 'prefix' || (v2 === 'prefix' && buf.length > 2)) return undefined;
  return null;
}

function invalid(): never {
  throw new Error(PORT43.invalidHeader);
}

function parseV1(buf: Buffer): ProxyHeader | undefined {
  const end = buf.indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (buf.length >= V1_MAX) invalid();
    return undefined;
  }
  if (end + 2 > V1_MAX) invalid();
  const parts = buf.toString('latin1', 0, end).split(' ');
  if (parts[1] === 'UNKNOWN') return { version: 1, length: end + 2 };
  if (parts.length !== 6) invalid();
  const [, proto, src, dst, sport, dport] = parts;
  const family = proto === 'TCP4' ? 4 : proto === 'TCP6' ? 6 : invalid();
  // isIP takes an IPv6 zone ID (fe80::1%eth0), which names no client on the Internet.
  if (isIP(src) !== family || isIP(dst) !== family || `${src}${dst}`.includes('%')) invalid();
  for (const p of [sport, dport]) if (!/^(0|[1-9]\d{0,4})$/.test(p) || Number(p) > 65535) invalid();
  return { version: 1, address: src, length: end + 2 };
}

function parseV2(buf: Buffer): ProxyHeader | undefined {
  if (buf.length < 16) return undefined;
  const verCmd = buf[12];
  const fam = buf[13];
  const len = buf.readUInt16BE(14);
  if (verCmd >> 4 !== 2) invalid();
  const cmd = verCmd & 0x0f;
  if (cmd > 1) invalid();
  if (len > 2048) invalid();
  if (buf.length < 16 + len) return undefined;
  const length = 16 + len;
  if (cmd === 0) return { version: 2, length }; // LOCAL: the proxy's own connection (health check)
  const transport = fam & 0x0f;
  switch (fam >> 4) {
    case 0:
      return { version: 2, length }; // AF_UNSPEC
    case 1: {
      if (len < 12 || transport > 2) invalid();
      return { version: 2, address: [...buf.subarray(16, 20)].join('.'), length };
    }
    case 2: {
      if (len < 36 || transport > 2) invalid();
      const groups: string[] = [];
      for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(16 + 2 * i).toString(16));
      return { version: 2, address: compressIpv6(groups), length };
    }
    case 3:
      return { version: 2, length }; // AF_UNIX: no address to use
    default:
      invalid();
  }
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups becomes "::" (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/**
 * Reads what comes before the query line of a port-43 connection: a PROXY header from a trusted
 * proxy (its client address is believed), none (the peer is the client), or a header from anyone
 * else (refused: throws Error(PORT43.untrustedHeader)). Returns the client address and the bytes after
 * the header, or undefined while more bytes are needed.
 */
export function readPreamble(buffered: Buffer, peer: string, fromTrustedProxy: boolean): { address: string; rest: Buffer } | undefined {
  const header = parseProxyHeader(buffered);
  if (header === undefined) return undefined;
  if (header === null) return { address: peer, rest: buffered };
  if (!fromTrustedProxy) throw new Error(PORT43.untrustedHeader);
  return { address: header.address ?? peer, rest: buffered.subarray(header.length) };
}

/** Encodes a v1 header (for tests and load generators). */
export function proxyV1(source: string, dest = '127.0.0.1', sport = 40000, dport = 43): Buffer {
  const v6 = isIP(source) === 6;
  // Both addresses of a header are of one family.
  const to = isIP(dest) === isIP(source) ? dest : v6 ? '::1' : '127.0.0.1';
  return Buffer.from(`PROXY ${v6 ? 'TCP6' : 'TCP4'} ${source} ${to} ${sport} ${dport}\r\n`, 'latin1');
}

/** Encodes a v2 PROXY header (for tests and load generators). */
export function proxyV2(source: string, dest?: string, sport = 40000, dport = 43): Buffer {
  const v6 = isIP(source) === 6;
  const body = Buffer.alloc(v6 ? 36 : 12);
  const bytes = (a: string) => (v6 ? ipv6Bytes(a) : Buffer.from(a.split('.').map(Number)));
  const size = v6 ? 16 : 4;
  bytes(source).copy(body, 0);
  bytes(dest !== undefined && isIP(dest) === isIP(source) ? dest : v6 ? '::1' : '127.0.0.1').copy(body, size);
  body.writeUInt16BE(sport, 2 * size);
  body.writeUInt16BE(dport, 2 * size + 2);
  const head = Buffer.alloc(16);
  V2.copy(head, 0);
  head[12] = 0x21;
  head[13] = v6 ? 0x21 : 0x11;
  head.writeUInt16BE(body.length, 14);
  return Buffer.concat([head, body]);
}

function ipv6Bytes(address: string): Buffer {
  // An embedded IPv4 address (::ffff:192.0.2.1) is the last two groups.
  const hex = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [h, t] = hex.split('::');
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = t === undefined ? hs : [...hs, ...new Array(8 - hs.length - ts.length).fill('0'), ...ts];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  return out;
}

type Headers = Record<string, string | string[] | undefined>;

function forwardedFor(headers: Headers): string[] | undefined {
  const fwd = headers['forwarded'];
  if (fwd !== undefined) {
    const hops: string[] = [];
    for (const element of [fwd].flat().join(',').split(',')) {
      const pair = element.split(';').map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('for='));
      hops.push(pair ? pair.slice(4).trim().replace(/^"(.*)"$/, '$1') : '');
    }
    return hops;
  }
  const xff = headers['x-forwarded-for'];
  if (xff !== undefined) return [xff].flat().join(',').split(',').map((s) => s.trim());
  return undefined;
}

/** An address from a Forwarded for= or X-Forwarded-For item: "[2001:db8::1]:4711", "192.0.2.1:80", "192.0.2.1". */
function hopAddress(hop: string): string | undefined {
  let a = hop;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracket) a = bracket[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  return isIP(a) && !a.includes('%') ? a : undefined; // no zone ID, as in a PROXY header
}

/**
 * The client address of an HTTP request: the peer itself, unless the peer is a trusted proxy; then
 * the forwarded chain (Forwarded, else X-Forwarded-For) is walked from the right, skipping trusted
 * proxies, to the first address that is not one. Anything unparsable stops the walk there.
 */
export function forwardedClientAddress(peer: string, headers: Headers, trusted: CidrSet): string {
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  const hops = forwardedFor(headers);
  if (!hops) return peer;
  let address = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted.has(address)) break;
    const next = hopAddress(hops[i]);
    if (!next) break;
    address = next;
  }
  return address;
}

/**
 * The client address of an HTTP request, read the same way by every HTTP door: the socket's peer,
 * or the address a trusted proxy forwarded (forwardedClientAddress).
 */
export function httpClientAddress(req: { socket: { remoteAddress?: string }; headers: Headers }, trusted: CidrSet | undefined): string {
  const peer = req.socket.remoteAddress ?? '';
  // req.headers is built on first use: not touched for a peer that is not a trusted proxy.
  return trusted?.has(peer) ? forwardedClientAddress(peer, req.headers, trusted) : peer;
}

