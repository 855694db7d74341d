// The authorization stage: which tiers may search on which door, no searching by personal data for
// the public, and the captcha for public web lookups past the free ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { Authorizer } from '../../src/policy/authorize.js';
import { Captcha } from '../../src/policy/captcha.js';
import type { ClientIdentity, Door } from '../../src/policy/policy.js';
import type { Tier } from '../../src/policy/view.js';
import { parseSearchExpression } from '../../src/query/search-expression.js';

const client = (door: Door, tier: Tier): ClientIdentity => ({ remote: { door, address: '192.0.2.1' }, key: '192.0.2.1', tier });
const search = (q: string) => ({ query: { kind: 'search' as const, expr: parseSearchExpression(q), text: q, offset: 0, limit: 10 } });

test('searches are for the tiers each door names; lookups for everyone', () => {
  const config = loadConfig(undefined, { 'web.search_tiers': 'authorized,registrar', 'rdap.search_tiers': 'authorized' }, {});
  const auth = new Authorizer(config);
  assert.deepEqual(auth.authorize(client('search', 'public'), search('cc:jp')), { allowed: false, reason: 'search-not-allowed' });
  assert.deepEqual(auth.authorize(client('search', 'registrar'), search('cc:jp')), { allowed: true });
  assert.deepEqual(auth.authorize(client('rdap', 'registrar'), { kind: 'rdap-search' }), { allowed: false, reason: 'search-not-allowed' });
  assert.deepEqual(auth.authorize(client('rdap', 'authorized'), { kind: 'rdap-search' }), { allowed: true });
  assert.deepEqual(auth.authorize(client('search', 'public'), { kind: 'search' }), { allowed: false, reason: 'search-not-allowed' }, 'a malformed search is refused as a search');
  for (const door of ['whois', 'web', 'rdap'] as const) {
    assert.deepEqual(auth.authorize(client(door, 'public'), { query: { kind: 'domain', name: 'nic.example' } }), { allowed: true }, door);
  }
});

test('a public client allowed to search may not search by personal data (the field table says which)', () => {
  const auth = new Authorizer(loadConfig(undefined, { 'web.search_tiers': 'public,authorized' }, {}));
  for (const field of ['name', 'street', 'city', 'pc']) {
    assert.deepEqual(auth.authorize(client('search', 'public'), search(`domain:nic* AND ${field}:x`)), { allowed: false, reason: 'personal-search', detail: field }, field);
  }
  for (const q of ['org:acme', 'cc:jp', 'sp:tokyo', 'ns:ns1.nic.example', 'registrar:5555555']) assert.deepEqual(auth.authorize(client('search', 'public'), search(q)), { allowed: true }, q);
  assert.deepEqual(auth.authorize(client('search', 'authorized'), search('name:smith')), { allowed: true });
});

test('public web lookups past the free ones need a solved captcha; other tiers and doors never', async () => {
  const config = loadConfig(undefined, { 'web.captcha.free_lookups': '1' }, {});
  const auth = new Authorizer(config, new Captcha(config.web.captcha));
  const lookup = { query: { kind: 'domain' as const, name: 'nic.example' } };
  assert.deepEqual(await auth.authorize(client('web', 'public'), lookup), { allowed: true }, 'the free lookup');
  assert.deepEqual(await auth.authorize(client('web', 'public'), lookup), { allowed: false, reason: 'captcha-required' });
  assert.deepEqual(await auth.authorize(client('web', 'public'), lookup, 'Zm9v'), { allowed: false, reason: 'captcha-failed' });
  assert.deepEqual(await auth.authorize(client('web', 'authorized'), lookup), { allowed: true });
  assert.deepEqual(await auth.authorize(client('whois', 'public'), lookup), { allowed: true });
  const off = loadConfig(undefined, { 'web.captcha.enabled': 'false', 'web.captcha.free_lookups': '0' }, {});
  assert.deepEqual(new Authorizer(off, new Captcha(off.web.captcha)).authorize(client('web', 'public'), lookup), { allowed: true }, 'a disabled captcha asks nothing, at once');
});
