// A fresh PostgreSQL schema per store under test (RDDS_TEST_PG_URL, default
// postgres://postgres@127.0.0.1:5432/test), dropped afterwards, so test files running in parallel
// never collide; `skip` says why when no server is reachable.
import { after } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const BASE_URL = process.env.RDDS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const admin = new pg.Pool({ connectionString: BASE_URL, max: 2, connectionTimeoutMillis: 3000 });
admin.on('error', () => {});
export let skip: string | undefined;
try {
  await admin.query('SELECT 1');
} catch (err) {
  skip = `no PostgreSQL server reachable at ${BASE_URL} (${(err as Error).message}); set RDDS_TEST_PG_URL to run these tests`;
}
after(() => admin.end());

/** A fresh schema and the URL that makes it the search_path. */
export async function freshSchema(): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `rdds_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(BASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: url.toString(), drop: async () => void (await admin.query(`DROP SCHEMA ${schema} CASCADE`)) };
}
