// The Store contract against the PostgreSQL store, plus what only it has (batched writes, migration
// under an advisory lock). Every store gets its own fresh schema, dropped afterwards, so test files
// running in parallel never collide. Without a reachable server (RDDS_TEST_PG_URL, default
// postgres://postgres@127.0.0.1:5432/test) the suites are skipped, not failed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admin, freshSchema, skip } from './pg-schema.js';
import { ValidationError } from '../../src/model/validate.js';
import type { RegistryObject } from '../../src/model/types.js';
import { PostgresStore, type PostgresStoreOptions } from '../../src/store/postgres/postgres-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/schema.js';
import { storeContract } from './contract.js';
import { importContract, type DumpableStore } from './import-contract.js';
import { dumpPostgres } from './dump.js';
import { contact, domain, host, registrar, REGISTRAR_ID, seed } from './fixtures.js';

function opener(options: PostgresStoreOptions = {}): () => Promise<DumpableStore> {
  return async () => {
    const s = await freshSchema();
    const store = await PostgresStore.open(s.url, options);
    return {
      store,
      dump: () => dumpPostgres(admin, s.schema),
      dispose: async () => {
        await store.close();
        await s.drop();
      },
    };
  };
}

storeContract('postgres', opener(), { skip });
// Batches of 3 make every contract test cross flushes: references to earlier batches, errors
// found at a later put or at commit, rollbacks with flushed rows.
storeContract('postgres, batches of 3', opener({ batchSize: 3 }), { skip });
importContract('postgres', opener(), { skip });
importContract('postgres, batches of 3', opener({ batchSize: 3 }), { skip });

describe('PostgresStore', { skip }, () => {
  it('names the record in a reference error found when the transaction settles', async () => {
    const { store, dispose } = await opener({ batchSize: 1000 })();
    try {
      await seed(store);
      await assert.rejects(
        store.transaction(async (w) => {
          await w.put(domain('one.example'));
          await w.put(domain('ok.example', { tech: 'NOPE-1' })); // buffered: accepted for now
          await w.put(domain('two.example'));
        }),
        (err: unknown) => {
          assert.ok(err instanceof ValidationError);
          assert.equal(err.field, 'tech');
          assert.match(err.message, /^domain "ok\.example": tech refers to contact "NOPE-1", which does not exist/);
          return true;
        },
      );
      assert.equal(await store.lookupDomain('one.example'), undefined);
    } finally {
      await dispose();
    }
  });

  it('migrates once when many nodes open the same database at the same time', async () => {
    const s = await freshSchema();
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(s.url)));
      const res = await admin.query(`SELECT version FROM ${s.schema}.schema_version ORDER BY version`);
      assert.deepEqual(
        res.rows.map((r) => r.version),
        POSTGRES_MIGRATIONS.map((_, i) => i + 1),
      );
      await seed(stores[0]);
      assert.equal((await stores[5].lookupDomain('nic.example'))?.domain.name, 'nic.example');
      await Promise.all(stores.map((st) => st.close()));
      // Opening again applies nothing.
      const again = await PostgresStore.open(s.url);
      assert.equal((await again.dataVersion()).serial, 1);
      await again.close();
    } finally {
      await s.drop();
    }
  });

  it('imports many objects in batches, with references across batches', async () => {
    const { store, dispose } = await opener({ batchSize: 500 })();
    try {
      const n = 3000;
      const objects: RegistryObject[] = [registrar()];
      for (let i = 0; i < n; i++) {
        objects.push(contact(`CT-${i}`));
        objects.push(host(`ns${i}.hosts.example`, [`10.${(i >> 8) & 255}.${i & 255}.1`, `2001:db8::${i.toString(16)}`]));
      }
      for (let i = 0; i < n; i++) {
        objects.push(
          domain(`d${i}.example`, {
            registrant: `CT-${i}`,
            admin: `CT-${(i + 1) % n}`,
            tech: `CT-${(i + 7) % n}`,
            billing: undefined,
            nameservers: [`ns${i}.hosts.example`, `ns${(i + 1) % n}.hosts.example`],
          }),
        );
      }
      const started = Date.now();
      const { counts } = await store.transaction(async (w) => {
        for (const obj of objects) await w.put(obj);
      });
      const ms = Date.now() - started;
      assert.deepEqual(counts, { registrar: 1, contact: n, host: n, domain: n });
      assert.equal(await store.countDomains(REGISTRAR_ID), n);
      const rec = await store.lookupDomain('d2999.example');
      assert.equal(rec?.contacts.registrant?.handle, 'CT-2999');
      assert.equal(rec?.contacts.admin?.handle, 'CT-0');
      assert.deepEqual(
        rec?.hosts.map((h) => h.name),
        ['ns2999.hosts.example', 'ns0.hosts.example'],
      );
      assert.deepEqual(
        (await store.lookupHostsByAddress('2001:DB8:0::bb7')).map((r) => r.host.name),
        ['ns2999.hosts.example'],
      );
      assert.ok(ms < 30_000, `import of ${objects.length} objects took ${ms} ms`);
    } finally {
      await dispose();
    }
  });

  it('refuses puts after the transaction ended', async () => {
    const { store, dispose } = await opener()();
    try {
      let writer: Parameters<Parameters<typeof store.transaction>[0]>[0] | undefined;
      await store.transaction(async (w) => {
        writer = w;
      });
      await assert.rejects(writer!.put(registrar()), /after the transaction ended/);
      assert.equal(await store.getRegistrar(REGISTRAR_ID), undefined);
    } finally {
      await dispose();
    }
  });
});
