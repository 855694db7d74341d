// The RDAP request grammar (RFC 9082): the path under the service's base path and the query
// string, read safely (percent-decoding as UTF-8, no control characters) into a query, with the
// canonical form of the request that the answer's links name.
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { BadQuery, quoteForMessage } from './bad-query.js';
import { contactQuery } from './names.js';
import { parseWith, type Parsed, type Query } from './query.js';
import type { RdapCursors } from './rdap-cursor.js';
import { PAGING_PARAMS, parseRdapPaging, parseRdapSearch, parseReverseSearch, rdapSearchKey, type RdapSearchKind } from './rdap-search.js';

/** What an RDAP answer needs to know about its request besides the resolution. */
export interface RdapRequest {
  /** The request's canonical path and query under the base path (the links' `value`); absent when it could not be read. */
  relative?: string;
  /** For searches: which kind of results the answer carries. */
  searchKind?: RdapSearchKind;
  /**
   * For searches: the canonical path and the query string without the cursor, sort and count (the
   * RFC 8977 links are built from these: the next page, the other sorts).
   */
  search?: { path: string; params: string; count: boolean };
  /** The client asked for JSContact instead of jCard (`jscard=1`, or the rdap-x media type: the door says so). */
  jscontact?: boolean;
}

export interface RdapGrammarOptions {
  /** Most results one search answer carries. */
  searchMaxResults: number;
  /** Signs and checks paging cursors (absent: no cursor is accepted). */
  cursors?: RdapCursors;
  /** The client asked for JSContact through the Accept header (the rdap-x media type). */
  jscontact?: boolean;
}

/**
 * The query parameter that asks for JSContact (draft-ietf-regext-rdap-jscontact, experimental):
 * `jscard=1`, as the draft authors' own server and the common clients send it.
 */
export const JSCONTACT_PARAM = 'jscard';

/** RFC 9082 object types this server does not serve (a registry has no IP networks or AS numbers). */
const NOT_SERVED = new Set(['ip', 'autnum']);
const SEARCHES = new Set<string>(['domains', 'nameservers', 'entities']);

/** Reads `path` (under the base path, undecoded) and the raw query string. Never throws a BadQuery. */
export function parseRdapRequest(path: string, rawQuery: string, options: RdapGrammarOptions): Parsed<RdapRequest> {
  const context: RdapRequest = {};
  if (options.jscontact) context.jscontact = true;
  // A search is known by its path before its parameters are read (the authorization stage needs that).
  const kind = SEARCHES.has(path.split('/', 1)[0]) ? 'rdap-search' : undefined;
  return parseWith(context, (): Query => {
    const segments = path.split('/').map(decodeSegment);
    const [type, ...rest] = segments;
    const arg = rest.length === 1 && rest[0] !== '' ? rest[0] : undefined;
    const all = decodeQuery(rawQuery);
    const jscard = all.filter(([k]) => k === JSCONTACT_PARAM);
    const params = all.filter(([k]) => k !== JSCONTACT_PARAM);
    if (jscard.length > 1 || jscard.some(([, v]) => v !== '1')) throw new BadQuery(`${JSCONTACT_PARAM}=1 asks for JSContact; it takes no other value`);
    if (jscard.length === 1) context.jscontact = true;
    if (SEARCHES.has(type)) {
      const searchKind = type as RdapSearchKind;
      context.searchKind = searchKind;
      const reverse = rest[0] === 'reverse_search';
      if (rest.length > 0 && !(reverse && rest.length === 2)) throw new BadQuery(`use ${type}?<parameter>=<pattern> or ${type}/reverse_search/entity?<property>=<pattern>`);
      const encode = (list: [string, string][]) => list.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2A|%3A|%40/g, decodeURIComponent)}`).join('&');
      const searchPath = reverse ? `${type}/reverse_search/${encodeURIComponent(rest[1])}` : type;
      context.relative = `${searchPath}?${encode(params)}${jscard.length ? `${params.length ? '&' : ''}${JSCONTACT_PARAM}=1` : ''}`;
      const own = params.filter(([k]) => !PAGING_PARAMS.includes(k));
      const search = reverse ? parseReverseSearch(searchKind, rest[1], own) : parseRdapSearch(searchKind, own);
      const paging = parseRdapPaging(searchKind, params.filter(([k]) => PAGING_PARAMS.includes(k)), options.cursors, search);
      context.search = { path: searchPath, params: encode([...own, ...jscard]), count: paging.count };
      return { kind: 'rdap-search', search, text: rdapSearchKey(search, paging.sort), limit: options.searchMaxResults, paging };
    }
    if (params.length > 0) throw new BadQuery(`this query takes no query string (but ${JSCONTACT_PARAM}=1)`);
    switch (type) {
      case 'domain': {
        if (arg === undefined) throw new BadQuery('use domain/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid domain name`);
        context.relative = withJscard(`domain/${encodeURIComponent(arg)}`, jscard.length > 0);
        return { kind: 'domain', name: forms.aLabel, uName: forms.uLabel };
      }
      case 'nameserver': {
        if (arg === undefined) throw new BadQuery('use nameserver/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid host name`);
        context.relative = withJscard(`nameserver/${encodeURIComponent(arg)}`, jscard.length > 0);
        return { kind: 'nameserver', name: forms.aLabel };
      }
      case 'entity': {
        if (arg === undefined) throw new BadQuery('use entity/<handle>');
        const query = /^\d{1,10}$/.test(arg) ? { kind: 'registrar-id' as const, ianaId: Number(arg) } : contactQuery(arg);
        context.relative = withJscard(`entity/${encodeURIComponent(arg)}`, jscard.length > 0);
        return query;
      }
      case 'help':
        if (rest.length > 0) throw new BadQuery('help takes no argument');
        context.relative = withJscard('help', jscard.length > 0);
        return { kind: 'help' };
      default:
        if (NOT_SERVED.has(type)) {
          context.relative = type;
          throw new BadQuery(`this server holds no ${type} objects`, { unsupported: true });
        }
        throw new BadQuery(type === '' ? 'use domain/<name>, nameserver/<name>, entity/<handle> or help' : `unknown query type "${quoteForMessage(type, 32)}"`);
    }
  }, kind);
}

function withJscard(relative: string, jscard: boolean): string {
  return jscard ? `${relative}?${JSCONTACT_PARAM}=1` : relative;
}

/** Percent-decodes one path segment as UTF-8; bad escapes, bad UTF-8 and control characters are a BadQuery. */
function decodeSegment(segment: string): string {
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    throw new BadQuery('the path has a bad percent-encoding or is not UTF-8');
  }
  if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text)) throw new BadQuery('the path contains control or invalid characters');
  return text;
}

function decodeQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = eq >= 0 ? pair.slice(eq + 1) : '';
    return [decodeSegment(key.replace(/\+/g, ' ')), decodeSegment(value.replace(/\+/g, ' '))];
  });
}
