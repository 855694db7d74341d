// RDAP searches (RFC 9082 §3.2): which ones exist and their partial-match patterns. The RDAP door
// parses a search's query string into an RdapSearch; the pipeline answers it (src/rdap-search-lookup.ts)
// with the Store's search side (src/store/search.ts).
import { normalizeName } from '../model/idn.js';
import { BadQuery, CONTROL_CHARACTERS, quoteForMessage } from './bad-query.js';
import { ipAddress } from './ip-address.js';

export type RdapSearchKind = 'domains' | 'nameservers' | 'entities';

/** The one parameter each search takes (RFC 9082 §3.2.1-3.2.3). */
export const SEARCH_PARAMS: Record<RdapSearchKind, readonly string[]> = {
  domains: ['name', 'nsLdhName', 'nsIp'],
  nameservers: ['name', 'ip'],
  entities: ['fn', 'handle'],
};

/**
 * A partial-match pattern: `prefix` is the text before the `*` (A-labels for names), `partial`
 * says whether a `*` was given, and `suffix` is what must follow the matched run for a name
 * pattern with `*` at the end of an inner label (`exam*.example` = prefix "exam", suffix ".example").
 */
export interface RdapPattern {
  text: string;
  prefix: string;
  suffix: string;
  partial: boolean;
}

export type RdapSearch =
  | { kind: 'domains'; by: 'name' | 'nsLdhName'; pattern: RdapPattern }
  | { kind: 'domains'; by: 'nsIp'; address: string }
  | { kind: 'nameservers'; by: 'name'; pattern: RdapPattern }
  | { kind: 'nameservers'; by: 'ip'; address: string }
  | { kind: 'entities'; by: 'fn' | 'handle'; pattern: RdapPattern };

/** Parses a search's query string parameters (already percent-decoded). Throws BadQuery. */
export function parseRdapSearch(kind: RdapSearchKind, params: readonly [string, string][]): RdapSearch {
  const allowed = SEARCH_PARAMS[kind];
  if (params.length !== 1) throw new BadQuery(`a ${kind} search takes exactly one of: ${allowed.join(', ')}`);
  const [name, value] = params[0];
  if (!allowed.includes(name)) throw new BadQuery(`a ${kind} search takes exactly one of: ${allowed.join(', ')}`);
  if (value === '') throw new BadQuery(`the ${name} parameter is empty`);
  if (name === 'ip' || name === 'nsIp') {
    const address = ipAddress(value);
    if (!address) throw new BadQuery(`"${quoteForMessage(value)}" is not an IP address`);
    return kind === 'domains' ? { kind, by: 'nsIp', address } : { kind: 'nameservers', by: 'ip', address };
  }
  if (kind === 'entities') return { kind, by: name as 'fn' | 'handle', pattern: textPattern(value) };
  const pattern = namePattern(value);
  return kind === 'domains' ? { kind, by: name as 'name' | 'nsLdhName', pattern } : { kind: 'nameservers', by: 'name', pattern };
}

/** Free text (`fn`, `handle`): `*` only once, at the end. */
export function textPattern(text: string): RdapPattern {
  const star = text.indexOf('*');
  if (star >= 0 && star !== text.length - 1) throw new BadQuery('"*" is allowed only at the end of the search string');
  if (CONTROL_CHARACTERS.test(text)) throw new BadQuery('the search string contains control characters');
  if (text.length > 255) throw new BadQuery('the search string is too long');
  const prefix = star >= 0 ? text.slice(0, -1) : text;
  if (star >= 0 && prefix.trim().length < 2) throw new BadQuery('a partial match needs at least two characters before "*"');
  return { text, prefix, suffix: '', partial: star >= 0 };
}

/**
 * A domain or host name pattern: one `*` at most, at the end of the string or at the end of a
 * label (`exam*.example`, `nic.ex*`); the text on both sides must be valid name text.
 */
export function namePattern(text: string): RdapPattern {
  const stars = [...text].filter((c) => c === '*').length;
  if (stars === 0) {
    const forms = normalizeName(text);
    if (!forms) throw new BadQuery(`"${quoteForMessage(text)}" is not a valid name`);
    return { text, prefix: forms.aLabel, suffix: '', partial: false };
  }
  if (stars > 1) throw new BadQuery('only one "*" is allowed in a search pattern');
  const star = text.indexOf('*');
  const after = text.slice(star + 1);
  if (after !== '' && !after.startsWith('.')) throw new BadQuery('"*" is allowed only at the end of a label');
  const before = text.slice(0, star).toLowerCase();
  if (before.replace(/\./g, '').length < 2) throw new BadQuery('a partial match needs at least two characters before "*"');
  if (!/^[\p{L}\p{N}.-]*$/u.test(before)) throw new BadQuery(`"${quoteForMessage(text)}" is not a valid name pattern`);
  // The labels before the partial label are full labels: turn IDN labels into A-labels.
  const dot = before.lastIndexOf('.');
  const fullLabels = dot >= 0 ? before.slice(0, dot) : '';
  const partialLabel = dot >= 0 ? before.slice(dot + 1) : before;
  if (!/^[a-z0-9-]*$/.test(partialLabel)) throw new BadQuery('a partial label must be ASCII (A-label) text');
  let prefix = partialLabel;
  if (fullLabels) {
    const forms = normalizeName(`${fullLabels}.x`);
    if (!forms) throw new BadQuery(`"${quoteForMessage(text)}" is not a valid name pattern`);
    prefix = `${forms.aLabel.slice(0, -2)}.${partialLabel}`;
  }
  let suffix = '';
  if (after) {
    const forms = normalizeName(`x${after}`);
    if (!forms) throw new BadQuery(`"${quoteForMessage(text)}" is not a valid name pattern`);
    suffix = forms.aLabel.slice(1);
  }
  return { text, prefix, suffix, partial: true };
}

/** A stable text form of a search (part of the cache key and the query log's normalised query). */
export function rdapSearchKey(search: RdapSearch): string {
  if (search.by === 'ip' || search.by === 'nsIp') return `${search.kind}?${search.by}=${search.address}`;
  const p = search.pattern;
  const text = search.kind === 'entities' ? p.text : `${p.prefix}${p.partial ? '*' : ''}${p.suffix}`;
  return `${search.kind}?${search.by}=${text}`;
}
