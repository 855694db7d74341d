// RDAP searches (RFC 9082 §3.2) and reverse searches (RFC 9536): which ones exist and their
// partial-match patterns, and the sorting and paging parameters every search takes (RFC 8977).
// The RDAP door parses a search's query string into an RdapSearch and its RdapPaging; the
// pipeline answers it (src/lookup/rdap-search.ts) with the Store's search side.
import type { DomainOrder } from '../model/search.js';
import { normalizeName } from '../model/idn.js';
import type { ContactRole } from '../model/types.js';
import { BadQuery, CONTROL_CHARACTERS, quoteForMessage } from './bad-query.js';
import type { CursorPosition, RdapCursors } from './rdap-cursor.js';
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

/**
 * The reverse search properties (RFC 9536 §8, the IANA "RDAP Reverse Search" and "RDAP Reverse
 * Search Mapping" registries, which list exactly these four), with the JSONPath of each as
 * registered: what a domain's entities are matched on.
 */
export const REVERSE_SEARCH_PROPERTIES = [
  { property: 'fn', propertyPath: "$.entities[*].vcardArray[1][?(@[0]=='fn')][3]" },
  { property: 'handle', propertyPath: '$.entities[*].handle' },
  { property: 'email', propertyPath: "$.entities[*].vcardArray[1][?(@[0]=='email')][3]" },
  { property: 'role', propertyPath: '$.entities[*].roles' },
] as const;
export type ReverseProperty = (typeof REVERSE_SEARCH_PROPERTIES)[number]['property'];

/** The RDAP roles of a domain's entities that a reverse search's `role` may name. */
export const REVERSE_ROLES: Record<string, ContactRole | 'registrar'> = {
  registrant: 'registrant',
  administrative: 'admin',
  technical: 'tech',
  billing: 'billing',
  registrar: 'registrar',
};

/** A reverse search's conditions: one entity of the domain matches every one given (`role` only narrows the others). */
export interface ReverseConditions {
  fn?: RdapPattern;
  handle?: RdapPattern;
  email?: RdapPattern;
  role?: ContactRole | 'registrar';
}

export type RdapSearch =
  | { kind: 'domains'; by: 'name' | 'nsLdhName'; pattern: RdapPattern }
  | { kind: 'domains'; by: 'nsIp'; address: string }
  | { kind: 'domains'; by: 'reverse'; conditions: ReverseConditions }
  | { kind: 'nameservers'; by: 'name'; pattern: RdapPattern }
  | { kind: 'nameservers'; by: 'ip'; address: string }
  | { kind: 'entities'; by: 'fn' | 'handle'; pattern: RdapPattern };

/**
 * What each search's results may be sorted by (RFC 8977 §2.3.1 names; rdds offers the ones its
 * Store keeps in order): the first is the default. `order` is the Store's order; entity results are
 * contacts by handle, then registrars by IANA ID (their handle).
 */
export interface SortProperty {
  property: string;
  order: DomainOrder;
  /** Where the value sits in each result, as RFC 8977's `jsonPath` (from the top of the answer). */
  jsonPath: string;
}

export const SORT_PROPERTIES: Record<RdapSearchKind, readonly SortProperty[]> = {
  domains: [
    { property: 'name', order: 'name', jsonPath: '$.domainSearchResults[*].ldhName' },
    { property: 'registrationDate', order: 'created', jsonPath: "$.domainSearchResults[*].events[?(@.eventAction=='registration')].eventDate" },
    { property: 'expirationDate', order: 'expires', jsonPath: "$.domainSearchResults[*].events[?(@.eventAction=='expiration')].eventDate" },
  ],
  nameservers: [{ property: 'name', order: 'name', jsonPath: '$.nameserverSearchResults[*].ldhName' }],
  entities: [{ property: 'handle', order: 'name', jsonPath: '$.entitySearchResults[*].handle' }],
};

/** The sorting and paging of one search (RFC 8977): what was asked, and (from a cursor) where this page starts. */
export interface RdapPaging {
  /** count=true: the answer carries the number of results in all. */
  count: boolean;
  /** The sort asked for (sort=), if any; without one the first of SORT_PROPERTIES, ascending. */
  sort?: { property: SortProperty; descending: boolean };
  /** 1 for the first page; a cursor's page otherwise. */
  page: number;
  /** Where this page starts (from the cursor). */
  after?: CursorPosition;
}

/** The RFC 8977 parameters: they may come with every search, besides its own. */
export const PAGING_PARAMS = ['count', 'sort', 'cursor'];

/** Parses a search's query string parameters (already percent-decoded). Throws BadQuery. */
export function parseRdapSearch(kind: RdapSearchKind, params: readonly [string, string][]): RdapSearch {
  const allowed = SEARCH_PARAMS[kind];
  if (params.length !== 1) throw new BadQuery(`a ${kind} search takes exactly one of: ${allowed.join(', ')} (and the paging parameters ${PAGING_PARAMS.join(', ')})`);
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

/**
 * Reads a reverse search's query string (RFC 9536 §2): any of `fn`, `handle`, `email`, each at
 * most once, and `role`, which only narrows them. Throws BadQuery.
 */
export function parseReverseSearch(kind: RdapSearchKind, related: string, params: readonly [string, string][]): RdapSearch {
  if (related !== 'entity') throw new BadQuery(`a reverse search is by a related entity: use ${kind}/reverse_search/entity?<property>=<pattern>`);
  if (kind !== 'domains') throw new BadQuery(`this server offers reverse searches of domains only (domains/reverse_search/entity); ${kind}' related entities are their registrar, found with entity/<IANA ID>`, { unsupported: true });
  const names = REVERSE_SEARCH_PROPERTIES.map((p) => p.property);
  const conditions: ReverseConditions = {};
  for (const [name, value] of params) {
    if (!(names as string[]).includes(name)) throw new BadQuery(`a reverse search takes ${names.join(', ')}, and the paging parameters ${PAGING_PARAMS.join(', ')}`);
    if (name in conditions) throw new BadQuery(`the ${name} parameter is given twice`);
    if (value === '') throw new BadQuery(`the ${name} parameter is empty`);
    if (name === 'role') {
      const role = REVERSE_ROLES[value];
      if (!role) throw new BadQuery(`"${quoteForMessage(value, 32)}" is not a role this server's domains have (${Object.keys(REVERSE_ROLES).join(', ')})`);
      conditions.role = role;
      continue;
    }
    // The Store's patterns take `?` as a wildcard: refused here rather than matched wider than asked.
    if (value.includes('?')) throw new BadQuery(`"?" is not allowed in a ${name} pattern`);
    conditions[name as 'fn' | 'handle' | 'email'] = textPattern(value);
  }
  if (!conditions.fn && !conditions.handle && !conditions.email) throw new BadQuery('a reverse search needs fn, handle or email; role only narrows them');
  if (conditions.role === 'registrar' && conditions.email) throw new BadQuery('the registrar entity of a domain shows no e-mail address');
  return { kind: 'domains', by: 'reverse', conditions };
}

/** Reads count, sort and cursor (already percent-decoded), the cursor checked against `searchKey`. Throws BadQuery. */
export function parseRdapPaging(kind: RdapSearchKind, params: readonly [string, string][], cursors: RdapCursors | undefined, search: RdapSearch): RdapPaging {
  const paging: RdapPaging = { count: false, page: 1 };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (const [name, value] of params) {
    if (seen.has(name)) throw new BadQuery(`the ${name} parameter is given twice`);
    seen.add(name);
    if (name === 'count') {
      if (value !== 'true' && value !== 'false') throw new BadQuery('count is true or false');
      paging.count = value === 'true';
    } else if (name === 'sort') {
      paging.sort = sortOf(kind, value);
    } else {
      cursor = value;
    }
  }
  if (cursor !== undefined) {
    if (!cursors) throw new BadQuery('this server issued no cursors');
    const decoded = cursors.decode(cursor, rdapSearchKey(search, paging.sort));
    paging.page = decoded.page;
    paging.after = decoded.after;
  }
  return paging;
}

/** One sort item (`property`, `property:a`, `property:d`); rdds sorts by one property at a time. */
function sortOf(kind: RdapSearchKind, value: string): RdapPaging['sort'] {
  const offered = SORT_PROPERTIES[kind];
  const list = offered.map((p) => p.property).join(', ');
  if (value.includes(',')) throw new BadQuery(`this server sorts by one property at a time (${list})`);
  const [name, dir, extra] = value.split(':');
  const property = offered.find((p) => p.property === name);
  if (!property) throw new BadQuery(`${kind} can be sorted by ${list}, with ":a" or ":d"`);
  if (extra !== undefined || (dir !== undefined && dir !== 'a' && dir !== 'd')) throw new BadQuery('a sort direction is ":a" (ascending) or ":d" (descending)');
  return { property, descending: dir === 'd' };
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

/**
 * A stable text form of a search and its sort: the query log's normalised query, and what a
 * cursor is bound to (the same results in the same order).
 */
export function rdapSearchKey(search: RdapSearch, sort?: RdapPaging['sort']): string {
  const sorted = sort ? `&sort=${sort.property.property}${sort.descending ? ':d' : ''}` : '';
  return `${searchText(search)}${sorted}`;
}

function searchText(search: RdapSearch): string {
  if (search.by === 'ip' || search.by === 'nsIp') return `${search.kind}?${search.by}=${search.address}`;
  if (search.by === 'reverse') {
    const c = search.conditions;
    const role = c.role && Object.keys(REVERSE_ROLES).find((k) => REVERSE_ROLES[k] === c.role);
    const parts = [c.fn && `fn=${c.fn.text}`, c.handle && `handle=${c.handle.text}`, c.email && `email=${c.email.text}`, role && `role=${role}`].filter(Boolean);
    return `${search.kind}/reverse_search/entity?${parts.join('&')}`;
  }
  const p = search.pattern;
  const text = search.kind === 'entities' ? p.text : `${p.prefix}${p.partial ? '*' : ''}${p.suffix}`;
  return `${search.kind}?${search.by}=${text}`;
}
