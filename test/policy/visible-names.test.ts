// Invisible characters in the names of people and organisations are shown escaped, the same on
// every door; a joiner a script needs (Persian ZWNJ) stays as it is. Such names are only valid in the
// localised postal form (postalInt is US-ASCII).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';
import { contact, domain, host, registrar } from '../store/fixtures.js';

describe('names with invisible characters', () => {
  let svc: TestService;
  const persian = 'می\u200cخواهم';
  before(async () => {
    const registrant = contact('REG-1', { postalInt: undefined, postalLoc: { name: 'Jan Jansen', org: 'Exam\u200bple B.V.', street: ['Dorpsstraat 1'], city: 'Haarlem', cc: 'NL' } });
    const tech = contact('TECH-1', { postalInt: undefined, postalLoc: { name: persian, street: ['1 Main Street'], city: 'Tehran', cc: 'IR' } });
    svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32', 'web.captcha.enabled': 'false' }, [
      registrar(), registrant, tech, contact('ADM-1'), contact('BILL-1'), host('ns1.nic.example'), host('ns2.nic.example'), domain('nic.example'),
    ]);
  });
  after(async () => svc?.stop());

  it('port 43, RDAP and the web page show <U+200B>, and keep a Persian ZWNJ', async () => {
    const text = await whoisRaw(svc.ports.whois, 'nic.example\r\n');
    assert.match(text, /\r\nRegistrant Organization: Exam<U\+200B>ple B\.V\.\r\n/);
    assert.ok(text.includes(`\r\nTech Name: ${persian}\r\n`), 'the joiner inside a Persian word stays');
    const rdap = (await (await fetch(`http://127.0.0.1:${svc.ports.http}/rdap/domain/nic.example`)).json()) as { entities: { roles?: string[]; vcardArray?: [string, [string, object, string, string][]] }[] };
    const card = rdap.entities.find((e) => e.roles?.includes('registrant'))!.vcardArray![1];
    assert.deepEqual(card.find((p) => p[0] === 'org')![3], 'Exam<U+200B>ple B.V.');
    const page = await (await fetch(`http://127.0.0.1:${svc.ports.http}/whois?q=nic.example`)).text();
    assert.ok(page.includes('Exam&lt;U+200B&gt;ple B.V.'), 'escaped, then made safe for HTML');
    assert.ok(!page.includes('Exam\u200bple'), 'never the invisible character itself');
  });
});
