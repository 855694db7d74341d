// The PROXY protocol (v1, v2) and forwarded headers, and an end-to-end run over real TCP: a
// service behind a trusted "load balancer" (127.0.0.1) receiving PROXY headers for many client
// addresses at once keeps each address to its own rate limit; the same header from an untrusted
// peer is refused; the per-client connection cap holds for proxied clients.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CidrSet } from '../../src/policy/cidr-set.js';
import { PORT43 } from '../../src/render/texts.js';
import { forwardedClientAddress, parseProxyHeader, proxyV1, proxyV2 } from '../../src/server/proxy-protocol.js';

const INVALID_HEADER = PORT43.invalidHeader;
const UNTRUSTED_HEADER = PORT43.untrustedHeader;
import { startTestService, whoisRaw } from '../helpers/service.js';

const RATE_REFUSAL = '% You have exceeded allowed connection rate.\r\n% Please try to connect later.\r\n';

describe('PROXY protocol parsing', () => {
  it('reads v1 and v2 headers for IPv4 and IPv6 and leaves the query after them', () => {
    const v1 = Buffer.concat([proxyV1('198.51.100.1'), Buffer.from('nic.example\r\n')]);
    assert.deepEqual(parseProxyHeader(v1), { version: 1, address: '198.51.100.1', length: proxyV1('198.51.100.1').length });
    assert.equal(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::5 2001:db8::1 1234 43\r\n'))!.address, '2001:db8::5');
    assert.deepEqual(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n')), { version: 1, length: 15 });
    assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n'))!.address, '0.0.0.0', 'the extremes of addresses and ports');
    const v2 = proxyV2('203.0.113.9');
    assert.deepEqual(parseProxyHeader(Buffer.concat([v2, Buffer.from('x\r\n')])), { version: 2, address: '203.0.113.9', length: 28 });
    assert.equal(parseProxyHeader(proxyV2('2001:db8:0:1::7'))!.address, '2001:db8:0:1::7');
    const local = Buffer.from(v2);
    local[12] = 0x20; // LOCAL command: the proxy's own health check
    assert.deepEqual(parseProxyHeader(local), { version: 2, length: 28 });
  });

  it('waits for the rest of a split header and passes ordinary queries through', () => {
    assert.equal(parseProxyHeader(Buffer.from('PRO')), undefined);
    assert.equal(parseProxyHeader(Buffer.from('PROXY TCP4 198.51.100.1 ')), undefined);
    assert.equal(parseProxyHeader(proxyV2('203.0.113.9').subarray(0, 20)), undefined);
    assert.equal(parseProxyHeader(Buffer.from('nic.example\r\n')), null);
    assert.equal(parseProxyHeader(Buffer.from('\r\n')), null, 'an empty query line');
  });

  it('refuses malformed headers', () => {
    for (const bad of [
      'PROXY TCP4 198.51.100.1 127.0.0.1 99999 43\r\n',
      'PROXY TCP4 2001:db8::1 127.0.0.1 1 43\r\n',
      'PROXY TCP5 198.51.100.1 127.0.0.1 1 43\r\n',
      'PROXY TCP4 198.51.100.1\r\n',
      'PROXY TCP4 198.51.100.1 127.0.0.1 01 43\r\n',
      'PROXY TCP4 198.51.100.1 127.0.0.1 65536 43\r\n',
      'PROXY TCP4 198.51.100.1 127.0.0.1 1 4x\r\n',
      'PROXY TCP4 198.51.100.1 127.0.0.1  43\r\n',
      'PROXY TCP4 198.51.100.01 127.0.0.1 1 43\r\n',
      'PROXY TCP4 198.51.100.1 127.0.0.256 1 43\r\n',
      'PROXY TCP6 198.51.100.1 ::1 1 43\r\n',
      'PROXY ' + 'x'.repeat(200),
    ]) assert.throws(() => parseProxyHeader(Buffer.from(bad)), { message: INVALID_HEADER }, bad);
    const v3 = proxyV2('203.0.113.9');
    v3[12] = 0x31;
    assert.throws(() => parseProxyHeader(v3), { message: INVALID_HEADER });
  });

  it('believes forwarded headers only from trusted proxies, walking the chain from the right', () => {
    const trusted = new CidrSet(['10.0.0.0/8', '::1']);
    assert.equal(forwardedClientAddress('192.0.2.1', { 'x-forwarded-for': '203.0.113.5' }, trusted), '192.0.2.1', 'untrusted peer');
    assert.equal(forwardedClientAddress('10.0.0.2', { 'x-forwarded-for': '1.2.3.4, 203.0.113.5, 10.0.0.9' }, trusted), '203.0.113.5');
    assert.equal(forwardedClientAddress('::1', { forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8::9]:4711"' }, trusted), '2001:db8::9');
    assert.equal(forwardedClientAddress('10.0.0.2', { forwarded: 'for=unknown' }, trusted), '10.0.0.2');
    assert.equal(forwardedClientAddress('10.0.0.2', {}, trusted), '10.0.0.2');
  });
});

describe('PROXY protocol end to end', () => {
  it('keeps per-address limits for many proxied clients under concurrent load', async () => {
    const service = await startTestService({ 'policy.trusted_proxies': ['127.0.0.1'], 'policy.allowlist': [], 'policy.rate_limit.per_minute': '5', 'policy.max_connections_per_client': '0' });
    try {
      const clients = [...Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`), ...Array.from({ length: 10 }, (_, i) => `2001:db8:${i}::1`)];
      const perClient = 8;
      const answers = await Promise.all(
        clients.flatMap((address, c) =>
          Array.from({ length: perClient }, (_, k) => {
            const header = (c + k) % 2 ? proxyV1(address) : proxyV2(address);
            return whoisRaw(service.ports.whois, Buffer.concat([header, Buffer.from('nic.example\r\n')]), { timeoutMs: 10000 }).then((text) => ({ address, text }));
          }),
        ),
      );
      for (const address of clients) {
        const mine = answers.filter((a) => a.address === address);
        const refused = mine.filter((a) => a.text === RATE_REFUSAL).length;
        const answered = mine.filter((a) => /Domain Name: NIC\.EXAMPLE/i.test(a.text)).length;
        assert.deepEqual({ address, answered, refused }, { address, answered: 5, refused: perClient - 5 });
      }
      // The load balancer's own address was never limited: a query without a header is answered.
      assert.match(await whoisRaw(service.ports.whois, 'nic.example\r\n'), /Domain Name: NIC\.EXAMPLE/i);
    } finally {
      await service.stop();
    }
  });

  it('a proxy that closes its sending side: a cut-off header is refused, a whole one with its query answered', async () => {
    const service = await startTestService({ 'policy.trusted_proxies': ['127.0.0.1'], 'policy.allowlist': [] });
    try {
      assert.equal(await whoisRaw(service.ports.whois, 'PROXY TCP4 198.51.100.7', { halfClose: true }), `% ${INVALID_HEADER}\r\n`);
      const header = proxyV1('198.51.100.7');
      assert.match(await whoisRaw(service.ports.whois, Buffer.concat([header, Buffer.from('nic.example')]), { halfClose: true }), /^Domain Name: NIC\.EXAMPLE\r\n/);
      // A header and nothing after it (a health check): closed without an answer.
      assert.equal(await whoisRaw(service.ports.whois, header, { halfClose: true }), '');
    } finally {
      await service.stop();
    }
  });

  it('refuses a PROXY header from an untrusted peer and closes the connection', async () => {
    const service = await startTestService({ 'policy.trusted_proxies': ['192.0.2.0/24'], 'policy.allowlist': [] });
    try {
      const text = await whoisRaw(service.ports.whois, Buffer.concat([proxyV1('198.51.100.77'), Buffer.from('nic.example\r\n')]));
      assert.equal(text, `% ${UNTRUSTED_HEADER}\r\n`);
      assert.equal(await whoisRaw(service.ports.whois, Buffer.concat([proxyV2('198.51.100.77'), Buffer.from('nic.example\r\n')])), `% ${UNTRUSTED_HEADER}\r\n`);
      // Without a header the peer is answered as itself.
      assert.match(await whoisRaw(service.ports.whois, 'nic.example\r\n'), /Domain Name: NIC\.EXAMPLE/i);
      // A query that only looks like the start of a header, cut off by the client's close, is a query.
      assert.match(await whoisRaw(service.ports.whois, 'PROX', { halfClose: true }), /^% Invalid query: /);
    } finally {
      await service.stop();
    }
  });

  it('caps concurrent connections per proxied client address', async () => {
    const service = await startTestService({ 'policy.trusted_proxies': ['127.0.0.1'], 'policy.allowlist': [], 'policy.max_connections_per_client': '2' });
    const open: net.Socket[] = [];
    try {
      // Two idle connections for 198.51.100.200 (header sent, no query yet) ...
      for (let i = 0; i < 2; i++) {
        const s = net.connect({ host: '127.0.0.1', port: service.ports.whois });
        await new Promise((r) => s.once('connect', r));
        s.write(proxyV1('198.51.100.200'));
        open.push(s);
      }
      // ... so the third is refused (the header is read in order: wait until the server counted both).
      let third = '';
      for (let attempt = 0; attempt < 50 && !/Too many/.test(third); attempt++) {
        third = await whoisRaw(service.ports.whois, Buffer.concat([proxyV1('198.51.100.200'), Buffer.from('nic.example\r\n')]));
      }
      assert.equal(third, '% Too many connections from your address; please try again later.\r\n');
      // Another client behind the same proxy is not affected.
      assert.match(await whoisRaw(service.ports.whois, Buffer.concat([proxyV1('198.51.100.201'), Buffer.from('nic.example\r\n')])), /Domain Name/i);
      // When one idle connection goes away, the client may connect again.
      const closed = new Promise((r) => open[0].once('close', r));
      open[0].destroy();
      await closed;
      let again = '';
      for (let attempt = 0; attempt < 50 && !/Domain Name/i.test(again); attempt++) {
        again = await whoisRaw(service.ports.whois, Buffer.concat([proxyV1('198.51.100.200'), Buffer.from('nic.example\r\n')]));
      }
      assert.match(again, /Domain Name/i);
    } finally {
      for (const s of open) s.destroy();
      await service.stop();
    }
  });
});
