// Runs the port-43 load generator (bench/port43-load.c: why it is C is said there), compiling it
// with the system's C compiler on first use, and reads back what it measured.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './stats.js';

export interface LoadResult {
  queries: number;
  errors: number;
  seconds: number;
  qps: number;
  p50ms: number;
  p99ms: number;
  loadCpuMs: number;
  /** The load generator's CPU time less its polls that found nothing (it never sleeps; port 43 only). */
  loadWorkMs?: number;
}

export interface LoadOptions {
  port: number;
  concurrency: number;
  durationMs: number;
  /** Query lines (without CRLF), used round-robin. */
  queries: string[];
  /** Lines sent before the query (a PROXY protocol header, without CRLF): message n gets preambles[n % length]. */
  preambles?: string[];
}

// From dist/bench/ (where the compiled benchmark runs) to the repository's bench/.
const SOURCE = fileURLToPath(new URL('../../bench/port43-load.c', import.meta.url));
const BINARY = fileURLToPath(new URL('../../bench/.data/port43-load', import.meta.url));

/** Compiles the generator when it is missing or older than its source. */
function loadGenerator(): string {
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    mkdirSync(join(BINARY, '..'), { recursive: true });
    try {
      execFileSync(process.env.CC ?? 'cc', ['-O2', '-Wall', '-o', BINARY, SOURCE], { stdio: 'inherit' });
    } catch (err) {
      throw new Error(`the port-43 benchmark needs a C compiler (cc, or CC=...) to build ${SOURCE}: ${(err as Error).message}`);
    }
  }
  return BINARY;
}

export async function runPort43Load(opts: LoadOptions): Promise<LoadResult> {
  const binary = loadGenerator();
  const dir = mkdtempSync(join(tmpdir(), 'rdds-port43-load-'));
  try {
    const queriesFile = join(dir, 'queries');
    writeFileSync(queriesFile, opts.queries.map((q) => `${q}\n`).join(''));
    let preamblesFile = '-';
    if (opts.preambles) writeFileSync((preamblesFile = join(dir, 'preambles')), opts.preambles.map((p) => `${p}\n`).join(''));
    const latenciesFile = join(dir, 'latencies');
    const args = [opts.port, opts.concurrency, opts.durationMs, queriesFile, preamblesFile, latenciesFile].map(String);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(binary, args, (err, out, errText) => (err ? reject(new Error(`port43-load failed: ${errText || err.message}`)) : resolve(out))),
    );
    const summary = JSON.parse(stdout) as { queries: number; errors: number; seconds: number; cpuMs: number; emptyPollsMs: number };
    const raw = readFileSync(latenciesFile);
    const latencies = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)).sort();
    return {
      queries: summary.queries,
      errors: summary.errors,
      seconds: summary.seconds,
      qps: summary.queries / summary.seconds,
      p50ms: percentile(latencies, 50),
      p99ms: percentile(latencies, 99),
      loadCpuMs: summary.cpuMs,
      loadWorkMs: Math.max(0, summary.cpuMs - summary.emptyPollsMs),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
