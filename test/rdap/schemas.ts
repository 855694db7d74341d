// Loads ICANN's RDAP conformance-tool schemas (../shared/spec/rdap-schemas, beside the clone)
// into ajv as their README says: draft-07, strict off, the tool's custom formats registered with
// checks that follow the RFC 9083 / IANA registries they name, nested $ids removed, and patterns
// compiled without the `u` flag (they are written for Java regular expressions).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { normalizeName } from '../../src/model/idn.js';

export const SCHEMA_DIR = resolve(import.meta.dirname, '../../../shared/spec/rdap-schemas');
export const schemasPresent = existsSync(join(SCHEMA_DIR, 'rdap_domain.json'));
export const SKIP_REASON = `RDAP schemas not found at ${SCHEMA_DIR} (CI places shared/ beside the clone)`;

// IANA "RDAP JSON Values" (RFC 9083 §10.2) and the other registries the formats name.
const EVENT_ACTIONS = new Set([
  'registration', 'reregistration', 'last changed', 'expiration', 'deletion', 'reinstantiation', 'transfer',
  'locked', 'unlocked', 'last update of RDAP database', 'registrar expiration', 'enum validation expiration',
]);
const STATUSES = new Set([
  'validated', 'renew prohibited', 'update prohibited', 'transfer prohibited', 'delete prohibited', 'proxy', 'private',
  'removed', 'obscured', 'associated', 'active', 'inactive', 'locked', 'pending create', 'pending renew', 'pending transfer',
  'pending update', 'pending delete', 'add period', 'auto renew period', 'client delete prohibited', 'client hold',
  'client renew prohibited', 'client transfer prohibited', 'client update prohibited', 'pending restore', 'redemption period',
  'renew period', 'server delete prohibited', 'server renew prohibited', 'server transfer prohibited', 'server update prohibited',
  'server hold', 'transfer period', 'administrative', 'reserved',
]);
const ROLES = new Set(['registrant', 'technical', 'administrative', 'abuse', 'billing', 'registrar', 'reseller', 'sponsor', 'proxy', 'notifications', 'noc']);
const NOTICE_TYPES = new Set([
  'result set truncated due to authorization', 'result set truncated due to excessive load', 'result set truncated due to unexplainable reasons',
  'object truncated due to authorization', 'object truncated due to excessive load', 'object truncated due to unexplainable reasons',
  'object redacted due to authorization',
]);
const VARIANT_RELATIONS = new Set(['registered', 'unregistered', 'registration restricted', 'open registration', 'conjoined']);
// IANA Link Relations registry (the relations an RDAP answer may use, and the rest of the common ones).
const LINK_RELATIONS = new Set([
  'about', 'alternate', 'appendix', 'archives', 'author', 'bookmark', 'canonical', 'chapter', 'collection', 'contents', 'copyright',
  'current', 'describedby', 'describes', 'disclosure', 'duplicate', 'edit', 'enclosure', 'first', 'glossary', 'help', 'icon', 'index',
  'item', 'last', 'latest-version', 'license', 'next', 'prev', 'previous', 'preload', 'privacy-policy', 'related', 'replies', 'search',
  'section', 'self', 'service', 'start', 'stylesheet', 'subsection', 'terms-of-service', 'type', 'up', 'via',
]);
// IANA RDAP Extensions registry identifiers (a subset large enough for these answers and the usual ones).
const EXTENSIONS = new Set([
  'rdap_level_0', 'redacted', 'icann_rdap_response_profile_0', 'icann_rdap_response_profile_1',
  'icann_rdap_technical_implementation_guide_0', 'icann_rdap_technical_implementation_guide_1', 'cidr0', 'nro_rdap_profile_0',
  'nro_rdap_profile_asn_flat_0', 'nro_rdap_profile_asn_hierarchical_0', 'paging', 'sorting', 'subsetting', 'fred', 'arin_originas0',
  'rdap_objectTag', 'reverse_search', 'platformNS', 'redirect_with_content', 'jscard', 'jscard_0', 'geofeed1', 'rirSearch1', 'ips', 'autnums',
  'exts', 'regType', 'rdap_lookup_exact_match', 'artRecord', 'farv1', 'ttl0', 'versioning', 'jscontact',
]);

function hostnameInUri(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIPv4(host) || isIPv6(host) || normalizeName(host) !== undefined;
}

function stripNestedIds(node: unknown, root = true): void {
  if (Array.isArray(node)) return node.forEach((n) => stripNestedIds(n, false));
  if (node && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    if (!root) delete obj.$id;
    for (const value of Object.values(obj)) stripNestedIds(value, false);
  }
}

let ajv: Ajv | undefined;

function load(): Ajv {
  if (ajv) return ajv;
  const regExp = Object.assign((pattern: string) => new RegExp(pattern), { code: 'new RegExp' });
  const a = new Ajv({ strict: false, allErrors: true, validateSchema: false, code: { regExp: regExp as never } });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
  addFormats(a);
  a.addFormat('ipv4-validation', (s: string) => isIPv4(s));
  a.addFormat('ipv6-validation', (s: string) => isIPv6(s));
  a.addFormat('idn-hostname', (s: string) => normalizeName(s) !== undefined);
  a.addFormat('hostname-in-uri', hostnameInUri);
  a.addFormat('eventAction', (s: string) => EVENT_ACTIONS.has(s));
  a.addFormat('status', (s: string) => STATUSES.has(s));
  a.addFormat('role', (s: string) => ROLES.has(s));
  a.addFormat('linkRelations', (s: string) => LINK_RELATIONS.has(s));
  a.addFormat('mediaTypes', (s: string) => /^[a-z]+\/[a-z0-9][a-z0-9!#$&^_.+-]*$/i.test(s));
  a.addFormat('noticeAndRemark', (s: string) => NOTICE_TYPES.has(s));
  a.addFormat('rdapExtensions', (s: string) => EXTENSIONS.has(s));
  a.addFormat('variantRelation', (s: string) => VARIANT_RELATIONS.has(s));
  a.addFormat('image', (s: string) => hostnameInUri(s) || /^data:image\//.test(s));
  a.addFormat('idn-email', (s: string) => /^[^\s@]+@[^\s@]+$/.test(s) && normalizeName(s.slice(s.lastIndexOf('@') + 1)) !== undefined);
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []));
  for (const file of walk(SCHEMA_DIR)) {
    const schema = JSON.parse(readFileSync(file, 'utf8'));
    stripNestedIds(schema);
    if (!a.getSchema(schema.$id)) a.addSchema(schema);
  }
  // The tool has a search schema for name servers only: domain and entity searches get the same
  // envelope, with their own member whose items are the lookup schema's objects.
  const nameservers = JSON.parse(readFileSync(join(SCHEMA_DIR, 'rdap_nameservers.json'), 'utf8'));
  for (const [id, member, item] of [['rdap_domains.json', 'domainSearchResults', 'rdap_domain.json#'], ['rdap_entities_search.json', 'entitySearchResults', 'rdap_entity.json#']]) {
    const { nameserverSearchResults, ...rest } = nameservers.properties;
    const schema = { ...nameservers, $id: id, title: member, links: undefined, properties: { [member]: { ...nameserverSearchResults, items: { $ref: item } }, ...rest }, required: [member], additionalProperties: false };
    delete schema.links;
    if (!a.getSchema(id)) a.addSchema(schema);
  }
  return (ajv = a);
}

export type ResponseType = 'domain' | 'nameserver' | 'entity' | 'help' | 'error' | 'nameservers' | 'domains' | 'entities';
const SCHEMA_OF: Record<ResponseType, string> = {
  domain: 'rdap_domain.json',
  nameserver: 'rdap_nameserver.json',
  entity: 'rdap_entity.json',
  help: 'rdap_help.json',
  error: 'rdap_error.json',
  nameservers: 'rdap_nameservers.json',
  domains: 'rdap_domains.json',
  entities: 'rdap_entities_search.json',
};

/**
 * Top-level members of RDAP extensions. The gTLD configuration of ICANN's tool ignores unknown
 * top-level members, so these are taken off before validation and checked in code instead:
 * `redacted` (RFC 9537, helpers.ts checkRedactions), `paging_metadata` and `sorting_metadata`
 * (RFC 8977), `reverse_search_properties` (help) and `reverse_search_properties_mapping` (RFC 9536),
 * `ttl0_data` of a domain lookup (extensions.test.ts).
 */
export const EXTENSION_MEMBERS = ['redacted', 'paging_metadata', 'sorting_metadata', 'reverse_search_properties', 'reverse_search_properties_mapping', 'ttl0_data'];

/**
 * Validates an answer against its schema, the extension members (EXTENSION_MEMBERS) taken off
 * first. Returns the errors as short lines (empty when valid).
 */
export function schemaErrors(type: ResponseType, answer: Record<string, unknown>): string[] {
  const validate: ValidateFunction | undefined = load().getSchema(SCHEMA_OF[type]);
  if (!validate) throw new Error(`schema ${SCHEMA_OF[type]} not loaded`);
  const rest = Object.fromEntries(Object.entries(answer).filter(([k]) => !EXTENSION_MEMBERS.includes(k)));
  if (validate(rest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} (${e.schemaPath})`);
}
