// One query as the query log keeps it: every door writes the same record.
import type { Door } from '../policy/policy.js';
import type { Tier } from '../policy/view.js';
import type { QueryKind } from '../query/query.js';
import type { Outcome } from '../resolution.js';

/** Why a connection was closed before its query reached the pipeline, and so the query log (metrics count them). */
export const CONNECTION_REFUSALS = ['too-many-connections', 'proxy-header', 'query-too-long', 'timeout'] as const;
export type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];

/**
 * The gateway service's bad-query reasons (the WHOIS2 contract's list, digest whois-text.md §9):
 * the grammar's faults, an end user over their limit or banned, the gateway over its limit, and a
 * repeat pattern that is no live request.
 */
export const GATEWAY_FAULTS = ['format', 'wrong-port', 'false-details', 'not-served', 'end-user-limited', 'end-user-banned', 'gateway-limited', 'repeat'] as const;
export type GatewayBadReason = (typeof GATEWAY_FAULTS)[number];

export interface QueryRecord {
  time: string; // ISO 8601 UTC
  door: Door;
  clientKey: string;
  address: string;
  endUser?: string;
  /** The registered gateway the query came from (the gateway door, or a gateway's query on port 43). */
  gateway?: string;
  /** Why it was a bad query of that gateway. */
  fault?: GatewayBadReason;
  tier: Tier;
  kind: QueryKind | 'unknown';
  query: string; // the normalised query (queryKey), or the reason it could not be parsed
  outcome: Outcome;
  reason?: string; // refusal or forbidden reason, or error text
  objects: number;
  personal: number; // unredacted personal records returned
  latencyMs: number; // to the microsecond
  bytes: number;
}

const text = JSON.stringify;
const num = (n: number) => (Number.isFinite(n) ? n : null);

/**
 * A record as one JSON line: the same JSON as JSON.stringify(rec), written out field by field
 * because the query log does it for every query and the generic walk cost twice as much. Every
 * string that can carry outside text goes through JSON.stringify, so no value can break or forge
 * a line; the time stamp and the fixed vocabularies (door, tier, kind, outcome) are written as they
 * are. test/observe holds the two to the same output.
 */
export function recordLine(r: QueryRecord): string {
  let line = `{"time":"${r.time}","door":"${r.door}","clientKey":${text(r.clientKey)},"address":${text(r.address)}`;
  if (r.endUser !== undefined) line += `,"endUser":${text(r.endUser)}`;
  if (r.gateway !== undefined) line += `,"gateway":${text(r.gateway)}`;
  if (r.fault !== undefined) line += `,"fault":"${r.fault}"`;
  line += `,"tier":"${r.tier}","kind":"${r.kind}","query":${text(r.query)},"outcome":"${r.outcome}"`;
  if (r.reason !== undefined) line += `,"reason":${text(r.reason)}`;
  return `${line},"objects":${num(r.objects)},"personal":${num(r.personal)},"latencyMs":${num(r.latencyMs)},"bytes":${num(r.bytes)}}`;
}

/** Where query records go. record() must never block or throw: a slow sink drops and counts. */
export interface QueryLog {
  record(rec: QueryRecord): void;
  close(): Promise<void>;
}

export const NO_QUERY_LOG: QueryLog = { record() {}, async close() {} };
