// The policy contract the pipeline calls: who the client is, whether it may ask now, whether it
// may run this query, and how much of a record it may see. One policy for every door.
import type { Gateway } from '../model/gateway.js';
import type { Query, QueryKind } from '../query/query.js';
import type { CidrSet } from './cidr-set.js';
import type { Access, Tier } from './view.js';

/** The doors, in the order reports and metrics list them. */
export const DOORS = ['whois', 'web', 'search', 'rdap', 'gateway'] as const;
export type Door = (typeof DOORS)[number];

/** What a door knows about the other end of a request. */
export interface Remote {
  door: Door;
  /** The peer's address, or the client address a trusted load balancer passed (PROXY protocol, forwarded header). */
  address: string;
  /** The end user's address when a gateway forwards queries for others (the gateway door). */
  endUser?: string;
}

export interface ClientIdentity {
  remote: Remote;
  /** Rate-limit and accounting key: the IPv4 address or the IPv6 prefix (/64 by default). */
  key: string;
  tier: Tier;
  /** For the registrar tier: the registrar this client belongs to. */
  registrarId?: number;
  /** The registered gateway the connection comes from (any door: a gateway's query on port 43 is counted against it). */
  gateway?: Gateway;
  /** The address whose limits and bans apply when it is not the peer's: the end user of a gateway's query. */
  address?: string;
}

export type RefusalReason = 'rate-limited' | 'banned' | 'blocked' | 'too-many-connections';

/** A per-minute query limit: so many queries, counted per IPv4 address or per IPv6 prefix of this length. */
export interface RateLimit {
  perMinute: number;
  ipv6Prefix: number;
}

export type Admission =
  | { admitted: true; /** Delay to apply before answering (throttle mode). */ delayMs?: number }
  | {
      admitted: false;
      reason: RefusalReason;
      /** Lines of text that explain it (without the % prefix). */
      message: string[];
      retryAfterSeconds?: number;
      /** rate-limited: the limit the client went over (RDAP states it in the 429 answer). */
      limit?: RateLimit;
    };

/** The limits in force for one client, as RDAP help tells them. */
export interface ClientLimits {
  /** Queries a minute; undefined: none. */
  rate?: RateLimit;
  /** May run RDAP searches, and how many results one page carries. */
  search: boolean;
  searchPageSize: number;
  /** Authorized tier: unredacted personal records a day (its budget); undefined: none. */
  personalRecordsPerDay?: number;
  /** Registrar tier: full lookups a day (its quota). */
  fullLookupsPerDay?: number;
}

export type ForbiddenReason =
  | 'search-not-allowed'
  | 'personal-search'
  | 'captcha-required'
  | 'captcha-failed'
  /** The gateway door: a connection from no registered gateway, a suspended one, one over its limit, a repeat that is no live request. */
  | 'not-a-gateway'
  | 'gateway-suspended'
  | 'gateway-limited'
  | 'gateway-repeat';

/** Whether this client may run this query (the authorization stage, authorize.ts and gateways.ts). */
export type Authorization =
  | { allowed: true; /** Answer only after this delay (a gateway over its limit, in throttle mode). */ delayMs?: number }
  | {
      allowed: false;
      reason: ForbiddenReason;
      /** personal-search: the field searched by; gateway-suspended: why. */
      detail?: string;
      /** gateway-limited: seconds until the gateway's quota is replenished. */
      retryAfterSeconds?: number;
      /** Close without an answer (a gateway over its limit, in ignore mode). */
      silent?: boolean;
    };

/** What the authorization stage knows of a request: its query, or at least its kind. */
export interface AuthorizationRequest {
  query?: Query;
  kind?: QueryKind;
}

export interface AccessDecision {
  access: Access;
  /** Set when the client's tier was downgraded (quota or budget spent): shown to the client as a notice. */
  notice?: string;
}

/**
 * The connection rules of port 43: which peers are load balancers whose PROXY protocol header is
 * believed, and the per-client cap on concurrent connections.
 */
export interface ConnectionGuard {
  isTrustedProxy(peer: string): boolean;
  /** Counts a client's connection; false when it holds its maximum already. */
  connect(address: string): boolean;
  disconnect(address: string): void;
}

export interface Policy {
  /** Load balancers whose PROXY protocol header or forwarded header is believed (none when absent). */
  readonly trustedProxies?: CidrSet;
  identify(remote: Remote): ClientIdentity;
  /** Decides at once when it can (memory state); a promise when it needs I/O (Redis). */
  admit(client: ClientIdentity): Admission | Promise<Admission>;
  /** May this client run this query (policy/authorize.ts)? At once, or a promise when a captcha solution must be verified. */
  authorize(client: ClientIdentity, request: AuthorizationRequest, proof?: string): Authorization | Promise<Authorization>;
  /** The access this client gets for a record answer, before its personal-data budget is charged. */
  access(client: ClientIdentity): Promise<AccessDecision>;
  /** Counts the unredacted personal records an answer carried against the client's daily budget. */
  charge(client: ClientIdentity, personalRecords: number): Promise<void>;
  /** The limits in force for this client (RDAP help); a policy without limits need not say. */
  limitsFor?(client: ClientIdentity): Promise<ClientLimits>;
  close(): Promise<void>;
}
