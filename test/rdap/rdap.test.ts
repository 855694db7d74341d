// The RDAP door end to end over real HTTP: every response type for the public and authorized
// tiers against ICANN's schemas and the profile rules the tool checks in code, redaction against
// what is actually missing, the leak test, and RFC 7480 HTTP behaviour.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestService, type TestService } from '../helpers/service.js';
import { IDN_ALABEL, IDN_ULABEL } from '../store/fixtures.js';
import type { Admission, ClientIdentity, Policy, Remote } from '../../src/policy/policy.js';
import { clientKey } from '../../src/policy/address.js';
import { ALLOWED } from '../../src/policy/authorize.js';
import { PUBLIC_ACCESS } from '../../src/policy/view.js';
import {
  AUTHORIZED_FROM, checkCommon, checkDomainProfile, checkRedactions, checkRegistrarEntity, checkSelf, jsonPath,
  personalValues, PUBLIC_FROM, rdapObjects, request, strings, type Reply,
} from './helpers.js';
import { schemaErrors, schemasPresent, SKIP_REASON, type ResponseType } from './schemas.js';

const BASE = 'https://rdap.nic.example/rdap/';
const objects = rdapObjects();
let svc: TestService;
let port: number;

before(async () => {
  svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'policy.allowlist': '127.0.0.0/8' }, objects);
  port = svc.ports.http;
});
after(async () => svc?.stop());

const get = (path: string, from = PUBLIC_FROM, headers?: Record<string, string>) => request(port, `/rdap/${path}`, { from, headers });

function assertSchema(type: ResponseType, answer: any, t: { skip: (m: string) => void }): void {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  assert.deepEqual(schemaErrors(type, answer), [], `${type} answer matches rdap-schemas`);
}

function assertRdapHeaders(reply: Reply): void {
  assert.equal(reply.headers['content-type'], 'application/rdap+json; charset=utf-8');
  assert.equal(reply.headers['access-control-allow-origin'], '*');
}

const tiers = [
  ['public', PUBLIC_FROM],
  ['authorized', AUTHORIZED_FROM],
] as const;

for (const [tier, from] of tiers) {
  describe(`${tier} tier`, () => {
    test('domain by A-label', async (t) => {
      const reply = await get('domain/nic.example', from);
      assert.equal(reply.status, 200);
      assertRdapHeaders(reply);
      const a = reply.json;
      checkDomainProfile(a, `${BASE}domain/nic.example`);
      checkRedactions(a);
      assert.deepEqual(a.status, ['client transfer prohibited', 'server delete prohibited']);
      assert.deepEqual(a.secureDNS.dsData[0].keyTag, 12345);
      assert.deepEqual(a.nameservers.map((n: any) => n.ldhName), ['ns1.nic.example', 'ns2.nic.example']);
      assertSchema('domain', a, t);
    });

    test('domain by U-label, percent-encoded, gives ldhName and unicodeName', async (t) => {
      const reply = await get(`domain/${encodeURIComponent(IDN_ULABEL)}`, from);
      assert.equal(reply.status, 200);
      const a = reply.json;
      assert.equal(a.ldhName, IDN_ALABEL);
      assert.equal(a.unicodeName, IDN_ULABEL);
      checkDomainProfile(a, `${BASE}domain/${encodeURIComponent(IDN_ULABEL)}`);
      checkRedactions(a);
      assertSchema('domain', a, t);
    });

    test('nameserver', async (t) => {
      const reply = await get('nameserver/ns1.nic.example', from);
      assert.equal(reply.status, 200);
      const a = reply.json;
      checkCommon(a, `${BASE}nameserver/ns1.nic.example`);
      checkSelf(a, `${BASE}nameserver/ns1.nic.example`);
      assert.equal(a.objectClassName, 'nameserver');
      assert.match(a.handle, /^\w{1,80}-EXAMPLE$/);
      assert.deepEqual(a.ipAddresses, { v4: ['192.0.2.53'], v6: ['2001:db8::53'] });
      assert.deepEqual(a.status, ['associated']);
      assertSchema('nameserver', a, t);
    });

    test('entity: registrar by IANA ID', async (t) => {
      const reply = await get('entity/5555555', from);
      assert.equal(reply.status, 200);
      const a = reply.json;
      checkCommon(a, `${BASE}entity/5555555`);
      checkSelf(a, `${BASE}entity/5555555`);
      assert.deepEqual(a.roles, ['registrar']);
      checkRegistrarEntity(a);
      assertSchema('entity', a, t);
    });

    test('entity: contact by handle, through the view', async (t) => {
      const reply = await get('entity/REG-1', from);
      assert.equal(reply.status, 200);
      const a = reply.json;
      checkCommon(a, `${BASE}entity/REG-1`);
      checkSelf(a, `${BASE}entity/REG-1`);
      checkRedactions(a);
      const card = a.vcardArray[1];
      if (tier === 'public') {
        assert.equal(a.handle, undefined);
        assert.equal(card.find((p: any) => p[0] === 'fn')[3], '');
        assert.ok(!card.some((p: any) => p[0] === 'email'));
        assert.ok(a.redacted.some((r: any) => r.name.type === 'Registrant Email' && r.prePath === "$.vcardArray[1][?(@[0]=='email')]"));
      } else {
        assert.equal(a.handle, 'REG-1');
        assert.equal(card.find((p: any) => p[0] === 'email')[3], 'quillon.varga1@private-mail.example');
        assert.equal(a.redacted, undefined);
      }
      assertSchema('entity', a, t);
    });

    test('help', async (t) => {
      const reply = await get('help', from);
      assert.equal(reply.status, 200);
      checkCommon(reply.json, `${BASE}help`);
      assertSchema('help', reply.json, t);
    });

    test('errors: 404 and 400 are error objects', async (t) => {
      for (const [path, status] of [['domain/no-such-name.example', 404], ['nameserver/ns9.nic.example', 404], ['entity/NOPE-1', 404], ['entity/9999999', 404], ['domain/-bad-.example', 400]] as const) {
        const reply = await get(path, from);
        assert.equal(reply.status, status, path);
        assertRdapHeaders(reply);
        assert.equal(reply.json.errorCode, status);
        assert.equal(typeof reply.json.title, 'string');
        assert.ok(Array.isArray(reply.json.description));
        for (const level of ['rdap_level_0', 'icann_rdap_response_profile_1', 'icann_rdap_technical_implementation_guide_1']) assert.ok(reply.json.rdapConformance.includes(level));
        assertSchema('error', reply.json, t);
      }
    });
  });
}

describe('redaction follows the view', () => {
  test('public domain: registrant and tech redacted as the profile says, each redaction matching what is missing', async () => {
    const a = (await get('domain/nic.example')).json;
    const byName = new Map(a.redacted.map((r: any) => [r.name.type, r]));
    const registrant = a.entities.find((e: any) => e.roles[0] === 'registrant');
    const tech = a.entities.find((e: any) => e.roles[0] === 'technical');
    const card = (e: any, name: string) => e.vcardArray[1].filter((p: any) => p[0] === name);
    // Registrant: handle removed, name/street/city/postal code emptied, phone/fax/email removed; org, state, country published.
    assert.equal(registrant.handle, undefined);
    assert.equal((byName.get('Registry Registrant ID') as any).method, 'removal');
    assert.equal(card(registrant, 'fn')[0][3], '');
    assert.equal((byName.get('Registrant Name') as any).method, 'emptyValue');
    const adr = card(registrant, 'adr')[0];
    assert.deepEqual([adr[3][2], adr[3][3], adr[3][4], adr[3][5]], ['', '', 'VA', '']);
    assert.equal(adr[1].cc, 'US');
    for (const n of ['Registrant Street', 'Registrant City', 'Registrant Postal Code']) assert.equal((byName.get(n) as any)?.method, 'emptyValue', n);
    assert.equal(card(registrant, 'org')[0][3], 'Example Organisation');
    assert.ok(!byName.has('Registrant Organization'));
    assert.ok(!byName.has('Registrant State/Province'));
    assert.deepEqual(card(registrant, 'tel'), []);
    assert.deepEqual(card(registrant, 'email'), []);
    for (const n of ['Registrant Phone', 'Registrant Phone Ext', 'Registrant Fax', 'Registrant Fax Ext', 'Registrant Email']) assert.equal((byName.get(n) as any)?.method, 'removal', n);
    // Tech: ID, name, phone, e-mail redacted; no address or fax lines at all (omitted by the view).
    assert.equal(tech.handle, undefined);
    assert.equal(card(tech, 'fn')[0][3], '');
    assert.deepEqual(card(tech, 'adr'), []);
    for (const n of ['Registry Tech ID', 'Tech Name', 'Tech Phone', 'Tech Email']) assert.ok(byName.has(n), n);
    assert.ok(!byName.has('Tech Fax'));
    // The billing contact is left out of public answers.
    assert.ok(!a.entities.some((e: any) => e.roles.includes('billing')));
    // Every missing or empty personal value of registrant and tech has its entry.
    const emptyOrMissing = [
      ['Registry Registrant ID', registrant.handle === undefined],
      ['Registrant Name', card(registrant, 'fn')[0][3] === ''],
      ['Registrant Email', card(registrant, 'email').length === 0],
      ['Tech Email', card(tech, 'email').length === 0],
    ] as const;
    for (const [name, missing] of emptyOrMissing) assert.equal(byName.has(name), missing, name);
  });

  test('authorized domain: every contact in full, no redacted member', async () => {
    const a = (await get('domain/nic.example', AUTHORIZED_FROM)).json;
    assert.equal(a.redacted, undefined);
    assert.ok(!a.rdapConformance.includes('redacted'));
    const roles = a.entities.flatMap((e: any) => e.roles);
    assert.deepEqual(roles, ['registrar', 'registrant', 'administrative', 'technical', 'billing']);
    const registrant = a.entities.find((e: any) => e.roles[0] === 'registrant');
    assert.equal(registrant.handle, 'REG-1');
    const card = registrant.vcardArray[1];
    assert.equal(card.find((p: any) => p[0] === 'fn')[3], 'Quillon Varga1');
    assert.deepEqual(card.find((p: any) => p[0] === 'adr')[3], ['', '', ['17 Hiddenmoor Lane', 'Flat 1Q'], 'Secretbury1', 'VA', 'ZX19 8QW', '']);
    assert.equal(card.find((p: any) => p[0] === 'tel' && p[1].type === 'voice')[3], 'tel:+44.2079460011;ext=713');
    assert.equal(card.find((p: any) => p[0] === 'tel' && p[1].type === 'fax')[3], 'tel:+44.2079460012;ext=614');
    assert.equal(card.find((p: any) => p[0] === 'email')[3], 'quillon.varga1@private-mail.example');
  });

  test('leak test: no personal value of any contact in any public answer', async () => {
    const secrets = personalValues(objects);
    assert.ok(secrets.length > 20);
    const paths = ['domain/nic.example', `domain/${encodeURIComponent(IDN_ULABEL)}`, 'nameserver/ns1.nic.example', 'nameserver/ns2.nic.example',
      'entity/5555555', 'entity/REG-1', 'entity/ADM-1', 'entity/TECH-1', 'entity/BILL-1', 'help', 'domain/no-such.example'];
    for (const path of paths) {
      const reply = await get(path);
      const values = strings(reply.json);
      for (const secret of secrets) {
        // Handles are asked for by handle in entity/ paths: the link value echoes the request, nothing else may.
        const hits = values.filter((v) => v === secret || (secret.length >= 6 && v.includes(secret)));
        const allowed = hits.filter((v) => v === `${BASE}${path}`);
        assert.deepEqual(hits.filter((h) => !allowed.includes(h)), [], `${path} leaks ${secret}`);
      }
    }
  });
});

describe('searches', () => {
  test('nameservers?ip= for the authorized tier, with schema and self links', async (t) => {
    const reply = await get('nameservers?ip=192.0.2.53', AUTHORIZED_FROM);
    assert.equal(reply.status, 200);
    const a = reply.json;
    checkCommon(a, `${BASE}nameservers?ip=192.0.2.53`);
    assert.deepEqual(a.nameserverSearchResults.map((n: any) => n.ldhName), ['ns1.nic.example']);
    checkSelf(a.nameserverSearchResults[0], `${BASE}nameserver/ns1.nic.example`);
    assertSchema('nameservers', a, t);
  });

  test('public search is off by default: 403', async () => {
    const reply = await get('nameservers?ip=192.0.2.53');
    assert.equal(reply.status, 403);
    assert.equal(reply.json.errorCode, 403);
  });

  test('malformed search patterns get 400 (every search type: test/rdap/search.test.ts)', async () => {
    for (const q of ['domains?name=*nic', 'domains?name=n*c.example', 'domains?name=a*', 'domains?name=x&nsIp=1.2.3.4', 'domains?foo=bar', 'nameservers?ip=999.1.1.1', 'entities?fn=%ZZ']) {
      const reply = await get(q, AUTHORIZED_FROM);
      assert.equal(reply.status, 400, q);
      assert.equal(reply.json.errorCode, 400);
    }
  });
});

describe('HTTP behaviour (RFC 7480)', () => {
  test('HEAD answers like GET without a body', async () => {
    const head = await request(port, '/rdap/domain/nic.example', { method: 'HEAD' });
    const getReply = await get('domain/nic.example');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['content-type'], getReply.headers['content-type']);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(getReply.text)));
    assert.equal(head.headers['access-control-allow-origin'], '*');
    const missing = await request(port, '/rdap/domain/no-such.example', { method: 'HEAD' });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '');
  });

  test('Accept: application/json gets the same body as plain JSON', async () => {
    const rdap = await get('domain/nic.example');
    const json = await get('domain/nic.example', PUBLIC_FROM, { accept: 'application/json' });
    assert.equal(json.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(json.text, rdap.text);
    const both = await get('domain/nic.example', PUBLIC_FROM, { accept: 'application/rdap+json, application/json;q=0.9' });
    assert.equal(both.headers['content-type'], 'application/rdap+json; charset=utf-8');
  });

  test('caching headers: public answers cacheable, authorized ones not', async () => {
    assert.match(String((await get('domain/nic.example')).headers['cache-control']), /^public, max-age=\d+$/);
    assert.equal((await get('domain/nic.example', AUTHORIZED_FROM)).headers['cache-control'], 'no-store');
    assert.equal((await get('domain/%ZZ')).headers['cache-control'], 'no-store');
  });

  test('501 for query types a registry does not serve', async () => {
    for (const path of ['ip/192.0.2.0', 'autnum/64496']) {
      const reply = await get(path);
      assert.equal(reply.status, 501, path);
      assert.equal(reply.json.errorCode, 501);
    }
  });

  test('bad paths, bad percent-encoding, invalid UTF-8 and huge targets get clean error objects', async () => {
    const cases: [string, number][] = [
      ['/rdap/', 400],
      ['/rdap/frobnicate/x', 400],
      ['/rdap/domain/', 400],
      ['/rdap/domain/a/b', 400],
      ['/rdap/domain/%ZZ.example', 400],
      ['/rdap/domain/%C3%28.example', 400],
      ['/rdap/domain/%FF%FE', 400],
      ['/rdap/domain/nic%00.example', 400],
      ['/rdap/entity/%E2%80%AE', 400],
      ['/rdap/help?x=1', 400],
      [`/rdap/domains?name=${'a'.repeat(5000)}`, 414],
    ];
    for (const [path, status] of cases) {
      const reply = await request(port, path);
      assert.equal(reply.status, status, path);
      assertRdapHeaders(reply);
      assert.equal(reply.json.errorCode, status, path);
      assert.ok(!reply.text.includes('%ZZ') || status !== 400 || !/<|>/.test(reply.text));
    }
    // Raw bytes that are not UTF-8 in the request line.
    const raw = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(Buffer.concat([Buffer.from('GET /rdap/domain/'), Buffer.from([0xff, 0xfe]), Buffer.from('.example HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])));
      const chunks: Buffer[] = [];
      socket.on('data', (c) => chunks.push(c));
      socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
      socket.on('error', () => resolve(Buffer.concat(chunks).toString('latin1')));
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
  });

  test('other methods get 405; the service keeps answering', async () => {
    const reply = await request(port, '/rdap/domain/nic.example', { method: 'POST' });
    assert.equal(reply.status, 405);
    assert.equal(reply.json.errorCode, 405);
    assert.equal((await get('domain/nic.example')).status, 200);
  });
});

/** A policy that refuses every client in the way the test sets. */
class RefusingPolicy implements Policy {
  refusal: Extract<Admission, { admitted: false }> = { admitted: false, reason: 'rate-limited', message: ['Too many queries; slow down.'], retryAfterSeconds: 42 };
  identify(remote: Remote): ClientIdentity {
    return { remote, key: clientKey(remote.address), tier: 'public' };
  }
  async admit(): Promise<Admission> {
    return this.refusal;
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

describe('refusals from the policy', () => {
  const policy = new RefusingPolicy();
  let refusing: TestService;
  before(async () => {
    refusing = await startTestService({}, objects, { policy });
  });
  after(async () => refusing?.stop());

  test('429 with Retry-After when rate-limited', async (t) => {
    const reply = await request(refusing.ports.http, '/rdap/domain/nic.example');
    assert.equal(reply.status, 429);
    assert.equal(reply.headers['retry-after'], '42');
    assertRdapHeaders(reply);
    assert.equal(reply.json.errorCode, 429);
    assert.deepEqual(reply.json.description, ['Too many queries; slow down.']);
    assertSchema('error', reply.json, t);
    // Refused before the pipeline parses it, the answer's notice links still name the request.
    const values = reply.json.notices.flatMap((n: any) => (n.links ?? []).map((l: any) => l.value));
    assert.ok(values.length > 0 && values.every((v: string) => v.endsWith('/rdap/domain/nic.example')), JSON.stringify(values));
  });

  test('403 when banned or blocklisted', async () => {
    for (const reason of ['banned', 'blocked'] as const) {
      policy.refusal = { admitted: false, reason, message: [`refused: ${reason}`] };
      const reply = await request(refusing.ports.http, '/rdap/domain/nic.example');
      assert.equal(reply.status, 403, reason);
      assert.equal(reply.json.errorCode, 403);
      assert.equal(reply.headers['retry-after'], undefined);
    }
  });
});

test('JSONPath library sanity: the profile selectors select', () => {
  const doc = { entities: [{ roles: ['registrant'], vcardArray: ['vcard', [['fn', {}, 'text', ''], ['tel', { type: 'voice' }, 'uri', 'tel:+1.5']]] }] };
  assert.deepEqual(jsonPath("$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='fn')][3]", doc), ['']);
  assert.equal(jsonPath("$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[1].type=='voice')]", doc).length, 1);
  assert.deepEqual(jsonPath("$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='email')]", doc), []);
});

test('the schema check is not vacuous', (t) => {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  assert.notDeepEqual(schemaErrors('domain', { objectClassName: 'domain' }), []);
  assert.notDeepEqual(schemaErrors('domain', { objectClassName: 'domain', ldhName: 'nic.example', status: ['not a status'] }), []);
  assert.notDeepEqual(schemaErrors('domain', { objectClassName: 'domain', ldhName: 'nic.example', links: [{ value: 'x', rel: 'nonsense-rel', href: 'ftp://x' }] }), []);
  assert.notDeepEqual(schemaErrors('entity', { objectClassName: 'entity', roles: ['boss'] }), []);
  assert.deepEqual(schemaErrors('domain', { objectClassName: 'domain', ldhName: 'nic.example', status: ['active'] }), []);
});
