// RDAP in registrar mode and for a thin registry (docs/registrar.md, docs/registrar-rdds.md §4
// and §6), over real HTTP: ICANN's schemas, the profile checks the conformance tool runs for a
// registrar (--gtld-registrar: registrar expiration event, one registrant, the e-mail redaction by
// a contact-uri, name servers with handle and status alike) and for a thin registry (--gtld-registry
// --thin: the related link to the registrar's record, no contact entities), the referral of other
// names by redirect, and an RDAP client (rdapper) reading a registrar's answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'rdapper';
import { demoObjects } from '../../src/ingest/demo.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { otherRegistrarsName, REGISTRAR_CONFIG, registrarDemo, registryWithRegistrar, THIN_CONFIG } from '../helpers/registrar-demo.js';
import { AUTHORIZED_FROM, checkCommon, checkSelf, CONFORMANCE, jsonPath, PUBLIC_FROM, request } from './helpers.js';
import { schemaErrors, schemasPresent, SKIP_REASON, type ResponseType } from './schemas.js';

function assertSchema(type: ResponseType, answer: any, t: { skip: (m: string) => void }): void {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  assert.deepEqual(schemaErrors(type, answer), [], `${type} answer matches rdap-schemas`);
}

const REGISTRAR_BASE = 'https://rdap.registrar.example/rdap/';

const loopbackOnly: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`test refuses to fetch ${url.href}`);
  return fetch(input, init);
};
const REGISTRANT = "$.entities[?(@.roles[0]=='registrant')]";

/** The notices and registrar entity every gTLD domain answer carries (rdap.md §4). */
function checkDomainNotices(a: any, requestUrl: string): void {
  checkCommon(a, requestUrl);
  checkSelf(a, requestUrl);
  assert.ok(a.notices.some((n: any) => n.title === 'Status Codes' && n.links[0].href === 'https://icann.org/epp' && n.links[0].value === requestUrl));
  assert.ok(a.notices.some((n: any) => n.title === 'RDDS Inaccuracy Complaint Form' && n.links[0].href === 'https://icann.org/wicf' && n.links[0].value === requestUrl));
  const registrars = a.entities.filter((e: any) => e.roles.includes('registrar'));
  assert.equal(registrars.length, 1);
  const r = registrars[0];
  assert.equal(r.handle, '5555555');
  assert.deepEqual(r.publicIds, [{ type: 'IANA Registrar ID', identifier: '5555555' }]);
  const abuse = r.entities.find((e: any) => e.roles.includes('abuse'));
  assert.ok(abuse.vcardArray[1].some((p: any) => p[0] === 'tel' && p[3] === 'tel:+1.3105551234'));
  assert.ok(abuse.vcardArray[1].some((p: any) => p[0] === 'email' && p[3] === 'abuse@registrar.example'));
  assert.deepEqual(r.links.find((l: any) => l.rel === 'about'), { value: REGISTRAR_BASE, rel: 'about', href: 'https://www.registrar.example', type: 'text/html' });
}

/**
 * RFC 9537 as the tool checks it, replacementValue included: a removal's prePath matches nothing,
 * an emptyValue's postPath only empty values, a replacement's prePath nothing and its
 * replacementPath the value that stands in.
 */
function checkRedactions(a: any): void {
  for (const r of a.redacted ?? []) {
    assert.equal(r.pathLang, 'jsonpath');
    assert.ok(r.reason?.description);
    if (r.method === 'emptyValue') {
      const hits = jsonPath(r.postPath, a);
      assert.ok(hits.length > 0 && hits.every((h) => h === ''), `${r.name.type}: emptied`);
    } else {
      assert.ok(r.method === 'removal' || r.method === 'replacementValue', r.method);
      assert.deepEqual(jsonPath(r.prePath, a), [], `${r.name.type}: removed value absent`);
      if (r.method === 'replacementValue') assert.equal(jsonPath(r.replacementPath, a).length, 1, `${r.name.type}: replacement present`);
    }
  }
}

describe('RDAP in registrar mode', () => {
  const objects = registryWithRegistrar(400);
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'policy.tiers.authorized': `${AUTHORIZED_FROM}/32` }, objects, {}, REGISTRAR_CONFIG);
  });
  after(async () => svc?.stop());
  const get = (path: string, from = PUBLIC_FROM, method = 'GET') => request(svc.ports.http, `/rdap/${path}`, { from, method });

  for (const [tier, from] of [['public', PUBLIC_FROM], ['authorized', AUTHORIZED_FROM]] as const) {
    test(`${tier}: a domain answer of the registrar variant, with its schema`, async (t) => {
      const reply = await get('domain/nic.example', from);
      assert.equal(reply.status, 200);
      const a = reply.json;
      checkDomainNotices(a, `${REGISTRAR_BASE}domain/nic.example`);
      // The registrar variant declares the same conformance as a registry (the profile has one set).
      assert.deepEqual(a.rdapConformance.filter((c: string) => c !== 'redacted'), CONFORMANCE);
      const events = Object.fromEntries(a.events.map((e: any) => [e.eventAction, e.eventDate]));
      assert.equal(events.registration, '2000-10-08T00:45:00Z');
      assert.equal(events.expiration, '2030-10-08T00:44:59Z');
      assert.equal(events['registrar expiration'], '2030-10-08T00:44:59Z'); // tool check -65500
      assert.ok(events['last update of RDAP database']);
      assert.equal(a.port43, 'whois.registrar.example');
      // No registry-only member: a registrar's answer has no related link to a registrar's record (TIG §3.2 is for registries).
      assert.equal(a.links.some((l: any) => l.rel === 'related'), false);
      assert.equal(a.entities.some((e: any) => e.links?.some((l: any) => l.rel === 'related')), false);
      assert.equal(a.entities.filter((e: any) => e.roles.includes('registrant')).length, 1); // -63000
      assert.equal(a.entities.some((e: any) => e.roles.includes('billing')), false);
      // -47203: name servers carry a handle and a status alike.
      const withHandle = a.nameservers.filter((n: any) => n.handle !== undefined || n.status !== undefined);
      assert.ok(withHandle.length === 0 || withHandle.length === a.nameservers.length);
      assert.ok(a.nameservers.every((n: any) => (n.handle === undefined) === (n.status === undefined)));
      assert.deepEqual(a.remarks, [{ title: 'Reseller', description: ['WebStart Hosting'] }]);
      checkRedactions(a);
      const card = jsonPath(`${REGISTRANT}.vcardArray[1]`, a)[0] as any[];
      if (tier === 'public') {
        // -64100..-64107: the withheld e-mail is replaced by the registrar's web form, never beside an email.
        assert.ok(!card.some((p) => p[0] === 'email'));
        assert.deepEqual(card.find((p) => p[0] === 'contact-uri'), ['contact-uri', {}, 'uri', 'https://www.registrar.example/contact?domain=nic.example&role=registrant']);
        const email = a.redacted.find((r: any) => r.name.type === 'Registrant Email');
        assert.deepEqual(email, {
          name: { type: 'Registrant Email' },
          prePath: `${REGISTRANT}.vcardArray[1][?(@[0]=='email')]`,
          replacementPath: `${REGISTRANT}.vcardArray[1][?(@[0]=='contact-uri')]`,
          pathLang: 'jsonpath',
          method: 'replacementValue',
          reason: { description: 'Server policy' },
        });
        assert.ok(a.rdapConformance.includes('redacted'));
      } else {
        assert.ok(card.some((p) => p[0] === 'email' && p[3] === 'j.devries@nic.example'));
        assert.ok(!card.some((p) => p[0] === 'contact-uri'));
        assert.equal(a.redacted, undefined);
      }
      assertSchema('domain', a, t);
    });
  }

  test('public, JSContact: the contact form stands in for the withheld e-mail in the card too', async () => {
    const a = (await get('domain/nic.example?jscard=1')).json;
    const card = jsonPath(`${REGISTRANT}.jscontact_card`, a)[0] as any;
    assert.equal(card.emails, undefined);
    assert.deepEqual(card.links, { contact: { kind: 'contact', uri: 'https://www.registrar.example/contact?domain=nic.example&role=registrant' } });
    const email = a.redacted.find((r: any) => r.name.type === 'Registrant Email');
    assert.equal(email.method, 'replacementValue');
    assert.equal(email.prePath, `${REGISTRANT}.jscontact_card.emails`);
    assert.equal(email.replacementPath, `${REGISTRANT}.jscontact_card.links.contact.uri`);
    checkRedactions(a);
  });

  test("another registrar's name and an unregistered one are redirected to the registry (RFC 7480 §5.2)", async (t) => {
    for (const name of [otherRegistrarsName(objects), 'no-such-name.example']) {
      const reply = await get(`domain/${name}`);
      assert.equal(reply.status, 302, name);
      assert.equal(reply.headers.location, `https://rdap.nic.example/rdap/domain/${name}`);
      assert.match(String(reply.headers['cache-control']), /^public/);
      assert.equal(reply.json.errorCode, 302);
      assert.ok(reply.json.description.includes(`https://rdap.nic.example/rdap/domain/${name}`));
      assertSchema('error', reply.json, t);
      const head = await get(`domain/${name}`, PUBLIC_FROM, 'HEAD');
      assert.equal(head.status, 302);
      assert.equal(head.headers.location, reply.headers.location);
      assert.equal(head.text, '');
    }
  });

  test("other registrars' name servers and registrar records are not found", async () => {
    const other = objects.find((o) => o.type === 'host' && o.registrarId !== 5555555) as { name: string };
    assert.equal((await get(`nameserver/${other.name}`)).status, 404);
    assert.equal((await get('entity/5555001')).status, 404);
    assert.equal((await get('entity/5555555')).status, 200);
    assert.equal((await get('nameserver/ns1.nic.example')).status, 200);
  });

  test('an authorized search finds only the registrar\'s own objects', async () => {
    const domains = objects.filter((o) => o.type === 'domain') as { name: string; registrarId: number }[];
    // A prefix that other registrars' names have too.
    const start = (name: string) => name.slice(0, 2);
    const prefix = start(domains.find((d) => d.registrarId !== 5555555 && !d.name.startsWith('xn--') && domains.some((o) => o.registrarId === 5555555 && start(o.name) === start(d.name)))!.name);
    const reply = await get(`domains?name=${prefix}*`, AUTHORIZED_FROM);
    assert.equal(reply.status, 200);
    const names = reply.json.domainSearchResults.map((d: any) => d.ldhName).sort();
    const own = domains.filter((d) => d.registrarId === 5555555 && d.name.startsWith(prefix)).map((d) => d.name).sort();
    assert.ok(own.length > 0 && domains.some((d) => d.registrarId !== 5555555 && d.name.startsWith(prefix)));
    assert.deepEqual(names, own);
  });

  test('rdapper reads the registrar answer', async () => {
    const base = `http://127.0.0.1:${svc.ports.http}/rdap/`;
    const { ok, record, error } = await lookup('nic.example', {
      rdapOnly: true,
      rdapFollowLinks: false,
      timeoutMs: 5000,
      customFetch: loopbackOnly,
      customBootstrapData: { version: '1.0', publication: '2025-01-01T00:00:00Z', services: [[['example'], [base]]] },
    });
    assert.ok(ok, error);
    assert.equal(record?.registrar?.name, 'Example Registrar, Inc.');
    assert.equal(record?.expirationDate?.slice(0, 10), '2030-10-08');
    assert.equal(record?.whoisServer, 'whois.registrar.example');
    assert.equal(JSON.stringify(record).includes('Jan de Vries'), false);
  });
});

describe('RDAP in registrar mode, other_names notfound', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'registry.other_names': 'notfound' }, registrarDemo(100), {}, REGISTRAR_CONFIG);
  });
  after(async () => svc?.stop());

  test('a name of no one here is 404, without a Location', async () => {
    const reply = await request(svc.ports.http, '/rdap/domain/no-such-name.example');
    assert.equal(reply.status, 404);
    assert.equal(reply.headers.location, undefined);
  });
});

describe('RDAP of a thin registry', () => {
  let svc: TestService;
  let full: TestService;
  before(async () => {
    svc = await startTestService({ 'policy.tiers.authorized': `${AUTHORIZED_FROM}/32` }, [...demoObjects({ domains: 100, thin: true })], {}, THIN_CONFIG);
    full = await startTestService({ 'policy.tiers.authorized': `${AUTHORIZED_FROM}/32` }, [...demoObjects({ domains: 50 })], {}, THIN_CONFIG);
  });
  after(async () => {
    await svc?.stop();
    await full?.stop();
  });

  for (const [tier, from] of [['public', PUBLIC_FROM], ['authorized', AUTHORIZED_FROM]] as const) {
    test(`${tier}: the registrar and the related link to its record, no contact entity, no redaction`, async (t) => {
      const reply = await request(svc.ports.http, '/rdap/domain/nic.example', { from });
      assert.equal(reply.status, 200);
      const a = reply.json;
      checkDomainNotices(a, 'https://rdap.nic.example/rdap/domain/nic.example');
      assert.deepEqual(a.rdapConformance, CONFORMANCE);
      // TIG §3.2 (tool checks -23200..-23202): the same domain at the registrar's RDAP service.
      assert.deepEqual(a.links.find((l: any) => l.rel === 'related'), {
        value: 'https://rdap.nic.example/rdap/domain/nic.example', rel: 'related', href: `${REGISTRAR_BASE}domain/nic.example`, type: 'application/rdap+json',
      });
      assert.deepEqual(a.entities.map((e: any) => e.roles), [['registrar']]);
      assert.equal(a.redacted, undefined);
      assert.equal(a.events.some((e: any) => e.eventAction === 'registrar expiration'), false);
      assertSchema('domain', a, t);
    });
  }

  test('contacts the store still holds are neither shown nor found', async () => {
    const domain = await request(full.ports.http, '/rdap/domain/nic.example', { from: AUTHORIZED_FROM });
    assert.deepEqual(domain.json.entities.map((e: any) => e.roles), [['registrar']]);
    assert.equal((await request(full.ports.http, '/rdap/entity/NIC-REGISTRANT', { from: AUTHORIZED_FROM })).status, 404);
    const search = await request(full.ports.http, '/rdap/entities?fn=Jan*', { from: AUTHORIZED_FROM });
    assert.equal(search.status, 404);
    const registrars = await request(full.ports.http, '/rdap/entities?fn=Example*', { from: AUTHORIZED_FROM });
    assert.deepEqual(registrars.json.entitySearchResults.map((e: any) => e.roles), [['registrar']]);
  });
});
