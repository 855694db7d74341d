// The Store contract against the SQLite store: a fresh database file per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';
import { importContract } from './import-contract.js';
import { dumpSqlite } from './dump.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function opener(options: Parameters<typeof SqliteStore.open>[1] = {}) {
  return async () => {
    const store = SqliteStore.open(join(dir, `store-${++n}.db`), options);
    return { store, dispose: () => store.close(), dump: async () => dumpSqlite(store.database) };
  };
}

storeContract('sqlite', opener());
importContract('sqlite', opener());

// Small stores answer every domain search from one small conjunct; the same contract again with
// the other plans forced: the whole expression tested row by row over every domain, and the
// compound SELECT.
for (const [plan, searchTuning] of [
  ['window scan', { driverCap: 0, scanWindow: 1_000_000 }],
  ['compound SELECT', { driverCap: 0, scanWindow: 0 }],
] as const) {
  storeContract(`sqlite, searches by ${plan}`, opener({ searchTuning }));
}
