// What the cluster proof files share: the refusal texts they expect, waits tied to the fixed
// rate-limit minute, and readers of the nodes' query logs.
import type { QueryRecord } from '../../src/observe/query-record.js';
import { sleep, waitFor } from '../harness/process.js';
import type { RddsNode } from '../harness/rdds-node.js';

/** docs/policy.md: the default refusal and ban texts on port 43. */
export const RATE_REFUSAL = '% You have exceeded allowed connection rate.';
export const BAN_REFUSAL = '% You are not allowed to connect.';

/**
 * Limits count in fixed minutes (floor(now / 60 s), the same on every node). A proof that counts
 * to a limit starts only with `ms` left in the current minute, so its queries share one window.
 */
export async function windowRoom(ms = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await sleep(left + 100);
}

/** The records of one client address on one node. */
export function recordsOf(node: RddsNode, address: string): QueryRecord[] {
  return node.queryLog().filter((r) => r.address === address);
}

/** Waits (bounded) until the nodes' logs together hold `count` records matching `match`; returns them per node. */
export async function loggedRecords(nodes: RddsNode[], match: (r: QueryRecord) => boolean, count: number, timeoutMs = 5_000): Promise<QueryRecord[][]> {
  return waitFor(`${count} matching query-log records on ${nodes.map((n) => n.name).join(', ')}`, () => {
    const per = nodes.map((n) => n.queryLog().filter(match));
    return per.reduce((a, b) => a + b.length, 0) >= count ? per : undefined;
  }, { timeoutMs, everyMs: 100 });
}

/** A random label, so that each proof asks for names no earlier query put in the answer cache. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
