// Port-43 benchmark: rdds against a bare node:net server that answers every query with a fixed
// 2 KB text, measured in the same run at several concurrencies. Queries/s alone cannot tell the
// two apart on a 2-core machine (the load generator takes a core), so the figure that matters is
// the server's own CPU time per query, and the ratio bare/rdds of it.
import { runPort43Load, type LoadResult } from './port43-load.js';
import { interleaved, medianSample, warmUp, type Sample, type Subject } from './rounds.js';
import { fmt } from './stats.js';

/** One server at one concurrency: the medians of its rounds. */
export interface Port43Row extends Sample<LoadResult> {
  server: string;
  concurrency: number;
}

export interface Port43Subject extends Subject {
  /** Lines sent before the queries (PROXY protocol headers), in turn. */
  preambles?: string[];
}

/** Every subject at every concurrency, `rounds` times in turn; the rows hold the medians. */
export async function benchPort43(subjects: Port43Subject[], queries: string[], concurrencies: number[], durationMs: number, rounds: number, log: (msg: string) => void): Promise<Port43Row[]> {
  const results = await interleaved(
    subjects,
    concurrencies,
    rounds,
    (server, subject) => warmUp(queries.length, (ms) => runPort43Load({ port: server.ports.whois, concurrency: 16, durationMs: ms, queries, preambles: subject.preambles })),
    (server, concurrency, subject) => runPort43Load({ port: server.ports.whois, concurrency, durationMs, queries, preambles: subject.preambles }),
    (msg) => log(`port43: ${msg}`),
  );
  return results.map(({ subject, c, samples }) => ({ server: subject.label, concurrency: c, ...medianSample(samples) }));
}

export function port43Table(rows: Port43Row[]): string {
  const lines = rows.map((r) =>
    `| ${r.server} | ${r.concurrency} | ${Math.round(r.load.qps).toLocaleString('en-US')} | ${fmt(r.load.p50ms)} / ${fmt(r.load.p99ms)} ms | ${fmt(r.cpuPerQueryUs, 0)} µs | ${fmt(r.rssMb, 0)} MB | ${r.load.errors} | ${loadCpu(r.load)} |`,
  );
  return ['| server | connections | queries/s | p50 / p99 | server CPU per query | server RSS | errors | load generator CPU |', '| --- | --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}

/** The load generator's CPU time and, when it busy-polls, the part spent working, also per query (to compare with the servers'). */
function loadCpu(load: LoadResult): string {
  const total = `${fmt(load.loadCpuMs / 1000, 1)} s`;
  if (load.loadWorkMs === undefined) return total;
  return `${total} (working: ${fmt(load.loadWorkMs / 1000, 1)} s, ${fmt((load.loadWorkMs * 1000) / (load.qps * load.seconds), 0)} µs a query)`;
}

/** Bare CPU per query divided by the other's, per concurrency (1.0 = as cheap as the bare server). */
export function cpuRatios(bare: Port43Row[], other: Port43Row[]): { concurrency: number; ratio: number }[] {
  return other.map((r) => {
    const b = bare.find((x) => x.concurrency === r.concurrency)!;
    return { concurrency: r.concurrency, ratio: b.cpuPerQueryUs / r.cpuPerQueryUs };
  });
}

/**
 * PROXY protocol v1 lines from 65,536 made-up client addresses (198.18.0.0/15, the benchmarking
 * range; only bytes in a header), so that rdds runs as in production behind a trusted load
 * balancer and its default limits of 30 queries a minute per address hold for every client without
 * refusing the benchmark's own load.
 */
export function proxyPreambles(): string[] {
  return Array.from({ length: 65536 }, (_, n) => `PROXY TCP4 198.18.${n >> 8}.${n & 255} 127.0.0.1 ${1024 + (n % 60000)} 43`);
}
