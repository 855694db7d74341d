// Runs an attack while the well-behaved client (good-client.ts, its own process) keeps asking
// every door, then checks what the suite promises for each attack: the server is still running,
// and the good client got every answer, with p99 under 50 ms on each door.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { GoodClientReport } from './good-client.js';
import type { ServerNode } from './node.js';

export const P99_LIMIT_MS = 50;
const GOOD_CLIENT = fileURLToPath(new URL('./good-client.ts', import.meta.url));

/** The figures of one attack, one line per door, for the test's diagnostics and the docs. */
export function describeReport(report: GoodClientReport): string {
  return Object.entries(report)
    .map(([door, r]) => `${door}: ${r.samples} answers, ${r.failures} failures, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`)
    .join('; ');
}

/**
 * Runs `attack` with the good client alongside (for at least minMs, so that it has enough
 * samples for a p99), and asserts the suite's promises. Returns the good client's report.
 */
export async function alongside(node: ServerNode, attack: () => Promise<void>, options: { minMs?: number; diagnostic?: (msg: string) => void } = {}): Promise<GoodClientReport> {
  const good = fork(GOOD_CLIENT, [JSON.stringify({ whois: node.ports.whois, http: node.ports.http })], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => good.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      good.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`good client: ${String(m)}`))));
      good.once('exit', (code) => reject(new Error(`good client exited with ${code}`)));
    });
    const started = Date.now();
    await attack();
    const rest = (options.minMs ?? 5000) - (Date.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    const report = await new Promise<GoodClientReport>((resolve) => {
      good.once('message', (m) => resolve(m as GoodClientReport));
      good.send('stop');
    });
    await exited;
    options.diagnostic?.(`good client: ${describeReport(report)}`);
    assert.ok(node.alive, `the server exited during the attack:\n${node.output.slice(-20).join('\n')}`);
    for (const [door, r] of Object.entries(report)) {
      assert.equal(r.failures, 0, `${door}: the good client got ${r.failures} failed answers: ${r.errors.join(' | ')}`);
      assert.ok(r.samples >= 20, `${door}: only ${r.samples} answers`);
      assert.ok(r.p99 < P99_LIMIT_MS, `${door}: p99 ${r.p99.toFixed(1)} ms (limit ${P99_LIMIT_MS} ms)`);
    }
    return report;
  } finally {
    good.kill();
  }
}
