// Registrar mode on port 43 (docs/registrar.md): the 2013 RAA layout line by line against the
// digest (docs/registrar-rdds.md §2), only the registrar's own names, the not-found answer or the
// referral for any other, the thin registry's "Not Available From Registry" IDs; read by Debian's
// whois(1) and whoiser's parser; the demo data exercises every line of the layout; the
// configuration and `rdds demo` refuse what does not fit together, naming the key or flag.
import { after, before, describe, test } from 'node:test';
import net from 'node:net';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError, loadConfig } from '../../src/config.js';
import { REGISTRY_SCOPE, directoryScope } from '../../src/lookup/scope.js';
import { TIER_ACCESS } from '../../src/policy/open-policy.js';
import { PUBLIC_ACCESS, viewDomain } from '../../src/policy/view.js';
import { registrarLayout, WhoisRenderer } from '../../src/render/whois.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seed } from '../store/fixtures.js';
import { otherRegistrarsName, REGISTRAR, REGISTRAR_CONFIG, registrarDemo, registryWithRegistrar } from '../helpers/registrar-demo.js';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { parseDomainWhois } = require('whoiser/src/parsers.js') as { parseDomainWhois: (domain: string, text: string, ignorePrivacy: boolean) => Record<string, unknown> };
const whoisClient = await run('whois', ['--version']).then(() => true, () => false);
const skipClient = whoisClient ? false : 'the Debian whois client is not installed (apt-get install whois; .ci/run installs it)';

const CONFIG = REGISTRAR_CONFIG;
const FORM = 'https://www.registrar.example/contact?domain=';

/** One port-43 query from a chosen loopback source address (127.0.0.2 is the authorized tier here). */
function whoisFrom(port: number, query: string, from = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: from }, () => socket.write(`${query}\r\n`));
    const chunks: Buffer[] = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in time')));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const lines = (text: string) => text.split('\r\n');
const keys = (text: string) => lines(text).filter((l) => /^[A-Z][^:%>]*: /.test(l)).map((l) => l.slice(0, l.indexOf(': ')));

// The digest's example (docs/registrar-rdds.md §2) for nic.example as the public sees it, with the
// demo's data: the Registration Data Policy's redactions, the contact form for withheld e-mail.
const R = 'REDACTED FOR PRIVACY';
const PUBLIC_NIC = [
  'Domain Name: NIC.EXAMPLE',
  'Registry Domain ID: D1-EXAMPLE',
  'Registrar WHOIS Server: whois.registrar.example',
  'Registrar URL: https://www.registrar.example',
  'Updated Date: 2024-05-29T20:13:00Z',
  'Creation Date: 2000-10-08T00:45:00Z',
  'Registrar Registration Expiration Date: 2030-10-08T00:44:59Z',
  'Registrar: Example Registrar, Inc.',
  'Registrar IANA ID: 5555555',
  'Registrar Abuse Contact Email: abuse@registrar.example',
  'Registrar Abuse Contact Phone: +1.3105551234',
  'Reseller: WebStart Hosting',
  'Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited',
  'Domain Status: serverTransferProhibited https://icann.org/epp#serverTransferProhibited',
  `Registry Registrant ID: ${R}`,
  `Registrant Name: ${R}`,
  'Registrant Organization: Example Organisation B.V.',
  // NIC-REGISTRANT lets its address be published (EPP disclose addr).
  'Registrant Street: Keizersgracht 123',
  'Registrant City: Amsterdam',
  'Registrant Postal Code: 1015 CJ',
  'Registrant Country: NL',
  `Registrant Phone: ${R}`,
  `Registrant Phone Ext: ${R}`,
  `Registrant Fax: ${R}`,
  `Registrant Fax Ext: ${R}`,
  `Registrant Email: ${FORM}nic.example&role=registrant`,
  `Registry Admin ID: ${R}`,
  ...['Name', 'Organization', 'Street', 'City', 'State/Province', 'Postal Code', 'Country', 'Phone', 'Phone Ext', 'Fax', 'Fax Ext'].map((f) => `Admin ${f}: ${R}`),
  `Admin Email: ${FORM}nic.example&role=admin`,
  `Registry Tech ID: ${R}`,
  `Tech Name: ${R}`,
  // NIC-TECH publishes its phone and e-mail.
  'Tech Phone: +31.205550125',
  'Tech Phone Ext: 42',
  'Tech Email: hostmaster@nic.example',
  'Name Server: NS1.NIC.EXAMPLE',
  'Name Server: NS2.NIC.EXAMPLE',
  'DNSSEC: signedDelegation',
  'URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/',
];

describe('registrar mode on port 43', () => {
  const objects = registryWithRegistrar(400);
  let svc: TestService;
  before(async () => {
    // The whole registry's demo data, so that other registrars' names are in the store too.
    svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32' }, objects, {}, CONFIG);
  });
  after(async () => svc?.stop());
  const whois = (q: string, from?: string) => whoisFrom(svc.ports.whois, q, from);

  test('a public domain answer is the registrar layout line by line', async () => {
    const text = await whois('nic.example');
    const body = lines(text);
    assert.deepEqual(body.slice(0, PUBLIC_NIC.length), PUBLIC_NIC);
    // The footer, then the registrar's terms.
    const rest = body.slice(PUBLIC_NIC.length);
    assert.match(rest[0], /^>>> Last update of WHOIS database: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ <<<$/);
    assert.deepEqual(rest.slice(1, 4), ['', 'For more information on Whois status codes, please visit https://icann.org/epp', '']);
    assert.match(rest[4], /^The data in this record is provided by Example Registrar, Inc\./);
    assert.equal(rest.length, 6); // and the final CRLF
  });

  test('an authorized answer shows every contact in full; no Billing block, no Registry Expiry Date', async () => {
    const text = await whois('nic.example', '127.0.0.2');
    for (const line of ['Registry Registrant ID: NIC-REGISTRANT', 'Registrant Name: Jan de Vries', 'Registrant Phone: +31.205550123', 'Registrant Email: j.devries@nic.example',
      'Registry Admin ID: NIC-ADMIN', 'Admin Name: Sanne Jansen', 'Admin Email: admin@nic.example', 'Registry Tech ID: NIC-TECH', 'Tech Name: Pieter Bakker', 'Tech Fax: +31.205550199']) {
      assert.ok(lines(text).includes(line), line);
    }
    assert.doesNotMatch(text, /REDACTED|Registry Expiry Date|Billing|contact\?domain=/);
    // private.example has a billing contact: the registrar layout leaves it out.
    assert.doesNotMatch(await whois('private.example', '127.0.0.2'), /Billing/);
  });

  test("another registrar's name and an unregistered one get the referral to the registry", async () => {
    for (const name of [otherRegistrarsName(objects), 'no-such-name.example']) {
      const text = await whois(name);
      assert.deepEqual(lines(text).slice(0, 4), [
        `% Example Registrar, Inc. does not sponsor ${name}.`,
        "% Its registry's WHOIS and RDAP services answer for it:",
        'Registry WHOIS Server: whois.nic.example',
        `Registry RDAP URL: https://rdap.nic.example/rdap/domain/${name}`,
      ]);
      assert.doesNotMatch(text, /Registrar IANA ID|Registrant/);
    }
  });

  test("other registrars' name servers, contacts and registrar records are not found", async () => {
    const other = objects.find((o) => o.type === 'host' && o.registrarId !== REGISTRAR)!;
    assert.match(await whois(`nameserver ${(other as { name: string }).name}`), /^The queried object does not exist: /);
    assert.match(await whois('nameserver ns1.nic.example'), /^Server Name: NS1\.NIC\.EXAMPLE\r\n/);
    assert.match(await whois('registrar 5555001'), /^The queried object does not exist: /);
    assert.match(await whois('registrar 5555555'), /^Registrar: Example Registrar, Inc\.\r\n/);
  });

  test('whois(1) reads the answer and whoiser parses it, the referral included', { skip: skipClient }, async () => {
    const client = (q: string) => run('whois', ['-h', '127.0.0.1', '-p', String(svc.ports.whois), q], { encoding: 'utf8' }).then((r) => r.stdout);
    const parsed = parseDomainWhois('nic.example', await client('nic.example'), false);
    assert.equal(parsed['Domain Name'], 'NIC.EXAMPLE');
    assert.equal(parsed['Expiry Date'], '2030-10-08T00:44:59Z'); // whoiser's name for Registrar Registration Expiration Date
    assert.equal(parsed['Registrar IANA ID'], '5555555');
    assert.equal(parsed.Reseller, 'WebStart Hosting');
    assert.deepEqual(parsed['Name Server'], ['NS1.NIC.EXAMPLE', 'NS2.NIC.EXAMPLE']);
    const other = otherRegistrarsName(objects);
    // whoiser follows "Registry WHOIS Server" to the next server (its follow loop reads that key).
    assert.equal(parseDomainWhois(other, await client(other), false)['Registry WHOIS Server'], 'whois.nic.example');
  });
});

describe('registrar mode: not found for other names, a thin registry behind it', () => {
  const objects = registrarDemo(400);
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'registry.other_names': 'notfound', 'registry.thin': 'true', 'policy.tiers.authorized': '127.0.0.2/32' }, objects, {}, CONFIG);
  });
  after(async () => svc?.stop());

  test('the registry gives no contact IDs: Not Available From Registry, for every tier', async () => {
    for (const from of ['127.0.0.1', '127.0.0.2']) {
      const text = await whoisFrom(svc.ports.whois, 'nic.example', from);
      for (const role of ['Registrant', 'Admin', 'Tech']) assert.ok(lines(text).includes(`Registry ${role} ID: Not Available From Registry`), `${role} ${from}`);
    }
  });

  test('a name of no one here gets the not-found answer', async () => {
    assert.match(await whoisFrom(svc.ports.whois, 'no-such-name.example'), /^The queried object does not exist: no-such-name\.example\r\n/);
  });
});

describe('the registrar demo data exercises every line of the layout', () => {
  test('every key of the 2013 RAA layout, the registrar expiry apart from the registry one, both DNSSEC values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-registrar-lines-'));
    const store = SqliteStore.open(join(dir, 'r.sqlite'));
    try {
      const objects = registrarDemo(3000);
      assert.ok(objects.every((o) => (o.type === 'registrar' ? o.ianaId : o.registrarId) === REGISTRAR), "only the registrar's own objects");
      await seed(store, objects);
      const config = loadConfig(CONFIG, {}, {});
      const renderer = new WhoisRenderer({ languages: [], termsOfUse: 'terms', registrar: registrarLayout(config) });
      const seen = new Set<string>();
      const values = new Set<string>();
      let ownExpiry = 0;
      for (const o of objects) {
        if (o.type !== 'domain') continue;
        const record = (await store.lookupDomain(o.name))!;
        if (o.registrarExpires && o.registrarExpires !== o.expires) ownExpiry++;
        for (const access of [TIER_ACCESS.authorized, PUBLIC_ACCESS]) {
          const text = renderer.render({ outcome: 'answered', client: { remote: { door: 'whois', address: '192.0.2.1' }, key: 'k', tier: 'public' }, view: viewDomain(record, access), data: { serial: 1, updatedAt: '2026-01-01T00:00:00Z' } });
          for (const k of keys(text)) seen.add(k);
          // The optional-field rule of the registry layout holds here too: no key without a value.
          assert.deepEqual(lines(text).filter((l) => /^[A-Z][^%>]*:$/.test(l.trimEnd())), [], o.name);
          if (!o.reseller) assert.doesNotMatch(text, /\r\nReseller:/, o.name);
          if (!o.updated) assert.doesNotMatch(text, /\r\nUpdated Date:/, o.name);
          for (const l of lines(text)) if (l.startsWith('DNSSEC: ') || l.includes('contact?domain=')) values.add(l.startsWith('DNSSEC') ? l : 'form');
        }
      }
      const contactKeys = (role: string) => [`Registry ${role} ID`, ...['Name', 'Organization', 'Street', 'City', 'State/Province', 'Postal Code', 'Country', 'Phone', 'Phone Ext', 'Fax', 'Fax Ext', 'Email'].map((f) => `${role} ${f}`)];
      const layout = [
        'Domain Name', 'Internationalized Domain Name', 'Registry Domain ID', 'Registrar WHOIS Server', 'Registrar URL', 'Updated Date', 'Creation Date',
        'Registrar Registration Expiration Date', 'Registrar', 'Registrar IANA ID', 'Registrar Abuse Contact Email', 'Registrar Abuse Contact Phone', 'Reseller',
        'Domain Status', ...contactKeys('Registrant'), ...contactKeys('Admin'), ...contactKeys('Tech'), 'Name Server', 'DNSSEC', 'URL of the ICANN Whois Inaccuracy Complaint Form',
      ];
      assert.deepEqual(layout.filter((k) => !seen.has(k)), [], 'every key of the layout appears');
      assert.deepEqual([...seen].filter((k) => !layout.includes(k)), [], 'no key outside the layout');
      assert.deepEqual([...values].sort(), ['DNSSEC: signedDelegation', 'DNSSEC: unsigned', 'form']);
      assert.ok(ownExpiry > 0, "some domains carry the registrar's own expiry (auto-renew periods)");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configuration and rdds demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-registrar-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const refused = (yaml: string, message: RegExp) => {
    const file = join(dir, 'rdds.yaml');
    writeFileSync(file, yaml);
    assert.throws(() => loadConfig(file, {}, {}), (err: unknown) => err instanceof ConfigError && message.test(err.message), yaml);
  };

  test('keys that do not fit together are refused, each named', () => {
    refused('registry:\n  mode: registrar\n', /registry\.registrar_iana_id is needed with registry\.mode registrar.*registry\.contact_form_url is needed/);
    refused('registry:\n  mode: registrar\n  registrar_iana_id: 5555555\n  contact_form_url: https://r.example/c\n  other_names: referral\n', /registry\.referrals\.example is needed with registry\.other_names referral/);
    refused('registry:\n  other_names: referral\n', /registry\.other_names referral is for registry\.mode registrar/);
    refused('registry:\n  registrar_iana_id: 5555555\n', /registry\.registrar_iana_id is for registry\.mode registrar/);
    refused('registry:\n  mode: wholesaler\n', /registry\.mode must be equal to one of the allowed values/);
    refused('registry:\n  referrals:\n    example: { whois_server: whois.nic.example }\n', /registry\.referrals\.example must have required property 'rdap_base_url'/);
  });

  test('the scope follows the configuration', () => {
    assert.deepEqual(directoryScope(loadConfig(undefined, {}, {})), REGISTRY_SCOPE);
    assert.deepEqual(directoryScope(loadConfig('docs/thin-demo.yaml', {}, {})), { noContacts: true });
    const registrar = directoryScope(loadConfig(CONFIG, {}, {}));
    assert.equal(registrar.sponsor, REGISTRAR);
    assert.equal(registrar.noContacts, false);
    assert.deepEqual(registrar.referrals, { example: { whois_server: 'whois.nic.example', rdap_base_url: 'https://rdap.nic.example/rdap/' } });
  });

  test('rdds demo refuses flags that do not fit, in one line naming the flag', async () => {
    const rdds = (args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--domains', '10', '--db', join(dir, 'demo.sqlite'), ...args], { encoding: 'utf8', env: { ...process.env, RDDS_CONFIG: '' } }).then(
        () => ({ status: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ status: e.code, stderr: e.stderr }),
      );
    const cases: [string[], RegExp][] = [
      [['--mode', 'registrar'], /--mode registrar needs --registrar IANAID/],
      [['--mode', 'registrar', '--registrar', '42'], /--registrar must be the IANA ID of one of the demo's registrars .* not 42/],
      [['--registrar', '5555555'], /--registrar needs --mode registrar/],
      [['--mode', 'registrar', '--registrar', '5555555', '--thin'], /--thin is for a registry/],
      [['--thin', '--deposit', join(dir, 'd.xml')], /--mode registrar and --thin write a database, not an RDE deposit/],
    ];
    const results = await Promise.all(cases.map(([args]) => rdds(args)));
    results.forEach((r, i) => {
      assert.equal(r.status, 1, cases[i][0].join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, cases[i][1]);
    });
  });
});
