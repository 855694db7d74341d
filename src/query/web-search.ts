// The searchable WHOIS form's grammar: an expression (search-expression.ts) and a page number,
// read into one page of a domain search within the configured result cap.
import { BadQuery } from './bad-query.js';
import type { Query } from './query.js';
import { parseSearchExpression, searchKey, type SearchLimits } from './search-expression.js';

export interface WebSearchLimits extends SearchLimits {
  /** Domain names on one page. */
  pageSize: number;
  /** Most results a search can page through. */
  resultCap: number;
}

/** The offset of a page (1-based), or -1 when `page` is not a whole number from 1. */
export function pageOffset(page: number, pageSize: number): number {
  return Number.isSafeInteger(page) && page >= 1 ? (page - 1) * pageSize : -1;
}

/** Reads the expression `q` and the page number into a search query. Throws BadQuery. */
export function webSearchQuery(q: string, page: number, limits: WebSearchLimits): Query {
  const { pageSize, resultCap } = limits;
  const offset = pageOffset(page, pageSize);
  if (q === '') throw new BadQuery('empty search expression');
  if (offset < 0) throw new BadQuery('page must be a whole number from 1');
  if (offset >= resultCap) throw new BadQuery(`only the first ${resultCap} results can be shown; narrow the search`);
  const expr = parseSearchExpression(q, limits);
  return { kind: 'search', expr, text: searchKey(expr), offset, limit: Math.min(pageSize, resultCap - offset) };
}
