// End to end through rdapper (npm), an RDAP client that bootstraps, fetches and normalises domain
// records: pointed at this service by a bootstrap file naming our TLD, with every fetch kept on
// the loopback address (no link following, no WHOIS fallback).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'rdapper';
import { startTestService, type TestService } from '../helpers/service.js';
import { rdapObjects } from './helpers.js';

let svc: TestService;
let base: string;

before(async () => {
  svc = await startTestService({ 'policy.allowlist': '127.0.0.0/8' }, rdapObjects());
  base = `http://127.0.0.1:${svc.ports.http}/rdap/`;
});
after(async () => svc?.stop());

const loopbackOnly: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`test refuses to fetch ${url.href}`);
  return fetch(input, init);
};

function options() {
  return {
    rdapOnly: true,
    rdapFollowLinks: false,
    timeoutMs: 5000,
    customFetch: loopbackOnly,
    customBootstrapData: { version: '1.0', publication: '2025-01-01T00:00:00Z', services: [[['example'], [base]]] },
  };
}

test('rdapper reads a public domain answer', async () => {
  const { ok, record, error } = await lookup('nic.example', options());
  assert.ok(ok, error);
  assert.ok(record);
  assert.equal(record.source, 'rdap');
  assert.equal(record.isRegistered, true);
  assert.equal(record.creationDate?.slice(0, 10), '2020-01-01');
  assert.equal(record.expirationDate?.slice(0, 10), '2030-01-01');
  assert.equal(record.updatedDate?.slice(0, 10), '2024-01-01');
  assert.equal(record.registrar?.name, 'Example Registrar, Inc.');
  assert.equal(String(record.registrar?.ianaId), '5555555');
  assert.deepEqual(record.nameservers?.map((n) => n.host).sort(), ['ns1.nic.example', 'ns2.nic.example']);
  assert.equal(record.dnssec?.enabled, true);
  assert.equal(record.dnssec?.dsRecords?.[0]?.keyTag, 12345);
  assert.equal(record.transferLock, true);
  assert.equal(record.whoisServer, 'whois.nic.example');
  const statuses = record.statuses?.map((s) => s.status) ?? [];
  assert.ok(statuses.some((s) => /client ?transfer ?prohibited/i.test(s)), statuses.join(','));
  assert.ok(record.redactions && record.redactions.length > 0, 'RFC 9537 redactions reported');
  assert.equal(record.privacyEnabled, true);
  const text = JSON.stringify(record);
  assert.ok(!text.includes('Quillon'), 'no redacted name reaches the client');
});

test('rdapper reads an IDN (it takes A-labels) and extracts its U-label', async () => {
  const { ok, record, error } = await lookup('xn--eckwd4c7c.example', options());
  assert.ok(ok, error);
  assert.equal(record?.isIDN, true);
  assert.equal(record?.unicodeName, 'ドメイン.example');
  assert.deepEqual(record?.nameservers?.map((n) => n.host), ['ns2.nic.example']);
});

test('rdapper reports a name that is not registered', async () => {
  const { record } = await lookup('no-such-name.example', options());
  assert.equal(record?.isRegistered ?? false, false);
});
