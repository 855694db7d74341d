// The spec's example deposit imported, then read on every door exactly as its XML says: port 43,
// RDAP and the web page, with the deposit's watermark as the data's time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importDeposit } from '../../src/ingest/rde/import.js';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../shared/spec/rde-example.xml');
const skip = existsSync(EXAMPLE) ? undefined : `${EXAMPLE} is missing (the ../shared folder beside the checkout)`;

describe('the example deposit on every door', { skip }, () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'web.captcha.enabled': 'false' }, []);
    await importDeposit(svc.store, [EXAMPLE], { tlds: ['example'] });
    await svc.pipeline.refreshData();
  });
  after(async () => svc?.stop());

  it('port 43: the domain, its registrar, statuses, dates, name servers, DNSSEC and the watermark', async () => {
    const text = await whoisRaw(svc.ports.whois, 'shop.example\r\n');
    for (const line of [
      'Domain Name: SHOP.EXAMPLE',
      'Registry Domain ID: D100-EXAMPLE',
      'Registrar WHOIS Server: whois.registrar.example',
      'Registrar URL: https://www.registrar.example',
      'Updated Date: 2026-10-01T12:00:00Z',
      'Creation Date: 2021-03-01T09:00:00Z',
      'Registry Expiry Date: 2027-03-01T09:00:00Z',
      'Registrar: Example Registrar, Inc.',
      'Registrar IANA ID: 5555555',
      'Domain Status: clientTransferProhibited https://icann.org/epp#clientTransferProhibited',
      'Registrant Organization: Sample K.K.',
      'Registrant State/Province: Tokyo',
      'Registrant Country: JP',
      'Name Server: NS1.SHOP.EXAMPLE',
      'Name Server: NS2.SHOP.EXAMPLE',
      'DNSSEC: signedDelegation',
      '>>> Last update of WHOIS database: 2026-11-24T00:00:00Z <<<',
    ]) assert.ok(text.includes(`\r\n${line}\r\n`) || text.startsWith(`${line}\r\n`), `${line}\n${text}`);
    assert.doesNotMatch(text, /Taro Yamada|taro@sample\.example|Pieter/, 'the public view');
    const idn = await whoisRaw(svc.ports.whois, 'ドメイン.example\r\n');
    assert.match(idn, /^Domain Name: XN--ECKWD4C7C\.EXAMPLE\r\nInternationalized Domain Name: ドメイン\.example\r\n/);
    const host = await whoisRaw(svc.ports.whois, 'nameserver ns1.shop.example\r\n');
    assert.match(host, /^Server Name: NS1\.SHOP\.EXAMPLE\r\nIP Address: 192\.0\.2\.10\r\nIP Address: 2001:db8::10\r\n/);
  });

  it('RDAP: the same facts, the DS record and the glue', async () => {
    const res = await fetch(`http://127.0.0.1:${svc.ports.http}/rdap/domain/shop.example`);
    assert.equal(res.status, 200);
    const d = (await res.json()) as Record<string, any>;
    assert.equal(d.handle, 'D100-EXAMPLE');
    assert.deepEqual(d.secureDNS.dsData, [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB' }]);
    const ns1 = d.nameservers.find((n: { ldhName: string }) => n.ldhName === 'ns1.shop.example');
    assert.deepEqual(ns1.ipAddresses, { v4: ['192.0.2.10'], v6: ['2001:db8::10'] });
    assert.equal(d.entities.find((e: { roles: string[] }) => e.roles.includes('registrar')).handle, '5555555');
    assert.deepEqual(d.events.map((e: { eventAction: string; eventDate: string }) => [e.eventAction, e.eventDate]), [
      ['registration', '2021-03-01T09:00:00Z'],
      ['expiration', '2027-03-01T09:00:00Z'],
      ['last changed', '2026-10-01T12:00:00Z'],
      ['last update of RDAP database', '2026-11-24T00:00:00Z'],
    ]);
  });

  it('the web page: the same facts in the page language', async () => {
    const page = await (await fetch(`http://127.0.0.1:${svc.ports.http}/whois?q=shop.example`)).text();
    for (const text of ['D100-EXAMPLE', 'Sample K.K.', 'ns1.shop.example', 'Example Registrar, Inc.', '2026-11-24 00:00:00 UTC']) assert.ok(page.includes(text), text);
  });
});
