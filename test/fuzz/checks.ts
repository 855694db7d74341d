// One check per parser, run on one input: the property tests (test/fuzz/*.test.ts) feed them
// generated inputs, the coverage-guided fuzzer (fuzz/) mutated bytes. Each throws (an assertion,
// or the parser's own unexpected exception) when what must hold does not.
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { CidrSet } from '../../src/policy/cidr-set.js';
import { PORT43 } from '../../src/render/texts.js';
import { BadQuery } from '../../src/query/bad-query.js';
import { queryKey, type Query } from '../../src/query/query.js';
import { parseRdapRequest } from '../../src/query/rdap-request.js';
import { parseSearchExpression, searchKey } from '../../src/query/search-expression.js';
import { webLookupQuery } from '../../src/query/web-lookup.js';
import { parseWhoisBytes, parseWhoisLine } from '../../src/query/whois-line.js';
import { requestPath } from '../../src/server/http.js';
import { forwardedClientAddress, parseProxyHeader } from '../../src/server/proxy-protocol.js';
import { assertPrintable, assertSafeMessage, onlyThrows } from './invariants.js';

export const TLDS = ['example'];
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

/** A line grammar: its error is safe, its result deterministic and re-read from the keyword form. */
function checkLineGrammar(parse: () => Query, again: (line: string) => Query): void {
  const first = onlyThrows(parse, isBadQuery);
  assert.deepEqual(onlyThrows(parse, isBadQuery), first, 'the same input is read the same way');
  if (first.error) return assertSafeMessage(first.error.message);
  const q = first.value!;
  assertPrintable(queryKey(q));
  const line = whoisLineOf(q);
  assert.deepEqual(again(line), q, `re-reading ${JSON.stringify(line)}`);
}

export function checkWhoisBytes(bytes: Uint8Array): void {
  checkLineGrammar(() => parseWhoisBytes(bytes, TLDS), (line) => parseWhoisLine(line, TLDS));
}

/** The web lookup box; its keyword form reads the same on port 43. */
export function checkWebLookup(text: string): void {
  checkLineGrammar(() => webLookupQuery(text, TLDS), (line) => {
    const q = webLookupQuery(line, TLDS);
    assert.deepEqual(parseWhoisLine(line, TLDS), q, 'port 43 and the web read the keyword form alike');
    return q;
  });
}

/** parse(searchKey(e)) == e for every accepted expression, and searchKey is stable. */
export function checkSearchExpression(text: string): void {
  const first = onlyThrows(() => parseSearchExpression(text), isBadQuery);
  assert.deepEqual(onlyThrows(() => parseSearchExpression(text), isBadQuery), first);
  if (first.error) return assertSafeMessage(first.error.message, `for ${JSON.stringify(text)}`);
  const key = searchKey(first.value!);
  assertPrintable(key);
  assert.deepEqual(parseSearchExpression(key), first.value, `re-reading ${JSON.stringify(key)} from ${JSON.stringify(text)}`);
  assert.equal(searchKey(parseSearchExpression(key)), key, 'searchKey is stable');
}

/** Never throws; an error is safe; the canonical request re-reads to the same query and form. */
export function checkRdapRequest(path: string, query: string): void {
  const options = { searchMaxResults: 10 };
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
}

const isInvalidHeader = (err: unknown) => err instanceof Error && err.message === PORT43.invalidHeader;

/** A header, "need more", "none" or the documented error; a header is consistent and not changed by what follows it. */
export function checkProxyHeader(buf: Buffer, more: Buffer): void {
  const parse = (b: Buffer) => onlyThrows(() => parseProxyHeader(b), isInvalidHeader);
  const r = parse(buf);
  assert.deepEqual(parse(buf), r, 'the same bytes are read the same way');
  if (r.error || r.value == null) return;
  const h = r.value;
  assert.ok(h.length > 0 && h.length <= buf.length, `length ${h.length} of ${buf.length} bytes`);
  if (h.address !== undefined) assert.ok(isIP(h.address) > 0, `address ${h.address}`);
  assert.deepEqual(parse(Buffer.concat([buf, more])).value, h, 'bytes after a complete header do not change it');
}

/** requestPath: a plain path as it is; otherwise what a URL parser makes of it, dot segments resolved. */
export function checkRequestPath(target: string): void {
  const path = requestPath(target);
  assert.equal(requestPath(target), path);
  assert.ok(!path.includes('?'), `a query in ${path}`);
  const raw = target.split('?')[0];
  if (/^\/[^#]*$/.test(raw) && !/\/\.|\/%2e|\/\//i.test(raw)) return assert.equal(path, raw);
  let url: URL | undefined;
  try {
    url = new URL(target, 'http://localhost');
  } catch {
    return assert.equal(path, raw, 'what no URL parser reads is left as it is (no route owns it)');
  }
  // Only a hierarchical path has dot segments to resolve ("x:/../y" is an opaque path no route owns).
  const dots = /\/(\.|%2e){1,2}(\/|$)/i;
  if (path.startsWith('/')) assert.doesNotMatch(path, dots, `dot segment left in ${path}`);
  // Where Node's URL parser resolved them all itself (it does not after "/.x/", ada-url/ada#935), the same path.
  if (!dots.test(url.pathname)) assert.equal(path, url.pathname);
}

export const TRUSTED_PROXIES = new CidrSet(['10.0.0.0/8', 'fd00::/8']);

/** Any forwarded headers: the peer, or an address; an untrusted peer is believed as it is. */
export function checkForwarded(peer: string, headers: Record<string, string | string[] | undefined>): void {
  const address = forwardedClientAddress(peer, headers, TRUSTED_PROXIES);
  if (!TRUSTED_PROXIES.has(peer)) assert.equal(address, peer);
  else assert.ok(address === peer || isIP(address) > 0, `not an address: ${address}`);
}
