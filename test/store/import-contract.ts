// The Store contract for imports (both stores run it: sqlite.test.ts, postgres.test.ts): references
// in any order, removals with their checks, unchanged objects left alone, the change list, undo
// and rollback, and the deposit rules (chain, FULL replaces the TLD's data set, freshness).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/model/validate.js';
import { SPONSOR_BY_CLIENT_ID, type RegistryObject } from '../../src/model/types.js';
import { StoreRefusal, type DepositEnvelope, type Store, type StoreWriter } from '../../src/store/store.js';
import { contact, domain, host, registrar, REGISTRAR_ID, seed, standardObjects } from './fixtures.js';

export interface DumpableStore {
  store: Store;
  /** Every row the store holds, in a stable order: equal dumps mean byte-identical data. */
  dump(): Promise<string>;
  dispose(): Promise<void>;
}

const OTHER = 7777777;

function deposit(type: DepositEnvelope['type'], id: string, extra: Partial<DepositEnvelope> = {}): DepositEnvelope {
  return { tld: 'example', type, id, watermark: `2026-01-${id.padStart(2, '0').slice(-2)}T00:00:00Z`, ...extra };
}

/** Puts the objects of a deposit and finishes it, in one deposit transaction. */
async function importDeposit(store: Store, d: DepositEnvelope, objects: RegistryObject[], fn?: (w: StoreWriter) => Promise<void>, force = false) {
  return store.transaction(
    async (w) => {
      await w.checkDeposit(d, force);
      await fn?.(w);
      for (const obj of objects) await w.put(obj);
      return w.finishDeposit(d, force);
    },
    { deposit: true },
  );
}

export function importContract(label: string, open: () => Promise<DumpableStore>, options: { skip?: string } = {}): void {
  async function withStore(fn: (s: DumpableStore) => Promise<void>, objects: RegistryObject[] | null = standardObjects()): Promise<void> {
    const s = await open();
    try {
      if (objects) await seed(s.store, objects);
      await fn(s);
    } finally {
      await s.dispose();
    }
  }

  /** Asserts that `fn` fails and leaves every row as it was. */
  async function unchangedAfterFailure(s: DumpableStore, fn: () => Promise<unknown>, reason: RegExp): Promise<void> {
    const before = await s.dump();
    await assert.rejects(fn(), (err: unknown) => {
      assert.match((err as Error).message, reason);
      return true;
    });
    assert.equal(await s.dump(), before, 'the data is byte-identical after the failed transaction');
  }

  describe(`Store import contract: ${label}`, { skip: options.skip }, () => {
    describe('references in any order', () => {
      it('stores objects put before the objects they refer to, once those arrive', () =>
        withStore(async ({ store }) => {
          const objects = standardObjects().reverse(); // domains first, registrar last
          const { counts, written } = await store.transaction(async (w) => {
            for (const obj of objects) await w.put(obj, `line ${objects.indexOf(obj) + 1}`);
          });
          assert.deepEqual(counts, { registrar: 1, contact: 4, host: 2, domain: 2 });
          assert.deepEqual(written, counts);
          const rec = await store.lookupDomain('nic.example');
          assert.equal(rec?.contacts.billing?.handle, 'BILL-1');
          assert.deepEqual(rec?.hosts.map((h) => h.name), ['ns1.nic.example', 'ns2.nic.example']);
        }, null));

      it('keeps the later version when a waiting object is put again', () =>
        withStore(async ({ store }) => {
          await store.transaction(async (w) => {
            await w.put(domain('wait.example', { registrant: 'NEW-1', statuses: ['ok'] })); // waits for NEW-1
            await w.put(domain('wait.example', { registrant: 'REG-1', statuses: ['clientHold'] })); // stored at once
            await w.put(contact('NEW-1'));
          });
          const rec = await store.lookupDomain('wait.example');
          assert.equal(rec?.contacts.registrant?.handle, 'REG-1');
          assert.deepEqual(rec?.domain.statuses, ['clientHold']);
        }));

      it('resolves a sponsor named by the registry\'s own id (clientId), also when its registrar comes later', () =>
        withStore(async ({ store }) => {
          await store.transaction(async (w) => {
            await w.put(contact('RDE-1', { registrarId: SPONSOR_BY_CLIENT_ID, clientId: 'other-reg' }));
            await w.put(host('ns.rde.example', [], { registrarId: SPONSOR_BY_CLIENT_ID, clientId: 'other-reg' }));
            await w.put(domain('rde.example', { registrarId: SPONSOR_BY_CLIENT_ID, clientId: 'other-reg', registrant: 'RDE-1', nameservers: ['ns.rde.example'] }));
            await w.put(registrar({ ianaId: OTHER, name: 'Other Registrar', repositoryId: 'other-reg' }));
          });
          const rec = await store.lookupDomain('rde.example');
          assert.equal(rec?.domain.registrarId, OTHER);
          assert.equal(rec?.domain.clientId, 'other-reg');
          assert.equal(rec?.registrar.name, 'Other Registrar');
          assert.equal((await store.getContact('RDE-1'))?.registrarId, OTHER);
          assert.equal(await store.countDomains(OTHER), 1);
        }));

      it('refuses a sponsor id that no registrar has, and stores nothing', () =>
        withStore(async (s) => {
          await unchangedAfterFailure(
            s,
            () => s.store.transaction(async (w) => w.put(contact('RDE-1', { registrarId: SPONSOR_BY_CLIENT_ID, clientId: 'nobody' }), 'deposit.xml:12')),
            /^contact "RDE-1" \(deposit\.xml:12\): clientId refers to registrar with id "nobody" in the registry, which does not exist/,
          );
        }));
    });

    describe('removals', () => {
      it('removes a domain: lookups and searches no longer find it', () =>
        withStore(async ({ store }) => {
          const { removed } = await store.transaction(async (w) => w.remove({ kind: 'domain', name: 'NIC.example' }));
          assert.deepEqual(removed, { registrar: 0, contact: 0, host: 0, domain: 1 });
          assert.equal(await store.lookupDomain('nic.example'), undefined);
          assert.equal(await store.countDomains(REGISTRAR_ID), 1);
          const { parseSearchExpression } = await import('../../src/query/search-expression.js');
          assert.deepEqual((await store.searchDomains(parseSearchExpression('domain:nic'), { limit: 10 })).items, []);
          assert.deepEqual((await store.searchDomains(parseSearchExpression('ns:ns1.nic.example'), { limit: 10 })).items, []);
          assert.deepEqual((await store.searchDomains(parseSearchExpression('name:"Contact ADM-1"'), { limit: 10 })).items, []);
        }));

      it('does nothing for an object that is not stored', () =>
        withStore(async ({ store }) => {
          const { removed } = await store.transaction(async (w) => {
            await w.remove({ kind: 'domain', name: 'missing.example' });
            await w.remove({ kind: 'contact', handle: 'NOPE-1' });
            await w.remove({ kind: 'registrar', repositoryId: 'nobody' });
            await w.remove({ kind: 'host', roid: 'H0-NONE' });
          });
          assert.deepEqual(removed, { registrar: 0, contact: 0, host: 0, domain: 0 });
        }));

      it('refuses to remove a host or contact a domain still uses, naming both, and changes nothing', () =>
        withStore(async (s) => {
          await unchangedAfterFailure(
            s,
            () => s.store.transaction(async (w) => w.remove({ kind: 'host', name: 'ns2.nic.example' }, 'deletes.jsonl:3')),
            /^host "ns2\.nic\.example" \(deletes\.jsonl:3\) cannot be removed: domain "(nic\.example|xn--eckwd4c7c\.example)" still refers to it/,
          );
          await unchangedAfterFailure(
            s,
            () => s.store.transaction(async (w) => w.remove({ kind: 'contact', handle: 'TECH-1' })),
            /^contact "TECH-1" cannot be removed: domain .* still refers to it/,
          );
          await unchangedAfterFailure(
            s,
            () => s.store.transaction(async (w) => w.remove({ kind: 'registrar', ianaId: REGISTRAR_ID })),
            /^registrar 5555555 cannot be removed: (domain|contact|host) .* still refers to it/,
          );
        }));

      it('removes a host together with the domains that use it, or after they stop using it', () =>
        withStore(async ({ store }) => {
          await store.transaction(async (w) => {
            await w.remove({ kind: 'host', name: 'ns1.nic.example' });
            await w.put(domain('nic.example', { nameservers: ['ns2.nic.example'] })); // no longer uses ns1
          });
          assert.equal(await store.lookupHost('ns1.nic.example'), undefined);
          assert.deepEqual(await store.lookupHostsByAddress('192.0.2.53'), []);
          await store.transaction(async (w) => {
            await w.remove({ kind: 'host', name: 'ns2.nic.example' });
            await w.remove({ kind: 'domain', name: 'nic.example' });
            await w.remove({ kind: 'domain', name: 'ドメイン.example' });
          });
          assert.equal(await store.lookupHost('ns2.nic.example'), undefined);
        }));

      it('removes a host by repository ID and a registrar by the registry\'s own id', () =>
        withStore(async ({ store }) => {
          await seed(store, [registrar({ ianaId: OTHER, name: 'Other Registrar', repositoryId: 'other-reg' }), host('ns9.other.example', [], { roid: 'H9-OTHER', registrarId: OTHER })]);
          await store.transaction(async (w) => {
            await w.remove({ kind: 'host', roid: 'H9-OTHER' });
            await w.remove({ kind: 'registrar', repositoryId: 'other-reg' });
          });
          assert.equal(await store.lookupHost('ns9.other.example'), undefined);
          assert.equal(await store.getRegistrar(OTHER), undefined);
        }));

      it('a domain that refers to an object removed in the same transaction fails it', () =>
        withStore(async (s) => {
          await unchangedAfterFailure(
            s,
            () =>
              s.store.transaction(async (w) => {
                await w.put(contact('GONE-1'));
                await w.remove({ kind: 'contact', handle: 'GONE-1' });
                await w.put(domain('uses-gone.example', { registrant: 'GONE-1' }), 'x.jsonl:4');
              }),
            /^domain "uses-gone\.example" \(x\.jsonl:4\): registrant refers to contact "GONE-1", which does not exist/,
          );
        }));

      it('an object removed and put again in one transaction is stored', () =>
        withStore(async ({ store }) => {
          await store.transaction(async (w) => {
            await w.remove({ kind: 'domain', name: 'nic.example' });
            await w.put(domain('nic.example', { statuses: ['ok'] }));
          });
          assert.deepEqual((await store.lookupDomain('nic.example'))?.domain.statuses, ['ok']);
          assert.deepEqual((await store.searchDomains((await import('../../src/query/search-expression.js')).parseSearchExpression('domain:nic'), { limit: 10 })).items, ['nic.example']);
        }));
    });

    describe('unchanged objects and the change list', () => {
      it('does not rewrite objects equal to the stored ones, and lists only what changed', () =>
        withStore(async ({ store }) => {
          const v0 = await store.dataVersion();
          const same = await store.transaction(async (w) => {
            for (const obj of standardObjects()) await w.put(obj);
          });
          assert.deepEqual(same.written, { registrar: 0, contact: 0, host: 0, domain: 0 });
          assert.deepEqual(same.counts, { registrar: 1, contact: 4, host: 2, domain: 2 });
          assert.deepEqual(await store.changesSince(v0.serial, 100), []);
          const changed = await store.transaction(async (w) => {
            for (const obj of standardObjects()) await w.put(obj);
            await w.put(domain('nic.example', { statuses: ['ok'] }));
            await w.put(contact('NEW-1'));
            await w.remove({ kind: 'domain', name: 'ドメイン.example' });
          });
          assert.deepEqual(changed.written, { registrar: 0, contact: 1, host: 0, domain: 1 });
          const changes = await store.changesSince(v0.serial, 100);
          assert.deepEqual(
            changes?.map((c) => `${c.serial} ${c.kind} ${c.key}`).sort(),
            [`${changed.serial} contact NEW-1`, `${changed.serial} domain nic.example`, `${changed.serial} domain xn--eckwd4c7c.example`],
          );
          assert.deepEqual(await store.changesSince(changed.serial, 100), []);
          assert.equal(await store.changesSince(v0.serial, 2), undefined, 'more than the limit: take everything as changed');
        }, standardObjects()));

      it('says the change list does not reach back before the store began listing', () =>
        withStore(async ({ store }) => {
          const v = await store.dataVersion();
          assert.deepEqual(await store.changesSince(v.serial, 10), []);
          assert.equal(await store.changesSince(-5, 10), undefined);
        }));
    });

    describe('undo and rollback', () => {
      it('restores the data set from before the last import exactly, and only once', () =>
        withStore(async (s) => {
          const { store } = s;
          const before = await s.dump();
          const v1 = await store.dataVersion();
          await store.transaction(async (w) => {
            await w.put(domain('nic.example', { statuses: ['ok'], nameservers: ['ns2.nic.example'] }));
            await w.put(contact('NEW-1'));
            await w.put(domain('new.example', { registrant: 'NEW-1' }));
            await w.put(registrar({ name: 'Renamed Registrar' }));
            await w.remove({ kind: 'domain', name: 'ドメイン.example' });
            await w.put(host('ns1.nic.example', ['203.0.113.1']));
          });
          assert.equal(await store.rollback(), 6);
          const v2 = await store.dataVersion();
          assert.ok(v2.serial > v1.serial, 'the restore moves the serial, so every node sees it');
          assert.equal(v2.updatedAt, v1.updatedAt, 'the data time is the one from before');
          assert.equal(stripMeta(await s.dump()), stripMeta(before));
          assert.deepEqual((await store.lookupDomain('nic.example'))?.domain.statuses, ['clientTransferProhibited', 'serverDeleteProhibited']);
          assert.ok(await store.lookupDomain('ドメイン.example'));
          assert.equal(await store.getContact('NEW-1'), undefined);
          assert.equal((await store.getRegistrarByName('Renamed Registrar')), undefined);
          assert.equal((await store.lookupHostsByAddress('192.0.2.53'))[0]?.host.name, 'ns1.nic.example');
          const listed = await store.changesSince(v1.serial, 100);
          assert.ok(listed?.some((c) => c.serial === v2.serial && c.key === 'nic.example'), 'the restored objects are in the change list');
          assert.equal(await store.rollback(), undefined, 'nothing left to undo');
        }));

      it('rolls back the first import to an empty store', () =>
        withStore(async (s) => {
          const empty = await s.dump();
          await seed(s.store);
          assert.equal(await s.store.rollback(), 9);
          assert.equal(stripMeta(await s.dump()), stripMeta(empty));
          assert.equal(await s.store.lookupDomain('nic.example'), undefined);
        }, null));

      it('a failed import keeps the undo log of the one before', () =>
        withStore(async (s) => {
          await seed(s.store, [domain('nic.example', { statuses: ['ok'] })]);
          await assert.rejects(s.store.transaction(async (w) => w.put(domain('bad.example', { tech: 'NOPE-1' }))));
          assert.equal(await s.store.rollback(), 1);
          assert.deepEqual((await s.store.lookupDomain('nic.example'))?.domain.statuses, ['clientTransferProhibited', 'serverDeleteProhibited']);
        }));

      it('a dry run checks everything and changes nothing', () =>
        withStore(async (s) => {
          const before = await s.dump();
          const summary = await s.store.transaction(async (w) => {
            await w.put(domain('dry.example'));
            await w.remove({ kind: 'domain', name: 'nic.example' });
          }, { dryRun: true });
          assert.deepEqual(summary.written, { registrar: 0, contact: 0, host: 0, domain: 1 });
          assert.deepEqual(summary.removed, { registrar: 0, contact: 0, host: 0, domain: 1 });
          assert.equal(await s.dump(), before);
          await assert.rejects(s.store.transaction(async (w) => w.remove({ kind: 'host', name: 'ns1.nic.example' }), { dryRun: true }), /still refers to it/);
        }));
    });

    describe('registrars', () => {
      it('a registrar put keeps the abuse contact, RDAP URL and repository id that it does not carry, and lists incomplete ones', () =>
        withStore(async ({ store }) => {
          const fromDeposit = registrar({ abuseEmail: '', abusePhone: '', rdapBaseUrl: undefined, repositoryId: 'reg-1', name: 'Example Registrar, Inc.' });
          const first = await store.transaction(async (w) => w.put(fromDeposit));
          assert.deepEqual(first.incompleteRegistrars, [], 'the stored abuse contact is kept');
          const r = await store.getRegistrar(REGISTRAR_ID);
          assert.equal(r?.abuseEmail, 'abuse@registrar.example');
          assert.equal(r?.rdapBaseUrl, 'https://rdap.registrar.example/');
          assert.equal(r?.repositoryId, 'reg-1');
          await store.transaction(async (w) => w.put(registrar({ voice: '+1.7035550000' }))); // JSON Lines: no repository id
          assert.equal((await store.getRegistrar(REGISTRAR_ID))?.repositoryId, 'reg-1');
          const bare = await store.transaction(async (w) => w.put(registrar({ ianaId: OTHER, name: 'Bare Registrar', abuseEmail: '', abusePhone: '' })));
          assert.deepEqual(bare.incompleteRegistrars, [OTHER]);
        }));
    });

    describe('deposits', () => {
      const other = () => [
        registrar({ ianaId: OTHER, name: 'Other Registrar' }),
        contact('OTHER-1', { registrarId: OTHER }),
        host('ns.shop.other', ['203.0.113.50'], { registrarId: OTHER }),
        domain('shop.other', { registrarId: OTHER, registrant: 'OTHER-1', admin: undefined, tech: undefined, billing: undefined, nameservers: ['ns.shop.other'] }),
      ];

      it('sets the data time to the watermark and records the chain', () =>
        withStore(async ({ store }) => {
          const d = deposit('FULL', '1');
          const { result: totals } = await importDeposit(store, d, standardObjects());
          assert.deepEqual(totals, { registrar: 1, contact: 4, host: 2, domain: 2 });
          assert.equal((await store.dataVersion()).updatedAt, '2026-01-01T00:00:00Z');
          assert.deepEqual(await store.depositChain('example'), { lastId: '1', lastFullId: '1', watermark: '2026-01-01T00:00:00Z' });
          await store.transaction(async (w) => w.put(domain('plain.example')));
          assert.notEqual((await store.dataVersion()).updatedAt, '2026-01-01T00:00:00Z', 'another import: its commit time');
        }, null));

      it('a FULL replaces the TLD\'s data set and leaves other TLDs alone', () =>
        withStore(async ({ store }) => {
          await seed(store, other());
          const kept = standardObjects().filter((o) => !(o.type === 'domain' && o.name === 'nic.example') && !(o.type === 'contact' && ['ADM-1', 'BILL-1'].includes(o.handle)) && !(o.type === 'host' && o.name === 'ns1.nic.example'));
          const { result: totals, removed } = await importDeposit(store, deposit('FULL', '1'), kept);
          assert.deepEqual(totals, { registrar: 1, contact: 2, host: 1, domain: 1 });
          assert.deepEqual(removed, { registrar: 0, contact: 2, host: 1, domain: 1 });
          assert.equal(await store.lookupDomain('nic.example'), undefined);
          assert.equal(await store.lookupHost('ns1.nic.example'), undefined, 'a host under the TLD that the deposit does not have');
          assert.equal(await store.getContact('ADM-1'), undefined, 'a contact nothing refers to any more');
          assert.ok(await store.lookupDomain('ドメイン.example'));
          assert.ok(await store.lookupDomain('shop.other'), 'another TLD is untouched');
          assert.ok(await store.getContact('OTHER-1'));
          assert.ok(await store.getRegistrar(OTHER), 'a registrar still referred to');
        }));

      it('a FULL keeps a shared contact that another TLD\'s deposit holds', () =>
        withStore(async ({ store }) => {
          await importDeposit(store, deposit('FULL', '1', { tld: 'other' }), [registrar(), contact('SHARED-1')]);
          await importDeposit(store, deposit('FULL', '2'), [registrar(), contact('SHARED-1'), contact('ONLY-1')]);
          const { result } = await importDeposit(store, deposit('FULL', '3'), [registrar()]);
          assert.deepEqual(result, { registrar: 1, contact: 0, host: 0, domain: 0 });
          assert.ok(await store.getContact('SHARED-1'), 'held by .other');
          assert.equal(await store.getContact('ONLY-1'), undefined);
        }, null));

      it('DIFF and INCR must follow the deposit their prevId names, unless forced', () =>
        withStore(async (s) => {
          const { store } = s;
          await importDeposit(store, deposit('FULL', '1'), standardObjects());
          await unchangedAfterFailure(s, () => importDeposit(store, deposit('DIFF', '3', { prevId: '2' }), []), /DIFF deposit 3 of \.example follows 2, but the last deposit imported for \.example is 1 \(--force/);
          await importDeposit(store, deposit('DIFF', '2', { prevId: '1' }), [], async (w) => w.remove({ kind: 'domain', name: 'nic.example' }));
          assert.equal(await store.lookupDomain('nic.example'), undefined);
          await unchangedAfterFailure(s, () => importDeposit(store, deposit('INCR', '4', { prevId: '2' }), []), /INCR deposit 4 of \.example follows 2, but the last FULL deposit imported for \.example is 1/);
          await importDeposit(store, deposit('INCR', '4', { prevId: '1' }), [domain('incr.example')]);
          assert.deepEqual(await store.depositChain('example'), { lastId: '4', lastFullId: '1', watermark: '2026-01-04T00:00:00Z' });
          await unchangedAfterFailure(s, () => importDeposit(store, deposit('FULL', '3'), standardObjects()), /older than the last deposit imported/);
          await unchangedAfterFailure(s, () => importDeposit(store, deposit('DIFF', '9', { tld: 'fresh', prevId: '8' }), []), /no deposit of \.fresh has been imported/);
          await importDeposit(store, deposit('DIFF', '9', { prevId: '7' }), [], undefined, true);
          assert.equal((await store.depositChain('example'))?.lastId, '9');
        }, null));

      it('a DIFF counts the TLD\'s objects after it is applied', () =>
        withStore(async ({ store }) => {
          await importDeposit(store, deposit('FULL', '1'), standardObjects());
          const { result } = await importDeposit(store, deposit('DIFF', '2', { prevId: '1' }), [contact('NEW-1'), domain('new.example', { registrant: 'NEW-1' })], async (w) => {
            await w.remove({ kind: 'domain', name: 'nic.example' });
          });
          assert.deepEqual(result, { registrar: 1, contact: 5, host: 2, domain: 2 });
        }, null));

      it('rollback undoes a deposit: its objects, the chain and the data time', () =>
        withStore(async (s) => {
          await importDeposit(s.store, deposit('FULL', '1'), standardObjects());
          const before = await s.dump();
          const v = await s.store.dataVersion();
          await importDeposit(s.store, deposit('FULL', '2'), standardObjects().filter((o) => o.type !== 'domain' || o.name !== 'nic.example'));
          assert.equal(await s.store.lookupDomain('nic.example'), undefined);
          await s.store.rollback();
          assert.equal(stripMeta(await s.dump()), stripMeta(before));
          assert.equal((await s.store.dataVersion()).updatedAt, v.updatedAt);
          assert.equal((await s.store.depositChain('example'))?.lastId, '1');
        }, null));

      it('a deposit transaction that does not finish is refused', () =>
        withStore(async ({ store }) => {
          await assert.rejects(store.transaction(async (w) => w.put(registrar()), { deposit: true }), /must end with finishDeposit/);
          await assert.rejects(store.transaction(async (w) => w.finishDeposit(deposit('FULL', '1'), false)), /deposit: true/);
        }, null));

      it('refusals are StoreRefusal or ValidationError', () =>
        withStore(async ({ store }) => {
          await assert.rejects(importDeposit(store, deposit('DIFF', '2', { prevId: '1' }), []), StoreRefusal);
          await assert.rejects(store.transaction(async (w) => w.put(domain('x.example', { tech: 'NOPE-1' }))), ValidationError);
        }, null));
    });
  });
}

/** A dump without the meta rows (serial and change-list bookkeeping move with every commit). */
function stripMeta(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => !line.startsWith('meta\t') && !line.startsWith('changes\t') && !line.startsWith('undo\t'))
    .join('\n');
}
