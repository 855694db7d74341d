// Searchable-WHOIS benchmark: typical expressions through the Store's search on the 1M-domain
// SQLite data set, p50/p95 per expression over repeated runs (first page of 50 results), beside
// an exact lookupDomain measured in the same run.
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { parseSearchExpression } from '../src/query/search-expression.js';
import { fmt, percentile, sortedCopy } from './stats.js';

/** Expressions a registry's authorised users type: names, places, registrars, wildcards, boolean mixes. */
export const TYPICAL_EXPRESSIONS = [
  'name:smith',
  'name:tanaka AND cc:JP',
  'domain:blue*',
  'domain:*coffee*',
  'city:berlin AND registrar:5555001',
  'org:holdings AND cc:US',
  'street:"main street" AND city:boston',
  'ns:ns1.registrar.example.net AND cc:DE',
  '(city:london OR city:manchester) NOT registrar:5555555',
  'name:*j?nes AND pc:EC*',
];

export interface SearchRow {
  expression: string;
  results: number;
  p50ms: number;
  p95ms: number;
}

export async function benchSearch(dbPath: string, runs: number, sampleNames: string[]): Promise<{ rows: SearchRow[]; lookupMedianMs: number; allP95ms: number }> {
  const store = SqliteStore.open(dbPath);
  try {
    const all: number[] = [];
    const rows: SearchRow[] = [];
    for (const expression of TYPICAL_EXPRESSIONS) {
      const expr = parseSearchExpression(expression);
      const samples: number[] = [];
      let results = 0;
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const page = await store.searchDomains(expr, { limit: 50 });
        samples.push(performance.now() - t0);
        results = page.items.length;
      }
      all.push(...samples);
      const sorted = sortedCopy(samples);
      rows.push({ expression, results, p50ms: percentile(sorted, 50), p95ms: percentile(sorted, 95) });
    }
    const lookups: number[] = [];
    for (const name of sampleNames) {
      const t0 = performance.now();
      await store.lookupDomain(name);
      lookups.push(performance.now() - t0);
    }
    return { rows, lookupMedianMs: percentile(sortedCopy(lookups), 50), allP95ms: percentile(sortedCopy(all), 95) };
  } finally {
    await store.close();
  }
}

export function searchTable(rows: SearchRow[]): string {
  return [
    '| expression | results (first page, max 50) | p50 | p95 |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.expression}\` | ${r.results} | ${fmt(r.p50ms, 1)} ms | ${fmt(r.p95ms, 1)} ms |`),
  ].join('\n');
}
