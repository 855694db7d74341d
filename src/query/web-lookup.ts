// The web lookup box's grammar: what port 43 takes ("domain x", "nameserver x", "registrar x", a
// bare domain, IP address or host name), and also a bare IANA ID or a registrar name with spaces.
import { BadQuery, CONTROL_CHARACTERS } from './bad-query.js';
import { registrarQuery } from './names.js';
import type { Query } from './query.js';
import { parseWhoisLine } from './whois-line.js';

/** Longest lookup accepted from the web form (characters). */
export const WEB_LOOKUP_MAX = 255;

export function webLookupQuery(input: string, tlds: readonly string[]): Query {
  if (input.length > WEB_LOOKUP_MAX) throw new BadQuery(`the query is longer than ${WEB_LOOKUP_MAX} characters`);
  const text = input.trim();
  const first = text.split(/\s+/, 1)[0].toLowerCase();
  if (['domain', 'nameserver', 'registrar', 'help'].includes(first)) return parseWhoisLine(text, tlds);
  if (CONTROL_CHARACTERS.test(text)) throw new BadQuery('the query contains control characters');
  if (/^\d{1,10}$/.test(text) || /\s/.test(text)) return registrarQuery(text);
  return parseWhoisLine(text, tlds);
}
