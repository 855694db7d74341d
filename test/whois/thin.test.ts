// A thin registry on port 43 (registry.thin, docs/registrar.md): the registry layout with the
// registrar's lines and no contact block at all, even when the store holds contacts; read by
// Debian's whois(1) and whoiser's parser, whose referral is the Registrar WHOIS Server line; the
// thin demo data has no contacts and exercises every line that is left.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { demoObjects } from '../../src/ingest/demo.js';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';
import { THIN_CONFIG } from '../helpers/registrar-demo.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { parseDomainWhois } = require('whoiser/src/parsers.js') as { parseDomainWhois: (domain: string, text: string, ignorePrivacy: boolean) => Record<string, unknown> };
const whoisClient = await run('whois', ['--version']).then(() => true, () => false);
const skipClient = whoisClient ? false : 'the Debian whois client is not installed (apt-get install whois; .ci/run installs it)';

const CONFIG = THIN_CONFIG;
const lines = (text: string) => text.split('\r\n');
const keys = (text: string) => lines(text).filter((l) => /^[A-Z][^:%>]*: /.test(l)).map((l) => l.slice(0, l.indexOf(': ')));

const THIN_NIC = [
  'Domain Name: NIC.EXAMPLE',
  'Registry Domain ID: D1-EXAMPLE',
  'Registrar WHOIS Server: whois.registrar.example',
  'Registrar URL: https://www.registrar.example',
  'Updated Date: 2024-05-29T20:13:00Z',
  'Creation Date: 2000-10-08T00:45:00Z',
  'Registry Expiry Date: 2030-10-08T00:44:59Z',
  'Registrar: Example Registrar, Inc.',
  'Registrar IANA ID: 5555555',
  'Registrar Abuse Contact Email: abuse@registrar.example',
  'Registrar Abuse Contact Phone: +1.3105551234',
  'Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited',
  'Domain Status: serverTransferProhibited https://icann.org/epp#serverTransferProhibited',
  'Name Server: NS1.NIC.EXAMPLE',
  'Name Server: NS2.NIC.EXAMPLE',
  'DNSSEC: signedDelegation',
  'URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/',
];

describe('a thin registry on port 43', () => {
  const objects = [...demoObjects({ domains: 600, thin: true })];
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.0/8' }, objects, {}, CONFIG);
  });
  after(async () => svc?.stop());

  test('the thin demo data holds no contact and names none', () => {
    assert.equal(objects.filter((o) => o.type === 'contact').length, 0);
    for (const o of objects) if (o.type === 'domain') assert.deepEqual([o.registrant, o.admin, o.tech, o.billing], [undefined, undefined, undefined, undefined], o.name);
    assert.ok(objects.filter((o) => o.type === 'domain').length === 600);
  });

  test('a domain answer: the registrar, its WHOIS server and URL, no contact block (authorized tier too)', async () => {
    const text = await whoisRaw(svc.ports.whois, 'nic.example\r\n');
    assert.deepEqual(lines(text).slice(0, THIN_NIC.length), THIN_NIC);
    assert.match(lines(text)[THIN_NIC.length], /^>>> Last update of WHOIS database: /);
    assert.doesNotMatch(text, /Registrant|Admin|Tech |Billing/);
  });

  test('every line the thin layout keeps appears in the demo data, and nothing of contacts', async () => {
    const seen = new Set<string>();
    for (const o of objects) if (o.type === 'domain') for (const k of keys(await whoisRaw(svc.ports.whois, `${o.name}\r\n`))) seen.add(k);
    const layout = [
      'Domain Name', 'Internationalized Domain Name', 'Registry Domain ID', 'Registrar WHOIS Server', 'Registrar URL', 'Updated Date', 'Creation Date', 'Registry Expiry Date',
      'Registrar', 'Registrar IANA ID', 'Registrar Abuse Contact Email', 'Registrar Abuse Contact Phone', 'Reseller', 'Domain Status', 'Name Server', 'DNSSEC',
      'URL of the ICANN Whois Inaccuracy Complaint Form',
    ];
    assert.deepEqual([...seen].sort(), [...layout].sort());
  });

  test('whois(1) and whoiser read it; the registrar WHOIS server is the referral they follow', { skip: skipClient }, async () => {
    const { stdout } = await run('whois', ['-h', '127.0.0.1', '-p', String(svc.ports.whois), 'nic.example'], { encoding: 'utf8' });
    const parsed = parseDomainWhois('nic.example', stdout, false);
    assert.equal(parsed['Registrar WHOIS Server'], 'whois.registrar.example');
    assert.equal(parsed.Registrar, 'Example Registrar, Inc.');
    assert.equal(parsed['Expiry Date'], '2030-10-08T00:44:59Z');
    assert.equal(Object.keys(parsed).some((k) => /registrant|admin|tech/i.test(k)), false, Object.keys(parsed).join(', '));
  });
});

describe('a thin registry whose store still holds contacts', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.0/8' }, [...demoObjects({ domains: 50 })], {}, CONFIG);
  });
  after(async () => svc?.stop());

  test('shows none of them, to any tier', async () => {
    const text = await whoisRaw(svc.ports.whois, 'nic.example\r\n');
    assert.deepEqual(lines(text).slice(0, THIN_NIC.length), THIN_NIC);
    assert.doesNotMatch(text, /Registrant|Jan de Vries|NIC-REGISTRANT/);
  });
});
