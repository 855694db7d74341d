// `npm run fuzz [-- TARGET...]`: a coverage-guided fuzzer of the parsers in fuzz/targets.ts, run
// for a fixed time (FUZZ_SECONDS in all, default 300, shared by the targets; FUZZ_SEED picks the
// mutations). Coverage is istanbul's counters of the src/ modules (fuzz/register.mjs); an input
// that reaches a new counter, or a counter's new order of magnitude, joins the corpus. Why not
// Jazzer.js or AFL++: docs/reliability.md, "Fuzzing".
//
// Findings (an exception or a broken check, an input slower than FUZZ_SLOW_MS, one that hangs for
// FUZZ_HANG_MS) are written to fuzz/out/TARGET/ and make the run exit non-zero; the corpus grown
// is kept in fuzz/out/TARGET/corpus/ and read again by the next run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { TARGETS, type FuzzTarget } from './targets.js';

const OUT = new URL('./out/', import.meta.url);
const DOCS = new URL('../docs/reliability.md', import.meta.url);
const seconds = Number(process.env.FUZZ_SECONDS ?? 300);
const slowMs = Number(process.env.FUZZ_SLOW_MS ?? 250);
const hangMs = Number(process.env.FUZZ_HANG_MS ?? 10000);
let rng = Number(process.env.FUZZ_SEED ?? 1) >>> 0 || 1;

/** xorshift32: the same seed makes the same mutations. */
function random(n: number): number {
  rng ^= rng << 13;
  rng >>>= 0;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  rng >>>= 0;
  return rng % n;
}

// --- coverage --------------------------------------------------------------------------------
type Counters = Record<string, number> | number[];
interface FileCoverage {
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

/** Every counter of the instrumented modules, read and zeroed after each execution. */
class Coverage {
  private holders: Counters[] = [];
  private keys: (string | number)[] = [];
  private files = 0;
  /** Per counter, the count buckets (1, 2-3, 4-15, 16+) seen so far, as bits. */
  private seen = new Uint8Array(0);
  features = 0;

  private refresh(): void {
    const all = (globalThis as { __rddsFuzzCoverage?: Record<string, FileCoverage> }).__rddsFuzzCoverage;
    if (!all) throw new Error('no coverage counters: run through npm run fuzz (node --import tsx --import ./fuzz/register.mjs)');
    const files = Object.values(all);
    if (files.length === this.files) return;
    this.holders = [];
    this.keys = [];
    for (const file of files) {
      for (const k of Object.keys(file.s)) this.holders.push(file.s), this.keys.push(k);
      for (const k of Object.keys(file.f)) this.holders.push(file.f), this.keys.push(k);
      for (const arms of Object.values(file.b)) for (let i = 0; i < arms.length; i++) this.holders.push(arms), this.keys.push(i);
    }
    const seen = new Uint8Array(this.holders.length);
    seen.set(this.seen.subarray(0, Math.min(this.seen.length, seen.length))); // modules load in order: old indices stay
    this.seen = seen;
    this.files = files.length;
  }

  /** Reads and zeroes every counter; how many new features this execution reached. */
  collect(): number {
    this.refresh();
    let fresh = 0;
    const { holders, keys, seen } = this;
    for (let i = 0; i < holders.length; i++) {
      const c = (holders[i] as Record<string | number, number>)[keys[i]];
      if (c === 0) continue;
      (holders[i] as Record<string | number, number>)[keys[i]] = 0;
      const bit = c === 1 ? 1 : c < 4 ? 2 : c < 16 ? 4 : 8;
      if ((seen[i] & bit) === 0) {
        seen[i] |= bit;
        fresh++;
      }
    }
    this.features += fresh;
    return fresh;
  }

  /** Counters reached at least once, and all counters of the modules loaded. */
  reached(): [number, number] {
    return [this.seen.reduce((n, s) => n + (s ? 1 : 0), 0), this.seen.length];
  }

  reset(): void {
    this.collect();
    this.seen.fill(0);
    this.features = 0;
  }
}

// --- mutation --------------------------------------------------------------------------------
const INTERESTING = [0x00, 0x09, 0x0a, 0x0d, 0x20, 0x22, 0x25, 0x27, 0x2a, 0x2e, 0x2f, 0x3a, 0x3c, 0x3f, 0x5c, 0x7f, 0x80, 0xc0, 0xe2, 0xed, 0xef, 0xff];

function mutate(input: Buffer, target: FuzzTarget, corpus: Buffer[], tokens: Buffer[]): Buffer {
  let b = Buffer.from(input);
  for (let n = 1 + random(4); n > 0; n--) {
    const at = random(b.length + 1);
    switch (random(9)) {
      case 0:
        if (b.length) b[at % b.length] ^= 1 << random(8);
        break;
      case 1:
        if (b.length) b[at % b.length] = random(256);
        break;
      case 2:
        if (b.length) b[at % b.length] = INTERESTING[random(INTERESTING.length)];
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + random(4) }, () => random(256))), b.subarray(at)]);
        break;
      case 4:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + random(8))]);
        break;
      case 5: {
        const len = 1 + random(16);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 6:
      case 7: {
        const token = tokens[random(tokens.length)];
        b = Buffer.concat([b.subarray(0, at), token, b.subarray(random(2) ? at : at + token.length)]);
        break;
      }
      case 8: {
        const other = corpus[random(corpus.length)];
        b = Buffer.concat([b.subarray(0, at), other.subarray(random(other.length + 1))]);
        break;
      }
    }
  }
  return b.length > target.maxLength ? b.subarray(0, target.maxLength) : b;
}

// --- the hang watchdog -------------------------------------------------------------------------
// A thread of its own sees an execution that does not return (the main thread is stuck in it),
// saves its input and ends the process.
const MAX_INPUT = Math.max(...TARGETS.map((t) => t.maxLength));
const shared = new SharedArrayBuffer(8 + MAX_INPUT);
const state = new Int32Array(shared, 0, 2); // [executions, input length]
const current = new Uint8Array(shared, 8);
const watchdog = new Worker(
  `const { workerData: { shared, hangMs }, parentPort } = require('node:worker_threads');
   const fs = require('node:fs');
   const state = new Int32Array(shared, 0, 2);
   let file, last = -1, since = Date.now();
   parentPort.on('message', (m) => { file = m; });
   setInterval(() => {
     const n = Atomics.load(state, 0);
     if (n !== last) { last = n; since = Date.now(); return; }
     if (file && Date.now() - since >= hangMs) {
       fs.writeFileSync(file, Buffer.from(new Uint8Array(shared, 8, Atomics.load(state, 1))));
       console.error('HANG: an input ran for ' + hangMs + ' ms; saved in ' + file);
       process.kill(process.pid, 'SIGKILL');
     }
   }, 250).unref();`,
  { eval: true, workerData: { shared, hangMs } },
);
watchdog.unref();

// --- the run ---------------------------------------------------------------------------------
interface Result {
  name: string;
  executions: number;
  corpus: number;
  reached: [number, number];
  findings: string[];
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex').slice(0, 16);

function fuzz(target: FuzzTarget, budgetMs: number, coverage: Coverage): Result {
  const dir = new URL(`${target.name}/`, OUT);
  const corpusDir = new URL('corpus/', dir);
  mkdirSync(corpusDir, { recursive: true });
  watchdog.postMessage(new URL(`hang-${target.name}`, dir).pathname);
  const tokens = target.dictionary.map((t) => Buffer.from(t, target.name === 'rdap-request' || target.name === 'http-target' ? 'latin1' : 'utf8'));
  const findings = new Map<string, string>();
  let executions = 0;

  const execute = (input: Buffer): number => {
    current.set(input);
    Atomics.store(state, 1, input.length);
    Atomics.add(state, 0, 1);
    executions++;
    const started = performance.now();
    let failure: string | undefined;
    try {
      target.run(input);
    } catch (err) {
      failure = `${(err as Error)?.name ?? 'Error'}: ${String((err as Error)?.message ?? err).split('\n')[0].slice(0, 160)}`;
    }
    let ms = performance.now() - started;
    // Slow only if it stays slow: a garbage collection or a busy machine is no finding.
    for (let again = 0; again < 3 && !failure && ms > slowMs; again++) {
      const t = performance.now();
      target.run(input);
      ms = Math.min(ms, performance.now() - t);
    }
    if (!failure && ms > slowMs) failure = `slow: ${ms.toFixed(0)} ms`;
    // One finding per kind of failure: the message without the input it quotes.
    const kind = failure?.split(/ in | of | from |: (?=\S*[^\w\s])/).slice(0, 2).join(': ').replace(/\d+/g, 'N');
    if (failure && kind && !findings.has(kind)) {
      const file = new URL(`finding-${sha1(input)}`, dir);
      writeFileSync(file, input);
      findings.set(kind, file.pathname);
      console.log(`  ${target.name}: ${failure}\n    input: ${file.pathname}`);
    }
    return coverage.collect();
  };

  coverage.reset();
  const corpus: Buffer[] = [];
  const saved = existsSync(corpusDir) ? readdirSync(corpusDir).map((f) => readFileSync(new URL(f, corpusDir))) : [];
  for (const seed of [...target.seeds.map((s) => Buffer.from(s)), ...saved].map((s) => s.subarray(0, target.maxLength))) {
    execute(seed);
    corpus.push(seed);
  }
  const deadline = performance.now() + budgetMs;
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) {
      const child = mutate(corpus[random(corpus.length)], target, corpus, tokens);
      if (execute(child) > 0) {
        corpus.push(child);
        writeFileSync(new URL(sha1(child), corpusDir), child);
      }
    }
  }
  return { name: target.name, executions, corpus: corpus.length, reached: coverage.reached(), findings: [...findings].map(([kind, file]) => `${kind} (${file})`) };
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !TARGETS.some((t) => t.name === w));
if (unknown.length) {
  console.error(`fuzz: unknown target ${unknown.join(', ')} (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  process.exit(2);
}
const targets = wanted.length ? TARGETS.filter((t) => wanted.includes(t.name)) : TARGETS;
const coverage = new Coverage();
const results: Result[] = [];
console.log(`fuzz: ${targets.length} targets, ${seconds} s in all, seed ${rng}`);
for (const target of targets) {
  const r = fuzz(target, (seconds * 1000) / targets.length, coverage);
  results.push(r);
  console.log(`  ${r.name}: ${r.executions.toLocaleString('en-US')} executions, corpus ${r.corpus}, ${r.reached[0]}/${r.reached[1]} counters reached, ${r.findings.length} findings`);
}

const table = [
  `Run of ${new Date().toISOString().slice(0, 10)}: \`FUZZ_SECONDS=${seconds} FUZZ_SEED=${process.env.FUZZ_SEED ?? 1} npm run fuzz\`, ${(seconds / targets.length).toFixed(0)} s a target, on Node ${process.version}.`,
  '',
  '| target | executions | per second | corpus | counters reached | findings |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...results.map((r) => `| ${r.name} | ${r.executions.toLocaleString('en-US')} | ${Math.round(r.executions / (seconds / targets.length)).toLocaleString('en-US')} | ${r.corpus} | ${r.reached[0]} of ${r.reached[1]} | ${r.findings.length ? r.findings.map((f) => f.replace(/ \(.*\)$/, '').replace(/\|/g, '\\|')).join('; ') : 'none'} |`),
].join('\n');
// The figures go to docs/reliability.md after a full run (all targets), between its markers.
if (!wanted.length && process.env.FUZZ_DOCS !== '0' && existsSync(DOCS)) {
  const doc = readFileSync(DOCS, 'utf8');
  const start = '<!-- fuzz-results:start -->';
  const end = '<!-- fuzz-results:end -->';
  if (doc.includes(start) && doc.includes(end)) {
    writeFileSync(DOCS, `${doc.slice(0, doc.indexOf(start) + start.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`);
    console.log('fuzz: figures written to docs/reliability.md');
  }
}
const found = results.reduce((n, r) => n + r.findings.length, 0);
console.log(found ? `fuzz: ${found} findings; inputs in fuzz/out/` : 'fuzz: no findings');
process.exit(found ? 1 : 0);
