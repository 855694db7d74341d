// The web door over plain HTTP: status codes, security headers, escaping of registration data,
// languages, the searchable WHOIS (HTML and JSON), the captcha rules, and the query log's doors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { esc } from '../../src/render/html.js';
import { Captcha } from '../../src/policy/captcha.js';
import { CONTENT_SECURITY_POLICY } from '../../src/server/web-door.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import { readDay } from '../../src/observe/daily-counts.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { MARKUP_ORG, webObjects } from './fixtures.js';

async function get(svc: TestService, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${svc.ports.http}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('esc()', () => {
  it('escapes markup and quotes, and neutralises control and bidi characters', () => {
    assert.equal(esc('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
    assert.equal(esc('"onerror=alert(1)'), '&quot;onerror=alert(1)');
    assert.equal(esc("a & b ' c"), 'a &amp; b &#39; c');
    assert.equal(esc('abc\u202edcba\u2066x\u2069\u200f'), 'abc\ufffddcba\ufffdx\ufffd\ufffd');
    assert.equal(esc('line\r\nbreak\u0000'), 'line\ufffd\ufffdbreak\ufffd');
    assert.equal(esc(undefined), '');
  });
});

describe('web door over HTTP', () => {
  let pub: TestService;
  let auth: TestService;
  const records: QueryRecord[] = [];
  before(async () => {
    const querySink = { write: async (r: QueryRecord[]) => void records.push(...r), close: async () => {} };
    pub = await startTestService({ 'web.captcha.free_lookups': '1000', 'policy.rate_limit.per_minute': '0', 'log.flush_ms': '10' }, webObjects(), { querySink });
    auth = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32', 'web.page_size': '10', 'web.result_cap': '20' }, webObjects());
  });
  after(async () => {
    await pub?.stop();
    await auth?.stop();
  });

  it('sends the strict CSP and security headers on every page', async () => {
    for (const path of ['/', '/whois?q=nic.example', '/whois?q=missing.example', '/whois?q=bad..name', '/search?q=cc:jp']) {
      const r = await get(pub, path);
      assert.equal(r.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, path);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.match(r.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      assert.doesNotMatch(r.body, /<script(?![^>]*\bsrc="\/static\/)/, 'no inline script');
      assert.doesNotMatch(r.body, /<style|style="|https?:\/\/(?!icann\.org|www\.icann\.org|registrar\.example|www\.nic\.example)[^"<\s]*"/, `no inline style or external asset on ${path}`);
    }
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval/);
  });

  it('routes request targets as a URL parser reads them: absolute form, dot segments, fragments', async () => {
    // fetch() cleans targets up before sending them: these go over a raw socket as written.
    const raw = (port: number, target: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        let text = '';
        socket.on('connect', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        socket.on('data', (c) => (text += c));
        socket.on('error', reject);
        socket.on('close', () => resolve(text));
      });
    for (const target of ['http://127.0.0.1/whois?q=nic.example', '/a/../whois?q=nic.example', '/./whois?q=nic.example', '/%2e/whois?q=nic.example', '/whois#part']) {
      assert.match(await raw(pub.ports.http, target), /^HTTP\/1\.1 200 /, target);
    }
    assert.match(await raw(pub.ports.http, '/rdap/domain/nic.example'), /^HTTP\/1\.1 200 /);
    assert.match(await raw(pub.ports.http, '/nothing/../nowhere'), /^HTTP\/1\.1 404 /);
    for (const target of ['/./healthz', 'http://127.0.0.1/healthz']) assert.match(await raw(pub.ports.admin, target), /^HTTP\/1\.1 200 /, target);
  });

  it('answers with the right status codes', async () => {
    assert.equal((await get(pub, '/')).status, 200);
    assert.equal((await get(pub, '/whois?q=nic.example')).status, 200);
    assert.equal((await get(pub, '/whois?q=NS1.NIC.EXAMPLE')).status, 200);
    assert.equal((await get(pub, '/whois?q=192.0.2.53')).status, 200);
    assert.equal((await get(pub, '/whois?q=registrar%205555555')).status, 200);
    assert.equal((await get(pub, '/whois?q=missing.example')).status, 404);
    assert.equal((await get(pub, '/whois?q=bad..name')).status, 400);
    assert.equal((await get(pub, '/whois?q=nic.other')).status, 400);
    assert.equal((await get(pub, '/search?q=cc:jp')).status, 403, 'search is for the authorised');
    assert.equal((await get(pub, '/search.json?q=cc:jp')).status, 403);
    assert.equal((await get(pub, '/nope')).status, 404);
  });

  it('logs a forbidden search, and refuses a client the policy refuses with the policy\'s answer first', async () => {
    const r = await get(pub, '/search.json?q=domain:forbidden*');
    assert.equal(r.status, 403);
    await pub.observe.buffered!.flush();
    const logged = records.find((x) => x.door === 'search' && x.query === 'search domain:forbidden* [0+50]');
    assert.ok(logged, 'the forbidden search is in the query log');
    assert.equal(logged.outcome, 'forbidden', 'with its own outcome');
    assert.equal(logged.reason, 'search-not-allowed');
    assert.equal(logged.kind, 'search');
    const limited = await startTestService({ 'policy.allowlist': [], 'policy.rate_limit.per_minute': '1' }, webObjects());
    try {
      assert.equal((await get(limited, '/search.json?q=cc:jp')).status, 403, 'first query: admitted, then refused for its tier');
      const second = await get(limited, '/search.json?q=cc:jp');
      assert.equal(second.status, 429, 'over the limit: the rate limit answers, not the tier check');
      assert.ok(Number(second.headers.get('retry-after')) >= 1);
    } finally {
      await limited.stop();
    }
  });

  it('shows a public lookup redacted, with the port-43 text and the terms of use', async () => {
    const r = await get(pub, '/whois?q=nic.example');
    assert.match(r.body, /<html lang="en"/);
    assert.match(r.body, /<h1 id="title"><bdi>nic\.example<\/bdi><\/h1>/);
    assert.match(r.body, /Withheld for privacy/);
    assert.doesNotMatch(r.body, /Contact REG-1|reg-1@example\.com|1 Main Street/, 'no personal data for the public');
    assert.match(r.body, /The registrar has locked the domain against transfer/);
    assert.match(r.body, /<details class="whois-text">/);
    assert.match(r.body, /Registrant Name: REDACTED FOR PRIVACY/);
    assert.match(r.body, /Terms of use/);
    const text = await get(pub, '/whois?q=nic.example&format=text');
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(text.body, /^Domain Name: NIC\.EXAMPLE\r\n/);
  });

  it('escapes every piece of registration data', async () => {
    const r = await get(auth, '/whois?q=markup.example');
    assert.equal(r.status, 200);
    assert.ok(r.body.includes(esc(MARKUP_ORG)), 'the organisation is shown escaped');
    assert.ok(r.body.includes('Tanaka &quot;onerror=alert(3) &lt;b&gt;'));
    assert.ok(r.body.includes('1 &lt;i&gt;Main&lt;/i&gt; St'));
    assert.ok(r.body.includes('Tokyo &amp; Co'));
    for (const raw of ['<script>alert', '<img src=x', '"onerror', '<b>', '<i>Main']) assert.ok(!r.body.includes(raw), `raw ${raw}`);
    // The port-43 text inside the page is escaped too.
    assert.ok(r.body.includes('Registrant Organization: Evil &lt;script&gt;'));
  });

  it('speaks Japanese by ?lang=ja or Accept-Language', async () => {
    const a = await get(pub, '/whois?q=nic.example&lang=ja');
    assert.match(a.body, /<html lang="ja"/);
    assert.match(a.body, /登録者/);
    assert.match(a.body, /プライバシー保護のため非表示/);
    const b = await get(pub, '/', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' });
    assert.match(b.body, /<html lang="ja"/);
    assert.equal(b.headers.get('content-language'), 'ja');
    const c = await get(pub, '/', { 'accept-language': 'fr, en;q=0.1' });
    assert.match(c.body, /<html lang="en"/);
  });

  it('finds domains for an authorised client, in pages, capped, as HTML and JSON', async () => {
    const p1 = await get(auth, '/search?q=domain:page');
    assert.equal(p1.status, 200);
    assert.match(p1.body, /Results 1–10/);
    assert.match(p1.body, /rel="next" href="\/search\?q=domain%3Apage&amp;page=2"/);
    const j2 = JSON.parse((await get(auth, '/search.json?q=domain:page&page=2')).body);
    assert.equal(j2.results.length, 10);
    assert.equal(j2.results[0], 'page10.example');
    assert.equal(j2.capped, true, 'the cap of 20 is reached');
    assert.equal(j2.more, false);
    const p3 = await get(auth, '/search?q=domain:page&page=3');
    assert.equal(p3.status, 400);
    const none = await get(auth, '/search?q=domain:nothing-like-this');
    assert.equal(none.status, 200);
    assert.match(none.body, /No domain matches/);
  });

  it('answers a malformed expression with 400 and the position', async () => {
    const r = await get(auth, '/search?q=' + encodeURIComponent('name:a AND city:b)'));
    assert.equal(r.status, 400);
    assert.match(r.body, /unexpected &quot;\)&quot; at position 18/);
    const j = await get(auth, '/search.json?q=' + encodeURIComponent('(cc:jp'));
    assert.equal(j.status, 400);
    assert.match(JSON.parse(j.body).error.message, /at position 7/);
  });

  it('counts web lookups and searches apart in the query log', async () => {
    const q = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32', 'log.flush_ms': '10' }, webObjects(), {
      querySink: { write: async (r: QueryRecord[]) => void records.push(...r), close: async () => {} },
    });
    try {
      await get(q, '/whois?q=nic.example');
      await get(q, '/search?q=cc:jp');
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await q.stop();
    }
    const doors = records.map((r) => `${r.door} ${r.kind}`);
    assert.ok(doors.includes('web domain'), doors.join(', '));
    assert.ok(doors.includes('search search'), doors.join(', '));
  });
});

describe('captcha', () => {
  const options = { enabled: true, free_lookups: 2, secret: 'test-secret', cost: 1, max_number: 500, expires_s: 60 };

  async function solved(captcha: Captcha): Promise<string> {
    const challenge = await captcha.challenge();
    const solution = await solveChallenge({ challenge, deriveKey });
    assert.ok(solution);
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }

  it('lets the free lookups through, then wants a solved challenge, once', async () => {
    const captcha = new Captcha(options);
    assert.equal(await captcha.admit('192.0.2.1', undefined), 'free');
    assert.equal(await captcha.admit('192.0.2.1', undefined), 'free');
    assert.equal(await captcha.admit('192.0.2.1', undefined), 'missing');
    assert.equal(await captcha.admit('192.0.2.2', undefined), 'free', 'counted per client');
    const payload = await solved(captcha);
    assert.equal(await captcha.admit('192.0.2.1', payload), 'solved');
    assert.equal(await captcha.admit('192.0.2.1', payload), 'reused', 'single use');
    assert.equal(await captcha.admit('192.0.2.1', 'bm90IGpzb24='), 'invalid');
    assert.equal(await captcha.admit('192.0.2.1', Buffer.from(JSON.stringify({ challenge: { parameters: { algorithm: 'SHA-256' } }, solution: { counter: 1 } })).toString('base64')), 'invalid');
  });

  it('refuses an expired challenge and one signed with another key', async () => {
    let now = Date.now();
    const captcha = new Captcha(options, () => now);
    const payload = await solved(captcha);
    now += 61_000;
    assert.equal(await captcha.verify(payload), 'expired');
    const other = new Captcha({ ...options, secret: 'another' });
    assert.equal(await other.verify(await solved(new Captcha(options))), 'invalid');
  });

  it('turns a public lookup past its free lookups into a 403 captcha page, not data', async () => {
    const svc = await startTestService({ 'web.captcha.free_lookups': '1' });
    try {
      assert.equal((await get(svc, '/whois?q=nic.example')).status, 200);
      const r = await get(svc, '/whois?q=nic.example');
      assert.equal(r.status, 403);
      assert.match(r.body, /<altcha-widget challenge="\/captcha\/challenge"/);
      assert.doesNotMatch(r.body, /Registry Domain ID|D\d+-EXAMPLE/);
      const bad = await get(svc, '/whois?q=nic.example&altcha=Zm9v');
      assert.equal(bad.status, 403);
      assert.match(bad.body, /missing, expired or already used/);
      // The pipeline decided both refusals: they are in the query log with their own outcome.
      await svc.observe.buffered!.flush();
      const logged: QueryRecord[] = [];
      readDay(svc.config.log.dir, new Date().toISOString().slice(0, 10), (rec) => logged.push(rec));
      assert.deepEqual(logged.map((rec) => [rec.door, rec.outcome, rec.reason ?? '']), [
        ['web', 'answered', ''],
        ['web', 'forbidden', 'captcha-required'],
        ['web', 'forbidden', 'captcha-failed'],
      ]);
    } finally {
      await svc.stop();
    }
  });
});
