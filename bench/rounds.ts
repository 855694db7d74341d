// Measures several servers fairly on a shared, noisy machine: every server under test runs at the
// same time (an idle one costs nothing), and each measurement is repeated in rounds that take the
// servers in turn, so a slow minute of the machine hits all of them alike. Each row reports the
// median of its rounds, column by column.
import { BenchServer } from './child.js';
import type { LoadResult } from './port43-load.js';
import { median } from './stats.js';

export interface Subject {
  label: string;
  mode: 'rdds' | 'bare-net' | 'bare-http';
  settings: Record<string, string>;
  /** The bench server of another build (child.ts); this build's when absent. */
  script?: string;
}

export interface Sample<L extends LoadResult> {
  load: L;
  /** The server's own CPU time per query, from its process accounting. */
  cpuPerQueryUs: number;
  rssMb: number;
  /** Queries the server refused during the run (rdds only; 0 otherwise). */
  refused: number;
}

/**
 * Starts every subject, warms each up once, then for each case runs `rounds` rounds over the
 * subjects. Returns, per case and subject, the samples of every round.
 */
export async function interleaved<S extends Subject, C, L extends LoadResult>(
  subjects: S[],
  cases: C[],
  rounds: number,
  warm: (server: BenchServer, subject: S) => Promise<unknown>,
  run: (server: BenchServer, c: C, subject: S) => Promise<L>,
  log: (msg: string) => void,
): Promise<{ subject: S; c: C; samples: Sample<L>[] }[]> {
  const servers: BenchServer[] = [];
  try {
    for (const s of subjects) servers.push(await BenchServer.start(s.mode, s.settings, s.script));
    for (const [si, server] of servers.entries()) await warm(server, subjects[si]);
    const results = cases.flatMap((c) => subjects.map((subject) => ({ subject, c, samples: [] as Sample<L>[] })));
    for (const [ci, c] of cases.entries()) {
      for (let round = 1; round <= rounds; round++) {
        log(`case ${ci + 1}/${cases.length}, round ${round}/${rounds}`);
        for (const [si, server] of servers.entries()) {
          const before = await server.stats();
          const load = await run(server, c, subjects[si]);
          const after = await server.stats();
          results[ci * subjects.length + si].samples.push({ load, cpuPerQueryUs: ((after.cpuMs - before.cpuMs) * 1000) / Math.max(1, load.queries), rssMb: after.rss / 1e6, refused: (after.refused ?? 0) - (before.refused ?? 0) });
        }
      }
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/**
 * Warms a server up with runs of the load (which sends its queries in order from the first)
 * until one run got through every query of the mix: a cold cache answers slowly, and a first
 * measured round that still filled it would not be like the others.
 */
export async function warmUp(distinct: number, run: (durationMs: number) => Promise<LoadResult>): Promise<void> {
  let ms = 2000;
  for (let tries = 0; tries < 5; tries++) {
    const load = await run(ms);
    if (load.queries >= distinct) return;
    ms = Math.min(30_000, Math.ceil((ms * 1.5 * distinct) / Math.max(1, load.queries)));
  }
}

/** The median of every figure over the rounds (each column on its own; RSS the largest, refusals their sum). */
export function medianSample<L extends LoadResult>(samples: Sample<L>[]): Sample<L> {
  const m = (f: (s: Sample<L>) => number) => median(samples.map(f));
  return {
    load: {
      ...samples[0].load,
      queries: m((s) => s.load.queries),
      errors: m((s) => s.load.errors),
      seconds: m((s) => s.load.seconds),
      qps: m((s) => s.load.qps),
      p50ms: m((s) => s.load.p50ms),
      p99ms: m((s) => s.load.p99ms),
      loadCpuMs: m((s) => s.load.loadCpuMs),
      loadWorkMs: samples[0].load.loadWorkMs === undefined ? undefined : m((s) => s.load.loadWorkMs ?? 0),
    },
    cpuPerQueryUs: m((s) => s.cpuPerQueryUs),
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
    refused: samples.reduce((sum, s) => sum + s.refused, 0),
  };
}
