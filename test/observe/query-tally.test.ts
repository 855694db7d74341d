// The query counts and latency histogram kept in plain arrays must read exactly like the
// prom-client metrics they replaced: the same series, labels and values for the same queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { Metrics } from '../../src/observe/metrics.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import { OUTCOMES } from '../../src/resolution.js';
import { DOORS } from '../../src/policy/policy.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

/** The lines of one family in a registry's text. */
function family(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name}_`) || line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `));
}

test('query counts and latencies read as prom-client would have written them', async () => {
  const metrics = new Metrics({}, { processMetrics: false });
  const reference = new Registry();
  const queries = new Counter({ name: 'rdds_queries_total', help: 'Queries by door and outcome', labelNames: ['door', 'outcome'], registers: [reference] });
  const latency = new Histogram({ name: 'rdds_query_duration_seconds', help: 'Time from the query to its answer, by door', labelNames: ['door'], buckets: BUCKETS, registers: [reference] });
  for (const door of DOORS) {
    for (const outcome of OUTCOMES) queries.inc({ door, outcome }, 0);
    latency.zero({ door });
  }

  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // Values on the bucket bounds too: a bound belongs to its own bucket (le = "less or equal").
  const latenciesMs = [...BUCKETS.map((b) => b * 1000), 0, 7000, ...Array.from({ length: 500 }, () => random() ** 3 * 3000)];
  for (const [i, latencyMs] of latenciesMs.entries()) {
    const door = DOORS[i % 3]; // 'rdap' stays at zero
    const outcome = OUTCOMES[Math.floor(i / 3) % OUTCOMES.length]; // every door gets every outcome
    metrics.observeQuery({ door, outcome, latencyMs, reason: 'rate-limited' } as QueryRecord);
    queries.inc({ door, outcome });
    latency.observe({ door }, latencyMs / 1000);
  }

  const ours = await metrics.text();
  const theirs = await reference.metrics();
  for (const name of ['rdds_queries_total', 'rdds_query_duration_seconds']) {
    const expected = family(theirs, name);
    assert.ok(expected.length > 20, `reference has ${name}`);
    assert.deepEqual(family(ours, name), expected);
  }
  assert.match(ours, /^rdds_query_duration_seconds_count\{door="rdap"\} 0$/m);
  assert.match(ours, /^rdds_refusals_total\{door="whois",reason="rate-limited"\} \d+$/m);
});

test('a latency that is not a number is counted as a query but kept out of the histogram; reset starts again', async () => {
  const metrics = new Metrics({}, { processMetrics: false });
  metrics.observeQuery({ door: 'whois', outcome: 'answered', latencyMs: 2 } as QueryRecord);
  metrics.observeQuery({ door: 'whois', outcome: 'answered', latencyMs: NaN } as QueryRecord);
  let text = await metrics.text();
  assert.match(text, /^rdds_queries_total\{door="whois",outcome="answered"\} 2$/m);
  assert.match(text, /^rdds_query_duration_seconds_count\{door="whois"\} 1$/m);
  assert.match(text, /^rdds_query_duration_seconds_sum\{door="whois"\} 0.002$/m);
  await metrics.registry.resetMetrics();
  text = await metrics.text();
  assert.match(text, /^rdds_queries_total\{door="whois",outcome="answered"\} 0$/m);
  assert.match(text, /^rdds_query_duration_seconds_count\{door="whois"\} 0$/m);
});
