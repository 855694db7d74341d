// One query as the query log keeps it: every door writes the same record.
import type { Door } from '../policy/policy.js';
import type { Tier } from '../policy/view.js';
import type { QueryKind } from '../query/query.js';

export const OUTCOMES = ['answered', 'not-found', 'refused', 'bad-query', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface QueryRecord {
  time: string; // ISO 8601 UTC
  door: Door;
  clientKey: string;
  address: string;
  endUser?: string;
  tier: Tier;
  kind: QueryKind | 'unknown';
  query: string; // the normalised query (queryKey), or the reason it could not be parsed
  outcome: Outcome;
  reason?: string; // refusal reason or error text
  objects: number;
  personal: number; // unredacted personal records returned
  latencyMs: number;
  bytes: number;
}

/** Where query records go. record() must never block or throw: a slow sink drops and counts. */
export interface QueryLog {
  record(rec: QueryRecord): void;
  close(): Promise<void>;
}

export const NO_QUERY_LOG: QueryLog = { record() {}, async close() {} };
