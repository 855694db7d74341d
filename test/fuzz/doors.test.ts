// The doors' framing, end to end on a real node: whatever a stranger sends, the answer is in the
// door's own form (port-43 lines, an RDAP JSON object, an HTML page) and the connection ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import fc from 'fast-check';
import { requestPath } from '../../src/server/http.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { nastyText, rdapRequest, searchText, whoisBytes, whoisLine } from './arbitraries.js';
import { assertPrintable, runs } from './invariants.js';

/** The public client; 127.0.0.2 is an authorised one (it may search). */
const PUBLIC = '127.0.0.1';
const AUTHORIZED = '127.0.0.2';
const client = fc.constantFrom(PUBLIC, AUTHORIZED);

let svc: TestService;
before(async () => {
  svc = await startTestService({
    'policy.tiers.authorized': `${AUTHORIZED}/32`,
    'web.captcha.free_lookups': '100000',
    'whois.idle_timeout_ms': '500',
    'whois.total_timeout_ms': '2000',
  });
});
after(async () => svc.stop());

/** Sends bytes to port 43 and reads every byte of the answer until the server closes. */
function whois(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: svc.ports.whois });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the connection was not closed within 5 s'));
    }, 5000);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

interface HttpAnswer {
  status: number;
  type: string;
  body: string;
}

/** One request with the target exactly as given (no normalisation by a URL parser). */
function get(path: string, from: string, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: svc.ports.http, path, method, localAddress: from, agent: false, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** The first line of every port-43 answer: a comment, or the first key of a Specification 4 answer. */
const FIRST_LINE = /^(% |Domain Name: |Server Name: |Registrar: |The queried object does not exist: )/;

/** Queries with an answer in the test data, so that whole records go through the framing too. */
const KNOWN_LINES = ['nic.example', 'domain ドメイン.example', 'nameserver ns1.nic.example', 'nameserver 2001:db8::53', 'registrar 5555555', 'registrar example  registrar, inc.', 'help'];

describe('port 43', () => {
  const line = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...KNOWN_LINES).map((q) => Buffer.from(`${q}\r\n`)) },
    { weight: 4, arbitrary: whoisBytes.map((b) => Buffer.concat([Buffer.from(b), Buffer.from('\r\n')])) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 900, maxLength: 3000 }).map((b) => Buffer.concat([Buffer.from(b), Buffer.from('\n')])) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n', 'PROXY UNKNOWN\r\n', '\r\n\r\n\0\r\nQUIT\n', 'PROXY '), whoisLine).map(([h, q]) => Buffer.from(`${h}${q}\r\n`)) },
  );

  test('any line: CRLF lines of text without controls, starting with % or a Spec 4 key, then the close', async () => {
    await fc.assert(
      fc.asyncProperty(line, async (data) => {
        const answer = await whois(data);
        assert.ok(answer.length > 0, 'an answer');
        const text = utf8.decode(answer);
        assert.ok(text.endsWith('\r\n'), 'the last line ends with CRLF');
        assert.doesNotMatch(text, /\r(?!\n)|(?<!\r)\n/, 'CR and LF only as CRLF');
        assert.doesNotMatch(text, /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/, 'no control character but CR LF');
        assert.match(text, FIRST_LINE);
      }),
      runs(150),
    );
  });
});

describe('RDAP', () => {
  const STATUSES = [200, 400, 403, 404, 405, 414, 429, 501];
  const request = fc.tuple(
    fc.oneof(
      { weight: 12, arbitrary: rdapRequest },
      { weight: 4, arbitrary: fc.constantFrom<[string, string]>(['domain/nic.example', ''], ['domain/%E3%83%89%E3%83%A1%E3%82%A4%E3%83%B3.example', ''], ['nameserver/ns1.nic.example', ''], ['entity/5555555', ''], ['entity/REG-1', ''], ['help', ''], ['domains', 'name=nic*'], ['nameservers', 'ip=192.0.2.53'], ['entities', 'fn=*']) },
      { weight: 1, arbitrary: fc.constant<[string, string]>([`domain/${'a'.repeat(5000)}.example`, '']) },
    ),
    fc.oneof({ weight: 10, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH') }),
    client,
  );

  test('any path and query string: an RDAP JSON object, an error object when not 200, a status of the RDAP set', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ([[path, query], method, from]) => {
        const target = `/rdap/${path}${query ? `?${query}` : ''}`;
        // Dot segments resolve as in any URL: "/rdap/.." is the web's home page.
        fc.pre(requestPath(target).startsWith('/rdap/'));
        const res = await get(target, from, method);
        assert.ok(STATUSES.includes(res.status), `status ${res.status} for ${method} ${target}`);
        assert.match(res.type, /^application\/rdap\+json; charset=utf-8$/);
        const body = JSON.parse(res.body);
        assert.ok(body !== null && typeof body === 'object' && !Array.isArray(body), 'a JSON object');
        assert.ok(Array.isArray(body.rdapConformance) && body.rdapConformance.includes('rdap_level_0'), 'rdapConformance');
        if (res.status === 200) return;
        assert.equal(body.errorCode, res.status, 'errorCode is the status');
        assert.equal(typeof body.title, 'string');
        assert.ok(Array.isArray(body.description) && body.description.every((d: unknown) => typeof d === 'string'), 'description: strings');
        for (const d of body.description) assertPrintable(d, `for ${target}`);
      }),
      runs(200),
    );
  });
});

describe('web pages', () => {
  /** Markup that must come out escaped wherever the page shows the query. */
  const INJECTIONS = ['<x-fuzz>', '"x-fuzz="', "'x-fuzz='", '</textarea><x-fuzz>', '<!--x-fuzz'];
  const q = fc
    .tuple(fc.oneof(fc.constantFrom(...KNOWN_LINES, 'cc:US', 'name:*'), whoisLine, searchText, nastyText(200)), fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) }, { weight: 1, arbitrary: fc.constant('') }), fc.oneof(fc.constant(''), whoisLine, nastyText(20)), fc.boolean())
    .map(([a, injection, b, front]) => (front ? `${injection}${a}${b}` : `${a}${injection}${b}`));

  test('any q: an HTML page, a sane status, and the query escaped wherever it is shown', async () => {
    await fc.assert(
      fc.asyncProperty(q, fc.constantFrom('/whois', '/search'), client, async (text, page, from) => {
        const res = await get(`${page}?q=${encodeURIComponent(text)}`, from);
        assert.ok([200, 400, 403, 404, 429].includes(res.status), `status ${res.status}`);
        assert.match(res.type, /^text\/html; charset=utf-8$/);
        assert.match(res.body, /^<!DOCTYPE html>/i);
        assert.doesNotMatch(res.body, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/, 'no control character in the page');
        for (const injection of INJECTIONS) assert.ok(!res.body.includes(injection), `raw ${injection} in the page for q=${JSON.stringify(text)}`);
      }),
      runs(150),
    );
  });
});
