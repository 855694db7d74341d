// The Store contract against the SQLite store: a fresh database file per test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { storeContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite', async () => {
  const store = SqliteStore.open(join(dir, `store-${++n}.db`));
  return { store, dispose: () => store.close() };
});
