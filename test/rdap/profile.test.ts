// What ICANN's RDAP conformance tool (rdapct 3.x) checks beyond the schemas, as rdds's own tests:
// the entity checks -62101 and -47600 on every domain answer; the tool's way of asking each query
// (IPv4 and IPv6, application/json and application/rdap+json, GET and HEAD, and a case-folded
// repeat, every answer compared); limits told the RDAP way (429 with the limit and a true
// Retry-After from the real policy, help's limits notice); and the opt-in extensions: JSContact
// instead of jCard (experimental) and ttl0_data for data that carries DNS TTLs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../helpers/service.js';
import { domain, host, IDN_ULABEL } from '../store/fixtures.js';
import { validate, ValidationError } from '../../src/model/validate.js';
import type { RegistryObject } from '../../src/model/types.js';
import {
  AUTHORIZED_FROM, checkCommon, checkDomainProfile, checkRedactions, entityProfileErrors, jsonPath, personalValues, PUBLIC_FROM, rdapObjects, request, strings, type Reply,
} from './helpers.js';
import { schemaErrors, schemasPresent, SKIP_REASON } from './schemas.js';

const BASE = 'https://rdap.nic.example/rdap/';

function profileObjects(): RegistryObject[] {
  return [
    ...rdapObjects(),
    host('ns1.ttl.example', ['192.0.2.80'], { ttl: { A: 300 } }),
    domain('ttl.example', { nameservers: ['ns1.ttl.example'], ttl: { NS: 3600, DS: 86400 } }),
  ];
}

const objects = profileObjects();
let svc: TestService;

before(async () => {
  svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'http.host': ['127.0.0.1', '::1'] }, objects);
});
after(async () => svc?.stop());

const get = (path: string, opts: { from?: string; host?: string; method?: string; headers?: Record<string, string> } = {}) => request(svc.ports.http, `/rdap/${path}`, opts);

describe('entity checks -62101 and -47600', () => {
  test('hold for every entity of every domain answer, public and authorized', async () => {
    for (const from of [PUBLIC_FROM, AUTHORIZED_FROM]) {
      for (const path of ['domain/nic.example', `domain/${encodeURIComponent(IDN_ULABEL)}`, 'domain/ttl.example']) {
        const a = (await get(path, { from })).json;
        checkDomainProfile(a, `${BASE}${path}`);
        assert.deepEqual(entityProfileErrors(a), [], `${path} from ${from}`);
      }
      const search = (await get('domains?name=nic*', { from: AUTHORIZED_FROM })).json;
      for (const d of search.domainSearchResults) assert.deepEqual(entityProfileErrors(d), []);
    }
  });

  test('are not vacuous: the empty administrative shell rdds used to send fails both', () => {
    const shell = { objectClassName: 'entity', roles: ['administrative'], vcardArray: ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', ''], ['adr', {}, 'text', ['', '', '', '', '', '', '']]]] };
    const errors = entityProfileErrors({ entities: [shell] });
    assert.equal(errors.length, 2);
    assert.match(errors[0], /^-62101/);
    assert.match(errors[1], /^-47600/);
    const lower = { objectClassName: 'entity', handle: 'ADM-1', roles: ['administrative'], vcardArray: ['vcard', [['adr', { cc: 'us' }, 'text', ['', '', '', '', '', '', '']]]] };
    assert.match(entityProfileErrors({ entities: [lower] })[0], /^-62101/, 'a lower-case cc');
    assert.deepEqual(entityProfileErrors({ entities: [{ ...shell, roles: ['technical'], vcardArray: ['vcard', [['adr', { cc: 'NL' }, 'text', []]]] }] }), [], 'technical is exempt from -47600');
  });

  test('the public sees no administrative entity (nothing of it may be shown), the authorized tier sees it whole', async () => {
    const pub = (await get('domain/nic.example')).json;
    assert.deepEqual(pub.entities.map((e: any) => e.roles[0]), ['registrar', 'registrant', 'technical']);
    assert.ok(!pub.redacted.some((r: any) => /^(Admin|Registry Admin)/.test(r.name.type)), 'no redaction entries for a contact that is not sent');
    checkRedactions(pub);
    const full = (await get('domain/nic.example', { from: AUTHORIZED_FROM })).json;
    const admin = full.entities.find((e: any) => e.roles[0] === 'administrative');
    assert.equal(admin.handle, 'ADM-1');
    assert.equal(admin.vcardArray[1].find((p: any) => p[0] === 'adr')[1].cc, 'US');
  });
});

/**
 * The tool's comparison of two answers (RDAPJsonComparator): array order ignored, events of
 * "last update of RDAP database" ignored, scalars compared without regard to case.
 */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) {
    const kept = value.filter((v) => !(v && typeof v === 'object' && (v as any).eventAction === 'last update of RDAP database'));
    return kept.map(comparable).map((v) => JSON.stringify(v)).sort();
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, comparable(v)]));
  return typeof value === 'string' ? value.toLowerCase() : value;
}

const HEADERS = ['content-type', 'content-length', 'cache-control', 'access-control-allow-origin', 'vary', 'retry-after'];
const headersOf = (r: Reply) => Object.fromEntries(HEADERS.map((h) => [h, r.headers[h]]));

describe('every answer the same, however the tool asks', () => {
  const paths: [string, string][] = [
    ['domain/nic.example', PUBLIC_FROM],
    ['domain/nic.example', AUTHORIZED_FROM],
    ['domain/ttl.example', PUBLIC_FROM],
    ['nameserver/ns1.nic.example', PUBLIC_FROM],
    ['entity/5555555', PUBLIC_FROM],
    ['entity/REG-1', PUBLIC_FROM],
    ['help', PUBLIC_FROM],
    ['domain/not-a-domain.invalid', PUBLIC_FROM],
    ['domain/-bad-.example', PUBLIC_FROM],
    ['domains?name=nic*', AUTHORIZED_FROM],
    ['domains/reverse_search/entity?handle=REG-1', AUTHORIZED_FROM],
    ['domains?name=nic*', PUBLIC_FROM],
  ];

  test('application/json and application/rdap+json, GET and HEAD: the same status and body, HEAD without a body and with the same headers', async () => {
    for (const [path, from] of paths) {
      const rdap = await get(path, { from, headers: { accept: 'application/rdap+json' } });
      const json = await get(path, { from, headers: { accept: 'application/json' } });
      assert.equal(json.status, rdap.status, path);
      assert.equal(json.text, rdap.text, `${path}: the same body`);
      assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
      for (const accept of ['application/rdap+json', 'application/json']) {
        const headGet = await get(path, { from, headers: { accept } });
        const head = await get(path, { from, method: 'HEAD', headers: { accept } });
        assert.equal(head.status, headGet.status, `${path} HEAD status`);
        assert.equal(head.text, '', `${path} HEAD has no body`);
        assert.deepEqual(headersOf(head), headersOf(headGet), `${path} HEAD headers (${accept})`);
      }
    }
  });

  test('IPv4 and IPv6: the same answer', async () => {
    for (const [path, from] of paths.filter(([, f]) => f === PUBLIC_FROM)) {
      const v4 = await get(path, { from });
      const v6 = await get(path, { host: '::1' });
      assert.equal(v6.status, v4.status, path);
      assert.deepEqual(comparable(v6.json), comparable(v4.json), path);
    }
  });

  test('a case-folded repeat of a domain query: the same answer', async () => {
    for (const [path, folded] of [
      ['domain/nic.example', 'domain/NiC.eXaMpLe'],
      ['domain/ttl.example', 'domain/TTL.EXAMPLE'],
      ['nameserver/ns1.nic.example', 'nameserver/NS1.Nic.Example'],
      ['domain/not-a-domain.invalid', 'domain/NOT-A-DOMAIN.INVALID'],
    ]) {
      for (const from of [PUBLIC_FROM, AUTHORIZED_FROM]) {
        const a = await get(path, { from });
        const b = await get(folded, { from });
        assert.equal(b.status, a.status, folded);
        assert.deepEqual(comparable(b.json), comparable(a.json), folded);
        // Only the echo of the request in link values differs, and only in case.
        if (a.status === 200) assert.deepEqual(b.json.handle, a.json.handle);
      }
    }
  });
});

describe('limits told the RDAP way', () => {
  let limited: TestService;
  before(async () => {
    // No allowlist: the real policy's limit applies to the loopback test client.
    limited = await startTestService({ 'policy.allowlist': [], 'policy.rate_limit.per_minute': '2', 'policy.rate_limit.ban_after': '0', 'policy.tiers.authorized': '127.0.0.2/32', 'policy.personal_data_budget.authorized': '500' }, objects);
  });
  after(async () => limited?.stop());

  test('429: an RDAP error object whose description states the limit, with a true Retry-After', async (t) => {
    const ask = () => request(limited.ports.http, '/rdap/domain/nic.example', { from: '127.0.0.9' });
    assert.equal((await ask()).status, 200);
    assert.equal((await ask()).status, 200);
    const refused = await ask();
    assert.equal(refused.status, 429);
    assert.equal(refused.json.errorCode, 429);
    assert.ok(refused.json.description.includes('Limit: 2 queries a minute per IPv4 address or IPv6 /64 network.'), JSON.stringify(refused.json.description));
    const retry = Number(refused.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    assert.equal(refused.headers['content-type'], 'application/rdap+json; charset=utf-8');
    if (schemasPresent) assert.deepEqual(schemaErrors('error', refused.json), []);
    else t.skip(SKIP_REASON);
  });

  test('help states the limits in force for the caller', async () => {
    const limitsOf = async (from: string) => {
      const help = (await request(limited.ports.http, '/rdap/help', { from })).json;
      return help.notices.find((n: any) => n.title === 'Service limits')?.description;
    };
    assert.deepEqual(await limitsOf('127.0.0.10'), [
      'Queries: 2 a minute per IPv4 address or IPv6 /64 network; past that, 429 with Retry-After.',
      'Searches and reverse searches: not open to your access (403).',
    ]);
    assert.deepEqual(await limitsOf(AUTHORIZED_FROM), [
      'Queries: no per-minute limit for your access.',
      'Searches: 100 results a page; follow the paging_metadata "next" link for the next page.',
      'Personal data: 500 unredacted contact records a day (UTC); past that, answers show the public view.',
    ]);
  });
});

describe('JSContact (experimental, opt-in)', () => {
  test('jscard=1: every entity as a JSContact card, redacted the same way, the redaction paths pointing into the card', async (t) => {
    for (const from of [PUBLIC_FROM, AUTHORIZED_FROM]) {
      const reply = await get('domain/nic.example?jscard=1', { from });
      assert.equal(reply.status, 200);
      const a = reply.json;
      assert.ok(a.rdapConformance.includes('jscontact'));
      assert.deepEqual(jsonPath('$..vcardArray', a), [], 'no jCard left');
      for (const e of jsonPath('$..entities[*]', a) as any[]) {
        assert.equal(e.jscontact_card['@type'], 'Card');
        assert.equal(e.jscontact_card.version, '1.0');
      }
      checkRedactions(a);
      const registrant = a.entities.find((e: any) => e.roles[0] === 'registrant').jscontact_card;
      if (from === PUBLIC_FROM) {
        assert.equal(registrant.name.full, '');
        assert.equal(registrant.addresses.addr.countryCode, 'US');
        assert.equal(registrant.emails, undefined);
        assert.ok(a.redacted.some((r: any) => r.name.type === 'Registrant Email' && r.prePath.endsWith('.jscontact_card.emails')));
        const secrets = personalValues(objects);
        const values = strings(a);
        for (const secret of secrets) assert.ok(!values.some((v) => v === secret || (secret.length >= 6 && v.includes(secret))), `leaks ${secret}`);
      } else {
        assert.equal(registrant.name.full, 'Quillon Varga1');
        assert.equal(registrant.emails.email.address, 'quillon.varga1@private-mail.example');
        assert.deepEqual(registrant.phones.voice, { features: { voice: true }, number: 'tel:+44.2079460011;ext=713' });
        assert.deepEqual(registrant.addresses.addr.components.map((c: any) => c.kind), ['name', 'name', 'locality', 'region', 'postcode']);
        assert.equal(a.redacted, undefined);
      }
      // Everything but the cards is the jCard answer's.
      const jcard = (await get('domain/nic.example', { from })).json;
      const strip = (x: any) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'vcardArray' || k === 'jscontact_card' || k === 'redacted' || k === 'value' ? undefined : v)));
      assert.deepEqual(strip({ ...a, rdapConformance: a.rdapConformance.filter((c: string) => c !== 'jscontact') }), strip(jcard));
    }
    if (!schemasPresent) t.skip(SKIP_REASON);
  });

  test('the rdap-x media type asks for it too; without either, jCard as the profile wants', async () => {
    const accept = 'application/rdap+json;q=0.9, application/rdap-x+json;extensions="rdap_level_0 rdapx jscontact";q=1';
    const x = await get('entity/REG-1', { headers: { accept } });
    assert.equal(x.status, 200);
    assert.match(String(x.headers['content-type']), /^application\/rdap-x\+json; extensions="rdap_level_0 jscontact"/);
    assert.ok(x.json.jscontact_card);
    assert.equal(x.json.vcardArray, undefined);
    const plain = await get('entity/REG-1', { headers: { accept: 'application/rdap+json' } });
    assert.ok(plain.json.vcardArray);
    assert.ok(!plain.json.rdapConformance.includes('jscontact'));
    const otherExtension = await get('entity/REG-1', { headers: { accept: 'application/rdap+json, application/rdap-x+json;extensions="rdap_level_0 fred"' } });
    assert.ok(otherExtension.json.vcardArray, 'rdap-x without jscontact: jCard');
    assert.equal((await get('entity/REG-1?jscard=2')).status, 400);
  });
});

describe('ttl0 for data that carries DNS TTLs', () => {
  test('ttl0_data on the domain and on the name server lookup, announced only there', async () => {
    const d = (await get('domain/ttl.example')).json;
    assert.deepEqual(d.ttl0_data, { values: { NS: 3600, DS: 86400 } });
    assert.ok(d.rdapConformance.includes('ttl0'));
    assert.equal(d.nameservers[0].ttl0_data, undefined, 'not inside a domain answer (the tool checks its nameservers by schema)');
    const ns = (await get('nameserver/ns1.ttl.example')).json;
    assert.deepEqual(ns.ttl0_data, { values: { A: 300 } });
    assert.ok(ns.rdapConformance.includes('ttl0'));
    const plain = (await get('domain/nic.example')).json;
    assert.equal(plain.ttl0_data, undefined);
    assert.ok(!plain.rdapConformance.includes('ttl0'));
    checkCommon(d, `${BASE}domain/ttl.example`);
  });

  test('the model takes TTLs of the record types each object has, in range', () => {
    const ok = validate(domain('ok.example', { ttl: { NS: 0, DS: 2147483647, A: 60, AAAA: 60 } })) as any;
    assert.deepEqual(ok.ttl, { NS: 0, DS: 2147483647, A: 60, AAAA: 60 });
    for (const [obj, field] of [
      [domain('ok.example', { ttl: { MX: 60 } as any }), 'ttl.MX'],
      [domain('ok.example', { ttl: { NS: -1 } }), 'ttl.NS'],
      [domain('ok.example', { ttl: { NS: 2147483648 } }), 'ttl.NS'],
      [domain('ok.example', { ttl: { NS: 1.5 } }), 'ttl.NS'],
      [host('ns.ok.example', [], { ttl: { NS: 60 } as any }), 'ttl.NS'],
      [domain('ok.example', { ttl: [] as any }), 'ttl'],
    ] as const) {
      assert.throws(() => validate(obj), (err: unknown) => err instanceof ValidationError && err.message.includes(field), field);
    }
  });
});
