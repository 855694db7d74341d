// Properties of every grammar in src/query/: only the grammar's own BadQuery escapes, the same
// input is read the same way every time, what is accepted re-reads to the same query from its
// stable form, and an error message is short and safe to show (the checks are in checks.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadQuery } from '../../src/query/bad-query.js';
import type { Query } from '../../src/query/query.js';
import { searchKey } from '../../src/query/search-expression.js';
import { webSearchQuery } from '../../src/query/web-search.js';
import { nastyText, rdapRequest, searchText, whoisBytes, whoisLine } from './arbitraries.js';
import { checkRdapRequest, checkSearchExpression, checkWebLookup, checkWhoisBytes } from './checks.js';
import { assertSafeMessage, onlyThrows, runs } from './invariants.js';

const RUNS = 2000;

describe('port-43 line', () => {
  test('bytes: a query or a safe BadQuery, the same each time; the keyword form re-reads to the same query', () => {
    fc.assert(fc.property(whoisBytes, checkWhoisBytes), runs(RUNS));
  });
});

describe('web lookup box', () => {
  test('any text: a query or a safe BadQuery; the keyword form re-reads to the same query on both grammars', () => {
    fc.assert(fc.property(fc.oneof(whoisLine, nastyText(300)), checkWebLookup), runs(RUNS));
  });
});

describe('search expression', () => {
  test('parse(searchKey(e)) == e for every accepted expression; errors are safe BadQueries', () => {
    fc.assert(fc.property(fc.oneof({ weight: 4, arbitrary: searchText }, { weight: 1, arbitrary: nastyText(60) }), checkSearchExpression), runs(RUNS));
  });

  test('the web search form: any expression and page, a page of a search or a safe BadQuery', () => {
    const limits = { pageSize: 50, resultCap: 1000, maxLength: 512, maxTerms: 16 };
    fc.assert(
      fc.property(searchText, fc.oneof(fc.integer({ min: -2, max: 30 }), fc.double()), (text, page) => {
        const r = onlyThrows(() => webSearchQuery(text, page, limits), (err) => err instanceof BadQuery);
        if (r.error) return assertSafeMessage(r.error.message);
        const q = r.value as Extract<Query, { kind: 'search' }>;
        assert.ok(q.offset >= 0 && q.offset < limits.resultCap && q.limit >= 1 && q.limit <= limits.pageSize, `page ${page}: offset ${q.offset}, limit ${q.limit}`);
        assert.equal(q.text, searchKey(q.expr));
      }),
      runs(RUNS / 2),
    );
  });
});

describe('RDAP request', () => {
  test('any path and query string: never throws; an error is safe; the canonical request re-reads to the same query', () => {
    fc.assert(fc.property(rdapRequest, ([path, query]) => checkRdapRequest(path, query)), runs(RUNS));
  });
});
