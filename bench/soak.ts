// `npm run soak` (not in CI): mixed load on every door of one `rdds serve` process for
// SOAK_MINUTES (default 30) against the 1,000,000-domain demo data set of `npm run bench`
// (bench/.data, built here when it is missing). Once a minute it scrapes the node's /metrics, as
// Prometheus would, for its resident memory, heap, open file descriptors and event-loop delay, and
// at the end it reports the slope of each after the warm-up (target: resident memory growing by
// under 1 MB a minute). Results: stdout and bench/.data/soak-<time>.md.
//
//   SOAK_MINUTES=30  SOAK_WARMUP_MINUTES=5  SOAK_SAMPLE_SECONDS=60  SOAK_RATE=250  BENCH_DOMAINS=1000000
//
// The node runs as in production behind a load balancer: port-43 connections start with a PROXY
// header and HTTP requests carry X-Forwarded-For, from 65,536 made-up public client addresses
// (198.18.0.0/16, the benchmarking range) and an authorised range (198.19.0.0/24) that may search;
// a few heavy hitters go over the rate limit and get refused and banned. The default policy, the
// query log and the captcha are on.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeDemoJsonLines } from '../src/ingest/demo.js';
import { proxyV1 } from '../src/server/proxy-protocol.js';
import { fmt, percentile, Samples } from './stats.js';
import { benchSqliteImport } from './store.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 60) * 1000;
const WARMUP_MINUTES = Number(process.env.SOAK_WARMUP_MINUTES ?? Math.min(5, MINUTES / 3));
/** Queries a second over all doors. */
const RATE = Number(process.env.SOAK_RATE ?? 250);
const DOMAINS = Number(process.env.BENCH_DOMAINS ?? 1_000_000);
const DATA_DIR = join(process.cwd(), 'bench', '.data');
const TIMEOUT_MS = 10000;

const log = (msg: string) => process.stderr.write(`soak: ${msg}\n`);

/** The data set of `npm run bench` (same files, same seed): built only when it is missing. */
async function dataSet(): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const jsonl = join(DATA_DIR, `demo-${DOMAINS}.jsonl`);
  const sqlite = join(DATA_DIR, `demo-${DOMAINS}.sqlite`);
  if (!existsSync(jsonl)) {
    log(`writing the ${DOMAINS.toLocaleString('en-US')}-domain demo data to ${jsonl}`);
    await writeDemoJsonLines(`${jsonl}.tmp`, { domains: DOMAINS, seed: 1 });
    renameSync(`${jsonl}.tmp`, jsonl);
  }
  if (!existsSync(sqlite)) {
    log(`importing it into ${sqlite}`);
    await benchSqliteImport(jsonl, sqlite, () => []);
  }
  return sqlite;
}

/** Names the load asks for: existing domains (ASCII and IDN by U-label), name servers, registrars. */
function names(sqlite: string) {
  const db = new Database(sqlite, { readonly: true });
  const domains = db.prepare("SELECT name FROM domains WHERE name NOT LIKE '%xn--%' ORDER BY random() LIMIT 5000").pluck().all() as string[];
  const idns = (db.prepare("SELECT data FROM domains WHERE name LIKE 'xn--%' ORDER BY random() LIMIT 500").pluck().all() as string[]).map((d) => JSON.parse(d).unicodeName as string);
  const hosts = db.prepare('SELECT name FROM hosts ORDER BY random() LIMIT 1000').pluck().all() as string[];
  const registrars = db.prepare('SELECT iana_id FROM registrars').pluck().all() as number[];
  db.close();
  return { domains, idns, hosts, registrars };
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const publicAddress = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
const authorizedAddress = () => `198.19.0.${Math.floor(Math.random() * 256)}`;
/** Ten addresses that ask far more than 30 times a minute: refusals, strikes and bans in the mix. */
const HEAVY = Array.from({ length: 10 }, (_, i) => `198.18.255.${i}`);
const clientAddress = () => (Math.random() < 0.05 ? pick(HEAVY) : publicAddress());

type Door = 'whois' | 'rdap' | 'web' | 'search';
interface Tally {
  latency: Samples;
  statuses: Map<string, number>;
  failures: number;
  /** Why they failed: error message -> count. */
  why: Map<string, number>;
}

function whoisQuery(port: number, query: string, from: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let first = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('timeout'))), TIMEOUT_MS);
    socket.on('connect', () => socket.write(Buffer.concat([proxyV1(from), Buffer.from(`${query}\r\n`)])));
    socket.on('data', (d) => {
      if (!first) first = d.toString('latin1', 0, 24);
    });
    socket.on('error', (err) => (clearTimeout(timer), reject(err)));
    socket.on('close', () => (clearTimeout(timer), resolve(first.startsWith('%') ? `% ${first.slice(2, 12)}` : first.startsWith('The queried') ? 'not found' : 'answer')));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
function httpGet(port: number, path: string, from: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // One request in four on a new connection, the rest on kept-alive ones.
    const req = http.get({ host: '127.0.0.1', port, path, agent: Math.random() < 0.25 ? false : agent, headers: { 'x-forwarded-for': from }, timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.statusCode)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function mix(ports: { whois: number; http: number }, n: ReturnType<typeof names>): Record<Door, { share: number; ask: () => Promise<string> }> {
  const domain = () => (Math.random() < 0.1 ? pick(n.idns) : Math.random() < 0.2 ? `no-such-${Math.floor(Math.random() * 1e6)}.example` : pick(n.domains));
  return {
    whois: {
      share: 0.4,
      ask: () => {
        const r = Math.random();
        const q = r < 0.8 ? domain() : r < 0.9 ? `nameserver ${pick(n.hosts)}` : r < 0.95 ? `registrar ${pick(n.registrars)}` : pick(['bad..name', 'frobnicate x', 'a'.repeat(2000), '\xff']);
        return whoisQuery(ports.whois, q, clientAddress());
      },
    },
    rdap: {
      share: 0.35,
      ask: () => {
        const r = Math.random();
        const path = r < 0.75 ? `/rdap/domain/${encodeURIComponent(domain())}` : r < 0.85 ? `/rdap/nameserver/${pick(n.hosts)}` : r < 0.9 ? `/rdap/entity/${pick(n.registrars)}` : r < 0.95 ? '/rdap/help' : '/rdap/domain/%FF';
        return httpGet(ports.http, path, clientAddress());
      },
    },
    web: {
      share: 0.2,
      ask: () => httpGet(ports.http, `/whois?q=${encodeURIComponent(domain())}${Math.random() < 0.2 ? '&format=text' : ''}`, clientAddress()),
    },
    search: {
      share: 0.05,
      ask: () => {
        const word = pick(n.domains).split('.')[0].slice(0, 5);
        return httpGet(ports.http, `/search.json?q=${encodeURIComponent(`${word}*`)}`, Math.random() < 0.8 ? authorizedAddress() : publicAddress());
      },
    },
  };
}

interface Sample {
  minute: number;
  rssMb: number;
  heapMb: number;
  fds: number;
  loopP99Ms: number;
  loopMaxMs: number;
  queries: number;
}

function metricValue(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function scrape(adminPort: number, minute: number): Promise<Sample> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const queries = [...text.matchAll(/^rdds_queries_total\{[^}]*\} (\S+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
  return {
    minute,
    rssMb: metricValue(text, 'rdds_process_resident_memory_bytes') / 2 ** 20,
    heapMb: metricValue(text, 'rdds_nodejs_heap_size_used_bytes') / 2 ** 20,
    fds: metricValue(text, 'rdds_process_open_fds'),
    loopP99Ms: metricValue(text, 'rdds_nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metricValue(text, 'rdds_nodejs_eventloop_lag_max_seconds') * 1000,
    queries,
  };
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

async function startNode(sqlite: string): Promise<{ ports: { whois: number; http: number; admin: number }; stop: () => Promise<number | null> }> {
  const dir = join(DATA_DIR, 'soak');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const config = {
    db: sqlite,
    whois: { host: ['127.0.0.1'], port: 0 },
    http: { host: ['127.0.0.1'], port: 0 },
    admin: { host: ['127.0.0.1'], port: 0 },
    log: { dir: join(dir, 'query-log'), format: 'json', level: 'info' },
    policy: { trusted_proxies: ['127.0.0.1/32'], tiers: { authorized: ['198.19.0.0/24'] }, bans_file: join(dir, 'bans.json') },
    rdap: { search_tiers: ['authorized'] },
  };
  const file = join(dir, 'rdds.yaml');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ports = await new Promise<{ whois: number; http: number; admin: number }>((resolve, reject) => {
    let buffered = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg: string; level: number; doors?: Record<string, string[]> };
        if (entry.level >= 40) log(`node: ${line}`);
        if (entry.msg === 'rdds started' && entry.doors) {
          const port = (a: string[]) => Number(a[0].slice(a[0].lastIndexOf(':') + 1));
          resolve({ whois: port(entry.doors.whois), http: port(entry.doors.http), admin: port(entry.doors.admin) });
        }
      }
    });
    void exited.then((code) => reject(new Error(`rdds serve exited with ${code} before it started`)));
  });
  return {
    ports,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

async function main(): Promise<void> {
  const sqlite = await dataSet();
  const sample = names(sqlite);
  const node = await startNode(sqlite);
  log(`node up (${JSON.stringify(node.ports)}); ${MINUTES} minutes at ${RATE} queries/s, samples every ${SAMPLE_MS / 1000} s, warm-up ${WARMUP_MINUTES} minutes`);
  const doors = mix(node.ports, sample);
  const tallies = Object.fromEntries(Object.keys(doors).map((d) => [d, { latency: new Samples(), statuses: new Map(), failures: 0, why: new Map() }])) as Record<Door, Tally>;
  const started = performance.now();
  const end = started + MINUTES * 60_000;
  const samples: Sample[] = [await scrape(node.ports.admin, 0)];
  let inFlight = 0;
  let sent = 0;
  // Paced by the clock: the query due at each tick goes out whether or not earlier ones have come back.
  const ticker = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * RATE);
    for (; sent < due && inFlight < 2000; sent++) {
      const r = Math.random();
      let acc = 0;
      const door = (Object.keys(doors) as Door[]).find((d) => (acc += doors[d].share) > r) ?? 'whois';
      const t0 = performance.now();
      inFlight++;
      doors[door]
        .ask()
        .then(
          (status) => {
            tallies[door].latency.add(performance.now() - t0);
            tallies[door].statuses.set(status, (tallies[door].statuses.get(status) ?? 0) + 1);
          },
          (err: Error) => {
            tallies[door].failures++;
            tallies[door].why.set(err.message, (tallies[door].why.get(err.message) ?? 0) + 1);
          },
        )
        .finally(() => inFlight--);
    }
  }, 5);
  while (performance.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, end - performance.now())));
    const s = await scrape(node.ports.admin, (performance.now() - started) / 60_000);
    samples.push(s);
    log(`minute ${fmt(s.minute, 1)}: RSS ${fmt(s.rssMb, 1)} MB, heap ${fmt(s.heapMb, 1)} MB, ${s.fds} fds, event-loop delay p99 ${fmt(s.loopP99Ms, 1)} ms (max ${fmt(s.loopMaxMs, 1)}), ${s.queries.toLocaleString('en-US')} queries`);
  }
  clearInterval(ticker);
  const drainBy = Date.now() + TIMEOUT_MS + 1000;
  while (inFlight > 0 && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 50));
  agent.destroy();
  const exit = await node.stop();

  const after = samples.filter((s) => s.minute >= WARMUP_MINUTES);
  const per = (key: 'rssMb' | 'heapMb' | 'fds') => slope(after.map((s) => [s.minute, s[key]]));
  const rssSlope = per('rssMb');
  const lines = [
    `## Soak run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `${fmt(MINUTES, 0)} minutes, ${RATE} queries/s offered (${sent.toLocaleString('en-US')} sent) on the ${DOMAINS.toLocaleString('en-US')}-domain SQLite data set; ${cpus().length} cores (shared), Node ${process.version}. ` +
      `Samples every ${SAMPLE_MS / 1000} s from the node's /metrics; slopes by least squares over the samples after a ${fmt(WARMUP_MINUTES, 1)}-minute warm-up. The node exited with ${exit} on SIGTERM.`,
    '',
    '| minute | RSS MB | heap used MB | open fds | event-loop delay p99 / max ms | queries so far |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...samples.map((s) => `| ${fmt(s.minute, 1)} | ${fmt(s.rssMb, 1)} | ${fmt(s.heapMb, 1)} | ${s.fds} | ${fmt(s.loopP99Ms, 1)} / ${fmt(s.loopMaxMs, 1)} | ${s.queries.toLocaleString('en-US')} |`),
    '',
    `Slopes after the warm-up: RSS ${fmt(rssSlope, 3)} MB/min (target under 1), heap ${fmt(per('heapMb'), 3)} MB/min, open fds ${fmt(per('fds'), 2)}/min.`,
    '',
    '| door | answers | failures (why) | p50 ms | p99 ms | outcomes (first bytes / HTTP status) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...(Object.entries(tallies) as [Door, Tally][]).map(([door, t]) => {
      const sorted = t.latency.sorted();
      const outcomes = [...t.statuses].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v.toLocaleString('en-US')}`).join(', ');
      const why = [...t.why].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k}: ${v}`).join(', ');
      return `| ${door} | ${sorted.length.toLocaleString('en-US')} | ${t.failures}${why ? ` (${why})` : ''} | ${fmt(percentile(sorted, 50), 1)} | ${fmt(percentile(sorted, 99), 1)} | ${outcomes} |`;
    }),
  ];
  const report = lines.join('\n') + '\n';
  const out = join(DATA_DIR, `soak-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 16)}.md`);
  writeFileSync(out, report);
  console.log(report);
  log(`written to ${out}`);
  if (!(rssSlope < 1)) process.exitCode = 1;
}

await main();
