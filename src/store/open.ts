// Opens the Store named by the `db` setting: a postgres:// URL or a SQLite file path.
import type { Store } from './store.js';

/** `migrate: false` (commands that only read): a PostgreSQL schema that is not current is an error, not created. */
export async function openStore(db: string, options: { migrate?: boolean } = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    return PostgresStore.open(db, { migrate: options.migrate });
  }
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return SqliteStore.open(db);
}
