// The queries every door asks of the pipeline, and what a door's grammar makes of a request.
// Port 43, the web pages and RDAP each parse their own syntax (the grammars beside this file) into
// these; from here on the path is the same.
import type { SearchExpr } from '../model/search.js';
import { BadQuery, type GatewayFault } from './bad-query.js';
import type { RdapPaging, RdapSearch } from './rdap-search.js';

export type Query =
  | { kind: 'domain'; name: string; uName?: string }
  | { kind: 'nameserver'; name: string }
  | { kind: 'nameserver-ip'; address: string }
  | { kind: 'registrar-id'; ianaId: number }
  | { kind: 'registrar-name'; name: string }
  | { kind: 'contact'; handle: string }
  /** Searchable WHOIS: `text` is the expression's stable form (search-expression.ts searchKey). */
  | { kind: 'search'; expr: SearchExpr; text: string; offset: number; limit: number }
  /** RDAP search (RFC 9082 §3.2) or reverse search (RFC 9536): pages of `limit` results (RFC 8977); `text` is its stable form with its sort (rdapSearchKey). */
  | { kind: 'rdap-search'; search: RdapSearch; text: string; limit: number; paging: RdapPaging }
  | { kind: 'help' };

export type QueryKind = Query['kind'];

/**
 * A request as its door's grammar read it: the query, or why it is malformed (`error`), and what
 * the door's renderer needs to know about the request (`context`). `kind` is known even for a
 * malformed request when the request names it (a search form, an RDAP search path), so that the
 * authorization stage can refuse a search before anyone hears what was wrong with it.
 */
export interface Parsed<C = undefined> {
  query?: Query;
  kind?: QueryKind;
  error?: { message: string; unsupported: boolean; gatewayFault?: GatewayFault };
  context: C;
}

/** A stable text form of a query: the query log's normalised query. */
export function queryKey(q: Query): string {
  switch (q.kind) {
    case 'domain':
    case 'nameserver':
    case 'registrar-name':
      return `${q.kind} ${q.name.toLowerCase()}`;
    case 'nameserver-ip':
      return `${q.kind} ${q.address}`;
    case 'registrar-id':
      return `${q.kind} ${q.ianaId}`;
    case 'contact':
      return `${q.kind} ${q.handle}`;
    case 'search':
      return `${q.kind} ${q.text} [${q.offset}+${q.limit}]`;
    case 'rdap-search':
      return `${q.kind} ${q.text} [${q.limit}]${q.paging.page > 1 ? ` page ${q.paging.page}` : ''}`;
    case 'help':
      return 'help';
  }
}

/** The queried object's name as a not-found answer repeats it. */
export function queriedText(q: Query): string {
  switch (q.kind) {
    case 'domain':
      return q.uName ?? q.name;
    case 'nameserver':
    case 'registrar-name':
      return q.name;
    case 'nameserver-ip':
      return q.address;
    case 'registrar-id':
      return String(q.ianaId);
    case 'contact':
      return q.handle;
    case 'search':
    case 'rdap-search':
      return q.text;
    case 'help':
      return '';
  }
}

/** Runs a grammar: the query it read, or the BadQuery it threw, as a Parsed request. */
export function parseWith<C>(context: C, grammar: () => Query, kind?: QueryKind): Parsed<C> {
  try {
    const query = grammar();
    return { query, kind: query.kind, context };
  } catch (err) {
    if (err instanceof BadQuery) {
      const error = err.gatewayFault ? { message: err.message, unsupported: err.unsupported, gatewayFault: err.gatewayFault } : { message: err.message, unsupported: err.unsupported };
      return { kind, error, context };
    }
    throw err;
  }
}
