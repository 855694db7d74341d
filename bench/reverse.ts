// RDAP reverse search and deep pages (RFC 9536, RFC 8977): the 'rdap-search' lookup (Store search,
// each result's lookup and view, as the pipeline runs it) on the 1M-domain SQLite data set, for
// the patterns and denser ones, page 1 and page 1,000 of 50 by keyset cursor; beside, in
// the same run, page 1,000 read with OFFSET (what keyset paging replaces) and an exact lookupDomain.
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { rdapSearch, reverseExpression } from '../src/lookup/rdap-search.js';
import { parseRdapRequest } from '../src/query/rdap-request.js';
import type { RdapPaging, RdapSearch } from '../src/query/rdap-search.js';
import type { SearchExpr, SearchPage } from '../src/model/search.js';
import { TIER_ACCESS } from '../src/policy/open-policy.js';
import { fmt, percentile, sortedCopy } from './stats.js';

export const PAGE_SIZE = 50;
export const DEEP_PAGE = 1000;

export interface ReverseRow {
  query: string;
  results: number;
  page1: { p50: number; p95: number };
  /** Page 1,000 by cursor, when there are that many results. */
  deep?: { p50: number; p95: number };
  /** Page 1,000 by OFFSET in the Store (the baseline keyset paging replaces). */
  offset?: { p50: number; p95: number };
}

/** The queries measured: the two patterns, the same on common names, and a registrar-wide result set. */
export const REVERSE_QUERIES = [
  'domains/reverse_search/entity?fn=smith*',
  'domains/reverse_search/entity?email=smith*',
  'domains/reverse_search/entity?fn=james*',
  'domains/reverse_search/entity?email=james*',
  'domains/reverse_search/entity?email=james*&role=registrant',
  'domains/reverse_search/entity?handle=EXRR-TECH&role=technical',
  'domains/reverse_search/entity?handle=EXRR-TECH&role=technical&sort=registrationDate',
  'domains?nsLdhName=ns1.registrar.example.net',
];

function parse(query: string): { search: RdapSearch; paging: RdapPaging } {
  const q = query.indexOf('?');
  const parsed = parseRdapRequest(query.slice(0, q), query.slice(q + 1), { searchMaxResults: PAGE_SIZE });
  if (!parsed.query || parsed.query.kind !== 'rdap-search') throw new Error(`${query}: ${parsed.error?.message}`);
  return { search: parsed.query.search, paging: parsed.query.paging };
}

/** The Store expression of a search the Store answers exactly (the baseline reads it by OFFSET). */
function storeExpression(search: RdapSearch): SearchExpr | undefined {
  if (search.by === 'reverse') return reverseExpression(search.conditions, true);
  if (search.kind === 'domains' && search.by === 'nsLdhName' && !search.pattern.partial) return { op: 'term', field: 'ns', pattern: search.pattern.prefix };
  return undefined;
}

const timed = async (fn: () => Promise<unknown>, runs: number) => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const sorted = sortedCopy(samples);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

export async function benchReverse(dbPath: string, runs: number, sampleNames: string[]): Promise<{ rows: ReverseRow[]; lookupMedianMs: number }> {
  const store = SqliteStore.open(dbPath);
  const access = TIER_ACCESS.authorized;
  const options = { adminBlock: true };
  try {
    const rows: ReverseRow[] = [];
    for (const query of REVERSE_QUERIES) {
      const { search, paging } = parse(query);
      const page = (after?: RdapPaging['after']) => rdapSearch(store, search, { size: PAGE_SIZE, paging: { ...paging, after } }, access, options);
      const counted = await rdapSearch(store, search, { size: PAGE_SIZE, paging: { ...paging, count: true } }, access, options);
      const results = counted.total ?? 0;
      const row: ReverseRow = { query, results, page1: await timed(() => page(), runs) };
      if (results >= PAGE_SIZE * DEEP_PAGE) {
        // The cursor of page 1,000: after result 49,950 (found here by OFFSET, once, outside the timing).
        const expr = storeExpression(search);
        const order = paging.sort?.property.order ?? 'name';
        if (expr) {
          const storePage = (p: Omit<SearchPage, 'limit'>, limit: number) => store.searchDomains(expr, { limit, order, ...p });
          const before = await storePage({ offset: PAGE_SIZE * (DEEP_PAGE - 1) - 1 }, 1);
          const after = { key: before.items[0], value: before.values?.[0] };
          row.deep = await timed(() => page(after), runs);
          row.offset = await timed(async () => {
            const names = await storePage({ offset: PAGE_SIZE * (DEEP_PAGE - 1) }, PAGE_SIZE);
            await Promise.all(names.items.map((n) => store.lookupDomain(n)));
          }, runs);
        }
      }
      rows.push(row);
    }
    const lookups: number[] = [];
    for (const name of sampleNames) {
      const t0 = performance.now();
      await store.lookupDomain(name);
      lookups.push(performance.now() - t0);
    }
    return { rows, lookupMedianMs: percentile(sortedCopy(lookups), 50) };
  } finally {
    await store.close();
  }
}

export function reverseTable(rows: ReverseRow[]): string {
  const cell = (t?: { p50: number; p95: number }) => (t ? `${fmt(t.p50, 1)} / ${fmt(t.p95, 1)} ms` : '—');
  return [
    '| query | results | page 1 (p50 / p95) | page 1,000 by cursor | page 1,000 by OFFSET (baseline) |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.query}\` | ${r.results.toLocaleString('en-US')} | ${cell(r.page1)} | ${cell(r.deep)} | ${cell(r.offset)} |`),
  ].join('\n');
}
