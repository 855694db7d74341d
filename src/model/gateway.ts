// A registered gateway of the WHOIS2 gateway service (digest whois-text.md §9): a registrar's or
// hosting company's web site that relays live WHOIS queries for its own visitors, known by the
// addresses it registered. Kept in the Store, so that every node sees the same gateways.

export interface Gateway {
  /** The operator's name for it (letters, digits, dot, dash, underscore). */
  name: string;
  /** Addresses or CIDR ranges it connects from (canonical). */
  addresses: string[];
  /** Queries a minute over all its addresses; absent: gateway.limit_per_minute. */
  limitPerMinute?: number;
  /** Whom to tell about its bad queries. */
  contact?: string;
  /** Set while it may not query: by the operator, or automatically after recurring excess. */
  suspended?: { at: string; reason: string; by: 'operator' | 'automatic' };
  created: string;
}

export const GATEWAY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
