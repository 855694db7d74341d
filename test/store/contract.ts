// The Store contract suite: every Store implementation registers it (sqlite.test.ts,
// postgres.test.ts) and must pass it unchanged. Each test gets a fresh, empty store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/model/validate.js';
import type { ContactRole, RegistryObject } from '../../src/model/types.js';
import type { DomainSearchField, SearchExpr, SearchPage } from '../../src/model/search.js';
import type { Store } from '../../src/store/store.js';
import { parseSearchExpression } from '../../src/query/search-expression.js';
import { contact, domain, host, IDN_ALABEL, IDN_ULABEL, registrar, REGISTRAR_ID, REGISTRAR_NAME, seed, standardObjects } from './fixtures.js';

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes whatever it stored (file, schema). */
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** Skip the whole suite, with this reason (e.g. no database server reachable). */
  skip?: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Registers the contract tests for the stores `open` makes (a fresh, empty store per call). */
export function storeContract(label: string, open: () => Promise<OpenedStore>, options: ContractOptions = {}): void {
  async function withStore(fn: (store: Store) => Promise<void>, objects: RegistryObject[] | null = standardObjects()): Promise<void> {
    const { store, dispose } = await open();
    try {
      if (objects) await seed(store, objects);
      await fn(store);
    } finally {
      await dispose();
    }
  }

  /** Asserts that putting `objects` in one transaction is refused with a ValidationError on `field`. */
  async function refused(store: Store, objects: RegistryObject[], field: string, mentions?: string): Promise<void> {
    await assert.rejects(
      store.transaction(async (w) => {
        for (const obj of objects) await w.put(obj);
      }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
        assert.equal(err.field, field, err.message);
        assert.ok(err.message.includes(field), `message names the field: ${err.message}`);
        if (mentions) assert.ok(err.message.includes(mentions), `message mentions ${mentions}: ${err.message}`);
        return true;
      },
    );
  }

  describe(`Store contract: ${label}`, { skip: options.skip }, () => {
    describe('lookups', () => {
      it('finds a domain by A-label, with its registrar, contacts and hosts in name-server order', () =>
        withStore(async (store) => {
          const rec = await store.lookupDomain('nic.example');
          assert.ok(rec);
          assert.equal(rec.domain.name, 'nic.example');
          assert.equal(rec.domain.unicodeName, undefined);
          assert.equal(rec.domain.roid, domain('nic.example').roid);
          assert.deepEqual(rec.domain.statuses, ['clientTransferProhibited', 'serverDeleteProhibited']);
          assert.equal(rec.domain.expires, '2030-01-01T00:00:00Z');
          assert.equal(rec.domain.ds[0].digest, 'ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789', 'digest stored upper case');
          assert.equal(rec.registrar.ianaId, REGISTRAR_ID);
          assert.equal(rec.registrar.name, REGISTRAR_NAME);
          assert.equal(rec.contacts.registrant?.handle, 'REG-1');
          assert.equal(rec.contacts.admin?.handle, 'ADM-1');
          assert.equal(rec.contacts.tech?.handle, 'TECH-1');
          assert.equal(rec.contacts.billing?.handle, 'BILL-1');
          assert.equal(rec.contacts.registrant?.postalInt?.name, 'Contact REG-1');
          assert.deepEqual(
            rec.hosts.map((h) => h.name),
            ['ns1.nic.example', 'ns2.nic.example'],
          );
          assert.deepEqual(rec.hosts[0].addresses, ['192.0.2.53', '2001:db8::53']);
        }));

      it('keeps the name-server order of the domain, not the alphabetical one', () =>
        withStore(async (store) => {
          await seed(store, [domain('order.example', { nameservers: ['ns2.nic.example', 'ns1.nic.example'] })]);
          const rec = await store.lookupDomain('order.example');
          assert.deepEqual(
            rec?.hosts.map((h) => h.name),
            ['ns2.nic.example', 'ns1.nic.example'],
          );
        }));

      it('finds a domain case-insensitively and with a trailing dot', () =>
        withStore(async (store) => {
          assert.equal((await store.lookupDomain('NIC.Example'))?.domain.name, 'nic.example');
          assert.equal((await store.lookupDomain('nic.example.'))?.domain.name, 'nic.example');
        }));

      it('returns undefined for a missing domain or a name that is not a domain name', () =>
        withStore(async (store) => {
          assert.equal(await store.lookupDomain('missing.example'), undefined);
          assert.equal(await store.lookupDomain('example'), undefined);
          assert.equal(await store.lookupDomain('bad..name'), undefined);
          assert.equal(await store.lookupDomain(''), undefined);
        }));

      it('gives a domain only the contacts it has', () =>
        withStore(async (store) => {
          const rec = await store.lookupDomain(IDN_ALABEL);
          assert.ok(rec);
          assert.equal(rec.contacts.registrant?.handle, 'REG-1');
          assert.equal(rec.contacts.tech?.handle, 'TECH-1');
          assert.equal(rec.contacts.admin, undefined);
          assert.equal(rec.contacts.billing, undefined);
          assert.deepEqual(
            rec.hosts.map((h) => h.name),
            ['ns2.nic.example'],
          );
        }));

      it('finds a domain without name servers or contacts', () =>
        withStore(async (store) => {
          await seed(store, [
            domain('bare.example', { registrant: undefined, admin: undefined, tech: undefined, billing: undefined, nameservers: [], ds: [] }),
          ]);
          const rec = await store.lookupDomain('bare.example');
          assert.ok(rec);
          assert.deepEqual(rec.contacts, {});
          assert.deepEqual(rec.hosts, []);
          assert.deepEqual(rec.domain.ds, []);
        }));

      it('finds a host by name, case-insensitively, with its registrar', () =>
        withStore(async (store) => {
          const rec = await store.lookupHost('ns1.nic.example');
          assert.ok(rec);
          assert.equal(rec.host.name, 'ns1.nic.example');
          assert.deepEqual(rec.host.addresses, ['192.0.2.53', '2001:db8::53']);
          assert.equal(rec.registrar.ianaId, REGISTRAR_ID);
          assert.equal((await store.lookupHost('NS1.NIC.EXAMPLE'))?.host.name, 'ns1.nic.example');
          assert.equal(await store.lookupHost('ns9.nic.example'), undefined);
          assert.equal(await store.lookupHost('not a name'), undefined);
        }));

      it('finds hosts by IPv4 address', () =>
        withStore(async (store) => {
          const recs = await store.lookupHostsByAddress('192.0.2.53');
          assert.deepEqual(
            recs.map((r) => r.host.name),
            ['ns1.nic.example'],
          );
          assert.equal(recs[0].registrar.ianaId, REGISTRAR_ID);
          assert.deepEqual(await store.lookupHostsByAddress('192.0.2.54'), []);
        }));

      it('finds hosts by IPv6 address in any text form', () =>
        withStore(async (store) => {
          for (const form of ['2001:db8::53', '2001:DB8:0:0::53', '2001:0db8:0000:0000:0000:0000:0000:0053']) {
            const recs = await store.lookupHostsByAddress(form);
            assert.deepEqual(
              recs.map((r) => r.host.name),
              ['ns1.nic.example'],
              form,
            );
          }
          assert.deepEqual(await store.lookupHostsByAddress('2001:db8::54'), []);
        }));

      it('returns every host sharing an address, ordered by name, and nothing for a non-address', () =>
        withStore(async (store) => {
          await seed(store, [host('b.ns.example', ['203.0.113.7']), host('a.ns.example', ['203.0.113.7', '2001:DB8::7'])]);
          const recs = await store.lookupHostsByAddress('203.0.113.7');
          assert.deepEqual(
            recs.map((r) => r.host.name),
            ['a.ns.example', 'b.ns.example'],
          );
          assert.deepEqual((await store.lookupHost('a.ns.example'))?.host.addresses, ['203.0.113.7', '2001:db8::7'], 'stored canonical');
          assert.deepEqual(await store.lookupHostsByAddress('not-an-address'), []);
          assert.deepEqual(await store.lookupHostsByAddress(''), []);
        }));

      it('finds a registrar by IANA ID', () =>
        withStore(async (store) => {
          const r = await store.getRegistrar(REGISTRAR_ID);
          assert.equal(r?.name, REGISTRAR_NAME);
          assert.equal(r?.abuseEmail, 'abuse@registrar.example');
          assert.equal(await store.getRegistrar(1), undefined);
        }));

      it('finds a registrar by name without regard to case, repeated white space or a final dot', () =>
        withStore(async (store) => {
          for (const name of [REGISTRAR_NAME, 'example registrar, inc.', '  EXAMPLE REGISTRAR,   INC. ', 'Example Registrar, Inc', 'example  registrar, inc..']) {
            assert.equal((await store.getRegistrarByName(name))?.ianaId, REGISTRAR_ID, name);
          }
          assert.equal(await store.getRegistrarByName('Other Registrar'), undefined);
        }));

      it('finds a contact by handle', () =>
        withStore(async (store) => {
          const c = await store.getContact('REG-1');
          assert.equal(c?.handle, 'REG-1');
          assert.equal(c?.email, 'reg-1@example.com');
          assert.equal(c?.postalInt?.cc, 'US');
          assert.equal(await store.getContact('NOPE-1'), undefined);
        }));

      it('counts the domains a registrar sponsors', () =>
        withStore(async (store) => {
          assert.equal(await store.countDomains(REGISTRAR_ID), 2);
          await seed(store, [
            registrar({ ianaId: 7777777, name: 'Other Registrar' }),
            domain('other.example', { registrarId: 7777777, nameservers: [] }),
            domain('third.example'),
          ]);
          assert.equal(await store.countDomains(REGISTRAR_ID), 3);
          assert.equal(await store.countDomains(7777777), 1);
          assert.equal(await store.countDomains(1), 0);
        }));
    });

    describe('marks and leases', () => {
      it('writes marks and the data time with the data, in one commit', () =>
        withStore(async (store) => {
          assert.equal(await store.mark('live:seq'), undefined);
          await store.transaction(async (w) => w.put(registrar({ name: 'Marked Registrar' })), { updatedAt: '2026-11-30T12:34:56Z', marks: { 'live:seq': '42' } });
          assert.equal(await store.mark('live:seq'), '42');
          assert.equal((await store.dataVersion()).updatedAt, '2026-11-30T12:34:56Z');
          await assert.rejects(store.transaction(async (w) => { await w.put(registrar({ name: 'Other' })); throw new Error('abort'); }, { marks: { 'live:seq': '43' } }));
          assert.equal(await store.mark('live:seq'), '42', 'a failed commit writes no mark');
        }));

      it('gives a lease to one holder at a time until it expires', () =>
        withStore(async (store) => {
          assert.equal(await store.lease('replicate', 'node-a', 300), true);
          assert.equal(await store.lease('replicate', 'node-b', 300), false, 'held by node-a');
          assert.equal(await store.lease('replicate', 'node-a', 300), true, 'renewed by its holder');
          await new Promise((r) => setTimeout(r, 350));
          assert.equal(await store.lease('replicate', 'node-b', 300), true, 'expired: node-b takes it');
          assert.equal(await store.lease('replicate', 'node-a', 300), false);
        }));
    });

    describe('gateways', () => {
      it('keeps the registered gateways by name: add, replace, list in name order, remove', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.gateways(), []);
          const web = { name: 'web-whois', addresses: ['192.0.2.0/28', '2001:db8:1::/48'], limitPerMinute: 1200, contact: 'ops@gw.example', created: '2026-12-01T00:00:00Z' };
          await store.putGateway(web);
          await store.putGateway({ name: 'another', addresses: ['198.51.100.7/32'], created: '2026-12-01T00:00:00Z' });
          assert.deepEqual((await store.gateways()).map((g) => g.name), ['another', 'web-whois']);
          const suspended = { ...web, suspended: { at: '2026-12-01T01:00:00Z', reason: 'over its limit', by: 'automatic' as const } };
          await store.putGateway(suspended);
          assert.deepEqual((await store.gateways()).find((g) => g.name === 'web-whois'), suspended);
          assert.equal(await store.removeGateway('another'), true);
          assert.equal(await store.removeGateway('another'), false);
          assert.deepEqual(await store.gateways(), [suspended]);
          const before = await store.dataVersion();
          await store.putGateway(web);
          assert.deepEqual(await store.dataVersion(), before, 'gateways are not registration data: the data version stays');
        }));
    });

    describe('IDN', () => {
      it('stores an IDN as A-label with its U-label and finds it by either', () =>
        withStore(async (store) => {
          for (const q of [IDN_ULABEL, IDN_ALABEL, IDN_ALABEL.toUpperCase()]) {
            const rec = await store.lookupDomain(q);
            assert.ok(rec, q);
            assert.equal(rec.domain.name, IDN_ALABEL);
            assert.equal(rec.domain.unicodeName, IDN_ULABEL);
          }
        }));

      it('accepts a domain put by its A-label and gives back the U-label', () =>
        withStore(async (store) => {
          await seed(store, [domain('xn--bcher-kva.example', { nameservers: [] })]);
          const rec = await store.lookupDomain('bücher.example');
          assert.equal(rec?.domain.name, 'xn--bcher-kva.example');
          assert.equal(rec?.domain.unicodeName, 'bücher.example');
        }));

      it('finds an IDN host by U-label', () =>
        withStore(async (store) => {
          await seed(store, [host('ns.bücher.example', ['192.0.2.99'])]);
          const rec = await store.lookupHost('NS.BÜCHER.example');
          assert.equal(rec?.host.name, 'ns.xn--bcher-kva.example');
          assert.equal(rec?.host.unicodeName, 'ns.bücher.example');
        }));
    });

    describe('writes', () => {
      it('reports how many objects of each kind a transaction put, and its result', () =>
        withStore(async (store) => {
          const { result, counts } = await store.transaction(async (w) => {
            for (const obj of standardObjects()) await w.put(obj);
            return 'done';
          });
          assert.equal(result, 'done');
          assert.deepEqual(counts, { registrar: 1, contact: 4, host: 2, domain: 2 });
        }, null));

      it('upserts: re-putting a changed domain updates it in place and moves the data version', () =>
        withStore(async (store) => {
          const before = await store.dataVersion();
          await seed(store, [domain('nic.example', { statuses: ['ok'], expires: '2031-06-01T00:00:00Z', nameservers: ['ns2.nic.example'], admin: 'REG-1' })]);
          const rec = await store.lookupDomain('nic.example');
          assert.deepEqual(rec?.domain.statuses, ['ok']);
          assert.equal(rec?.domain.expires, '2031-06-01T00:00:00Z');
          assert.deepEqual(
            rec?.hosts.map((h) => h.name),
            ['ns2.nic.example'],
          );
          assert.equal(rec?.contacts.admin?.handle, 'REG-1');
          assert.equal(await store.countDomains(REGISTRAR_ID), 2, 'no second row');
          const after = await store.dataVersion();
          assert.ok(after.serial > before.serial, `serial ${after.serial} > ${before.serial}`);
          assert.match(after.updatedAt, ISO_UTC);
        }));

      it('upserts a host: its old glue no longer finds it', () =>
        withStore(async (store) => {
          await seed(store, [host('ns1.nic.example', ['192.0.2.54'])]);
          assert.deepEqual(await store.lookupHostsByAddress('192.0.2.53'), []);
          assert.deepEqual(await store.lookupHostsByAddress('2001:db8::53'), []);
          assert.deepEqual(
            (await store.lookupHostsByAddress('192.0.2.54')).map((r) => r.host.name),
            ['ns1.nic.example'],
          );
        }));

      it('upserts a registrar: the new name finds it, the old one does not', () =>
        withStore(async (store) => {
          await seed(store, [registrar({ name: 'Renamed Registrar LLC' })]);
          assert.equal((await store.getRegistrarByName('renamed registrar llc'))?.ianaId, REGISTRAR_ID);
          assert.equal(await store.getRegistrarByName(REGISTRAR_NAME), undefined);
          assert.equal((await store.lookupDomain('nic.example'))?.registrar.name, 'Renamed Registrar LLC');
        }));

      it('keeps the last version of an object put twice in one transaction', () =>
        withStore(async (store) => {
          await seed(store, [
            contact('TWICE-1', { email: 'first@example.com' }),
            domain('twice.example', { registrant: 'TWICE-1' }),
            contact('TWICE-1', { email: 'second@example.com' }),
            domain('twice.example', { registrant: 'TWICE-1', statuses: ['ok'] }),
          ]);
          assert.equal((await store.getContact('TWICE-1'))?.email, 'second@example.com');
          assert.deepEqual((await store.lookupDomain('twice.example'))?.domain.statuses, ['ok']);
        }));

      it('accepts references to objects stored by an earlier transaction', () =>
        withStore(async (store) => {
          await seed(store, [contact('LATER-1'), domain('later.example', { registrant: 'LATER-1', admin: 'ADM-1' })]);
          assert.equal((await store.lookupDomain('later.example'))?.contacts.registrant?.handle, 'LATER-1');
        }));

      it('is all-or-nothing: when fn throws after several puts, nothing lands', () =>
        withStore(async (store) => {
          const before = await store.dataVersion();
          await assert.rejects(
            store.transaction(async (w) => {
              for (const obj of standardObjects()) await w.put(obj);
              for (let i = 0; i < 20; i++) await w.put(domain(`bulk${i}.example`));
              throw new Error('boom');
            }),
            /boom/,
          );
          assert.equal(await store.lookupDomain('nic.example'), undefined);
          assert.equal(await store.lookupDomain('bulk19.example'), undefined);
          assert.equal(await store.getRegistrar(REGISTRAR_ID), undefined);
          assert.equal(await store.getContact('REG-1'), undefined);
          assert.equal(await store.lookupHost('ns1.nic.example'), undefined);
          assert.deepEqual(await store.lookupHostsByAddress('192.0.2.53'), []);
          assert.equal(await store.countDomains(REGISTRAR_ID), 0);
          assert.equal((await store.dataVersion()).serial, before.serial, 'a rolled-back transaction does not move the serial');
          // The store is still usable afterwards.
          await seed(store);
          assert.ok(await store.lookupDomain('nic.example'));
        }, null));

      it('is all-or-nothing: a refused record undoes the puts before it, also updates', () =>
        withStore(async (store) => {
          const before = await store.dataVersion();
          await assert.rejects(
            store.transaction(async (w) => {
              await w.put(domain('nic.example', { statuses: ['ok'] }));
              for (let i = 0; i < 10; i++) await w.put(domain(`bulk${i}.example`));
              await w.put(domain('bad.example', { registrant: 'NOPE-1' }));
              for (let i = 10; i < 20; i++) await w.put(domain(`bulk${i}.example`));
            }),
            ValidationError,
          );
          assert.deepEqual((await store.lookupDomain('nic.example'))?.domain.statuses, ['clientTransferProhibited', 'serverDeleteProhibited']);
          assert.equal(await store.lookupDomain('bulk0.example'), undefined);
          assert.equal(await store.countDomains(REGISTRAR_ID), 2);
          assert.equal((await store.dataVersion()).serial, before.serial);
        }));

      it('moves the data version at every commit', () =>
        withStore(async (store) => {
          const v0 = await store.dataVersion();
          assert.equal(typeof v0.serial, 'number');
          assert.match(v0.updatedAt, ISO_UTC);
          await seed(store);
          const v1 = await store.dataVersion();
          assert.ok(v1.serial > v0.serial);
          assert.match(v1.updatedAt, ISO_UTC);
          assert.ok(Date.parse(v1.updatedAt) >= Date.parse(v0.updatedAt));
          await store.transaction(async () => undefined);
          const v2 = await store.dataVersion();
          assert.ok(v2.serial > v1.serial, 'an empty commit moves the serial too');
        }, null));
    });

    describe('search', () => {
      const OTHER = 7777777;
      const jp = (name: string, city: string, extra: object = {}) => ({ name, street: ['1-2-3 Marunouchi'], city, sp: 'Tokyo', pc: '100-0005', cc: 'JP', ...extra });
      const searchObjects = (): RegistryObject[] => [
        ...standardObjects(),
        registrar({ ianaId: OTHER, name: 'Other Registrar' }),
        contact('TANAKA-1', {
          postalInt: jp('Tanaka Taro', 'Tokyo', { org: 'Tanaka Shoji K.K.' }),
          postalLoc: jp('田中太郎', '千代田区', { org: '田中商事', street: ['丸の内1-2-3'], sp: '東京都' }),
        }),
        contact('TANAKA-2', { postalInt: jp('Tanaka Hanako', 'Osaka', { sp: 'Osaka', pc: '542-0076' }) }),
        contact('SMITH-1', { postalInt: { name: 'John Smith 100%_off', org: 'Smith & Co <b>', street: ['1 Main Street'], city: 'Tokyo Springs', sp: 'CA', cc: 'US' } }),
        host('ns.other.example', ['203.0.113.9']),
        domain('tanaka.example', { registrant: 'TANAKA-1' }),
        domain('tanaka-osaka.example', { registrant: 'TANAKA-2' }),
        domain('tanaka-other.example', { registrant: 'TANAKA-1', registrarId: OTHER }),
        domain('smith.example', { registrant: 'SMITH-1', registrarId: OTHER, nameservers: ['ns.other.example'] }),
      ];
      const withSearch = (fn: (store: Store, find: (expr: string) => Promise<string[]>) => Promise<void>) =>
        withStore(async (store) => {
          const find = async (text: string) => (await store.searchDomains(parseSearchExpression(text), { limit: 100 })).items;
          await fn(store, find);
        }, searchObjects());

      it('answers the example of the issue: wildcard name, partial city, NOT registrar', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find('name:tanaka*'), ['tanaka-osaka.example', 'tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('city:tokyo'), ['smith.example', 'tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('name:tanaka* AND city:tokyo NOT registrar:5555555'), ['tanaka-other.example']);
        }));

      it('matches plain text anywhere in free-text fields, case-insensitively, and wildcards on the whole value', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find('name:ANAK'), ['tanaka-osaka.example', 'tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('name:taro'), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('name:taro*'), [], 'a wildcard pattern matches from the start');
          assert.deepEqual(await find('name:"tanaka ?anako"'), ['tanaka-osaka.example']);
          assert.deepEqual(await find('org:shoji street:marunouchi pc:100-0005 sp:tokyo'), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('domain:anaka-o'), ['tanaka-osaka.example', 'tanaka-other.example']);
          assert.deepEqual(await find('domain:tanaka-?saka.example'), ['tanaka-osaka.example']);
        }));

      it('finds localised (non-ASCII) contact data and IDNs by U-label or A-label', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find('name:田中'), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('org:田中商事 city:千代田'), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('domain:ドメイン'), [IDN_ALABEL]);
          assert.deepEqual(await find('domain:xn--eckwd4c7c*'), [IDN_ALABEL]);
        }));

      it('matches registrar ID, name server name and address, and country code exactly', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find(`registrar:${OTHER}`), ['smith.example', 'tanaka-other.example']);
          assert.deepEqual(await find('registrar:"other reg"'), ['smith.example', 'tanaka-other.example'], 'a registrar name is partial');
          assert.deepEqual(await find('ns:ns.other.example'), ['smith.example']);
          assert.deepEqual(await find('ns:ns.other.exampl'), [], 'a name server name without wildcards is exact');
          assert.deepEqual(await find('ns:ns.oth*'), ['smith.example']);
          assert.deepEqual(await find('nsip:203.0.113.9'), ['smith.example']);
          assert.deepEqual(await find('nsip:2001:db8:0::53'), ['nic.example', 'tanaka-osaka.example', 'tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('cc:jp'), ['tanaka-osaka.example', 'tanaka-other.example', 'tanaka.example']);
        }));

      it('combines with OR, parentheses and NOT', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find('city:springs OR city:osaka'), ['smith.example', 'tanaka-osaka.example']);
          assert.deepEqual(await find('cc:jp (city:osaka OR registrar:other)'), ['tanaka-osaka.example', 'tanaka-other.example']);
          assert.deepEqual(await find('name:tanaka NOT city:springs NOT city:osaka'), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find('cc:jp NOT cc:us'), [], 'every fixture domain has US admin and tech contacts');
          assert.deepEqual(await find('cc:jp NOT (city:osaka OR registrar:5555555)'), ['tanaka-other.example']);
        }));

      it('treats %, _ and \\ in a value as literal characters', () =>
        withSearch(async (_store, find) => {
          assert.deepEqual(await find('name:"100%_off"'), ['smith.example']);
          assert.deepEqual(await find('name:"0%_o"'), ['smith.example']);
          assert.deepEqual(await find('name:"100_"'), []);
          assert.deepEqual(await find('name:"1%f"'), []);
          assert.deepEqual(await find('org:"& Co <b>"'), ['smith.example']);
        }));

      it('pages through results in a stable order and says when more exist', () =>
        withStore(async (store) => {
          await seed(store, Array.from({ length: 25 }, (_, i) => domain(`page${String(i).padStart(2, '0')}.example`, { nameservers: [] })));
          const expr = parseSearchExpression('domain:page');
          const pages = [];
          for (let offset = 0; offset < 30; offset += 10) pages.push(await store.searchDomains(expr, { limit: 10, offset }));
          assert.deepEqual(pages.map((p) => p.items.length), [10, 10, 5]);
          assert.deepEqual(pages.map((p) => p.truncated), [true, true, false]);
          const all = pages.flatMap((p) => p.items);
          assert.deepEqual(all, [...all].sort());
          assert.equal(new Set(all).size, 25);
          const exact = await store.searchDomains(expr, { limit: 25 });
          assert.equal(exact.truncated, false);
        }));

      it('follows updates: a domain that changes contacts or name servers, a contact that changes its name', () =>
        withSearch(async (store, find) => {
          await seed(store, [
            domain('tanaka.example', { registrant: 'SMITH-1', nameservers: ['ns.other.example'] }),
            contact('TANAKA-2', { postalInt: jp('Suzuki Hanako', 'Osaka') }),
          ]);
          assert.deepEqual(await find('name:tanaka*'), ['tanaka-other.example']);
          assert.deepEqual(await find('name:suzuki'), ['tanaka-osaka.example']);
          assert.deepEqual(await find('ns:ns.other.example'), ['smith.example', 'tanaka.example']);
          assert.deepEqual(await find('nsip:198.51.100.53'), ['nic.example', 'tanaka-osaka.example', 'tanaka-other.example', IDN_ALABEL]);
        }));

      it('searches by contact e-mail and handle, narrowed to a role (RDAP reverse search)', () =>
        withSearch(async (store) => {
          const find = async (...terms: SearchExpr[]) => (await store.searchDomains(terms.length === 1 ? terms[0] : { op: 'and', args: terms }, { limit: 100 })).items;
          const t = (field: DomainSearchField, pattern: string, more: { role?: ContactRole; whole?: boolean } = {}): SearchExpr => ({ op: 'term', field, pattern, ...more });
          const tanaka = ['tanaka-osaka.example', 'tanaka-other.example', 'tanaka.example'];
          assert.deepEqual(await find(t('email', 'TANAKA-1@example.com')), ['tanaka-other.example', 'tanaka.example'], 'an e-mail address is exact and case-insensitive');
          assert.deepEqual(await find(t('email', 'tanaka-1@example.co')), [], 'not a substring');
          assert.deepEqual(await find(t('email', 'tanaka*')), tanaka, 'a prefix');
          assert.deepEqual(await find(t('email', '*-2@example.com')), ['tanaka-osaka.example'], 'a suffix');
          assert.deepEqual(await find(t('handle', 'TANAKA-1')), ['tanaka-other.example', 'tanaka.example']);
          assert.deepEqual(await find(t('handle', 'tanaka-1')), [], 'handles are case-sensitive');
          assert.deepEqual(await find(t('handle', 'TANAKA*')), tanaka);
          // Every fixture domain has ADM-1 as admin and TECH-1 as tech; the role narrows a term to that contact.
          assert.deepEqual(await find(t('handle', 'ADM-1', { role: 'admin' })), await find(t('handle', 'ADM-1')));
          assert.deepEqual(await find(t('handle', 'ADM-1', { role: 'registrant' })), []);
          assert.deepEqual(await find(t('email', 'tanaka*', { role: 'tech' })), []);
          assert.deepEqual(await find(t('email', 'tanaka*', { role: 'registrant' })), tanaka);
          assert.deepEqual(await find(t('cc', 'JP', { role: 'registrant' }), t('cc', 'US', { role: 'tech' })), tanaka);
          assert.deepEqual(await find(t('cc', 'JP', { role: 'tech' })), []);
          assert.deepEqual(await find(t('name', 'tanaka taro', { whole: true, role: 'registrant' })), ['tanaka-other.example', 'tanaka.example'], 'whole: the whole value');
          assert.deepEqual(await find(t('name', 'tanaka', { whole: true })), [], 'whole: no substring');
          assert.deepEqual(await find(t('name', 'TANAKA*', { whole: true })), tanaka);
          assert.equal(await store.countDomainSearch(t('email', 'tanaka*', { role: 'registrant' })), 3);
          assert.equal(await store.countDomainSearch(t('handle', 'NOPE*')), 0);
        }));

      it('follows a contact that changes its e-mail and a domain that changes its contacts’ roles', () =>
        withSearch(async (store) => {
          await seed(store, [contact('TANAKA-2', { postalInt: jp('Tanaka Hanako', 'Osaka'), email: 'hanako@other.example' }), domain('tanaka.example', { registrant: 'TANAKA-1', tech: 'TANAKA-1' })]);
          const find = async (e: SearchExpr) => (await store.searchDomains(e, { limit: 100 })).items;
          assert.deepEqual(await find({ op: 'term', field: 'email', pattern: 'hanako@*' }), ['tanaka-osaka.example']);
          assert.deepEqual(await find({ op: 'term', field: 'email', pattern: 'tanaka-2*' }), []);
          assert.deepEqual(await find({ op: 'term', field: 'handle', pattern: 'TANAKA-1', role: 'tech' }), ['tanaka.example']);
          await seed(store, [domain('tanaka.example', { registrant: 'TANAKA-1' })]);
          assert.deepEqual(await find({ op: 'term', field: 'handle', pattern: 'TANAKA-1', role: 'tech' }), []);
        }));

      it('pages by keyset in either direction, and by date then name', () =>
        withStore(async (store) => {
          const made = Array.from({ length: 25 }, (_, i) =>
            domain(`key${String(i).padStart(2, '0')}.example`, { nameservers: [], created: `20${String(10 + (i % 5)).padStart(2, '0')}-01-01T00:00:00Z`, expires: `2030-0${1 + (i % 3)}-01T00:00:00Z` }),
          );
          await seed(store, made);
          const expr = parseSearchExpression('domain:key*');
          const walk = async (page: Omit<SearchPage, 'limit'>) => {
            const seen: string[] = [];
            let after: SearchPage['after'];
            for (let n = 0; n < 10; n++) {
              const res = await store.searchDomains(expr, { ...page, limit: 7, after });
              seen.push(...res.items);
              if (!res.truncated) return seen;
              const last = res.items.length - 1;
              after = { key: res.items[last], value: res.values?.[last] };
            }
            throw new Error('did not end');
          };
          const names = made.map((d) => d.name);
          assert.deepEqual(await walk({}), names);
          assert.deepEqual(await walk({ descending: true }), [...names].reverse());
          const byCreated = [...made].sort((a, b) => a.created.localeCompare(b.created) || a.name.localeCompare(b.name)).map((d) => d.name);
          assert.deepEqual(await walk({ order: 'created' }), byCreated);
          assert.deepEqual(await walk({ order: 'created', descending: true }), [...byCreated].reverse());
          const byExpires = [...made].sort((a, b) => a.expires.localeCompare(b.expires) || a.name.localeCompare(b.name)).map((d) => d.name);
          assert.deepEqual(await walk({ order: 'expires' }), byExpires);
          const first = await store.searchDomains(expr, { limit: 3, order: 'created' });
          assert.deepEqual(first.values, ['2010-01-01T00:00:00Z', '2010-01-01T00:00:00Z', '2010-01-01T00:00:00Z']);
          assert.equal(await store.countDomainSearch(expr), 25);
          // Hosts, contacts and registrars page by keyset too.
          const hosts = await store.searchHosts({ name: 'ns*' }, { limit: 10, after: { key: 'ns1.nic.example' } });
          assert.deepEqual(hosts.items.map((h) => h.host.name), ['ns2.nic.example']);
          const hostsDown = await store.searchHosts({ name: 'ns*' }, { limit: 10, after: { key: 'ns2.nic.example' }, descending: true });
          assert.deepEqual(hostsDown.items.map((h) => h.host.name), ['ns1.nic.example']);
          const contacts = await store.searchContacts({ handle: '*-1' }, { limit: 10, after: { key: 'BILL-1' } });
          assert.deepEqual(contacts.items.map((c) => c.handle), ['REG-1', 'TECH-1']);
          assert.deepEqual((await store.searchRegistrars({ fn: '*' }, { limit: 10, after: { key: String(REGISTRAR_ID) } })).items, []);
        }));

      it('searches hosts by name pattern and address', () =>
        withSearch(async (store) => {
          const names = async (q: { name?: string; address?: string }) => (await store.searchHosts(q, { limit: 10 })).items.map((r) => r.host.name);
          assert.deepEqual(await names({ name: 'NS1.nic.example' }), ['ns1.nic.example']);
          assert.deepEqual(await names({ name: 'ns?.nic.*' }), ['ns1.nic.example', 'ns2.nic.example']);
          assert.deepEqual(await names({ name: 'ns*' }), ['ns.other.example', 'ns1.nic.example', 'ns2.nic.example']);
          assert.deepEqual(await names({ address: '2001:DB8::53' }), ['ns1.nic.example']);
          assert.deepEqual(await names({ name: 'ns*', address: '198.51.100.53' }), ['ns2.nic.example']);
          assert.deepEqual(await names({ address: 'nope' }), []);
          const page = await store.searchHosts({ name: 'ns*' }, { limit: 2 });
          assert.equal(page.truncated, true);
          assert.equal(page.items[0].registrar.ianaId, REGISTRAR_ID);
        }));

      it('searches contacts by name and handle, and registrars by name', () =>
        withSearch(async (store) => {
          const handles = async (q: { fn?: string; handle?: string }) => (await store.searchContacts(q, { limit: 10 })).items.map((c) => c.handle);
          assert.deepEqual(await handles({ fn: 'tanaka' }), ['TANAKA-1', 'TANAKA-2']);
          assert.deepEqual(await handles({ fn: '田中*' }), ['TANAKA-1']);
          assert.deepEqual(await handles({ handle: 'TANAKA-2' }), ['TANAKA-2']);
          assert.deepEqual(await handles({ handle: 'TANAKA*' }), ['TANAKA-1', 'TANAKA-2']);
          assert.deepEqual(await handles({ fn: 'tanaka', handle: 'TANAKA-1' }), ['TANAKA-1']);
          assert.equal((await store.searchContacts({ fn: 'tanaka' }, { limit: 10 })).items[0].postalLoc?.name, '田中太郎');
          const ids = async (fn: string) => (await store.searchRegistrars({ fn }, { limit: 10 })).items.map((r) => r.ianaId);
          assert.deepEqual(await ids('other'), [OTHER]);
          assert.deepEqual(await ids('EXAMPLE REG*'), [REGISTRAR_ID]);
          assert.deepEqual(await ids('registrar'), [REGISTRAR_ID, OTHER]);
        }));
    });

    describe('refused records', () => {
      it('refuses a bad phone number', () =>
        withStore((store) => refused(store, [contact('BAD-1', { voice: '555-1234' })], 'voice', '555-1234')));

      it('refuses a bad registrar abuse phone', () =>
        withStore((store) => refused(store, [registrar({ abusePhone: '+1 703 555 5555' })], 'abusePhone'), null));

      it('refuses a bad e-mail address', () =>
        withStore((store) => refused(store, [contact('BAD-1', { email: 'not-an-email' })], 'email', 'not-an-email')));

      it('refuses a bad country code', () =>
        withStore((store) =>
          refused(store, [contact('BAD-1', { postalInt: { name: 'X', street: ['1 Road'], city: 'Town', cc: 'XX' } })], 'postalInt.cc', 'XX'),
        ));

      it('refuses a bad domain name', () =>
        withStore((store) => refused(store, [domain('bad..name')], 'name', 'bad..name')));

      it('refuses a bad name-server name', () =>
        withStore((store) => refused(store, [domain('ok.example', { nameservers: ['-bad-.example'] })], 'nameservers[0]')));

      it('refuses an unknown status', () =>
        withStore((store) => refused(store, [domain('ok.example', { statuses: ['clientHold', 'superLocked'] })], 'statuses', 'superLocked')));

      it('refuses a domain-only status on a host', () =>
        withStore(async (store) => {
          await refused(store, [host('ns3.nic.example', [], { statuses: ['clientHold'] })], 'statuses', 'clientHold');
        }));

      it('refuses a bad host address', () =>
        withStore((store) => refused(store, [host('ns3.nic.example', ['192.0.2.300'])], 'addresses[0]')));

      it('refuses a reference to a missing contact, naming the field and the handle', () =>
        withStore((store) => refused(store, [domain('ok.example', { tech: 'NOPE-1' })], 'tech', '"NOPE-1"')));

      it('refuses a reference to a missing host', () =>
        withStore((store) => refused(store, [domain('ok.example', { nameservers: ['ns1.nic.example', 'ns9.nic.example'] })], 'nameservers[1]', 'ns9.nic.example')));

      it('refuses a reference to a missing registrar', () =>
        withStore((store) => refused(store, [contact('ORPHAN-1', { registrarId: 1234 })], 'registrarId', '1234')));

      it('refuses a reference that is still missing when the transaction ends, naming the object and its position', () =>
        withStore(async (store) => {
          await assert.rejects(
            store.transaction(async (w) => {
              await w.put(domain('late.example', { tech: 'NOPE-1' }), 'data.jsonl:7');
              await w.put(domain('later.example', { admin: 'NOPE-2' }), 'data.jsonl:8');
            }),
            (err: unknown) => {
              assert.ok(err instanceof ValidationError);
              assert.equal(err.field, 'tech');
              assert.match(err.message, /^domain "late\.example" \(data\.jsonl:7\): tech refers to contact "NOPE-1", which does not exist.*\(and 1 more/);
              return true;
            },
          );
          assert.equal(await store.lookupDomain('late.example'), undefined);
        }));

      it('refuses a bad record in the middle of a transaction and keeps nothing of it', () =>
        withStore(async (store) => {
          await refused(store, [contact('GOOD-1'), contact('BAD-1', { fax: 'fax' })], 'fax');
          assert.equal(await store.getContact('GOOD-1'), undefined);
          assert.equal(await store.getContact('BAD-1'), undefined);
        }));
    });
  });
}
