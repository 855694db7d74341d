// The web lookup box's grammar: what port 43 takes ("domain x", "nameserver x", "registrar x"),
// and also a bare IP address (name servers with that glue), a bare IANA ID or a registrar name
// with spaces (registrar), and a bare host name of three or more labels (name server).
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { BadQuery, CONTROL_CHARACTERS } from './bad-query.js';
import { nameserverQuery, registrarQuery } from './names.js';
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
  if (isIP(text)) return nameserverQuery(text);
  if (/^\d{1,10}$/.test(text) || /\s/.test(text)) return registrarQuery(text);
  const forms = normalizeName(text);
  // Domains are registered at the second level: a longer name is a host (name server).
  if (forms && forms.aLabel.split('.').length > 2) return nameserverQuery(text);
  return parseWhoisLine(text, tlds);
}
