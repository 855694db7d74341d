// RDAP reverse search (RFC 9536) and sorting and paging (RFC 8977) end to end over real HTTP,
// against a data set whose answers the test works out on its own: every reverse-search property
// and role, every sort key both ways, paging through whole result sets by cursor (every result
// once, in order, with stable totals), forged and edited cursors, the tier gate, the
// personal-data budget charged per page, the query log, help, and the schemas.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, type TestService } from '../helpers/service.js';
import { contact, domain, host, registrar, REGISTRAR_ID } from '../store/fixtures.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import type { Contact, Domain, RegistryObject } from '../../src/model/types.js';
import { AUTHORIZED_FROM, checkCommon, checkRedactions, PUBLIC_FROM, request } from './helpers.js';
import { schemaErrors, schemasPresent, SKIP_REASON } from './schemas.js';

const BASE = 'https://rdap.nic.example/rdap/';
const PAGE = 4;
const OTHER = 7777777;

// Contacts with names, handles and e-mail addresses that prefixes tell apart.
const person = (handle: string, name: string, email: string): Contact =>
  contact(handle, { postalInt: { name, street: ['1 Main Street'], city: 'Springfield', sp: 'IL', pc: '62701', cc: 'US' }, email });
const CONTACTS = [
  person('SMITH-1', 'John Smith', 'john.smith@mail.example'),
  person('SMITH-2', 'Jane Smithers', 'jane@smithers.example'),
  person('DOE-1', 'John Doe', 'john.doe@mail.example'),
  person('TECH-9', 'Terry Tech', 'noc@tech.example'),
  ...[1, 2, 3, 4].map((n) => person(`EXP-${n}`, `Example Person ${n}`, `person${n}@example.org`)),
];
const registrants = ['SMITH-1', 'SMITH-2', 'DOE-1'];

/** 21 domains: registrant by turn, tech TECH-9 on every third, admin SMITH-1 on every fifth, dates that are not in name order. */
const DOMAINS: Domain[] = Array.from({ length: 21 }, (_, i) =>
  domain(`dom${String(i).padStart(2, '0')}.example`, {
    registrant: registrants[i % 3],
    tech: i % 3 === 0 ? 'TECH-9' : 'DOE-1',
    admin: i % 5 === 0 ? 'SMITH-1' : undefined,
    billing: undefined,
    registrarId: i % 4 === 0 ? OTHER : REGISTRAR_ID,
    nameservers: ['ns1.paging.example'],
    created: `20${String(10 + ((i * 7) % 13)).padStart(2, '0')}-03-01T00:00:00Z`,
    expires: `2030-${String(1 + ((i * 5) % 12)).padStart(2, '0')}-01T00:00:00Z`,
  }),
);

function objects(): RegistryObject[] {
  return [
    registrar(),
    registrar({ ianaId: OTHER, name: 'Other Registrar LLC', email: 'info@other.example', rdapBaseUrl: 'https://rdap.other.example/' }),
    ...CONTACTS,
    host('ns1.paging.example', ['192.0.2.1']),
    ...DOMAINS,
  ];
}

const records: QueryRecord[] = [];
let svc: TestService;
let budgeted: TestService;

before(async () => {
  const querySink = { write: async (r: QueryRecord[]) => void records.push(...r), close: async () => {} };
  svc = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'rdap.search_max_results': String(PAGE), 'log.flush_ms': '10' }, objects(), { querySink });
  budgeted = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'rdap.search_max_results': '2', 'policy.personal_data_budget.authorized': '6' }, objects());
});
after(async () => {
  await svc?.stop();
  await budgeted?.stop();
});

const get = (path: string, from = AUTHORIZED_FROM, service = svc) => request(service.ports.http, `/rdap/${path}`, { from });
const relative = (href: string) => href.slice(BASE.length);

function assertSchema(answer: any, t: { skip: (m: string) => void }): void {
  if (!schemasPresent) return t.skip(SKIP_REASON);
  const type = answer.domainSearchResults ? 'domains' : answer.nameserverSearchResults ? 'nameservers' : answer.entitySearchResults ? 'entities' : 'error';
  assert.deepEqual(schemaErrors(type, answer), [], `${type} answer matches rdap-schemas`);
}

/** RFC 8977's members as rdds sends them: checked here, since the tool's schemas do not know them. */
function checkPagingMembers(answer: any, requestUrl: string): void {
  for (const ext of ['paging', 'sorting']) assert.ok(answer.rdapConformance.includes(ext), `rdapConformance has ${ext}`);
  const p = answer.paging_metadata;
  assert.equal(p.pageSize, PAGE);
  assert.ok(Number.isInteger(p.pageNumber) && p.pageNumber >= 1);
  for (const link of p.links ?? []) {
    assert.equal(link.rel, 'next');
    assert.equal(link.value, requestUrl);
    assert.equal(link.type, 'application/rdap+json');
    assert.ok(link.href.startsWith(BASE) && /[?&]cursor=[\w.-]+$/.test(link.href), link.href);
  }
  const s = answer.sorting_metadata;
  assert.ok(Array.isArray(s.availableSorts) && s.availableSorts.length > 0);
  assert.equal(s.availableSorts.filter((a: any) => a.default).length, 1, 'one default sort');
  for (const a of s.availableSorts) {
    assert.ok(typeof a.property === 'string' && a.jsonPath.startsWith('$.'));
    for (const l of a.links) assert.deepEqual([l.rel, l.value, l.type], ['alternate', requestUrl, 'application/rdap+json']);
  }
}

interface Walk {
  names: string[];
  totals: (number | undefined)[];
  pages: any[];
}

/** Follows the next links from `path` to the end (at most 20 pages), checking every page. */
async function walk(t: { skip: (m: string) => void }, path: string, service = svc): Promise<Walk> {
  const out: Walk = { names: [], totals: [], pages: [] };
  let next: string | undefined = path;
  for (let n = 1; next !== undefined; n++) {
    assert.ok(n <= 20, 'the pages end');
    const reply = await get(next, AUTHORIZED_FROM, service);
    assert.equal(reply.status, 200, `${next}: ${reply.text.slice(0, 300)}`);
    const a = reply.json;
    checkCommon(a, `${BASE}${next}`);
    checkRedactions(a);
    checkPagingMembers(a, `${BASE}${next}`);
    assertSchema(a, t);
    assert.equal(a.paging_metadata.pageNumber, n);
    const items = a.domainSearchResults ?? a.nameserverSearchResults ?? a.entitySearchResults;
    out.names.push(...items.map((i: any) => i.ldhName ?? i.handle));
    out.totals.push(a.paging_metadata.totalCount);
    out.pages.push(a);
    const link = a.paging_metadata.links?.[0];
    if (link) assert.equal(items.length, PAGE, 'only the last page is short');
    next = link ? relative(link.href) : undefined;
  }
  return out;
}

const names = (domains: Domain[]) => domains.map((d) => d.name);
const byName = (domains: Domain[]) => [...domains].sort((a, b) => (a.name < b.name ? -1 : 1));
const byDate = (key: 'created' | 'expires') => (domains: Domain[]) => [...domains].sort((a, b) => (a[key] === b[key] ? (a.name < b.name ? -1 : 1) : a[key] < b[key] ? -1 : 1));
const contactOf = (handle: string | undefined) => CONTACTS.find((c) => c.handle === handle);
/** The domains one of whose contacts (in `role`, or any) satisfies `test`. */
const withContact = (test: (c: Contact) => boolean, role?: 'registrant' | 'tech' | 'admin') =>
  DOMAINS.filter((d) => (role ? [d[role]] : [d.registrant, d.admin, d.tech, d.billing]).some((h) => {
    const c = contactOf(h);
    return c !== undefined && test(c);
  }));

describe('reverse search: every property, against known answers', () => {
  const cases: [string, Domain[]][] = [
    ['fn=John%20Smith', withContact((c) => c.postalInt!.name === 'John Smith')],
    ['fn=john%20smith', withContact((c) => c.postalInt!.name === 'John Smith')],
    ['fn=John*', withContact((c) => c.postalInt!.name.startsWith('John'))],
    ['fn=Smith*', []],
    ['fn=John*&role=registrant', withContact((c) => c.postalInt!.name.startsWith('John'), 'registrant')],
    ['fn=John%20Doe&role=technical', withContact((c) => c.postalInt!.name === 'John Doe', 'tech')],
    ['handle=SMITH-1', withContact((c) => c.handle === 'SMITH-1')],
    ['handle=SMITH*', withContact((c) => c.handle.startsWith('SMITH'))],
    ['handle=smith-1', []],
    ['handle=SMITH-1&role=administrative', withContact((c) => c.handle === 'SMITH-1', 'admin')],
    ['handle=TECH-9&role=technical', withContact((c) => c.handle === 'TECH-9', 'tech')],
    ['handle=TECH-9&role=registrant', []],
    ['email=john.smith@mail.example', withContact((c) => c.email === 'john.smith@mail.example')],
    ['email=JOHN*', withContact((c) => c.email.startsWith('john'))],
    ['email=john*&role=technical', withContact((c) => c.email.startsWith('john'), 'tech')],
    ['email=jane@smithers.example', withContact((c) => c.email === 'jane@smithers.example')],
    ['email=jane@smithers.exampl', []],
    // Several properties hold for one and the same entity.
    ['fn=John*&email=john.doe*', withContact((c) => c.postalInt!.name.startsWith('John') && c.email.startsWith('john.doe'))],
    ['fn=John%20Smith&email=john.doe*', []],
    ['handle=DOE-1&email=john*&role=technical', withContact((c) => c.handle === 'DOE-1', 'tech')],
    // The registrar is an entity of every domain: its handle is its IANA ID, its fn its name.
    [`handle=${OTHER}`, DOMAINS.filter((d) => d.registrarId === OTHER)],
    [`handle=${OTHER}&role=registrar`, DOMAINS.filter((d) => d.registrarId === OTHER)],
    ['fn=Other%20Registrar*&role=registrar', DOMAINS.filter((d) => d.registrarId === OTHER)],
    ['fn=Other%20Registrar%20LLC', DOMAINS.filter((d) => d.registrarId === OTHER)],
  ];

  for (const [query, expected] of cases) {
    test(`domains/reverse_search/entity?${query}`, async (t) => {
      const path = `domains/reverse_search/entity?${query}&count=true`;
      if (expected.length === 0) {
        const reply = await get(path);
        assert.equal(reply.status, 404, reply.text.slice(0, 200));
        assert.equal(reply.json.errorCode, 404);
        return;
      }
      const seen = await walk(t, path);
      assert.deepEqual(seen.names, names(byName(expected)));
      assert.ok(seen.totals.every((n) => n === expected.length), `stable totalCount ${expected.length}: ${seen.totals}`);
      const first = seen.pages[0];
      assert.ok(first.rdapConformance.includes('reverse_search'));
      const used = [...new URLSearchParams(query).keys()];
      assert.deepEqual(first.reverse_search_properties_mapping.map((m: any) => m.property), ['fn', 'handle', 'email', 'role'].filter((p) => used.includes(p)));
      for (const m of first.reverse_search_properties_mapping) assert.match(m.propertyPath, /^\$\.entities\[\*\]\./);
    });
  }

  test('bad reverse searches get 400 (501 for the kinds this server does not reverse-search)', async () => {
    for (const [query, status] of [
      ['domains/reverse_search/entity?role=registrant', 400],
      ['domains/reverse_search/entity?handle=SMITH-1&role=boss', 400],
      ['domains/reverse_search/entity?phone=123', 400],
      ['domains/reverse_search/entity?fn=Jo?n', 400],
      ['domains/reverse_search/entity?fn=J*', 400],
      ['domains/reverse_search/entity?handle=SMITH-1&handle=DOE-1', 400],
      ['domains/reverse_search/entity?email=x*&role=registrar', 400],
      ['domains/reverse_search/entity', 400],
      ['domains/reverse_search/nameserver?handle=SMITH-1', 400],
      ['domains/reverse_search?handle=SMITH-1', 400],
      ['nameservers/reverse_search/entity?handle=5555555', 501],
      ['entities/reverse_search/entity?fn=John*', 501],
    ] as const) {
      const reply = await get(query);
      assert.equal(reply.status, status, `${query}: ${reply.text.slice(0, 200)}`);
      assert.equal(reply.json.errorCode, status);
      assert.ok(reply.json.description[0].length > 0);
    }
  });
});

describe('sorting and paging: every sort key, both ways, whole result sets', () => {
  const all = DOMAINS;
  const sorts: [string, (d: Domain[]) => Domain[]][] = [
    ['name', byName],
    ['name:a', byName],
    ['name:d', (d) => byName(d).reverse()],
    ['registrationDate', byDate('created')],
    ['registrationDate:d', (d) => byDate('created')(d).reverse()],
    ['expirationDate', byDate('expires')],
    ['expirationDate:d', (d) => byDate('expires')(d).reverse()],
  ];
  for (const [sort, order] of sorts) {
    test(`domains sorted by ${sort}: a reverse search and a name search page through every result once, in order`, async (t) => {
      for (const [path, expected] of [
        [`domains/reverse_search/entity?handle=*&sort=${sort}&count=true`, []],
        [`domains/reverse_search/entity?email=john*&sort=${sort}&count=true`, withContact((c) => c.email.startsWith('john'))],
        [`domains?name=dom*&sort=${sort}&count=true`, all],
        [`domains?nsLdhName=ns1.paging.example&sort=${sort}&count=true`, all],
      ] as const) {
        if (path.includes('handle=*')) continue; // "*" alone is no pattern (two characters before it)
        const seen = await walk(t, path);
        assert.deepEqual(seen.names, names(order([...expected])), path);
        assert.ok(seen.totals.every((n) => n === expected.length), `${path}: ${seen.totals}`);
        const current = seen.pages[0].sorting_metadata.currentSort;
        assert.equal(current, sort.endsWith(':a') ? sort.slice(0, -2) : sort);
      }
    });
  }

  test('without sort: by name, no currentSort; every available sort has a link that sorts by it', async (t) => {
    const seen = await walk(t, 'domains?name=dom*');
    assert.deepEqual(seen.names, names(byName(all)));
    const meta = seen.pages[0].sorting_metadata;
    assert.equal(meta.currentSort, undefined);
    assert.deepEqual(meta.availableSorts.map((a: any) => [a.property, a.default]), [['name', true], ['registrationDate', false], ['expirationDate', false]]);
    const hrefs = meta.availableSorts.map((a: any) => relative(a.links[0].href));
    assert.deepEqual(hrefs, ['domains?name=dom*&sort=name:d', 'domains?name=dom*&sort=registrationDate', 'domains?name=dom*&sort=expirationDate']);
    const down = await walk(t, hrefs[0]);
    assert.deepEqual(down.names, names(byName(all)).reverse());
  });

  test('totalCount is there exactly when count=true', async () => {
    const without = (await get('domains?name=dom*')).json;
    assert.equal(without.paging_metadata.totalCount, undefined);
    assert.equal((await get('domains?name=dom*&count=false')).json.paging_metadata.totalCount, undefined);
    assert.equal((await get('domains?name=dom*&count=true')).json.paging_metadata.totalCount, 21);
    assert.equal((await get('domains?name=dom1*&count=true')).json.paging_metadata.totalCount, 10);
  });

  test('name servers by name; entities by handle: contacts, then registrars (by IANA ID), both ways, across a page boundary', async (t) => {
    assert.deepEqual((await walk(t, 'nameservers?name=ns1.p*&count=true')).names, ['ns1.paging.example']);
    assert.deepEqual((await walk(t, 'nameservers?name=ns1.p*&sort=name:d')).names, ['ns1.paging.example']);
    assert.deepEqual((await walk(t, 'entities?fn=Jo*&count=true')).names, ['DOE-1', 'SMITH-1']);
    assert.deepEqual((await walk(t, 'entities?handle=SM*')).names, ['SMITH-1', 'SMITH-2']);
    // "Example Person 1-4" and the registrar "Example Registrar, Inc.": five entities, two pages.
    const up = await walk(t, 'entities?fn=Example*&count=true');
    assert.deepEqual(up.names, ['EXP-1', 'EXP-2', 'EXP-3', 'EXP-4', String(REGISTRAR_ID)]);
    assert.deepEqual(up.totals, [5, 5]);
    const down = await walk(t, 'entities?fn=Example*&sort=handle:d&count=true');
    assert.deepEqual(down.names, [String(REGISTRAR_ID), 'EXP-4', 'EXP-3', 'EXP-2', 'EXP-1']);
    const four = await walk(t, 'entities?fn=Example%20P*&count=true');
    assert.deepEqual(four.names, ['EXP-1', 'EXP-2', 'EXP-3', 'EXP-4']);
    assert.equal(four.pages.length, 1, 'a full page with nothing after it has no next link');
  });
});

describe('cursors', () => {
  const first = async () => (await get('domains/reverse_search/entity?fn=John*&count=true')).json;

  test('a forged, edited, truncated or foreign cursor is refused with a 400 error object', async (t) => {
    const href = relative((await first()).paging_metadata.links[0].href);
    const cursor = new URL(BASE + href).searchParams.get('cursor')!;
    const [body, mac] = cursor.split('.');
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
    // A position rewritten to skip ahead, signed with nothing, or signed for another search.
    const skip = Buffer.from(JSON.stringify(['domains/reverse_search/entity?fn=John*', 9, 'zzz', null, null])).toString('base64url');
    const forged = [
      `${flip(body, 3)}.${mac}`,
      `${body}.${flip(mac, 2)}`,
      `${skip}.${mac}`,
      body,
      `${body}.`,
      'not-a-cursor',
      `${body.slice(0, -4)}.${mac}`,
      'x'.repeat(2000),
    ];
    for (const bad of forged) {
      const reply = await get(`domains/reverse_search/entity?fn=John*&count=true&cursor=${encodeURIComponent(bad)}`);
      assert.equal(reply.status, 400, bad.slice(0, 40));
      assert.equal(reply.json.errorCode, 400);
      assert.match(reply.json.description[0], /cursor/);
      assertSchema(reply.json, t);
    }
    // The same cursor with another search, or another sort of the same search.
    for (const other of ['domains/reverse_search/entity?fn=Jane*', 'domains/reverse_search/entity?fn=John*&sort=name:d', 'domains?name=dom*']) {
      const reply = await get(`${other}&cursor=${encodeURIComponent(cursor)}`);
      assert.equal(reply.status, 400, other);
      assert.match(reply.json.description[0], /another search/);
    }
    // count may change between pages: the cursor is the same search.
    assert.equal((await get(`domains/reverse_search/entity?fn=John*&cursor=${encodeURIComponent(cursor)}`)).status, 200);
  });

  test('a cursor is signed with the deployment key: another key (another node without rdap.cursor_secret) refuses it', async () => {
    const keyed = async (secret: string) => startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'rdap.search_max_results': String(PAGE), 'rdap.cursor_secret': secret }, objects());
    const a = await keyed('shared secret one');
    const b = await keyed('shared secret one');
    const c = await keyed('');
    try {
      const href = relative((await get('domains?name=dom*', AUTHORIZED_FROM, a)).json.paging_metadata.links[0].href);
      assert.equal((await get(href, AUTHORIZED_FROM, a)).status, 200);
      assert.equal((await get(href, AUTHORIZED_FROM, b)).status, 200, 'a node with the same key takes it');
      assert.equal((await get(href, AUTHORIZED_FROM, c)).status, 400, 'a node with a random key does not');
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });
});

describe('the same pipeline as every search', () => {
  test('a public client gets 403 for every search and reverse search, with or without paging parameters', async (t) => {
    const href = relative((await get('domains/reverse_search/entity?fn=John*')).json.paging_metadata.links[0].href);
    for (const q of [
      'domains/reverse_search/entity?fn=John*',
      'domains/reverse_search/entity?handle=SMITH-1&role=registrant',
      'domains/reverse_search/entity?email=john*',
      `domains/reverse_search/entity?handle=${OTHER}&role=registrar`,
      'domains/reverse_search/entity?role=registrant',
      'nameservers/reverse_search/entity?handle=5555555',
      'domains?name=dom*&sort=name:d&count=true',
      'nameservers?name=ns*&count=true',
      'entities?fn=John*&sort=handle',
      href,
    ]) {
      const reply = await get(q, PUBLIC_FROM);
      assert.equal(reply.status, 403, q);
      assert.equal(reply.json.errorCode, 403);
      assertSchema(reply.json, t);
    }
  });

  test('each page is charged to the personal-data budget; past it, contacts are neither shown nor searched', async () => {
    const page1 = (await get('domains?name=dom*', AUTHORIZED_FROM, budgeted)).json;
    assert.equal(page1.redacted, undefined, 'page 1: full data');
    const page2 = (await get(relative(page1.paging_metadata.links[0].href), AUTHORIZED_FROM, budgeted)).json;
    // dom00 shows 3 contacts (registrant, admin, tech), dom01 2: 5 of the budget of 6 used.
    assert.equal(page2.redacted, undefined, 'page 2: full data (5 records used of 6)');
    const page3 = (await get(relative(page2.paging_metadata.links[0].href), AUTHORIZED_FROM, budgeted)).json;
    assert.ok(page3.redacted?.length > 0, 'page 3: the budget is spent, the public view');
    assert.ok(page3.notices.some((n: any) => n.title === 'Access' && /budget/.test(n.description[0])));
    const reverse = await get('domains/reverse_search/entity?email=john*', AUTHORIZED_FROM, budgeted);
    assert.equal(reverse.status, 404, 'a contact is not searched by a client that may not see it');
    assert.ok(reverse.json.description.some((d: string) => /budget/.test(d)));
    const byRegistrar = await get(`domains/reverse_search/entity?handle=${OTHER}`, AUTHORIZED_FROM, budgeted);
    assert.equal(byRegistrar.status, 200, 'the registrar still is');
  });

  test('reverse searches and their pages are in the query log', async () => {
    const a = (await get('domains/reverse_search/entity?handle=SMITH*&role=registrant')).json;
    await get(relative(a.paging_metadata.links[0].href));
    await new Promise((r) => setTimeout(r, 100));
    const mine = records.filter((r) => r.query.startsWith('rdap-search domains/reverse_search/entity?handle=SMITH*&role=registrant'));
    assert.deepEqual(mine.map((r) => [r.door, r.kind, r.outcome, r.tier, r.objects]), [
      ['rdap', 'rdap-search', 'answered', 'authorized', PAGE],
      ['rdap', 'rdap-search', 'answered', 'authorized', PAGE],
    ]);
    assert.equal(mine[0].query, `rdap-search domains/reverse_search/entity?handle=SMITH*&role=registrant [${PAGE}]`);
    assert.equal(mine[1].query, `rdap-search domains/reverse_search/entity?handle=SMITH*&role=registrant [${PAGE}] page 2`);
    assert.ok(mine.every((r) => r.personal > 0));
  });

  test('help announces the reverse searches to the clients that may search', async (t) => {
    const authorized = (await get('help')).json;
    assert.ok(authorized.rdapConformance.includes('reverse_search'));
    assert.deepEqual(authorized.reverse_search_properties.map((p: any) => [p.searchableResourceType, p.relatedResourceType, p.property]), [
      ['domains', 'entity', 'fn'],
      ['domains', 'entity', 'handle'],
      ['domains', 'entity', 'email'],
      ['domains', 'entity', 'role'],
    ]);
    const pub = (await get('help', PUBLIC_FROM)).json;
    assert.equal(pub.reverse_search_properties, undefined);
    assert.ok(!pub.rdapConformance.includes('reverse_search'));
    if (!schemasPresent) return t.skip(SKIP_REASON);
    for (const h of [authorized, pub]) assert.deepEqual(schemaErrors('help', h), []);
  });

  test('the searchable WHOIS searches by email: too (authorised users; the public may not search by it)', async () => {
    const open = await startTestService({ 'policy.tiers.authorized': '127.0.0.2/32', 'web.search_tiers': ['public', 'authorized'], 'web.captcha.enabled': 'false' }, objects());
    try {
      const web = (from: string) => request(open.ports.http, `/search.json?q=${encodeURIComponent('email:john.doe*')}`, { from });
      const authorized = await web(AUTHORIZED_FROM);
      assert.equal(authorized.status, 200, authorized.text.slice(0, 200));
      assert.equal(JSON.stringify(authorized.json).includes('dom02.example'), true);
      assert.equal((await web(PUBLIC_FROM)).status, 403);
    } finally {
      await open.stop();
    }
  });
});
