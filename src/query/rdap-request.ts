// The RDAP request grammar (RFC 9082): the path under the service's base path and the query
// string, read safely (percent-decoding as UTF-8, no control characters) into a query, with the
// canonical form of the request that the answer's links name.
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { BadQuery, quoteForMessage } from './bad-query.js';
import { contactQuery } from './names.js';
import { parseWith, type Parsed, type Query } from './query.js';
import { parseRdapSearch, rdapSearchKey, type RdapSearchKind } from './rdap-search.js';

/** What an RDAP answer needs to know about its request besides the resolution. */
export interface RdapRequest {
  /** The request's canonical path and query under the base path (the links' `value`); absent when it could not be read. */
  relative?: string;
  /** For searches: which kind of results the answer carries. */
  searchKind?: RdapSearchKind;
}

export interface RdapGrammarOptions {
  /** Most results one search answer carries. */
  searchMaxResults: number;
}

/** RFC 9082 object types this server does not serve (a registry has no IP networks or AS numbers). */
const NOT_SERVED = new Set(['ip', 'autnum']);
const SEARCHES = new Set<string>(['domains', 'nameservers', 'entities']);

/** Reads `path` (under the base path, undecoded) and the raw query string. Never throws a BadQuery. */
export function parseRdapRequest(path: string, rawQuery: string, options: RdapGrammarOptions): Parsed<RdapRequest> {
  const context: RdapRequest = {};
  // A search is known by its path before its parameters are read (the authorization stage needs that).
  const kind = SEARCHES.has(path.split('/', 1)[0]) ? 'rdap-search' : undefined;
  return parseWith(context, (): Query => {
    const segments = path.split('/').map(decodeSegment);
    const [type, ...rest] = segments;
    const arg = rest.length === 1 && rest[0] !== '' ? rest[0] : undefined;
    if (SEARCHES.has(type)) {
      const searchKind = type as RdapSearchKind;
      context.searchKind = searchKind;
      if (rest.length > 0) throw new BadQuery(`use ${type}?<parameter>=<pattern>`);
      const params = decodeQuery(rawQuery);
      context.relative = `${type}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2A|%3A|%40/g, decodeURIComponent)}`).join('&')}`;
      const search = parseRdapSearch(searchKind, params);
      return { kind: 'rdap-search', search, text: rdapSearchKey(search), limit: options.searchMaxResults };
    }
    if (rawQuery !== '') throw new BadQuery('this query takes no query string');
    switch (type) {
      case 'domain': {
        if (arg === undefined) throw new BadQuery('use domain/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid domain name`);
        context.relative = `domain/${encodeURIComponent(arg)}`;
        return { kind: 'domain', name: forms.aLabel, uName: forms.uLabel };
      }
      case 'nameserver': {
        if (arg === undefined) throw new BadQuery('use nameserver/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid host name`);
        context.relative = `nameserver/${encodeURIComponent(arg)}`;
        return { kind: 'nameserver', name: forms.aLabel };
      }
      case 'entity': {
        if (arg === undefined) throw new BadQuery('use entity/<handle>');
        const query = /^\d{1,10}$/.test(arg) ? { kind: 'registrar-id' as const, ianaId: Number(arg) } : contactQuery(arg);
        context.relative = `entity/${encodeURIComponent(arg)}`;
        return query;
      }
      case 'help':
        if (rest.length > 0) throw new BadQuery('help takes no argument');
        context.relative = 'help';
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
