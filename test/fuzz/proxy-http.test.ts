// Properties of what rdds reads before a query: the PROXY protocol header on port 43, the
// forwarded-address headers and the request target on HTTP.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { canonicalIp } from '../../src/model/validate.js';
import { PORT43 } from '../../src/render/texts.js';
import { forwardedClientAddress, parseProxyHeader, proxyV1, proxyV2, readPreamble, type ProxyHeader } from '../../src/server/proxy-protocol.js';
import { nastyText, pathSegment } from './arbitraries.js';
import { checkForwarded, checkProxyHeader, checkRequestPath, TRUSTED_PROXIES } from './checks.js';
import { onlyThrows, runs } from './invariants.js';

const V1 = Buffer.from('PROXY ', 'latin1');
const V2 = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const isInvalidHeader = (err: unknown) => err instanceof Error && err.message === PORT43.invalidHeader;
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));

/** Bytes that start like a PROXY header far more often than chance would have them. */
const headerish = fc.oneof(
  { weight: 1, arbitrary: bytes(64) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('TCP4', 'TCP6', 'UNKNOWN', 'tcp4', 'UDP4', ''), fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.stringMatching(/^\d{1,6}$/), nastyText(8)), { maxLength: 5 }), fc.constantFrom('\r\n', '\n', '', ' \r\n'), bytes(8)).map(([p, parts, end, tail]) => Buffer.concat([V1, Buffer.from([p, ...parts].join(' ') + end, 'latin1'), tail])) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2100 }), bytes(80)).map(([verCmd, fam, len, body]) => { const head = Buffer.alloc(16); V2.copy(head); head[12] = verCmd; head[13] = fam; head.writeUInt16BE(len, 14); return Buffer.concat([head, body]); }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(V1, V2), fc.nat({ max: 12 })).map(([sig, n]) => sig.subarray(0, n)) },
);

/** parseProxyHeader, or the documented error. */
const parse = (buf: Buffer) => onlyThrows(() => parseProxyHeader(buf), isInvalidHeader);

describe('PROXY protocol header', () => {
  test('any bytes: a header, "need more", "none", or the one documented error; a header is consistent', () => {
    fc.assert(fc.property(headerish, bytes(16), checkProxyHeader), runs(3000));
  });

  test('"none" stays "none" with more bytes (but a lone CR or CRLF, which is an empty query line)', () => {
    fc.assert(
      fc.property(headerish, bytes(16), (buf, more) => {
        if (parse(buf).value !== null || V2.subarray(0, buf.length).equals(buf)) return;
        assert.equal(parse(Buffer.concat([buf, more])).value, null);
      }),
      runs(1000),
    );
  });

  const ip = fc.oneof(fc.ipV4(), fc.ipV6());
  const port = fc.integer({ min: 0, max: 65535 });
  test('what proxyV1 and proxyV2 build parses back to the same address, in every chunking, with the query after it', () => {
    fc.assert(
      fc.property(ip, ip, port, port, fc.boolean(), fc.uint8Array({ maxLength: 40 }), (src, dst, sport, dport, v2, query) => {
        const header = v2 ? proxyV2(src, dst, sport, dport) : proxyV1(src, dst, sport, dport);
        const wire = Buffer.concat([header, query]);
        const expected: ProxyHeader = { version: v2 ? 2 : 1, address: v2 ? canonicalIp(src) : src, length: header.length };
        assert.deepEqual(parseProxyHeader(wire), expected);
        assert.deepEqual(readPreamble(wire, '127.0.0.1', true), { address: expected.address, rest: Buffer.from(query) });
        assert.throws(() => readPreamble(wire, '127.0.0.1', false), { message: PORT43.untrustedHeader });
        // A proxy writes its header in one piece, but TCP may cut it anywhere past the first CRLF.
        for (let n = 3; n < header.length; n++) assert.equal(parseProxyHeader(header.subarray(0, n)), undefined, `first ${n} bytes`);
      }),
      runs(1500),
    );
  });
});

describe('forwarded headers', () => {
  const trusted = TRUSTED_PROXIES;
  const proxy = fc.oneof(fc.ipV4().map((a) => `10.${a.split('.').slice(1).join('.')}`), fc.constantFrom('fd00::1', 'fd12:3456::9'));
  const client = fc.oneof(fc.constantFrom('192.0.2.1', '198.51.100.7', '2001:db8::1', '2001:db8:0:0:1::', 'fe80::1%eth0', '::%1:1:1:1:1:1:1:1:1'), fc.ipV4());
  const hop = fc.oneof({ weight: 2, arbitrary: proxy }, { weight: 2, arbitrary: client });

  test('any header values: the peer, or an address; never an exception; an untrusted peer is believed as it is', () => {
    const value = fc.oneof(nastyText(40), fc.array(fc.oneof(hop, nastyText(10), hop.map((a) => `"[${a}]:443"`), hop.map((a) => `for=${a}`)), { maxLength: 5 }).map((p) => p.join(', ')));
    const headers = fc.record({ forwarded: fc.option(fc.oneof(value, fc.array(value, { maxLength: 3 })), { nil: undefined }), 'x-forwarded-for': fc.option(fc.oneof(value, fc.array(value, { maxLength: 3 })), { nil: undefined }) }, { requiredKeys: [] });
    // The peer is a socket's address (a link-local one may carry its zone ID); the headers are anything.
    const peer = fc.oneof(proxy, fc.constantFrom('192.0.2.1', '2001:db8::1', 'fe80::1%eth0', '::ffff:10.0.0.1'));
    fc.assert(fc.property(peer, headers, checkForwarded), runs(2000));
  });

  test('a chain of hops: the rightmost address that is not a trusted proxy, the same from Forwarded and X-Forwarded-For', () => {
    fc.assert(
      fc.property(proxy, fc.array(hop, { minLength: 1, maxLength: 6 }), (peer, hops) => {
        // A hop that is no address (an IPv6 zone ID) stops the walk.
        let expected = peer;
        for (let i = hops.length - 1; i >= 0 && trusted.has(expected) && !hops[i].includes('%'); i--) expected = hops[i];
        const forwarded = hops.map((a) => (isIP(a) === 6 ? `for="[${a}]:4711";proto=https` : `for=${a}`)).join(', ');
        assert.equal(forwardedClientAddress(peer, { 'x-forwarded-for': hops.join(', ') }, trusted), expected);
        assert.equal(forwardedClientAddress(peer, { forwarded }, trusted), expected);
      }),
      runs(1000),
    );
  });
});

describe('HTTP request target', () => {
  const target = fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.oneof(pathSegment, fc.constantFrom('.', '..', '%2e', '%2E%2e', '')), { maxLength: 5 }).chain((segs) => fc.constantFrom('', '?q=1', '?', '#x', '?a=/../b').map((tail) => `/${segs.join('/')}${tail}`)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('http://h', 'https://h:8080', 'http://[::1]', 'HTTP://H', '//h', '*', '', '/.x', '/a/.b/c', 'x:'), pathSegment, fc.constantFrom('', '/..', '/../y', '/.', '/%2e%2e/z')).map(([a, p, d]) => `${a}/${p}${d}`) },
    { weight: 1, arbitrary: nastyText(30) },
  );

  test('requestPath: never throws; a plain path as it is; otherwise what a URL parser makes of it, dot segments resolved', () => {
    fc.assert(fc.property(target, checkRequestPath), runs(2000));
  });
});
