// Opens the Store named by the `db` setting: a postgres:// URL or a SQLite file path.
import type { Store } from './store.js';

export async function openStore(db: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(db);
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(db);
}
