// The search contract shared by the searchable WHOIS (boolean expressions over many fields), RDAP
// searches (RFC 9082 partial matches on one field) and the Store that answers both with indexes.

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
  | 'registrar' // IANA ID (exact) or name (pattern)
  | 'ns' // name server name (exact, or pattern)
  | 'nsip'; // name server glue address (exact)

export type SearchExpr =
  | { op: 'term'; field: DomainSearchField; pattern: string }
  | { op: 'and'; args: SearchExpr[] }
  | { op: 'or'; args: SearchExpr[] }
  | { op: 'not'; arg: SearchExpr };

export interface SearchPage {
  limit: number; // at most this many results
  offset?: number;
}

export interface SearchResult<T> {
  items: T[];
  /** True when more results exist beyond this page (or beyond the cap). */
  truncated: boolean;
}
