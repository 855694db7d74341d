// The demo data: deterministic by seed, the fixed objects the README and other tests name, and the
// variety the doors need to show (every EPP status, IDNs, scripts, privacy/proxy, DNSSEC, IPv6 glue).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { demoCounts, demoJsonLines, demoObjects, writeDemo } from '../../src/ingest/demo.js';
import { EPP_STATUSES } from '../../src/model/statuses.js';
import { validate } from '../../src/model/validate.js';
import type { Contact, Domain, Host, Registrar, RegistryObject } from '../../src/model/types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const ofType = <T extends RegistryObject['type']>(objs: RegistryObject[], type: T) =>
  objs.filter((o): o is Extract<RegistryObject, { type: T }> => o.type === type);

describe('demoObjects', () => {
  let objs: RegistryObject[];
  let domains: Domain[];
  let contacts: Contact[];
  let hosts: Host[];
  before(() => {
    objs = [...demoObjects({ domains: 2000 })];
    domains = ofType(objs, 'domain');
    contacts = ofType(objs, 'contact');
    hosts = ofType(objs, 'host');
  });

  it('is deterministic: the same seed gives the same objects, another seed others', () => {
    assert.deepEqual([...demoJsonLines({ domains: 300, seed: 42 })], [...demoJsonLines({ domains: 300, seed: 42 })]);
    const a = [...demoJsonLines({ domains: 300, seed: 42 })];
    const b = [...demoJsonLines({ domains: 300, seed: 43 })];
    assert.equal(a.length > 0 && b.length > 0, true);
    const same = a.filter((line) => b.includes(line)).length;
    assert.ok(same < a.length / 4, `${same} of ${a.length} lines are the same for seeds 42 and 43`);
  });

  it('yields exactly the requested number of domains, with unique names and keys', () => {
    assert.equal(domains.length, 2000);
    assert.equal(new Set(domains.map((d) => d.name)).size, 2000);
    assert.equal(new Set(domains.map((d) => d.roid)).size, 2000);
    assert.equal(new Set(contacts.map((c) => c.handle)).size, contacts.length);
    assert.equal(new Set(hosts.map((h) => h.name)).size, hosts.length);
    const counts = demoCounts({ domains: 2000 });
    assert.deepEqual(
      { registrar: counts.registrar, contact: counts.contact, host: counts.host, domain: counts.domain, total: counts.total },
      { registrar: ofType(objs, 'registrar').length, contact: contacts.length, host: hosts.length, domain: 2000, total: objs.length },
    );
    assert.ok(contacts.length < domains.length, 'registrants are shared');
    for (const o of objs) if (o.type !== 'registrar') assert.match(o.roid, /^[DCH]\d+-EXAMPLE$/);
  });

  it('yields every object in canonical form, in an order that satisfies references', () => {
    const seen = { registrar: new Set<number>(), contact: new Set<string>(), host: new Set<string>() };
    // What the checks below looked at: each guard must have found its data, or the test proves nothing.
    const checked = { idn: 0, glue: 0, signed: 0, contactRefs: 0, nameservers: 0 };
    for (const o of objs) {
      const canonical = validate(o) as RegistryObject & { unicodeName?: string };
      if (o.type === 'domain' || o.type === 'host') {
        assert.equal(canonical.type === o.type && (canonical as Domain).name, o.name);
        assert.equal(canonical.unicodeName, o.unicodeName, o.name);
        if (o.unicodeName) checked.idn++;
      }
      if (o.type === 'host' && o.addresses.length > 0) checked.glue++;
      if (o.type === 'domain' && o.ds.length > 0) checked.signed++;
      if (o.type === 'host') assert.deepEqual((canonical as Host).addresses, o.addresses, o.name);
      if (o.type === 'domain') assert.deepEqual((canonical as Domain).ds, o.ds, o.name);
      if (o.type === 'registrar') seen.registrar.add(o.ianaId);
      else {
        assert.ok(seen.registrar.has(o.registrarId), `${o.roid}: registrar ${o.registrarId} comes first`);
        if (o.type === 'contact') seen.contact.add(o.handle);
        if (o.type === 'host') seen.host.add(o.name);
        if (o.type === 'domain') {
          for (const role of ['registrant', 'admin', 'tech', 'billing'] as const) {
            const h = o[role];
            if (h !== undefined) assert.ok(seen.contact.has(h), `${o.name}: ${role} ${h} comes first`);
            if (h !== undefined) checked.contactRefs++;
          }
          for (const ns of o.nameservers) assert.ok(seen.host.has(ns), `${o.name}: ${ns} comes first`);
          checked.nameservers += o.nameservers.length;
        }
      }
    }
    for (const [what, n] of Object.entries(checked)) assert.ok(n > 0, `the data set holds ${what} to check (found none)`);
  });

  it('contains the fixed registrar and domains', () => {
    const reg = ofType(objs, 'registrar').find((r) => r.ianaId === 5555555) as Registrar;
    assert.equal(reg.name, 'Example Registrar, Inc.');
    assert.equal(reg.whoisServer, 'whois.registrar.example');
    assert.equal(reg.url, 'https://www.registrar.example');
    assert.equal(reg.rdapBaseUrl, 'https://rdap.registrar.example/rdap/');
    assert.equal(reg.abuseEmail, 'abuse@registrar.example');
    assert.equal(reg.abusePhone, '+1.3105551234');
    assert.deepEqual(reg.postal, { street: ['1234 Admiralty Way'], city: 'Marina del Rey', sp: 'CA', pc: '90292', cc: 'US' });
    assert.ok(reg.admin && reg.tech);
    assert.ok(ofType(objs, 'registrar').length >= 10);

    const nic = domains.find((d) => d.name === 'nic.example')!;
    assert.equal(nic.roid, 'D1-EXAMPLE');
    assert.equal(nic.registrarId, 5555555);
    assert.deepEqual(nic.statuses, ['clientDeleteProhibited', 'serverTransferProhibited']);
    assert.equal(nic.created, '2000-10-08T00:45:00Z');
    assert.equal(nic.updated, '2024-05-29T20:13:00Z');
    assert.equal(nic.expires, '2030-10-08T00:44:59Z');
    assert.deepEqual(nic.ds.map(({ keyTag, algorithm, digestType }) => ({ keyTag, algorithm, digestType })), [{ keyTag: 12345, algorithm: 13, digestType: 2 }]);
    assert.deepEqual(nic.nameservers, ['ns1.nic.example', 'ns2.nic.example']);
    assert.deepEqual(hosts.find((h) => h.name === 'ns1.nic.example')?.addresses, ['192.0.2.53', '2001:db8::53']);
    assert.deepEqual(hosts.find((h) => h.name === 'ns2.nic.example')?.addresses, ['192.0.2.54']);
    const nicRegistrant = contacts.find((c) => c.handle === nic.registrant)!;
    assert.equal(nicRegistrant.postalInt?.org, 'Example Organisation B.V.');
    assert.equal(nicRegistrant.postalInt?.cc, 'NL');
    assert.ok(nicRegistrant.postalInt?.name);

    const jp = domains.find((d) => d.name === 'xn--eckwd4c7c.example')!;
    assert.equal(jp.unicodeName, 'ドメイン.example');
    assert.equal(contacts.find((c) => c.handle === jp.registrant)?.postalLoc?.cc, 'JP');

    const priv = domains.find((d) => d.name === 'private.example')!;
    assert.ok(contacts.find((c) => c.handle === priv.registrant)?.privacyProxy?.customer.email);
  });

  it('uses every EPP status, in sane combinations', () => {
    const used = new Set([...domains, ...hosts].flatMap((o) => o.statuses));
    assert.deepEqual(EPP_STATUSES.filter((s) => !used.has(s)), []);
    for (const d of domains) {
      if (d.statuses.includes('ok')) assert.deepEqual(d.statuses, ['ok'], d.name);
      if (d.statuses.includes('inactive')) assert.deepEqual(d.nameservers, [], d.name);
      if (d.nameservers.length === 0) assert.deepEqual(d.ds, [], d.name);
      assert.ok(d.created < d.expires, d.name);
      assert.ok(!d.statuses.includes('pendingTransfer') || !d.statuses.includes('clientTransferProhibited'), d.name);
    }
    assert.ok(domains.filter((d) => d.statuses.length === 1 && d.statuses[0] === 'ok').length > domains.length / 3);
  });

  it('has IDNs in Japanese, German and Cyrillic', () => {
    const idns = domains.filter((d) => d.unicodeName);
    assert.ok(idns.every((d) => d.name.split('.').some((l) => l.startsWith('xn--'))));
    assert.ok(idns.some((d) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(d.unicodeName!)), 'Japanese');
    assert.ok(idns.some((d) => /[äöüß]/.test(d.unicodeName!)), 'German');
    assert.ok(idns.some((d) => /[\u0400-\u04ff]/.test(d.unicodeName!)), 'Cyrillic');
    assert.ok(idns.length >= 30 && idns.length < 150, `${idns.length} IDNs`);
  });

  it('has contacts in several countries and scripts, with fax, extensions and disclose flags', () => {
    assert.ok(new Set(contacts.map((c) => (c.postalInt ?? c.postalLoc)!.cc)).size >= 10);
    const loc = contacts.filter((c) => c.postalLoc);
    assert.ok(loc.some((c) => c.postalLoc!.cc === 'JP' && /[\u3040-\u30ff\u4e00-\u9fff]/.test(c.postalLoc!.name) && c.postalInt));
    assert.ok(loc.some((c) => /[\u0400-\u04ff]/.test(c.postalLoc!.street[0]) && c.postalInt));
    assert.ok(contacts.some((c) => c.fax) && contacts.some((c) => c.voiceExt) && contacts.some((c) => c.faxExt));
    assert.ok(contacts.some((c) => c.postalInt?.org && c.disclose && !c.privacyProxy));
  });

  it('has about 5% privacy/proxy contacts holding the real customer', () => {
    const proxied = contacts.filter((c) => c.privacyProxy);
    const share = proxied.length / contacts.length;
    assert.ok(share > 0.02 && share < 0.09, `privacy share ${share}`);
    for (const c of proxied) {
      assert.match(c.postalInt!.org!, /Privacy Service/);
      assert.notEqual(c.privacyProxy!.customer.email, c.email);
    }
  });

  it('has about 20% signed delegations, and in-bailiwick hosts with IPv4 and IPv6 glue', () => {
    const signed = domains.filter((d) => d.ds.length > 0).length / domains.length;
    assert.ok(signed > 0.12 && signed < 0.25, `signed share ${signed}`);
    const glued = hosts.filter((h) => h.addresses.length > 0);
    assert.ok(glued.length > 20);
    assert.ok(glued.some((h) => h.addresses.some((a) => isIP(a) === 6) && h.name !== 'ns1.nic.example'));
    for (const h of glued) {
      for (const a of h.addresses) assert.match(a, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$|^2001:db8:/, `${h.name} ${a}`);
    }
    assert.ok(domains.every((d) => d.registrant && d.tech));
    const withAdmin = domains.filter((d) => d.admin).length / domains.length;
    assert.ok(withAdmin > 0.7, `admin share ${withAdmin}`);
    assert.ok(domains.some((d) => d.billing));
  });
});

describe('writeDemo', () => {
  it('writes a 2,000-domain demo into the SQLite store', async () => {
    const store = SqliteStore.open(':memory:');
    const progress: number[][] = [];
    const counts = await writeDemo(store, { domains: 2000, seed: 3 }, (...args) => progress.push(args));
    const expected = demoCounts({ domains: 2000, seed: 3 });
    assert.deepEqual(counts, { registrar: expected.registrar, contact: expected.contact, host: expected.host, domain: 2000 });
    assert.deepEqual(progress.at(-1), [expected.total, expected.total, expected.total]);
    const nic = await store.lookupDomain('nic.example');
    assert.equal(nic?.registrar.name, 'Example Registrar, Inc.');
    assert.equal(nic?.hosts.length, 2);
    assert.equal((await store.lookupDomain('ドメイン.example'))?.domain.roid, 'D2-EXAMPLE');
    assert.ok((await store.lookupDomain('private.example'))?.contacts.registrant?.privacyProxy);
    assert.equal((await store.lookupHostsByAddress('2001:db8::53'))[0]?.host.name, 'ns1.nic.example');
    assert.ok((await store.countDomains(5555555)) > 100);
    await store.close();
  });

  it('honours another TLD', () => {
    const names = [...demoObjects({ domains: 50, tld: 'test' })].flatMap((o) => (o.type === 'domain' ? [o.name] : []));
    assert.ok(names.includes('nic.test') && names.includes('xn--eckwd4c7c.test'));
    assert.ok(names.every((n) => n.endsWith('.test')));
  });
});
