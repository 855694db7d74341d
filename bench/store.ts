// Store benchmark: import rate of a JSON Lines file (the `rdds import` path), lookup latency
// through the Store, and size on disk, for SQLite and PostgreSQL.
import { existsSync, statSync, rmSync } from 'node:fs';
import { importJsonLines } from '../src/ingest/jsonl.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { fmt, percentile, sortedCopy } from './stats.js';

export interface StoreBenchResult {
  kind: string;
  objects: number;
  importSeconds: number;
  objectsPerSecond: number;
  lookupMedianMs: number;
  lookupP99Ms: number;
  sizeMb: number;
}

async function timeLookups(store: Store, names: string[]): Promise<{ median: number; p99: number }> {
  for (const name of names.slice(0, 200)) await store.lookupDomain(name); // warm-up
  const samples: number[] = [];
  for (const name of names) {
    const t0 = performance.now();
    const found = await store.lookupDomain(name);
    samples.push(performance.now() - t0);
    if (!found) throw new Error(`bench: ${name} not found`);
  }
  const sorted = sortedCopy(samples);
  return { median: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export async function benchSqliteImport(jsonl: string, dbPath: string, names: () => string[]): Promise<StoreBenchResult> {
  for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
  const store = SqliteStore.open(dbPath);
  const t0 = performance.now();
  const counts = await importJsonLines(store, jsonl);
  const importSeconds = (performance.now() - t0) / 1000;
  store.database.pragma('wal_checkpoint(TRUNCATE)');
  const lookups = await timeLookups(store, names());
  await store.close();
  const objects = counts.registrar + counts.contact + counts.host + counts.domain;
  const size = [dbPath, `${dbPath}-wal`].filter(existsSync).reduce((n, f) => n + statSync(f).size, 0);
  return { kind: 'SQLite', objects, importSeconds, objectsPerSecond: objects / importSeconds, lookupMedianMs: lookups.median, lookupP99Ms: lookups.p99, sizeMb: size / 1e6 };
}

export async function benchPostgresImport(jsonl: string, url: string, names: string[]): Promise<StoreBenchResult | string> {
  const pg = await import('pg');
  const schema = `rdds_bench_${process.pid}`;
  const admin = new pg.default.Client({ connectionString: url });
  try {
    await admin.connect();
  } catch (err) {
    return `skipped: PostgreSQL not reachable at ${url} (${(err as Error).message})`;
  }
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const { PostgresStore } = await import('../src/store/postgres/postgres-store.js');
    const sep = url.includes('?') ? '&' : '?';
    const store = await PostgresStore.open(`${url}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
    const t0 = performance.now();
    const counts = await importJsonLines(store, jsonl);
    const importSeconds = (performance.now() - t0) / 1000;
    const lookups = await timeLookups(store, names);
    await store.close();
    const size = await admin.query(`SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`, [schema]);
    const objects = counts.registrar + counts.contact + counts.host + counts.domain;
    return { kind: 'PostgreSQL', objects, importSeconds, objectsPerSecond: objects / importSeconds, lookupMedianMs: lookups.median, lookupP99Ms: lookups.p99, sizeMb: Number(size.rows[0].bytes) / 1e6 };
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

export function storeTable(results: (StoreBenchResult | string)[]): string {
  const rows = results.map((r) =>
    typeof r === 'string'
      ? `| ${r} | | | | | |`
      : `| ${r.kind} | ${r.objects.toLocaleString('en-US')} | ${fmt(r.importSeconds, 1)} s | ${Math.round(r.objectsPerSecond).toLocaleString('en-US')} | ${fmt(r.lookupMedianMs, 3)} / ${fmt(r.lookupP99Ms, 3)} ms | ${fmt(r.sizeMb, 0)} MB |`,
  );
  return ['| store | objects imported | import time | objects/s | lookupDomain median / p99 | size on disk |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
