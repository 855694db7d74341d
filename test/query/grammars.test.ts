// The door grammars of src/query/: what each reads a request into, and what it tells the
// authorization stage and the renderer about a request it cannot read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWith } from '../../src/query/query.js';
import { parseRdapRequest } from '../../src/query/rdap-request.js';
import { webLookupQuery } from '../../src/query/web-lookup.js';
import { webSearchQuery } from '../../src/query/web-search.js';
import { parseWhoisBytes } from '../../src/query/whois-line.js';

const TLDS = ['example'];
const rdap = (path: string, query = '') => parseRdapRequest(path, query, { searchMaxResults: 10 });

test('RDAP: lookups with the canonical request their links name', () => {
  assert.deepEqual(rdap('domain/NIC.example'), { query: { kind: 'domain', name: 'nic.example', uName: undefined }, kind: 'domain', context: { relative: 'domain/NIC.example' } });
  assert.deepEqual(rdap('domain/%E3%83%89%E3%83%A1%E3%82%A4%E3%83%B3.example').query, { kind: 'domain', name: 'xn--eckwd4c7c.example', uName: 'ドメイン.example' });
  assert.deepEqual(rdap('entity/5555555').query, { kind: 'registrar-id', ianaId: 5555555 });
  assert.deepEqual(rdap('entity/NIC-REGISTRANT').query, { kind: 'contact', handle: 'NIC-REGISTRANT' });
  assert.deepEqual(rdap('help').query, { kind: 'help' });
});

test('RDAP: a search is known as a search even when its parameters are wrong', () => {
  const ok = rdap('domains', 'name=nic*');
  assert.equal(ok.query?.kind, 'rdap-search');
  assert.equal(ok.context.searchKind, 'domains');
  assert.equal(ok.context.relative, 'domains?name=nic*');
  const bad = rdap('domains', 'colour=red');
  assert.equal(bad.query, undefined);
  assert.equal(bad.kind, 'rdap-search', 'the authorization stage can refuse it before anyone hears what was wrong');
  assert.match(bad.error!.message, /exactly one of: name, nsLdhName, nsIp/);
});

test('RDAP: what the server does not serve is marked unsupported; malformed requests are not', () => {
  assert.deepEqual(rdap('ip/192.0.2.0').error, { message: 'this server holds no ip objects', unsupported: true });
  assert.equal(rdap('autnum/64496').context.relative, 'autnum');
  for (const [path, query] of [['domain/bad..name', ''], ['domain/nic.example', 'x=1'], ['frob/x', ''], ['domain/%ZZ', ''], ['domain/a%00b.example', '']]) {
    const parsed = rdap(path, query);
    assert.equal(parsed.query, undefined, path);
    assert.equal(parsed.error?.unsupported, false, path);
    assert.equal(parsed.context.relative, undefined, `${path}: no canonical form for a request that could not be read`);
  }
});

test('port 43 reads bytes: invalid UTF-8 is a bad query, not an exception', () => {
  assert.deepEqual(parseWhoisBytes(Buffer.from('domain nic.example'), TLDS), { kind: 'domain', name: 'nic.example', uName: undefined });
  const bad = parseWith(undefined, () => parseWhoisBytes(Buffer.from([0x6e, 0xff, 0x2e]), TLDS));
  assert.deepEqual(bad.error, { message: 'the query is not valid UTF-8', unsupported: false });
});

test('the web lookup box takes bare addresses, IDs, registrar names and host names', () => {
  assert.deepEqual(webLookupQuery('192.0.2.53', TLDS), { kind: 'nameserver-ip', address: '192.0.2.53' });
  assert.deepEqual(webLookupQuery('5555555', TLDS), { kind: 'registrar-id', ianaId: 5555555 });
  assert.deepEqual(webLookupQuery('Example Registrar, Inc.', TLDS), { kind: 'registrar-name', name: 'Example Registrar, Inc.' });
  assert.deepEqual(webLookupQuery('ns1.nic.example', TLDS), { kind: 'nameserver', name: 'ns1.nic.example' });
  assert.deepEqual(webLookupQuery('nic.example', TLDS).kind, 'domain');
  assert.throws(() => webLookupQuery('x'.repeat(256), TLDS), /longer than 255 characters/);
});

test('a web search page: its offset and limit within the cap', () => {
  const limits = { pageSize: 50, resultCap: 120, maxLength: 512, maxTerms: 16 };
  assert.deepEqual(webSearchQuery('cc:jp', 3, limits), { kind: 'search', expr: { op: 'term', field: 'cc', pattern: 'JP' }, text: 'cc:JP', offset: 100, limit: 20 });
  assert.throws(() => webSearchQuery('cc:jp', 4, limits), /only the first 120 results/);
  assert.throws(() => webSearchQuery('cc:jp', 0, limits), /whole number from 1/);
  assert.throws(() => webSearchQuery('', 1, limits), /empty search expression/);
  const parsed = parseWith(undefined, () => webSearchQuery('cc:', 1, limits), 'search');
  assert.equal(parsed.kind, 'search');
  assert.match(parsed.error!.message, /missing value after "cc:"/);
});

test('port 43 answers a bare name server name or address as the web form does', () => {
  assert.deepEqual(parseWhoisBytes(Buffer.from('ns1.nic.example'), TLDS), { kind: 'nameserver', name: 'ns1.nic.example' });
  assert.deepEqual(parseWhoisBytes(Buffer.from('192.0.2.53'), TLDS), { kind: 'nameserver-ip', address: '192.0.2.53' });
  assert.deepEqual(parseWhoisBytes(Buffer.from('2001:DB8::53'), TLDS), { kind: 'nameserver-ip', address: '2001:db8::53' });
  assert.deepEqual(parseWhoisBytes(Buffer.from('ns1.example.com'), TLDS), { kind: 'nameserver', name: 'ns1.example.com' }, 'an external host too');
  assert.equal(parseWhoisBytes(Buffer.from('nic.example'), TLDS).kind, 'domain');
  assert.throws(() => parseWhoisBytes(Buffer.from('nic.other'), TLDS), /answers only for \.example/);
});
