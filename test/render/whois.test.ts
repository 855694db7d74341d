// The port-43 answers against the layouts of the spec digest (../shared/spec/whois-text.md),
// line for line, for the public and the authorized view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { PUBLIC_ACCESS, viewDomain, viewHosts, viewRegistrar } from '../../src/policy/view.js';
import { TIER_ACCESS } from '../../src/policy/open-policy.js';
import { WhoisRenderer } from '../../src/render/whois.js';
import type { Resolution } from '../../src/resolution.js';
import type { DomainRecord } from '../../src/model/records.js';
import { contact, domain, host, registrar } from '../store/fixtures.js';

const DATA = { serial: 1, updatedAt: '2024-05-29T20:15:00Z' };
const TERMS = 'Terms of use: test terms.';
const client = { remote: { door: 'whois' as const, address: '192.0.2.1' }, key: '192.0.2.1', tier: 'public' as const };

function nicExample(): DomainRecord {
  const r = registrar({ url: 'https://www.registrar.example', abusePhone: '+1.5555551234' });
  const registrant = contact('REG-1', {
    postalInt: { name: 'Jan Jansen', org: 'Example Organisation B.V.', street: ['Dorpsstraat 1'], city: 'Haarlem', sp: 'NH', pc: '2011 AA', cc: 'NL' },
  });
  return {
    domain: domain('nic.example', {
      roid: 'D1-EXAMPLE',
      statuses: ['clientDeleteProhibited', 'serverTransferProhibited'],
      created: '2000-10-08T00:45:00Z',
      updated: '2024-05-29T20:13:00Z',
      expires: '2030-10-08T00:44:59Z',
      billing: undefined,
    }),
    registrar: r,
    contacts: { registrant, admin: contact('ADM-1'), tech: contact('TECH-1') },
    hosts: [host('ns1.nic.example', ['192.0.2.53']), host('ns2.nic.example')],
  };
}

function resolution(view: Resolution['view'], outcome: Resolution['outcome'] = 'answered'): Resolution {
  return { outcome, client, view, data: DATA, query: { kind: 'domain', name: 'nic.example' } };
}

const EMAIL_TEXT =
  'Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.';
const FOOTER = ['>>> Last update of WHOIS database: 2024-05-29T20:15:00Z <<<', '', 'For more information on Whois status codes, please visit https://icann.org/epp', '', TERMS, ''];

test('public domain answer is the spec layout line for line', () => {
  const text = new WhoisRenderer({ languages: [], termsOfUse: TERMS }).render(resolution(viewDomain(nicExample(), PUBLIC_ACCESS)));
  const R = 'REDACTED FOR PRIVACY';
  const expected = [
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
    'Registrar Abuse Contact Phone: +1.5555551234',
    'Domain Status: clientDeleteProhibited https://icann.org/epp#clientDeleteProhibited',
    'Domain Status: serverTransferProhibited https://icann.org/epp#serverTransferProhibited',
    `Registry Registrant ID: ${R}`,
    `Registrant Name: ${R}`,
    'Registrant Organization: Example Organisation B.V.',
    `Registrant Street: ${R}`,
    `Registrant City: ${R}`,
    'Registrant State/Province: NH',
    `Registrant Postal Code: ${R}`,
    'Registrant Country: NL',
    `Registrant Phone: ${R}`,
    `Registrant Phone Ext: ${R}`,
    `Registrant Fax: ${R}`,
    `Registrant Fax Ext: ${R}`,
    `Registrant Email: ${EMAIL_TEXT}`,
    `Registry Admin ID: ${R}`,
    `Admin Name: ${R}`,
    `Admin Organization: ${R}`,
    `Admin Street: ${R}`,
    `Admin City: ${R}`,
    `Admin State/Province: ${R}`,
    `Admin Postal Code: ${R}`,
    `Admin Country: ${R}`,
    `Admin Phone: ${R}`,
    `Admin Phone Ext: ${R}`,
    `Admin Fax: ${R}`,
    `Admin Fax Ext: ${R}`,
    `Admin Email: ${EMAIL_TEXT}`,
    `Registry Tech ID: ${R}`,
    `Tech Name: ${R}`,
    `Tech Phone: ${R}`,
    `Tech Phone Ext: ${R}`,
    `Tech Email: ${EMAIL_TEXT}`,
    'Name Server: NS1.NIC.EXAMPLE',
    'Name Server: NS2.NIC.EXAMPLE',
    'DNSSEC: signedDelegation',
    'URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/',
    ...FOOTER,
  ].join('\r\n');
  assert.equal(text, expected);
});

test('authorized view prints every contact field, street lines repeated, and no name-server addresses', () => {
  const text = new WhoisRenderer({ languages: [], termsOfUse: TERMS }).render(resolution(viewDomain(nicExample(), TIER_ACCESS.authorized)));
  assert.match(text, /\r\nRegistrant Name: Jan Jansen\r\n/);
  assert.match(text, /\r\nRegistrant Street: Dorpsstraat 1\r\nRegistrant City: Haarlem\r\n/);
  assert.match(text, /\r\nAdmin Street: 1 Main Street\r\nAdmin Street: Suite 100\r\n/);
  assert.match(text, /\r\nTech Organization: Example Organisation\r\n/);
  assert.match(text, /\r\nTech Email: tech-1@example.com\r\n/);
  assert.doesNotMatch(text, /REDACTED/);
  assert.doesNotMatch(text, /192\.0\.2\.53/);
});

test('IDN line follows Domain Name; translations follow the English key', () => {
  const record = nicExample();
  record.domain = { ...record.domain, name: 'xn--eckwd4c7c.example', unicodeName: 'ドメイン.example' };
  const text = new WhoisRenderer({ languages: ['ja'], termsOfUse: TERMS }).render(resolution(viewDomain(record, PUBLIC_ACCESS)));
  const lines = text.split('\r\n');
  assert.equal(lines[0], 'Domain Name (ドメイン名): XN--ECKWD4C7C.EXAMPLE');
  assert.equal(lines[1], 'Internationalized Domain Name (国際化ドメイン名): ドメイン.example');
  assert.ok(lines.includes('Registrant Name (登録者名前): REDACTED FOR PRIVACY'), text);
});

test('a value cannot forge a line: control characters are stripped', () => {
  const record = nicExample();
  record.contacts.registrant!.postalInt!.org = 'Evil\r\nDomain Status: ok';
  const text = new WhoisRenderer({ languages: [], termsOfUse: TERMS }).render(resolution(viewDomain(record, PUBLIC_ACCESS)));
  assert.match(text, /\r\nRegistrant Organization: EvilDomain Status: ok\r\n/);
});

test('name server and registrar answers follow Spec 4 §1.6 and §1.7', () => {
  const r = registrar({ url: 'https://www.registrar.example' });
  const renderer = new WhoisRenderer({ languages: [], termsOfUse: TERMS });
  const ns = renderer.render(resolution(viewHosts([{ host: host('ns1.nic.example', ['192.0.2.53', '2001:db8::53']), registrar: r }])));
  assert.equal(
    ns.split('\r\n').slice(0, 7).join('\n'),
    ['Server Name: NS1.NIC.EXAMPLE', 'IP Address: 192.0.2.53', 'IP Address: 2001:db8::53', 'Registrar: Example Registrar, Inc.',
      'Registrar WHOIS Server: whois.registrar.example', 'Registrar URL: https://www.registrar.example', '>>> Last update of WHOIS database: 2024-05-29T20:15:00Z <<<'].join('\n'),
  );
  const reg = renderer.render(resolution(viewRegistrar(r))).split('\r\n');
  assert.deepEqual(reg.slice(0, 6), ['Registrar: Example Registrar, Inc.', 'Street: 123 Example Street', 'City: Anytown', 'State/Province: AP', 'Postal Code: A1A 1A1', 'Country: CA']);
});

test('not found, bad query and refusal answers', () => {
  const renderer = new WhoisRenderer({ languages: [], termsOfUse: TERMS });
  const notFound = renderer.render({ ...resolution(undefined, 'not-found'), query: { kind: 'domain', name: 'no-such-name.example' } });
  assert.equal(notFound, ['The queried object does not exist: no-such-name.example', ...FOOTER].join('\r\n'));
  const bad = renderer.render({ ...resolution(undefined, 'bad-query'), query: undefined, error: 'empty query' });
  assert.equal(bad, '% Invalid query: empty query\r\n');
  const refused = renderer.render({ ...resolution(undefined, 'refused'), refusal: { admitted: false, reason: 'rate-limited', message: ['You have exceeded allowed connection rate.', 'Please try to connect later.'] } });
  assert.equal(refused, '% You have exceeded allowed connection rate.\r\n% Please try to connect later.\r\n');
});

test('configuration defaults carry the terms into the renderer', () => {
  const config = loadConfig(undefined, {}, {});
  assert.ok(config.registry.terms_of_use.length > 20);
});

test('one rule for optional fields on every answer kind and data shape: absent means no line, never an empty key', () => {
  const renderer = new WhoisRenderer({ languages: [], termsOfUse: TERMS });
  const bare = { name: 'Jan Jansen', street: ['Dorpsstraat 1'], city: 'Haarlem', cc: 'NL' };
  const full = { ...bare, org: 'Example B.V.', sp: 'NH', pc: '2011 AA' };
  const shapes = {
    // Without organisation, state, postal code, fax, extensions or an update date; and with all of them.
    sparse: { postal: bare, phones: { voice: '+31.201234567', voiceExt: undefined, fax: undefined, faxExt: undefined }, updated: undefined, reseller: undefined },
    complete: { postal: full, phones: { voice: '+31.201234567', voiceExt: '12', fax: '+31.201234568', faxExt: '3' }, updated: '2024-05-29T20:13:00Z', reseller: 'Example Reseller' },
  };
  const optionalKeys = /^(Updated Date|Reseller|(Registrant|Admin|Tech|Billing) (Organization|State\/Province|Postal Code|Phone Ext|Fax|Fax Ext)|State\/Province|Postal Code|Fax Number)$/;
  for (const [shape, s] of Object.entries(shapes)) {
    const record = nicExample();
    record.domain = { ...record.domain, updated: s.updated, reseller: s.reseller };
    for (const role of ['registrant', 'admin', 'tech'] as const) {
      record.contacts[role] = contact(`${role.toUpperCase()}-9`, { postalInt: { ...s.postal }, postalLoc: undefined, ...s.phones });
    }
    const r = registrar({ fax: s.phones.fax, postal: { street: ['1 Way'], city: 'Town', cc: 'US', ...(shape === 'complete' ? { sp: 'CA', pc: '90292' } : {}) } });
    const answers = {
      'domain (public)': viewDomain(record, PUBLIC_ACCESS),
      'domain (authorized)': viewDomain(record, TIER_ACCESS.authorized),
      registrar: viewRegistrar(r),
      'name server': viewHosts([{ host: host('ns1.nic.example'), registrar: r }]),
    };
    for (const [kind, view] of Object.entries(answers)) {
      const lines = renderer.render(resolution(view)).split('\r\n');
      const keys = lines.filter((l) => /^[A-Z][^:]*: /.test(l)).map((l) => l.slice(0, l.indexOf(': ')));
      assert.deepEqual(lines.filter((l) => l.endsWith(': ')), [], `${kind}, ${shape}: no key with an empty value`);
      const optional = keys.filter((k) => optionalKeys.test(k));
      if (shape === 'sparse') {
        // The public view still shows the redaction text where personal fields stand, whether or not they hold a value.
        const shown = optional.filter((k) => !lines.includes(`${k}: REDACTED FOR PRIVACY`));
        assert.deepEqual(shown, [], `${kind}, sparse: no optional line without a value`);
      } else if (kind !== 'name server') {
        assert.ok(optional.length > 0, `${kind}, complete: the optional fields with values are shown`);
      }
    }
  }
});
