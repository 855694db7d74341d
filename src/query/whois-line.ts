// The port-43 query grammar (digest whois-text.md §2): one line, an optional keyword, one argument.
// The web lookup box (web-lookup.ts) takes the same, and a little more.
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { BadQuery, CONTROL_CHARACTERS, quoteForMessage } from './bad-query.js';
import { gatewayFields } from './gateway-line.js';
import { domainQuery, nameserverQuery, registrarQuery } from './names.js';
import type { Query } from './query.js';

const KEYWORDS: Record<string, (arg: string, tlds: readonly string[]) => Query> = {
  domain: domainQuery,
  nameserver: (arg) => nameserverQuery(arg),
  registrar: (arg) => registrarQuery(arg),
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads one query line as it came off the wire (line ending removed). Throws BadQuery. */
export function parseWhoisBytes(line: Uint8Array, tlds: readonly string[]): Query {
  let text: string;
  try {
    text = decoder.decode(line);
  } catch {
    throw new BadQuery('the query is not valid UTF-8');
  }
  return parseWhoisLine(text, tlds);
}

/** Parses one query line (already decoded from UTF-8, line ending removed). Throws BadQuery. */
export function parseWhoisLine(line: string, tlds: readonly string[]): Query {
  const text = line.trim();
  if (text === '') throw new BadQuery('empty query; send "help" for the query syntax');
  if (CONTROL_CHARACTERS.test(text)) throw new BadQuery('the query contains control characters');
  const space = text.search(/\s/);
  const first = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : text.slice(space + 1).trim();
  if (first === 'help' && rest === '') return { kind: 'help' };
  const keyword = KEYWORDS[first];
  if (keyword) {
    if (rest === '') throw new BadQuery(`"${first}" needs an argument; send "help" for the query syntax`);
    return keyword(rest, tlds);
  }
  if (space >= 0) {
    // A gateway's line sent here: counted against that gateway when it comes from one.
    if (gatewayFields(new TextEncoder().encode(text))) throw new BadQuery('a gateway query: gateways send it to the gateway port', { gatewayFault: 'wrong-port' });
    throw new BadQuery(`unknown keyword "${quoteForMessage(first, 32)}"; send "help" for the query syntax`);
  }
  return bareQuery(text, tlds);
}

/**
 * A query without a keyword: a domain, as most clients send it; or, as the web form and most
 * registries take them, an IP address (the name servers with that glue) or a name of three or more
 * labels (domains are registered at the second level: it is a host).
 */
function bareQuery(text: string, tlds: readonly string[]): Query {
  if (isIP(text)) return nameserverQuery(text);
  const forms = normalizeName(text);
  if (forms && forms.aLabel.split('.').length > 2) return nameserverQuery(text);
  return domainQuery(text, tlds);
}
