// The RDE deposit importer on PostgreSQL: the same deposits give the same answers as on SQLite,
// failures leave every row as it was, and a reader on another connection during a failing import
// sees only the old data. Skipped without a reachable server (test/store/pg-schema.ts).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importDeposit } from '../../src/ingest/rde/import.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { admin, freshSchema, skip } from '../store/pg-schema.js';
import { dumpPostgres } from '../store/dump.js';
import { bigDepositXml, deleteDomain, deleteHost, depositXml, domainXml, writeDeposit } from './rde-fixtures.js';

// The spec's example deposit, beside the clone (as test/rdap/schemas.ts finds the RDAP schemas).
const EXAMPLE = resolve(import.meta.dirname, '../../../shared/spec/rde-example.xml');
const EXAMPLE_XML = readFileSync(EXAMPLE, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rdds-rde-pg-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tlds = ['example'];

async function withPostgres(fn: (store: PostgresStore, dump: () => Promise<string>, url: string) => Promise<void>): Promise<void> {
  const s = await freshSchema();
  const store = await PostgresStore.open(s.url, { batchSize: 500 });
  try {
    await fn(store, () => dumpPostgres(admin, s.schema), s.url);
  } finally {
    await store.close();
    await s.drop();
  }
}

describe('importDeposit on PostgreSQL', { skip }, () => {
  it('the example deposit reads back as on SQLite; a DIFF deletes', () =>
    withPostgres(async (store) => {
      await importDeposit(store, [EXAMPLE], { tlds });
      const sqlite = SqliteStore.open(':memory:');
      await importDeposit(sqlite, [EXAMPLE], { tlds });
      for (const name of ['shop.example', 'ドメイン.example']) assert.deepEqual(await store.lookupDomain(name), await sqlite.lookupDomain(name), name);
      assert.equal((await store.dataVersion()).updatedAt, '2026-11-24T00:00:00Z');
      const diff = depositXml({ type: 'DIFF', id: '20261125001', prevId: '20261124001', watermark: '2026-11-25T00:00:00Z', counts: [1, 1, 2, 1], deletes: [deleteDomain('shop.example'), deleteHost('ns2.shop.example')], objects: [] });
      const s = await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
      assert.deepEqual(s.removed, { registrar: 0, contact: 0, host: 1, domain: 1 });
      assert.equal(await store.lookupDomain('shop.example'), undefined);
      assert.ok(await store.rollback());
      assert.ok(await store.lookupDomain('shop.example'));
      await sqlite.close();
    }));

  it('failures leave every row as it was', () =>
    withPostgres(async (store, dump) => {
      await importDeposit(store, [EXAMPLE], { tlds });
      const before = await dump();
      const cases: [string, RegExp][] = [
        [EXAMPLE_XML.slice(0, 4000), /ends too early/],
        [EXAMPLE_XML.replace('<rdeDomain:contact type="tech">NL-0002</rdeDomain:contact>', '<rdeDomain:contact type="tech">NOBODY-1</rdeDomain:contact>'), /tech refers to contact "NOBODY-1"/],
        [EXAMPLE_XML.replace('rdeDomain-1.0">2<', 'rdeDomain-1.0">5<'), /header counts do not match/],
        [EXAMPLE_XML.replace('<rdeHeader:tld>example</rdeHeader:tld>', '<rdeHeader:tld>other</rdeHeader:tld>'), /does not serve/],
      ];
      for (const [xml, reason] of cases) {
        await assert.rejects(importDeposit(store, [writeDeposit(dir, xml)], { tlds }), reason);
        assert.equal(await dump(), before, String(reason));
      }
    }));

  it('a reader on another connection during a failing import sees the old data only', () =>
    withPostgres(async (store, _dump, url) => {
      await importDeposit(store, [writeDeposit(dir, bigDepositXml(2000))], { tlds });
      const reader = await PostgresStore.open(url);
      const changed = bigDepositXml(2000, '2', 'FULL', [domainXml('broken.example', { registrant: 'NOBODY-1' })]).replace(/s="ok"\/>\n\s*<rdeDomain:registrant>/g, 's="clientHold"/>\n      <rdeDomain:registrant>');
      let stop = false;
      let reads = 0;
      const loop = (async () => {
        for (let i = 0; !stop && i < 100_000; i++) {
          const rec = await reader.lookupDomain(`big${i % 2000}.example`);
          assert.ok(rec, 'never an empty state');
          assert.deepEqual(rec.domain.statuses, ['ok'], 'never a half-applied import');
          reads++;
        }
      })();
      await assert.rejects(importDeposit(store, [writeDeposit(dir, changed)], { tlds }), /registrant refers to contact "NOBODY-1"/);
      stop = true;
      await loop;
      assert.ok(reads > 10, `the reader ran during the import (${reads} lookups)`);
      await reader.close();
    }));
});
