// Web WHOIS in registrar mode and for a thin registry (docs/registrar.md), over real HTTP: the
// registrar layout's labels and contact form, the referral page for another registrar's name,
// the searchable WHOIS kept to the registrar's own names; a thin registry's page with the
// registrar's links and no contacts, and its searches by contact data finding nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { demoObjects } from '../../src/ingest/demo.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { otherRegistrarsName, REGISTRAR, REGISTRAR_CONFIG, registryWithRegistrar, THIN_CONFIG } from '../helpers/registrar-demo.js';

async function get(svc: TestService, path: string) {
  const res = await fetch(`http://127.0.0.1:${svc.ports.http}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The label/value rows of a page's definition lists, as text without tags. */
function rows(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<div><dt>(.*?)<\/dt><dd>(.*?)<\/dd><\/div>/g)) out.set(m[1], m[2].replace(/<[^>]+>/g, ''));
  return out;
}

describe('web WHOIS in registrar mode', () => {
  const objects = registryWithRegistrar(300);
  let pub: TestService;
  let auth: TestService;
  before(async () => {
    pub = await startTestService({ 'web.captcha.free_lookups': '1000' }, objects, {}, REGISTRAR_CONFIG);
    auth = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32' }, objects, {}, REGISTRAR_CONFIG);
  });
  after(async () => {
    await pub?.stop();
    await auth?.stop();
  });

  it('a domain page in the registrar layout: its expiry date, the reseller, the contact form, no Billing', async () => {
    const page = await get(pub, '/whois?q=nic.example');
    assert.equal(page.status, 200);
    const r = rows(page.body);
    assert.equal(r.get('Registrar Registration Expiration Date'), '2030-10-08 00:44:59 UTC');
    assert.equal(r.has('Registry Expiry Date'), false);
    assert.equal(r.get('Reseller'), 'WebStart Hosting');
    assert.ok(page.body.includes('<a href="https://www.registrar.example/contact?domain=nic.example&amp;role=registrant" rel="nofollow noopener">'));
    // The admin contact, all withheld, is one line and still gives the form.
    assert.ok(page.body.includes('https://www.registrar.example/contact?domain=nic.example&amp;role=admin'));
    const priv = await get(auth, '/whois?q=private.example');
    assert.equal(priv.status, 200);
    assert.doesNotMatch(priv.body, /Billing contact/);
    assert.match(priv.body, /Registrant/);
  });

  it('the labels are translated on the Japanese page', async () => {
    const page = await get(pub, '/whois?q=nic.example&lang=ja');
    assert.ok(rows(page.body).has('レジストラ登録有効期限'), [...rows(page.body).keys()].join(', '));
  });

  it("another registrar's name: not found, with its registry's WHOIS server and RDAP link", async () => {
    const name = otherRegistrarsName(objects);
    const page = await get(pub, `/whois?q=${name}`);
    assert.equal(page.status, 404);
    const r = rows(page.body);
    assert.equal(r.get('Registry WHOIS Server'), 'whois.nic.example');
    assert.ok(page.body.includes(`<a href="https://rdap.nic.example/rdap/domain/${name}" rel="nofollow noopener">`));
  });

  it("the searchable WHOIS finds the registrar's own names only", async () => {
    const res = JSON.parse((await get(auth, '/search.json?q=cc:nl')).body);
    const own = new Set(objects.filter((o) => o.type === 'domain' && o.registrarId === REGISTRAR).map((o) => (o as { name: string }).name));
    assert.ok(res.results.length > 0);
    assert.deepEqual(res.results.filter((n: string) => !own.has(n)), []);
    // Other registrars' names match the search too: the scope is what keeps them out.
    const dutch = new Set(objects.filter((o) => o.type === 'contact' && o.postalInt?.cc === 'NL').map((o) => (o as { handle: string }).handle));
    assert.ok(objects.some((o) => o.type === 'domain' && o.registrarId !== REGISTRAR && dutch.has(o.registrant ?? '')));
  });
});

describe('web WHOIS of a registrar behind a thin registry', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({ 'web.captcha.free_lookups': '1000', 'registry.thin': 'true' }, registryWithRegistrar(50), {}, REGISTRAR_CONFIG);
  });
  after(async () => svc?.stop());

  it('the registry IDs say Not Available From Registry', async () => {
    const page = await get(svc, '/whois?q=nic.example');
    assert.equal(rows(page.body).get('Registry ID'), 'Not Available From Registry');
  });
});

describe('web WHOIS of a thin registry', () => {
  let thin: TestService;
  let full: TestService;
  before(async () => {
    thin = await startTestService({ 'web.captcha.free_lookups': '1000' }, [...demoObjects({ domains: 100, thin: true })], {}, THIN_CONFIG);
    full = await startTestService({ 'policy.tiers.authorized': '127.0.0.1/32' }, [...demoObjects({ domains: 100 })], {}, THIN_CONFIG);
  });
  after(async () => {
    await thin?.stop();
    await full?.stop();
  });

  it("a domain page gives the registrar's WHOIS server, site and RDAP record, and no contacts", async () => {
    const page = await get(thin, '/whois?q=nic.example');
    assert.equal(page.status, 200);
    const r = rows(page.body);
    assert.equal(r.get('Registrar WHOIS Server'), 'whois.registrar.example');
    assert.equal(r.get('Registrar URL'), 'https://www.registrar.example');
    assert.equal(r.get('Registrar RDAP URL'), 'https://rdap.registrar.example/rdap/domain/nic.example');
    assert.ok(page.body.includes('<a href="https://rdap.registrar.example/rdap/domain/nic.example" rel="nofollow noopener">'));
    assert.doesNotMatch(page.body, /id="s-contacts"|Registrant/);
  });

  it('a search by contact data finds nothing though the store holds contacts; by name server it still finds', async () => {
    const byContact = JSON.parse((await get(full, '/search.json?q=cc:nl')).body);
    assert.deepEqual(byContact.results, []);
    const byNs = JSON.parse((await get(full, '/search.json?q=ns:ns1.nic.example')).body);
    assert.deepEqual(byNs.results, ['nic.example']);
  });
});
