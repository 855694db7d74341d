// `npm run bench`: every benchmark of rdds, each beside a baseline measured in the same run, on a
// 1,000,000-domain demo data set (BENCH_DOMAINS to change it). Results go to docs/benchmarks.md.
//   BENCH_DOMAINS=1000000  BENCH_SECONDS=5  BENCH_ROUNDS=5  BENCH_ONLY=store,search,reverse,port43,rdap  BENCH_PG=postgres://...
//   BENCH_ONLY=before-after BENCH_BASE=/path/to/earlier/checkout: this build against an earlier one, in the same rounds
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeDemoJsonLines } from '../src/ingest/demo.js';
import { benchPostgresImport, benchSqliteImport, storeTable, type StoreBenchResult } from './store.js';
import { benchPort43, cpuRatios, port43Table, proxyPreambles, type Port43Row } from './port43.js';
import { benchBeforeAfter } from './before-after.js';
import { benchHttp, httpTable, rdapAnswerBytes, throughputRatios } from './rdap.js';
import { benchSearch, searchTable } from './search.js';
import { benchReverse, DEEP_PAGE, PAGE_SIZE, reverseTable } from './reverse.js';
import { fmt } from './stats.js';

const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ONLY = (process.env.BENCH_ONLY ?? 'store,search,reverse,port43,rdap').split(',');
const PG_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const DATA_DIR = join(process.cwd(), 'bench', '.data');
const OUT = process.env.BENCH_OUT ?? join(process.cwd(), 'docs', 'benchmarks.md');

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
const sections: string[] = [];

mkdirSync(DATA_DIR, { recursive: true });
const jsonl = join(DATA_DIR, `demo-${DOMAINS}.jsonl`);
const sqlite = join(DATA_DIR, `demo-${DOMAINS}.sqlite`);

if (!existsSync(jsonl)) {
  log(`writing ${DOMAINS.toLocaleString('en-US')}-domain demo data to ${jsonl}`);
  const t0 = performance.now();
  const lines = await writeDemoJsonLines(`${jsonl}.tmp`, { domains: DOMAINS, seed: 1 });
  (await import('node:fs')).renameSync(`${jsonl}.tmp`, jsonl);
  log(`${lines.toLocaleString('en-US')} lines in ${fmt((performance.now() - t0) / 1000, 1)} s`);
}

/** Names the load uses: existing ASCII and IDN domains (IDNs by U-label), and missing ones. */
function sampleNames(limit: number): { existing: string[]; idn: string[]; missing: string[] } {
  const db = new Database(sqlite, { readonly: true });
  const existing = db.prepare("SELECT name FROM domains WHERE name NOT LIKE '%xn--%' ORDER BY random() LIMIT ?").pluck().all(limit) as string[];
  const idn = (db.prepare("SELECT data FROM domains WHERE name LIKE 'xn--%' ORDER BY random() LIMIT ?").pluck().all(Math.ceil(limit / 10)) as string[])
    .map((d) => JSON.parse(d).unicodeName as string);
  db.close();
  const missing = Array.from({ length: Math.ceil(limit / 5) }, (_, i) => `no-such-name-${i}.example`);
  return { existing, idn, missing };
}

if (ONLY.includes('store') || !existsSync(sqlite)) {
  log('store: importing into SQLite');
  const results: (StoreBenchResult | string)[] = [await benchSqliteImport(jsonl, sqlite, () => sampleNames(10000).existing)];
  if (ONLY.includes('store')) {
    log('store: importing into PostgreSQL');
    results.push(await benchPostgresImport(jsonl, PG_URL, sampleNames(10000).existing));
  }
  sections.push(`## Store: import and lookups\n\n\`rdds import\` of the demo JSON Lines file (one transaction), then 10,000 \`lookupDomain\` calls on random existing names through the Store.\nTargets: 1M domains imported in under 3 minutes on SQLite; lookups under 0.2 ms median on SQLite.\n\n${storeTable(results)}`);
}

if (ONLY.includes('search')) {
  log('search: typical expressions on SQLite');
  const runs = 20;
  const result = await benchSearch(sqlite, runs, sampleNames(1000).existing);
  sections.push(
    `## Searchable WHOIS\n\nTypical expressions through the Store's search on the ${DOMAINS.toLocaleString('en-US')}-domain SQLite data set (FTS5 trigram indexes), the first page of 50 domain names, ${runs} runs each. ` +
      `Baseline in the same run: an exact \`lookupDomain\`, median ${fmt(result.lookupMedianMs, 3)} ms. Target: p95 under 100 ms for typical expressions.\n\n${searchTable(result.rows)}\n\np95 over all expressions: ${fmt(result.allP95ms, 1)} ms.`,
  );
}

if (ONLY.includes('reverse')) {
  log('reverse: RDAP reverse searches and deep pages on SQLite');
  const runs = 20;
  const result = await benchReverse(sqlite, runs, sampleNames(1000).existing);
  sections.push(
    `## RDAP reverse search and deep pages\n\nThe RDAP search lookup as the pipeline runs it (Store search, then each result's lookupDomain and view, authorized tier) on the ${DOMAINS.toLocaleString('en-US')}-domain SQLite data set: ` +
      `page 1 of ${PAGE_SIZE} and page ${DEEP_PAGE.toLocaleString('en-US')} by keyset cursor, ${runs} runs each; "results" is the count=true total. ` +
      `Baseline in the same run: page ${DEEP_PAGE.toLocaleString('en-US')} read with OFFSET (the Store's names and their lookups), and an exact \`lookupDomain\`, median ${fmt(result.lookupMedianMs, 3)} ms. ` +
      `Targets: p95 under 100 ms for the first page of \`fn=smith*\` and \`email=smith*\`; page ${DEEP_PAGE.toLocaleString('en-US')} within 2x page 1.\n\n${reverseTable(result.rows)}`,
  );
}

/** The load's query mix: 70% existing ASCII names, 10% IDNs by U-label, 20% missing names. */
function queryMix(): string[] {
  const names = sampleNames(5000);
  const mix = [...names.existing.slice(0, 3500), ...names.idn.slice(0, 500), ...names.missing.slice(0, 1000)];
  return mix.sort(() => Math.random() - 0.5);
}

const roundsText =
  `Every server under test runs at once, each warmed up first (until it has answered every query of the mix); each row is measured ${ROUNDS} times for ${SECONDS} s, in rounds that take the servers in turn ` +
  `(so the shared machine's slow moments hit all of them alike), and shows the median of each figure over the rounds (RSS: the largest).`;

const mixText = (n: number) =>
  `Query mix: 70% existing ASCII names, 10% IDNs by U-label, 20% missing names, over ${n.toLocaleString('en-US')} distinct queries on the ${DOMAINS.toLocaleString('en-US')}-domain SQLite data set.`;

if (ONLY.includes('port43')) {
  const queries = queryMix();
  const concurrencies = [16, 64, 256];
  // rdds runs as in production: behind a trusted load balancer that passes each client's address with the PROXY protocol.
  const proxy = proxyPreambles();
  const production = { db: sqlite, 'policy.trusted_proxies': '127.0.0.1/32', 'log.dir': join(DATA_DIR, 'query-log'), 'log.level': 'warn' };
  const noPolicy = { ...production, 'policy.rate_limit.per_minute': '0', 'policy.max_connections_per_client': '0' };
  const rows = await benchPort43(
    [
      { label: 'bare node:net, fixed 2 KB', mode: 'bare-net', settings: {} },
      { label: 'rdds', mode: 'rdds', settings: production, preambles: proxy },
      { label: 'rdds, no rate limits', mode: 'rdds', settings: noPolicy, preambles: proxy },
      { label: 'rdds, query log off', mode: 'rdds', settings: { ...production, 'log.enabled': 'false' }, preambles: proxy },
    ],
    queries,
    concurrencies,
    SECONDS * 1000,
    ROUNDS,
    log,
  );
  const of = (label: string) => rows.filter((r) => r.server === label);
  const [bare, rdds, noLimits, noLog] = [of('bare node:net, fixed 2 KB'), of('rdds'), of('rdds, no rate limits'), of('rdds, query log off')];
  const ratio = (a: Port43Row[], b: Port43Row[]) => a.map((r, i) => `${r.concurrency}: ${fmt(r.load.qps / b[i].load.qps)}`).join('; ');
  // The load generator counts any answer, so a refusal would pass for one: rdds's own count says.
  const refused = [...rdds, ...noLimits, ...noLog].reduce((sum, r) => sum + r.refused, 0);
  if (refused > 0) log(`port43: WARNING: rdds refused ${refused} queries of the measured load; the figures count them as answers`);
  sections.push(
    `## Port 43\n\nOne query per connection from a load generator in its own process, written in C (bench/port43-load.c: non-blocking sockets and epoll, many connections in flight; Node's per-socket work had made it cost more CPU per query than the bare server it measured). It polls without sleeping, so its CPU is one core by design (the table shows its CPU time and, in brackets, that less its polls that found nothing, in all and per query): over loopback a server's write wakes a client asleep in epoll, that wakeup is charged to the server's CPU, and a remote client in production costs the server no such thing. Like whois(1), it sends its query and reads to the server's close without closing its own side first (a half-close filled its ephemeral ports with TIME_WAITs and made it the bottleneck). ${roundsText} ${mixText(queries.length)} ` +
      `The bare server answers every query with a fixed 2 KB text. rdds runs as in production, behind a trusted load balancer: every connection starts with a PROXY protocol v1 header from one of 65,536 client addresses, ` +
      `with the default policy (30 queries a minute per address, bans, per-client connection cap) and the query log on. ` +
      `Targets: CPU ratio (bare / rdds) at least 0.7; p99 under 10 ms at 64 connections; RSS under 300 MB; policy and query log each cost at most 10% of throughput.\n\n` +
      `${port43Table([...bare, ...rdds, ...noLimits, ...noLog])}\n\n` +
      `- CPU per query, bare / rdds: ${cpuRatios(bare, rdds).map((r) => `${r.concurrency} connections ${fmt(r.ratio)}`).join('; ')}.\n` +
      `- Throughput with the policy on / off, by connections: ${ratio(rdds, noLimits)}.\n` +
      `- Throughput with the query log on / off, by connections: ${ratio(rdds, noLog)}.\n` +
      `- Queries rdds refused in the measured rounds (its own metrics; a refusal would count as an answer above): ${refused.toLocaleString('en-US')}.`,
  );
}

if (ONLY.includes('rdap')) {
  const paths = queryMix().map((n) => `/rdap/domain/${n}`);
  const concurrencies = [16, 64];
  const settings = { db: sqlite, 'policy.rate_limit.per_minute': '0', 'log.dir': join(DATA_DIR, 'query-log'), 'log.level': 'warn' };
  // rdds's answers are larger than 2 KB (a public domain answer with its notices, entities and
  // redactions is about 7 KB): a second baseline sends that many bytes, to show what the size costs.
  const answerBytes = await rdapAnswerBytes(settings, paths.slice(0, 200));
  const sizedLabel = `bare node:http, fixed ${(answerBytes / 1024).toFixed(1)} KB`;
  const rows = await benchHttp(
    [
      { label: 'bare node:http, fixed 2 KB', mode: 'bare-http', settings: {} },
      { label: sizedLabel, mode: 'bare-http', settings: { bytes: String(answerBytes) } },
      { label: 'rdds', mode: 'rdds', settings },
    ],
    paths,
    concurrencies,
    SECONDS * 1000,
    ROUNDS,
    log,
  );
  const of = (label: string) => rows.filter((r) => r.server === label);
  const [bare, bareSized, rdds] = [of('bare node:http, fixed 2 KB'), of(sizedLabel), of('rdds')];
  sections.push(
    `## RDAP\n\n\`GET /rdap/domain/NAME\` from a raw-socket HTTP/1.1 load generator in its own process, on keep-alive connections and with a new connection per request. ${roundsText} ${mixText(paths.length)} ` +
      `All load comes from 127.0.0.1, so rdds runs with rate limits off here (the port-43 section measures their cost); the query log is on. The bare server answers a fixed 2 KB JSON. ` +
      `Targets: at least 0.6 of the bare server's requests/s with keep-alive; p99 under 10 ms at 64 connections.\n\n${httpTable([...bare, ...bareSized, ...rdds])}\n\nrdds requests/s as a share of the bare server's (2 KB): ${throughputRatios(bare, rdds)}.\n\nrdds requests/s as a share of the bare server's with answers of rdds's median size: ${throughputRatios(bareSized, rdds)}.`,
  );
}

// Not in the default list: it needs a built checkout of an earlier commit (BENCH_BASE=/path/to/it).
if (ONLY.includes('before-after')) {
  const base = process.env.BENCH_BASE;
  if (!base) throw new Error('BENCH_ONLY=before-after needs BENCH_BASE, a checkout of the earlier commit with npm ci && npm run build done');
  sections.push(await benchBeforeAfter({ base, jsonl, sqlite, queries: queryMix(), preambles: proxyPreambles(), dataDir: DATA_DIR, seconds: SECONDS, rounds: ROUNDS, log }));
}

const header = `# Benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. ` +
  `The machine is shared and noisy: compare the rows of one run with each other, not across runs.\n`;
// A partial run (BENCH_ONLY) replaces its own sections and keeps the others of the previous file.
const title = (section: string) => section.slice(0, section.indexOf('\n'));
const previous = existsSync(OUT) ? readFileSync(OUT, 'utf8').split(/\n(?=## )/).slice(1).map((s) => s.trimEnd()) : [];
const EARLIER = '(This section is from an earlier run.)';
const kept = previous
  .filter((old) => !sections.some((s) => title(s) === title(old)))
  .map((old) => (old.endsWith(EARLIER) ? old : `${old}\n\n${EARLIER}`));
const all = [...sections, ...kept];
const order = ['## Store', '## Searchable', '## Port 43', '## RDAP', '## Before and after'];
const rank = (s: string) => order.findIndex((prefix) => s.startsWith(prefix));
all.sort((a, b) => rank(a) - rank(b));
writeFileSync(OUT, [header, ...all].join('\n\n') + '\n');
log(`results written to ${OUT}`);
console.log([header, ...sections].join('\n\n'));
