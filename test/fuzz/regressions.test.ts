// Every defect the property tests and the fuzzer found, as the input that showed it
// (docs/reliability.md, "Fuzzing", lists them).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadQuery, quoteForMessage } from '../../src/query/bad-query.js';
import { parseRdapRequest } from '../../src/query/rdap-request.js';
import { parseSearchExpression } from '../../src/query/search-expression.js';
import { webLookupQuery } from '../../src/query/web-lookup.js';
import { parseWhoisLine } from '../../src/query/whois-line.js';
import { requestPath } from '../../src/server/http.js';
import { forwardedClientAddress, parseProxyHeader, proxyV1, proxyV2 } from '../../src/server/proxy-protocol.js';
import { CidrSet } from '../../src/policy/cidr-set.js';
import { PORT43 } from '../../src/render/texts.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';
import { assertPrintable } from './invariants.js';

const TLDS = ['example'];
const badQuery = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof BadQuery && message.test(err.message));

describe('found by the property tests', () => {
  test('an IPv6 zone ID (fe80::1%eth0) is a bad query, not a TypeError from the URL parser', () => {
    badQuery(() => parseWhoisLine('nameserver fe80::1%eth0', TLDS), /not a valid host name or IP address/);
    badQuery(() => webLookupQuery('fe80::1%eth0', TLDS), /not a valid host name or IP address/);
    badQuery(() => parseSearchExpression('nsip:fe80::1%eth0'), /not an IP address at position 6/);
    for (const [path, query] of [['domains', 'nsIp=fe80%3A%3A1%25eth0'], ['nameservers', 'ip=fe80::1%25lo']]) {
      assert.match(parseRdapRequest(path, query, { searchMaxResults: 10 }).error!.message, /is not an IP address/);
    }
  });

  test('bidi embeddings, overrides and isolates are refused in a query, like the other control characters', () => {
    badQuery(() => parseWhoisLine('registrar Example\u202e Registrar', TLDS), /control characters/);
    badQuery(() => webLookupQuery('!\u2066 Registrar', TLDS), /control characters/);
    assert.match(parseRdapRequest('entities', 'fn=Exa%E2%80%AEmple*', { searchMaxResults: 10 }).error!.message, /control characters/);
  });

  test('a search value that normalises to nothing is refused ("domain:." was read as an empty pattern)', () => {
    for (const text of ['domain:.', '*.', 'registrar:" "', 'name:" "', 'org:"  *  "']) {
      badQuery(() => parseSearchExpression(text), /at least one character besides/);
    }
  });

  test('a domain pattern loses every final dot at once, so that its stable form reads back the same', () => {
    assert.deepEqual(parseSearchExpression('domain:"xn--eckwd4c7c.example.."'), { op: 'term', field: 'domain', pattern: 'xn--eckwd4c7c.example' });
  });

  test('a shortened client text in a message is not cut inside a surrogate pair', () => {
    const shown = quoteForMessage(`${'a'.repeat(63)}\u{1f600}b`);
    assertPrintable(shown);
    assert.equal(shown, `${'a'.repeat(63)}...`);
  });

  test('a YAML syntax error or warning is a one-line ConfigError with its position, not a code frame or a process warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-regression-'));
    try {
      for (const [text, message] of [['whois:\n  port: [1\n', /is not valid YAML: Flow sequence .* at line 3, column 1$/], ['%FOO bar\n---\ndb: x\n', /is not valid YAML: Unknown directive %FOO at line 1, column 1$/], ['? [a]\n: 1\n', /unknown key \[ a \]$/]] as const) {
        const file = join(dir, 'rdds.yaml');
        writeFileSync(file, text);
        assert.throws(() => loadConfig(file, {}, {}), (err: unknown) => err instanceof ConfigError && !err.message.includes('\n') && message.test(err.message));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the PROXY header builders: an embedded IPv4 address in IPv6, and a destination of the other family', () => {
    assert.equal(parseProxyHeader(proxyV2('::ffff:192.0.2.1'))?.address, '::ffff:c000:201');
    assert.equal(parseProxyHeader(proxyV2('::0:0:0.0.0.1'))?.address, '::1');
    assert.equal(parseProxyHeader(proxyV1('192.0.2.1', '::1'))?.address, '192.0.2.1');
    assert.equal(parseProxyHeader(proxyV2('192.0.2.1', '2001:db8::1'))?.address, '192.0.2.1');
  });
});

describe('found by the fuzzer (npm run fuzz)', () => {
  test('an IPv6 zone ID in X-Forwarded-For from a trusted proxy is no address (it threw a RangeError in the policy)', () => {
    const trusted = new CidrSet(['10.0.0.0/8']);
    assert.equal(forwardedClientAddress('10.0.0.1', { 'x-forwarded-for': '192.0.2.1, ::%1:1:1:1:1:1:1:1:1' }, trusted), '10.0.0.1');
    assert.equal(forwardedClientAddress('10.0.0.1', { forwarded: 'for="[fe80::1%eth0]"' }, trusted), '10.0.0.1');
  });

  test('an IPv6 zone ID in a PROXY v1 header is an invalid header', () => {
    assert.throws(() => parseProxyHeader(Buffer.from('PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n')), { message: PORT43.invalidHeader });
  });

  test('requestPath removes the dot segments that Node 20\'s URL parser leaves after a segment starting with a dot', () => {
    assert.equal(requestPath('http://h/rdap/.h/rdap/../whois'), '/rdap/.h/whois');
    assert.equal(requestPath('/rdap/.x/../domain/nic.example'), '/rdap/domain/nic.example');
    assert.equal(requestPath('/a/.x/b/%2e%2e'), '/a/.x/');
  });
});
