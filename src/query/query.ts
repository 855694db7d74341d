// The queries every door asks of the pipeline. Port 43, the web page and RDAP each parse their own
// syntax into these; from here on the path is the same.
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { canonicalIp } from '../model/validate.js';
import type { SearchExpr } from '../model/search.js';
import { rdapSearchKey, type RdapSearch } from './rdap-search.js';

export type Query =
  | { kind: 'domain'; name: string; uName?: string }
  | { kind: 'nameserver'; name: string }
  | { kind: 'nameserver-ip'; address: string }
  | { kind: 'registrar-id'; ianaId: number }
  | { kind: 'registrar-name'; name: string }
  | { kind: 'contact'; handle: string }
  /** Searchable WHOIS: `text` is the expression's stable form (search-query.ts searchKey). */
  | { kind: 'search'; expr: SearchExpr; text: string; offset: number; limit: number }
  /** RDAP search (RFC 9082 §3.2): at most `limit` results, with a truncation notice past it. */
  | { kind: 'rdap-search'; search: RdapSearch; limit: number }
  | { kind: 'help' };

export type QueryKind = Query['kind'];

/** A query the client got wrong; `message` is short and safe to echo (no raw client bytes). */
export class BadQuery extends Error {}

/** A stable text form of a query: the query log's normalised query. */
export function queryKey(q: Query): string {
  switch (q.kind) {
    case 'domain':
    case 'nameserver':
    case 'registrar-name':
      return `${q.kind} ${q.name.toLowerCase()}`;
    case 'nameserver-ip':
      return `${q.kind} ${q.address}`;
    case 'registrar-id':
      return `${q.kind} ${q.ianaId}`;
    case 'contact':
      return `${q.kind} ${q.handle}`;
    case 'search':
      return `${q.kind} ${q.text} [${q.offset}+${q.limit}]`;
    case 'rdap-search':
      return `${q.kind} ${rdapSearchKey(q.search)} [${q.limit}]`;
    case 'help':
      return 'help';
  }
}

/** Shows client text in an error message without letting it forge lines or run as markup. */
export function quoteForMessage(text: string, max = 64): string {
  const clean = text.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').replace(/[<>"'&`]/g, '?').replace(/[\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

export function domainQuery(input: string, tlds: readonly string[]): Query {
  const forms = normalizeName(input);
  if (!forms) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid domain name`);
  const tld = forms.aLabel.slice(forms.aLabel.lastIndexOf('.') + 1);
  if (!tlds.includes(tld)) throw new BadQuery(`this server answers only for ${tlds.map((t) => '.' + t).join(', ')}`);
  return { kind: 'domain', name: forms.aLabel, uName: forms.uLabel };
}

export function nameserverQuery(input: string): Query {
  if (isIP(input)) return { kind: 'nameserver-ip', address: canonicalIp(input) };
  const forms = normalizeName(input);
  if (!forms) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid host name or IP address`);
  return { kind: 'nameserver', name: forms.aLabel };
}

export function registrarQuery(input: string): Query {
  const text = input.trim();
  if (/^\d{1,10}$/.test(text)) return { kind: 'registrar-id', ianaId: Number(text) };
  if (text.length === 0 || text.length > 255) throw new BadQuery('a registrar query needs a name or an IANA ID');
  return { kind: 'registrar-name', name: text.replace(/\s+/g, ' ') };
}

/** A contact by its EPP handle (RFC 5730 clIDType: 3 to 16 characters, case-sensitive). */
export function contactQuery(input: string): Query {
  if (!/^[\x21-\x7e]{3,16}$/.test(input)) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid contact handle`);
  return { kind: 'contact', handle: input };
}
