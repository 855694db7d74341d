// RDAP searches (RFC 9082 §3.2) end to end over real HTTP: every search type through the pipeline,
// schema-valid answers, RFC 9082 partial matching, the page size (paging: test/rdap/paging.test.ts),
// the tier gate (403), redaction of public results (leak test) against full authorized results,
// the query log, the client address taken from a trusted proxy's forwarded header (RDAP and web
// doors alike) and Retry-After on 429 from both HTTP doors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../helpers/service.js';
import { domain, host, IDN_ALABEL, registrar } from '../store/fixtures.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import type { Admission, ClientIdentity, Policy, Remote } from '../../src/policy/policy.js';
import { clientKey } from '../../src/policy/address.js';
import { ALLOWED } from '../../src/policy/authorize.js';
import { PUBLIC_ACCESS } from '../../src/policy/view.js';
import type { RegistryObject } from '../../src/model/types.js';
import { AUTHORIZED_FROM, checkCommon, checkRedactions, checkSelf, personalValues, PUBLIC_FROM, rdapObjects, request, strings } from './helpers.js';
import { schemaErrors, schemasPresent, SKIP_REASON, type ResponseType } from './schemas.js';

const BASE = 'https://rdap.nic.example/rdap/';
/** A load balancer in front of rdds (trusted in the first service). */
const PROXY_FROM = '127.0.0.3';
const CAP = 3;

/** The RDAP fixtures plus names that partial matches must tell apart. */
function searchObjects(): RegistryObject[] {
  const base = rdapObjects();
  const domains = base.filter((o) => o.type === 'domain');
  return [
    ...base.filter((o) => o.type !== 'domain'),
    registrar({ ianaId: 5555, name: 'Second Registrar LLC', email: 'info@second.example', rdapBaseUrl: 'https://rdap.second.example/' }),
    host('ns3.nic.example', ['203.0.113.53']),
    host('ns1.deep.nic.example', ['203.0.113.54']),
    ...domains,
    domain('nicety.example', { nameservers: ['ns3.nic.example'] }),
    domain('nickel.example', { nameservers: ['ns1.nic.example'] }),
    domain('nix.example', { nameservers: ['ns2.nic.example'] }),
  ];
}

const objects = searchObjects();
const records: QueryRecord[] = [];
let svc: TestService; // public search off, search_max_results = CAP, PROXY_FROM trusted
let open: TestService; // public search on

before(async () => {
  const querySink = { write: async (r: QueryRecord[]) => void records.push(...r), close: async () => {} };
  svc = await startTestService(
    { 'policy.tiers.authorized': '127.0.0.2/32', 'policy.trusted_proxies': `${PROXY_FROM}/32`, 'rdap.search_max_results': String(CAP), 'log.flush_ms': '10' },
    objects,
    { querySink },
  );
  open = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'rdap.search_tiers': ['public', 'authorized'] }, objects);
});
after(async () => {
  await svc?.stop();
  await open?.stop();
});

const get = (path: string, from = AUTHORIZED_FROM, headers?: Record<string, string>, service = svc) => request(service.ports.http, `/rdap/${path}`, { from, headers });

function assertSchema(type: ResponseType, answer: any, t: { skip: (m: string) => void }): void {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  assert.deepEqual(schemaErrors(type, answer), [], `${type} answer matches rdap-schemas`);
}

const MEMBER = { domains: 'domainSearchResults', nameservers: 'nameserverSearchResults', entities: 'entitySearchResults' } as const;

/** Runs a search as the authorized client, checks the envelope and schema, and returns the result items. */
async function search(t: { skip: (m: string) => void }, path: string, service = svc): Promise<{ answer: any; items: any[] }> {
  const reply = await get(path, AUTHORIZED_FROM, undefined, service);
  assert.equal(reply.status, 200, `${path}: ${reply.text.slice(0, 300)}`);
  assert.equal(reply.headers['content-type'], 'application/rdap+json; charset=utf-8');
  const kind = path.slice(0, path.indexOf('?')) as keyof typeof MEMBER;
  const answer = reply.json;
  checkCommon(answer, `${BASE}${path}`);
  checkRedactions(answer);
  assertSchema(kind, answer, t);
  return { answer, items: answer[MEMBER[kind]] };
}

const truncation = (answer: any) => answer.notices.find((n: any) => /^result set truncated/.test(n.type ?? ''));

describe('every search type answers through the pipeline', () => {
  test('domains?name= exact, partial at the end, partial label, U-label', async (t) => {
    const names = async (q: string) => (await search(t, q)).items.map((d: any) => d.ldhName);
    assert.deepEqual(await names('domains?name=nic.example'), ['nic.example']);
    assert.deepEqual(await names('domains?name=NIC.example'), ['nic.example']);
    assert.deepEqual(await names('domains?name=nic*'), ['nic.example', 'nicety.example', 'nickel.example']);
    assert.deepEqual(await names('domains?name=nic*.example'), ['nic.example', 'nicety.example', 'nickel.example']);
    assert.deepEqual(await names('domains?name=nic.ex*'), ['nic.example']);
    assert.deepEqual(await names('domains?name=nick*.example'), ['nickel.example']);
    assert.deepEqual(await names(`domains?name=${encodeURIComponent('ドメイン.example')}`), [IDN_ALABEL]);
    assert.deepEqual(await names('domains?name=xn--eckwd*'), [IDN_ALABEL]);
    const notFound = await get('domains?name=nomatch*');
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json.errorCode, 404);
  });

  test('domain results are the lookup objects, with self links and the domain notices', async (t) => {
    const { answer, items } = await search(t, 'domains?name=nic.example');
    const lookup = (await get('domain/nic.example')).json;
    const strip = (d: any) => ({ ...d, links: undefined, notices: undefined, rdapConformance: undefined });
    assert.deepEqual(strip(items[0]), strip(lookup));
    checkSelf(items[0], `${BASE}domain/nic.example`);
    assert.ok(answer.notices.some((n: any) => n.title === 'Status Codes'));
    assert.ok(answer.notices.some((n: any) => n.title === 'RDDS Inaccuracy Complaint Form'));
    assert.equal(items[0].entities.find((e: any) => e.roles[0] === 'registrant').handle, 'REG-1');
  });

  test('domains?nsLdhName= exact and partial; domains?nsIp=', async (t) => {
    const names = async (q: string) => (await search(t, q)).items.map((d: any) => d.ldhName);
    assert.deepEqual(await names('domains?nsLdhName=ns1.nic.example'), ['nic.example', 'nickel.example']);
    assert.deepEqual(await names('domains?nsLdhName=ns3*'), ['nicety.example']);
    assert.deepEqual(await names('domains?nsLdhName=ns3*.nic.example'), ['nicety.example']);
    assert.deepEqual(await names('domains?nsIp=198.51.100.53'), ['nic.example', 'nix.example', IDN_ALABEL]);
    assert.deepEqual(await names('domains?nsIp=2001:0db8:0:0::53'), ['nic.example', 'nickel.example']);
    assert.equal((await get('domains?nsIp=192.0.2.99')).status, 404);
  });

  test('nameservers?name= (partial inside a label does not cross dots) and nameservers?ip=', async (t) => {
    const names = async (q: string) => (await search(t, q)).items.map((n: any) => n.ldhName);
    assert.deepEqual(await names('nameservers?name=ns1.nic.example'), ['ns1.nic.example']);
    assert.deepEqual(await names('nameservers?name=ns*.nic.example'), ['ns1.nic.example', 'ns2.nic.example', 'ns3.nic.example']);
    assert.deepEqual(await names('nameservers?name=ns1.d*'), ['ns1.deep.nic.example']);
    assert.deepEqual(await names('nameservers?ip=192.0.2.53'), ['ns1.nic.example']);
    const { items } = await search(t, 'nameservers?ip=203.0.113.53');
    checkSelf(items[0], `${BASE}nameserver/ns3.nic.example`);
    assert.deepEqual(items[0].ipAddresses, { v4: ['203.0.113.53'] });
  });

  test('entities?fn= finds contacts by name (exact is exact) and registrars by name', async (t) => {
    const handles = async (q: string) => (await search(t, q)).items.map((e: any) => e.handle);
    assert.deepEqual(await handles('entities?fn=Quillon%20Varga1'), ['REG-1']);
    assert.deepEqual(await handles('entities?fn=quillon%20varga3'), ['TECH-1']);
    assert.equal((await get('entities?fn=Quillon%20Varga')).status, 404, 'a plain name is an exact match, not a substring');
    assert.deepEqual(await handles('entities?fn=Example%20Reg*'), ['5555555']);
    const { items } = await search(t, 'entities?fn=Second%20Registrar%20LLC');
    assert.deepEqual(items.map((e: any) => [e.handle, e.roles]), [['5555', ['registrar']]]);
    checkSelf(items[0], `${BASE}entity/5555`);
  });

  test('entities?handle= finds contacts by handle and registrars by IANA ID', async (t) => {
    const handles = async (q: string) => (await search(t, q)).items.map((e: any) => e.handle);
    assert.deepEqual(await handles('entities?handle=REG-1'), ['REG-1']);
    assert.deepEqual(await handles('entities?handle=AD*'), ['ADM-1']);
    assert.deepEqual(await handles('entities?handle=5555555'), ['5555555']);
    assert.deepEqual(await handles('entities?handle=555*'), ['5555', '5555555']);
    const { items } = await search(t, 'entities?handle=TECH-1');
    assert.equal(items[0].vcardArray[1].find((p: any) => p[0] === 'email')[3], 'quillon.varga3@private-mail.example');
    assert.equal((await get('entities?handle=reg-1')).status, 404, 'a plain handle is exact (EPP handles are case-sensitive)');
  });
});

describe('page size', () => {
  test(`more than rdap.search_max_results (${CAP}) matches: a page of ${CAP} with a next link, no truncation notice`, async (t) => {
    for (const [q, first] of [
      ['domains?name=ni*', ['nic.example', 'nicety.example', 'nickel.example']],
      ['nameservers?name=ns*', ['ns1.deep.nic.example', 'ns1.nic.example', 'ns2.nic.example']],
      ['entities?fn=Quillon*', ['ADM-1', 'BILL-1', 'REG-1']],
    ] as const) {
      const { answer, items } = await search(t, q);
      assert.deepEqual(items.map((i: any) => i.ldhName ?? i.handle), first, q);
      assert.equal(truncation(answer), undefined, `${q}: the result set is paged, not truncated`);
      assert.equal(answer.paging_metadata.pageSize, CAP);
      assert.equal(answer.paging_metadata.links[0].rel, 'next');
    }
  });

  test('no next link when everything fits', async (t) => {
    const { answer } = await search(t, 'domains?name=nic*');
    assert.equal(truncation(answer), undefined);
    assert.equal(answer.paging_metadata.links, undefined);
  });
});

describe('tiers and redaction', () => {
  test('public search is off by default: 403 error object for every search type', async (t) => {
    for (const q of ['domains?name=nic*', 'domains?nsLdhName=ns1.nic.example', 'domains?nsIp=192.0.2.53', 'nameservers?name=ns*', 'nameservers?ip=192.0.2.53', 'entities?fn=Quillon*', 'entities?handle=REG-1']) {
      const reply = await get(q, PUBLIC_FROM);
      assert.equal(reply.status, 403, q);
      assert.equal(reply.json.errorCode, 403);
      assert.equal(reply.headers['cache-control'], 'no-store');
      assertSchema('error', reply.json, t);
    }
  });

  test('public results (search open to the public) are redacted like lookups; the leak test finds no personal value', async (t) => {
    const secrets = personalValues(objects);
    assert.ok(secrets.length > 20);
    for (const q of ['domains?name=nic*', 'domains?nsLdhName=ns*', 'domains?nsIp=198.51.100.53', 'nameservers?name=ns*', 'entities?fn=Quillon*', 'entities?fn=Example*', 'entities?handle=REG-1', 'entities?handle=555*']) {
      const reply = await get(q, PUBLIC_FROM, undefined, open);
      assert.ok(reply.status === 200 || reply.status === 404, `${q}: ${reply.status}`);
      checkRedactions(reply.json);
      const values = strings(reply.json);
      for (const secret of secrets) {
        const hits = values.filter((v) => v === secret || (secret.length >= 6 && v.includes(secret)) || (secret.length >= 6 && v.includes(encodeURIComponent(secret))));
        assert.deepEqual(hits, [], `${q} leaks ${secret}`);
      }
    }
    const domains = (await get('domains?name=nic*', PUBLIC_FROM, undefined, open)).json;
    assertSchema('domains', domains, t);
    assert.equal(domains.domainSearchResults.length, 3);
    assert.ok(domains.rdapConformance.includes('redacted'));
    // One redacted entry per redacted field of each result, pathed into its array element.
    for (let i = 0; i < 3; i++) {
      const mine = domains.redacted.filter((r: any) => (r.prePath ?? r.postPath).startsWith(`$.domainSearchResults[${i}].`));
      assert.ok(mine.some((r: any) => r.name.type === 'Registrant Email' && r.method === 'removal'), `result ${i}: Registrant Email`);
      assert.ok(mine.some((r: any) => r.name.type === 'Registrant Name' && r.method === 'emptyValue'), `result ${i}: Registrant Name`);
      const registrant = domains.domainSearchResults[i].entities.find((e: any) => e.roles[0] === 'registrant');
      assert.equal(registrant.handle, undefined);
    }
    // Contacts are not searchable by a client that may not see them: names and handles find registrars only.
    assert.equal((await get('entities?fn=Quillon*', PUBLIC_FROM, undefined, open)).status, 404);
    assert.equal((await get('entities?handle=REG-1', PUBLIC_FROM, undefined, open)).status, 404);
    const registrars = (await get('entities?fn=Example*', PUBLIC_FROM, undefined, open)).json;
    assert.deepEqual(registrars.entitySearchResults.map((e: any) => e.handle), ['5555555']);
    assertSchema('entities', registrars, t);
  });

  test('authorized results from the same service are full, with no redacted member', async (t) => {
    const { answer, items } = await search(t, 'domains?name=nic*', open);
    assert.equal(answer.redacted, undefined);
    assert.ok(!answer.rdapConformance.includes('redacted'));
    const registrant = items[0].entities.find((e: any) => e.roles[0] === 'registrant');
    assert.equal(registrant.handle, 'REG-1');
    assert.equal(registrant.vcardArray[1].find((p: any) => p[0] === 'email')[3], 'quillon.varga1@private-mail.example');
    assert.ok(strings(answer).includes('Quillon Varga2'), 'admin contact in full');
  });

  test('searches are logged with door rdap and the rdap-search kind', async () => {
    await get('domains?name=nick*');
    await get('domains?name=nic*', PUBLIC_FROM);
    await new Promise((r) => setTimeout(r, 100));
    const mine = records.filter((r) => r.kind === 'rdap-search');
    const answered = mine.find((r) => r.query === `rdap-search domains?name=nick* [${CAP}]`);
    assert.ok(answered, 'answered search logged');
    assert.equal(answered.door, 'rdap');
    assert.equal(answered.outcome, 'answered');
    assert.equal(answered.objects, 1);
    assert.equal(answered.tier, 'authorized');
    assert.ok(answered.personal >= 1, 'unredacted contacts counted');
    const forbidden = records.find((r) => r.door === 'rdap' && r.tier === 'public' && r.outcome === 'forbidden');
    assert.ok(forbidden, 'the search a public client may not run is logged as forbidden');
    assert.equal(forbidden.reason, 'search-not-allowed');
    assert.equal(forbidden.query, `rdap-search domains?name=nic* [${CAP}]`);
  });
});

describe('client address behind a proxy (both HTTP doors)', () => {
  test('RDAP: a forwarded header from a trusted proxy is honoured, from any other peer ignored', async () => {
    const trusted = await get('domains?name=nic*', PROXY_FROM, { 'x-forwarded-for': AUTHORIZED_FROM });
    assert.equal(trusted.status, 200, 'the forwarded authorized address may search');
    const forwarded = await get('domains?name=nic*', PROXY_FROM, { forwarded: `for=${AUTHORIZED_FROM};proto=https` });
    assert.equal(forwarded.status, 200, 'RFC 7239 Forwarded too');
    const untrusted = await get('domains?name=nic*', PUBLIC_FROM, { 'x-forwarded-for': AUTHORIZED_FROM });
    assert.equal(untrusted.status, 403, 'a header from an untrusted peer is ignored');
    const proxyItself = await get('domains?name=nic*', PROXY_FROM);
    assert.equal(proxyItself.status, 403, 'the proxy itself is public');
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(records.some((r) => r.door === 'rdap' && r.address === AUTHORIZED_FROM && r.tier === 'authorized'), 'logged with the forwarded address');
  });

  test('web: the same rule for the searchable WHOIS', async () => {
    const web = (from: string, headers?: Record<string, string>) => request(svc.ports.http, '/search.json?q=domain%3Anic*', { from, headers });
    assert.equal((await web(PROXY_FROM, { 'x-forwarded-for': AUTHORIZED_FROM })).status, 200);
    assert.equal((await web(PUBLIC_FROM, { 'x-forwarded-for': AUTHORIZED_FROM })).status, 403);
    assert.equal((await web(AUTHORIZED_FROM)).status, 200);
  });
});

test('the domain and entity search schemas are not vacuous', (t) => {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  assert.notDeepEqual(schemaErrors('domains', { domainSearchResults: [{ objectClassName: 'domain' }] }), []);
  assert.notDeepEqual(schemaErrors('domains', { domainSearchResults: [] }), []);
  assert.notDeepEqual(schemaErrors('entities', { entitySearchResults: [{ objectClassName: 'entity', roles: ['boss'] }] }), []);
  assert.notDeepEqual(schemaErrors('entities', { entitySearchResults: [{ objectClassName: 'entity' }], extra: 1 }), []);
});

/** A policy that rate-limits every client. */
class LimitingPolicy implements Policy {
  identify(remote: Remote): ClientIdentity {
    return { remote, key: clientKey(remote.address), tier: remote.address === AUTHORIZED_FROM ? 'authorized' : 'public' };
  }
  async admit(): Promise<Admission> {
    return { admitted: false, reason: 'rate-limited', message: ['Too many queries; slow down.'], retryAfterSeconds: 17 };
  }
  authorize() {
    return ALLOWED;
  }
  async access() {
    return { access: PUBLIC_ACCESS };
  }
  async charge() {}
  async close() {}
}

describe('429 carries Retry-After on both HTTP doors', () => {
  let limited: TestService;
  before(async () => {
    limited = await startTestService({}, objects, { policy: new LimitingPolicy() });
  });
  after(async () => limited?.stop());

  test('RDAP search and lookup, web page, web text and web search JSON', async (t) => {
    for (const [path, from] of [
      ['/rdap/domains?name=nic*', AUTHORIZED_FROM],
      ['/rdap/domain/nic.example', PUBLIC_FROM],
      ['/whois?q=nic.example', PUBLIC_FROM],
      ['/whois?q=nic.example&format=text', PUBLIC_FROM],
      ['/search.json?q=domain%3Anic*', AUTHORIZED_FROM],
      ['/search?q=domain%3Anic*', AUTHORIZED_FROM],
    ] as const) {
      const reply = await request(limited.ports.http, path, { from });
      assert.equal(reply.status, 429, path);
      assert.equal(reply.headers['retry-after'], '17', path);
    }
    const rdap = await request(limited.ports.http, '/rdap/domains?name=nic*', { from: AUTHORIZED_FROM });
    assertSchema('error', rdap.json, t);
  });
});
