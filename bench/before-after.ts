// rdds as it is against rdds at an earlier commit (BENCH_BASE: a built checkout of it), each beside
// the bare servers, in the same interleaved rounds: the check of issue #13 (the ratios within 5% of
// those before the change). Both serve the same demo data, each from a SQLite file its own
// importer wrote from the same JSON Lines file, and get the same query mix.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchPort43, cpuRatios, port43Table, type Port43Row, type Port43Subject } from './port43.js';
import { benchHttp, httpTable, type HttpRow } from './rdap.js';
import { fmt } from './stats.js';

export interface BeforeAfterInput {
  /** The earlier build's checkout (its dist/ built). */
  base: string;
  jsonl: string;
  /** This build's SQLite file of the data. */
  sqlite: string;
  queries: string[];
  /** PROXY protocol lines for port 43 (as the port-43 section sends them). */
  preambles: string[];
  dataDir: string;
  seconds: number;
  rounds: number;
  log: (msg: string) => void;
}

/** The commit of a checkout, short. */
function commitOf(dir: string): string {
  return execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
}

/** The earlier build's own SQLite file of the same data, imported by its own `rdds import` once. */
function baseDatabase(input: BeforeAfterInput, commit: string): string {
  const db = join(input.dataDir, `demo-base-${commit}-${input.jsonl.replace(/.*demo-/, '').replace('.jsonl', '')}.sqlite`);
  if (!existsSync(db)) {
    input.log(`before-after: importing the data with the build at ${commit}`);
    execFileSync(process.execPath, [join(input.base, 'dist/src/cli/main.js'), 'import', input.jsonl, '--db', db], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return db;
}

export async function benchBeforeAfter(input: BeforeAfterInput): Promise<string> {
  const commit = commitOf(input.base);
  const now = commitOf(process.cwd());
  const script = join(input.base, 'dist/bench/server-child.js');
  if (!existsSync(script)) throw new Error(`BENCH_BASE ${input.base}: no dist/bench/server-child.js (run npm ci && npm run build there)`);
  const baseVersion = JSON.parse(readFileSync(join(input.base, 'package.json'), 'utf8')).version as string;
  const baseDb = baseDatabase(input, commit);
  const logDir = join(input.dataDir, 'query-log');
  const production = (db: string) => ({ db, 'policy.trusted_proxies': '127.0.0.1/32', 'log.dir': logDir, 'log.level': 'warn' });
  const labels = { bare: 'bare node:net, fixed 2 KB', before: `rdds at ${commit} (before)`, after: `rdds at ${now} (now)` };

  const port43Subjects: Port43Subject[] = [
    { label: labels.bare, mode: 'bare-net', settings: {} },
    { label: labels.before, mode: 'rdds', settings: production(baseDb), script, preambles: input.preambles },
    { label: labels.after, mode: 'rdds', settings: production(input.sqlite), preambles: input.preambles },
  ];
  const p43 = await benchPort43(port43Subjects, input.queries, [16, 64], input.seconds * 1000, input.rounds, input.log);
  const of43 = (label: string) => p43.filter((r: Port43Row) => r.server === label);
  const cpuBefore = cpuRatios(of43(labels.bare), of43(labels.before));
  const cpuAfter = cpuRatios(of43(labels.bare), of43(labels.after));

  const httpLabels = { bare: 'bare node:http, fixed 2 KB', before: labels.before, after: labels.after };
  const noLimits = (db: string) => ({ db, 'policy.rate_limit.per_minute': '0', 'log.dir': logDir, 'log.level': 'warn' });
  const paths = input.queries.map((n) => `/rdap/domain/${n}`);
  const rdap = await benchHttp(
    [
      { label: httpLabels.bare, mode: 'bare-http', settings: {} },
      { label: httpLabels.before, mode: 'rdds', settings: noLimits(baseDb), script },
      { label: httpLabels.after, mode: 'rdds', settings: noLimits(input.sqlite) },
    ],
    paths,
    [16, 64],
    input.seconds * 1000,
    input.rounds,
    input.log,
  );
  const ofHttp = (label: string) => rdap.filter((r: HttpRow) => r.server === label);
  const share = (rows: HttpRow[]) => rows.map((r) => ({ r, bare: ofHttp(httpLabels.bare).find((b) => b.keepAlive === r.keepAlive && b.concurrency === r.concurrency)! }));
  const rdapBefore = share(ofHttp(httpLabels.before));
  const rdapAfter = share(ofHttp(httpLabels.after));

  const port43Lines = cpuAfter.map((a, i) => `${a.concurrency} connections: before ${fmt(cpuBefore[i].ratio)}, now ${fmt(a.ratio)} (now / before ${fmt(a.ratio / cpuBefore[i].ratio)})`);
  const rdapLines = rdapAfter.map(({ r, bare }, i) => {
    const before = rdapBefore[i].r.load.qps / rdapBefore[i].bare.load.qps;
    const after = r.load.qps / bare.load.qps;
    return `${r.keepAlive ? 'keep-alive' : 'new connection'} × ${r.concurrency}: before ${fmt(before)}, now ${fmt(after)} (now / before ${fmt(after / before)})`;
  });
  return (
    `## Before and after the architecture change (issue #13)\n\n` +
    `rdds now (${now}) and rdds at ${commit} (version ${baseVersion}, the last commit before issue #13's change; BENCH_BASE), each beside the bare servers, ` +
    `in the same interleaved rounds (${input.rounds} of ${input.seconds} s, medians): port 43 as in the port-43 section (PROXY headers from 65,536 addresses, default policy, query log on), ` +
    `RDAP as in the RDAP section (rate limits off, query log on). Each serves the same ${input.queries.length.toLocaleString('en-US')}-query mix from the same data, imported by its own build. ` +
    `"Now" holds every change since, not only issue #13's. Target: each ratio now within 5% of before (now / before at least 0.95).\n\n` +
    `${port43Table(p43)}\n\n${httpTable(rdap)}\n\n` +
    `- Port 43, CPU per query, bare / rdds: ${port43Lines.join('; ')}.\n` +
    `- RDAP, requests/s as a share of the bare server's: ${rdapLines.join('; ')}.`
  );
}
