// The search contract shared by the searchable WHOIS (boolean expressions over many fields), RDAP
// searches (RFC 9082 partial matches on one field), RDAP reverse searches (RFC 9536: domains by
// their contacts) and the Store that answers all three with indexes.
import type { ContactRole } from './types.js';

/** Fields a domain search can name. Patterns take `*` (any run) and `?` (one character). */
export type DomainSearchField =
  | 'domain' // domain name, A-label or U-label
  | 'name' // contact or registrant name (any role)
  | 'org'
  | 'street'
  | 'city'
  | 'sp'
  | 'pc'
  | 'cc'
  | 'email' // contact e-mail (exact, or pattern)
  | 'handle' // contact handle (exact and case-sensitive, or pattern)
  | 'registrar' // IANA ID (exact) or name (pattern)
  | 'ns' // name server name (exact, or pattern)
  | 'nsip'; // name server glue address (exact)

/** The contact fields: a term on one of them may be narrowed to the contact in one role. */
export const CONTACT_SEARCH_FIELDS: readonly DomainSearchField[] = ['name', 'org', 'street', 'city', 'sp', 'pc', 'cc', 'email', 'handle'];

export type SearchExpr =
  /**
   * `role`: only the domain's contact in that role (contact fields only). `whole`: plain text
   * matches the whole value, case-insensitively, instead of a substring (free-text fields).
   */
  | { op: 'term'; field: DomainSearchField; pattern: string; role?: ContactRole; whole?: boolean }
  | { op: 'and'; args: SearchExpr[] }
  | { op: 'or'; args: SearchExpr[] }
  | { op: 'not'; arg: SearchExpr };

/** What domain results can be ordered by (RDAP sort, RFC 8977): the name, or a date and then the name. */
export type DomainOrder = 'name' | 'created' | 'expires';

export interface SearchPage {
  limit: number; // at most this many results
  offset?: number;
  /**
   * Keyset paging: only the results after this one in the order. `key` is its name (domain, host),
   * handle or IANA ID as text; `value` its date for a date order.
   */
  after?: { key: string; value?: string };
  /** Descending instead of ascending. */
  descending?: boolean;
  /** searchDomains only: the order (by name when absent). */
  order?: DomainOrder;
}

export interface SearchResult<T> {
  items: T[];
  /** True when more results exist beyond this page (or beyond the cap). */
  truncated: boolean;
  /** searchDomains in a date order: each item's date, for the next page's `after`. */
  values?: string[];
}
