// Dumps of everything a store holds, in a stable order, to compare data before and after an
// import byte for byte. Search tables are dumped by content (FTS internals and row ids may be
// rebuilt differently by a rollback; what they answer may not).
import type Database from 'better-sqlite3';
import type pg from 'pg';

const FTS_INTERNAL = /_(data|idx|content|docsize|config)$/;

export function dumpSqlite(db: Database.Database): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const lines: string[] = [];
  for (const table of tables) {
    if (FTS_INTERNAL.test(table) || table === 'contact_fts') continue; // contact_fts reads contact_search
    const columns = (db.prepare(`SELECT * FROM ${table} LIMIT 0`).columns() as { name: string }[]).map((c) => c.name).filter((c) => !(table === 'contact_search' && c === 'id'));
    for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().all() as unknown[][]) lines.push(`${table}\t${JSON.stringify(row)}`);
  }
  return lines.sort().join('\n');
}

export async function dumpPostgres(pool: pg.Pool, schema: string): Promise<string> {
  const tables = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name",
    [schema],
  );
  const lines: string[] = [];
  for (const { table_name: table } of tables.rows) {
    const res = await pool.query({ text: `SELECT * FROM ${schema}.${table}`, rowMode: 'array' });
    for (const row of res.rows) lines.push(`${table}\t${JSON.stringify(row)}`);
  }
  return lines.sort().join('\n');
}
