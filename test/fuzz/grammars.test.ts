// Properties of every grammar in src/query/: only the grammar's own BadQuery escapes, the same
// input is read the same way every time, what is accepted re-reads to the same query from its
// stable form, and an error message is short and safe to show.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BadQuery } from '../../src/query/bad-query.js';
import { queryKey, type Query } from '../../src/query/query.js';
import { parseRdapRequest } from '../../src/query/rdap-request.js';
import { parseSearchExpression, searchKey } from '../../src/query/search-expression.js';
import { webLookupQuery } from '../../src/query/web-lookup.js';
import { webSearchQuery } from '../../src/query/web-search.js';
import { parseWhoisBytes, parseWhoisLine } from '../../src/query/whois-line.js';
import { nastyText, rdapRequest, searchText, whoisBytes, whoisLine } from './arbitraries.js';
import { assertPrintable, assertSafeMessage, onlyThrows, runs } from './invariants.js';

const TLDS = ['example'];
const RUNS = 2000;
const isBadQuery = (err: unknown) => err instanceof BadQuery;

/** The port-43 line that asks for `q` again (the keyword form). */
function whoisLineOf(q: Query): string {
  switch (q.kind) {
    case 'domain':
    case 'nameserver':
      return `${q.kind} ${q.name}`;
    case 'nameserver-ip':
      return `nameserver ${q.address}`;
    case 'registrar-id':
      return `registrar ${q.ianaId}`;
    case 'registrar-name':
      return `registrar ${q.name}`;
    case 'help':
      return 'help';
    default:
      throw new Error(`no port-43 form for ${q.kind}`);
  }
}

/** Checks one run of a line grammar: its error is safe, its result deterministic and re-readable. */
function checkLineGrammar(parse: () => Query, again: (line: string) => Query): void {
  const first = onlyThrows(parse, isBadQuery);
  const second = onlyThrows(parse, isBadQuery);
  assert.deepEqual(second, first, 'the same input is read the same way');
  if (first.error) return assertSafeMessage(first.error.message);
  const q = first.value!;
  assertPrintable(queryKey(q));
  const line = whoisLineOf(q);
  assert.deepEqual(again(line), q, `re-reading ${JSON.stringify(line)}`);
}

describe('port-43 line', () => {
  test('bytes: a query or a safe BadQuery, the same each time; the keyword form re-reads to the same query', () => {
    fc.assert(
      fc.property(whoisBytes, (bytes) => checkLineGrammar(() => parseWhoisBytes(bytes, TLDS), (line) => parseWhoisLine(line, TLDS))),
      runs(RUNS),
    );
  });
});

describe('web lookup box', () => {
  test('any text: a query or a safe BadQuery; the keyword form re-reads to the same query on both grammars', () => {
    fc.assert(
      fc.property(fc.oneof(whoisLine, nastyText(300)), (text) =>
        checkLineGrammar(() => webLookupQuery(text, TLDS), (line) => {
          const q = webLookupQuery(line, TLDS);
          assert.deepEqual(parseWhoisLine(line, TLDS), q, 'port 43 and the web read the keyword form alike');
          return q;
        }),
      ),
      runs(RUNS),
    );
  });
});

describe('search expression', () => {
  test('parse(searchKey(e)) == e for every accepted expression; errors are safe BadQueries', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: searchText }, { weight: 1, arbitrary: nastyText(60) }), (text) => {
        const first = onlyThrows(() => parseSearchExpression(text), isBadQuery);
        assert.deepEqual(onlyThrows(() => parseSearchExpression(text), isBadQuery), first);
        if (first.error) return assertSafeMessage(first.error.message, `for ${JSON.stringify(text)}`);
        const key = searchKey(first.value!);
        assertPrintable(key);
        assert.deepEqual(parseSearchExpression(key), first.value, `re-reading ${JSON.stringify(key)} from ${JSON.stringify(text)}`);
        assert.equal(searchKey(parseSearchExpression(key)), key, 'searchKey is stable');
      }),
      runs(RUNS),
    );
  });

  test('the web search form: any expression and page, a page of a search or a safe BadQuery', () => {
    const limits = { pageSize: 50, resultCap: 1000, maxLength: 512, maxTerms: 16 };
    fc.assert(
      fc.property(searchText, fc.oneof(fc.integer({ min: -2, max: 30 }), fc.double()), (text, page) => {
        const r = onlyThrows(() => webSearchQuery(text, page, limits), isBadQuery);
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
  const options = { searchMaxResults: 10 };
  test('any path and query string: never throws; an error is safe; the canonical request re-reads to the same query', () => {
    fc.assert(
      fc.property(rdapRequest, ([path, query]) => {
        const parsed = parseRdapRequest(path, query, options);
        assert.deepEqual(parseRdapRequest(path, query, options), parsed, 'the same request is read the same way');
        if (parsed.error) {
          assert.equal(parsed.query, undefined);
          return assertSafeMessage(parsed.error.message, `for ${path}?${query}`);
        }
        const q = parsed.query!;
        assert.equal(parsed.kind, q.kind);
        assertPrintable(queryKey(q));
        const relative = parsed.context.relative!;
        assert.equal(typeof relative, 'string', 'an accepted request has a canonical form');
        const mark = relative.indexOf('?');
        const again = mark < 0 ? parseRdapRequest(relative, '', options) : parseRdapRequest(relative.slice(0, mark), relative.slice(mark + 1), options);
        assert.deepEqual(again.query, q, `re-reading ${relative} from ${path}?${query}`);
        assert.equal(again.context.relative, relative, 'the canonical form is stable');
        assert.equal(queryKey(again.query!), queryKey(q));
      }),
      runs(RUNS),
    );
  });
});
