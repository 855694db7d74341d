// The port-43 query grammar (digest whois-text.md §2): one line, an optional keyword, one argument.
import { BadQuery, domainQuery, nameserverQuery, quoteForMessage, registrarQuery, type Query } from './query.js';

const KEYWORDS: Record<string, (arg: string, tlds: readonly string[]) => Query> = {
  domain: domainQuery,
  nameserver: (arg) => nameserverQuery(arg),
  registrar: (arg) => registrarQuery(arg),
};

/** Parses one query line (already decoded from UTF-8, line ending removed). Throws BadQuery. */
export function parseWhoisQuery(line: string, tlds: readonly string[]): Query {
  const text = line.trim();
  if (text === '') throw new BadQuery('empty query; send "help" for the query syntax');
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new BadQuery('the query contains control characters');
  const space = text.search(/\s/);
  const first = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : text.slice(space + 1).trim();
  if (first === 'help' && rest === '') return { kind: 'help' };
  const keyword = KEYWORDS[first];
  if (keyword) {
    if (rest === '') throw new BadQuery(`"${first}" needs an argument; send "help" for the query syntax`);
    return keyword(rest, tlds);
  }
  if (space >= 0) throw new BadQuery(`unknown keyword "${quoteForMessage(first, 32)}"; send "help" for the query syntax`);
  return domainQuery(text, tlds);
}

export const WHOIS_HELP = [
  'Queries (one per connection, keywords are case-insensitive):',
  '  example.tld                      a domain (A-label or U-label)',
  '  domain example.tld               the same',
  '  nameserver ns1.example.tld       a name server by name',
  '  nameserver 192.0.2.1             every name server with that address (IPv4 or IPv6)',
  '  registrar Example Registrar, Inc.  a registrar by name',
  '  registrar 5555555                a registrar by IANA ID',
  '  help                             this text',
];
