// Validation of records on their way into the Store. Each check names the field it refused, so an
// import error can say exactly which value of which record is wrong.
import { isIP } from 'node:net';
import countries from 'i18n-iso-countries';
import { normalizeName } from './idn.js';
import { CONTACT_STATUSES, EPP_STATUSES, HOST_STATUSES } from './statuses.js';
import { DNS_TTL_TYPES, SPONSOR_BY_CLIENT_ID, type Contact, type ContactData, type DnssecKey, type DnsTtlType, type Domain, type Host, type HostAttr, type PostalInfo, type Registrar, type RegistryObject } from './types.js';

export class ValidationError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

const E164 = /^\+[0-9]{1,3}\.[0-9]{1,14}$/; // EPP e164StringType (RFC 5733 §4)
// RFC 5322 addr-spec, dot-atom form (what EPP registries accept in practice); the domain part
// may be an IDN and goes through the same name check as domains.
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/;
const ROID = /^(\w|_){1,80}-\w{1,8}$/; // EPP roidType
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
// Control characters (C0, DEL, C1) and bidi overrides could forge lines or reorder text in an answer.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// In `u` mode a surrogate matches only when it is not half of a pair: a lone surrogate is no
// character, has no UTF-8 form, and SQLite and JSON encoders each mangle it their own way.
const LONE_SURROGATE = /[\ud800-\udfff]/u;
// Noncharacters (Unicode §23.7) are for a program's internal use and are never interchanged.
const NONCHARACTER = new RegExp(
  `[\\u{FDD0}-\\u{FDEF}${Array.from({ length: 17 }, (_, plane) => `\\u{${(plane * 0x10000 + 0xfffe).toString(16)}}\\u{${(plane * 0x10000 + 0xffff).toString(16)}}`).join('')}]`,
  'u',
);

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Refuses a lone surrogate or a noncharacter in any string of a record, naming the member that holds it. */
function wellFormedStrings(field: string, value: unknown): void {
  if (typeof value === 'string') {
    const lone = LONE_SURROGATE.exec(value);
    if (lone) fail(field, `contains a lone UTF-16 surrogate (${codePoint(lone[0])}), which is not a character`);
    const non = NONCHARACTER.exec(value);
    if (non) fail(field, `contains the Unicode noncharacter ${codePoint(non[0])}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => wellFormedStrings(`${field}[${i}]`, v));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) wellFormedStrings(field ? `${field}.${key}` : key, v);
  }
}

function text(field: string, value: unknown, { optional = false, max = 255 } = {}): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'is required');
  if (value.length > max) fail(field, `is longer than ${max} characters`);
  if (UNSAFE.test(value)) fail(field, 'contains control or bidi-override characters');
}

export function isE164(value: string): boolean {
  return E164.test(value);
}

export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at < 1 || value.length > 254) return false;
  const local = value.slice(0, at);
  return local.length <= 64 && EMAIL_LOCAL.test(local) && normalizeName(value.slice(at + 1)) !== undefined;
}

function phone(field: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || !isE164(value)) fail(field, `is not an E.164 number of the form +CC.NUMBER: ${JSON.stringify(value)}`);
}

function email(field: string, value: unknown): void {
  if (typeof value !== 'string' || !isEmail(value)) fail(field, `is not an e-mail address: ${JSON.stringify(value)}`);
}

function date(field: string, value: unknown, optional = false): void {
  if (value === undefined && optional) return;
  if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) {
    fail(field, `is not an ISO 8601 UTC time (YYYY-MM-DDThh:mm:ssZ): ${JSON.stringify(value)}`);
  }
}

function country(field: string, value: unknown): void {
  if (typeof value !== 'string' || !/^[A-Z]{2}$/.test(value) || !countries.isValid(value)) {
    fail(field, `is not an ISO 3166 alpha-2 country code: ${JSON.stringify(value)}`);
  }
}

function ianaId(field: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 1) fail(field, `is not an IANA registrar ID: ${JSON.stringify(value)}`);
}

/** The registry's id of a registrar (EPP clIDType: a token of 3-16 characters). */
function clientId(field: string, value: unknown, optional = true): void {
  if (value === undefined && optional) return;
  text(field, value, { max: 16 });
  if ((value as string).length < 3 || /^\s|\s$|\s\s/.test(value as string)) fail(field, `is not an EPP client ID (3-16 characters): ${JSON.stringify(value)}`);
}

/** The sponsoring registrar: an IANA ID, or SPONSOR_BY_CLIENT_ID with the registry's id in clientId. */
function sponsor(obj: { registrarId: unknown; clientId?: unknown }): void {
  clientId('clientId', obj.clientId);
  if (obj.registrarId === SPONSOR_BY_CLIENT_ID && obj.clientId !== undefined) return;
  ianaId('registrarId', obj.registrarId);
}

function roid(field: string, value: unknown): void {
  if (typeof value !== 'string' || !ROID.test(value)) fail(field, `is not a repository object ID (ID-SUFFIX): ${JSON.stringify(value)}`);
}

function postal(field: string, p: PostalInfo | undefined, withName = true): void {
  if (p === undefined) return;
  if (p === null || typeof p !== 'object') fail(field, 'must be an object');
  knownKeys(field, p, POSTAL_KEYS);
  if (withName) text(`${field}.name`, p.name);
  text(`${field}.org`, p.org, { optional: true });
  if (!Array.isArray(p.street) || p.street.length < 1 || p.street.length > 3) fail(`${field}.street`, 'must have one to three lines');
  p.street.forEach((s, i) => text(`${field}.street[${i}]`, s));
  text(`${field}.city`, p.city);
  text(`${field}.sp`, p.sp, { optional: true });
  text(`${field}.pc`, p.pc, { optional: true, max: 16 });
  country(`${field}.cc`, p.cc);
}

function contactData(prefix: string, c: ContactData): void {
  if (prefix) knownKeys(prefix.slice(0, -1), c, CONTACT_DATA_KEYS);
  if (!c.postalInt && !c.postalLoc) fail(`${prefix}postalInfo`, 'needs an int or loc postal info');
  postal(`${prefix}postalInt`, c.postalInt);
  postal(`${prefix}postalLoc`, c.postalLoc);
  if (c.postalInt && /[^\x20-\x7e]/.test(JSON.stringify(c.postalInt).replace(/\\u[0-9a-f]{4}/gi, ''))) {
    fail(`${prefix}postalInt`, 'must be in US-ASCII (use postalLoc for other scripts)');
  }
  phone(`${prefix}voice`, c.voice);
  phone(`${prefix}fax`, c.fax);
  text(`${prefix}voiceExt`, c.voiceExt, { optional: true, max: 10 });
  text(`${prefix}faxExt`, c.faxExt, { optional: true, max: 10 });
  email(`${prefix}email`, c.email);
}

function name(field: string, value: unknown): { aLabel: string; uLabel?: string } {
  const forms = typeof value === 'string' ? normalizeName(value) : undefined;
  if (!forms) fail(field, `is not a valid domain or host name: ${JSON.stringify(value)}`);
  return forms;
}

function statuses(field: string, value: unknown, allowed: string[], optional = false): void {
  if (value === undefined && optional) return;
  if (!Array.isArray(value) || value.length === 0) fail(field, 'needs at least one status');
  for (const s of value) if (!allowed.includes(s)) fail(field, `unknown status ${JSON.stringify(s)}`);
}

// The members each record may have. `satisfies` makes the compiler hold these lists to the types
// in types.ts, so an unknown (e.g. misspelt) member is refused instead of silently dropped.
type Keys<T> = Record<keyof T, true>;
const RECORD_KEYS = {
  registrar: { type: true, ianaId: true, repositoryId: true, name: true, postal: true, voice: true, fax: true, email: true, whoisServer: true, url: true, rdapBaseUrl: true, abuseEmail: true, abusePhone: true, admin: true, tech: true, updated: true } satisfies Keys<Registrar>,
  contact: { type: true, handle: true, roid: true, registrarId: true, clientId: true, statuses: true, postalInt: true, postalLoc: true, voice: true, voiceExt: true, fax: true, faxExt: true, email: true, disclose: true, privacyProxy: true, created: true, updated: true } satisfies Keys<Contact>,
  host: { type: true, name: true, unicodeName: true, roid: true, registrarId: true, clientId: true, addresses: true, statuses: true, created: true, updated: true, ttl: true } satisfies Keys<Host>,
  domain: { type: true, name: true, unicodeName: true, roid: true, registrarId: true, clientId: true, registrant: true, admin: true, tech: true, billing: true, nameservers: true, statuses: true, created: true, updated: true, expires: true, registrarExpires: true, transferred: true, ds: true, keyData: true, hostAttrs: true, idnTableId: true, originalName: true, reseller: true, ttl: true } satisfies Keys<Domain>,
};
const POSTAL_KEYS = { name: true, org: true, street: true, city: true, sp: true, pc: true, cc: true } satisfies Keys<PostalInfo>;
const KEY_DATA_KEYS = { flags: true, protocol: true, algorithm: true, publicKey: true } satisfies Keys<DnssecKey>;
const HOST_ATTR_KEYS = { name: true, unicodeName: true, addresses: true } satisfies Keys<HostAttr>;
const CONTACT_DATA_KEYS = { postalInt: true, postalLoc: true, voice: true, voiceExt: true, fax: true, faxExt: true, email: true } satisfies Keys<ContactData>;

function knownKeys(field: string, value: object, allowed: Record<string, true>): void {
  for (const key of Object.keys(value)) if (!(key in allowed)) fail(field ? `${field}.${key}` : key, 'is not a known member');
}

/** Checks a record and returns it in canonical form (A-label names, upper-case country codes). */
export function validate(obj: RegistryObject): RegistryObject {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) fail('record', 'is not an object');
  wellFormedStrings('', obj);
  const allowed = RECORD_KEYS[obj.type as keyof typeof RECORD_KEYS];
  if (allowed) knownKeys('', obj, allowed);
  switch (obj.type) {
    case 'registrar':
      return validateRegistrar(obj);
    case 'contact':
      return validateContact(obj);
    case 'host':
      return validateHost(obj);
    case 'domain':
      return validateDomain(obj);
    default:
      fail('type', `must be registrar, contact, host or domain, not ${JSON.stringify((obj as { type?: unknown }).type)}`);
  }
}

function validateRegistrar(r: Registrar): Registrar {
  ianaId('ianaId', r.ianaId);
  clientId('repositoryId', r.repositoryId);
  text('name', r.name);
  postal('postal', { ...r.postal, name: r.name }, false);
  phone('voice', r.voice);
  phone('fax', r.fax);
  email('email', r.email);
  if (r.whoisServer !== undefined) name('whoisServer', r.whoisServer);
  for (const key of ['url', 'rdapBaseUrl'] as const) {
    const v = r[key];
    if (v !== undefined && !/^https?:\/\/[^\s]+$/.test(v)) fail(key, `is not an http(s) URL: ${JSON.stringify(v)}`);
  }
  // '' = not carried by the source (a deposit); anything else must be an address and a number.
  if (r.abuseEmail !== '') email('abuseEmail', r.abuseEmail);
  if (r.abusePhone !== '') phone('abusePhone', r.abusePhone, false);
  for (const key of ['admin', 'tech'] as const) {
    const p = r[key];
    if (!p) continue;
    text(`${key}.name`, p.name);
    phone(`${key}.voice`, p.voice);
    phone(`${key}.fax`, p.fax);
    email(`${key}.email`, p.email);
  }
  date('updated', r.updated, true);
  return r;
}

function validateContact(c: Contact): Contact {
  text('handle', c.handle, { max: 16 });
  if (!/^[A-Za-z0-9_-]{3,16}$/.test(c.handle)) fail('handle', `is not an EPP contact ID: ${JSON.stringify(c.handle)}`);
  roid('roid', c.roid);
  sponsor(c);
  statuses('statuses', c.statuses, CONTACT_STATUSES, true);
  contactData('', c);
  if (c.privacyProxy) contactData('privacyProxy.customer.', c.privacyProxy.customer);
  date('created', c.created);
  date('updated', c.updated, true);
  return c;
}

function validateHost(h: Host): Host {
  const forms = name('name', h.name);
  roid('roid', h.roid);
  sponsor(h);
  const addresses = ipAddresses('addresses', h.addresses);
  statuses('statuses', h.statuses, HOST_STATUSES);
  date('created', h.created);
  date('updated', h.updated, true);
  ttls(h.ttl, ['A', 'AAAA']);
  return { ...h, name: forms.aLabel, unicodeName: forms.uLabel, addresses };
}

/** DNS TTLs: record types the object publishes, each an unsigned 31-bit number of seconds (RFC 2181 §8). */
function ttls(value: unknown, types: readonly DnsTtlType[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('ttl', 'must be an object of record types and seconds');
  for (const [type, seconds] of Object.entries(value)) {
    if (!(types as readonly string[]).includes(type)) fail(`ttl.${type}`, `is not a record type this object has TTLs for (${types.join(', ')})`);
    if (!Number.isInteger(seconds) || (seconds as number) < 0 || (seconds as number) > 2147483647) fail(`ttl.${type}`, 'must be 0-2147483647 seconds');
  }
}

function ipAddresses(field: string, value: unknown): string[] {
  if (!Array.isArray(value)) fail(field, 'must be a list');
  return value.map((a, i) => {
    if (typeof a !== 'string' || isIP(a) === 0) fail(`${field}[${i}]`, `is not an IP address: ${JSON.stringify(a)}`);
    return canonicalIp(a);
  });
}

function byte(field: string, value: unknown, max = 255): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) fail(field, `must be 0-${max}`);
}

function keyData(value: unknown): DnssecKey[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail('keyData', 'must be a list');
  return value.map((k: DnssecKey, i) => {
    const field = `keyData[${i}]`;
    if (k === null || typeof k !== 'object') fail(field, 'must be an object');
    knownKeys(field, k, KEY_DATA_KEYS);
    byte(`${field}.flags`, k.flags, 65535);
    byte(`${field}.protocol`, k.protocol);
    byte(`${field}.algorithm`, k.algorithm);
    const key = typeof k.publicKey === 'string' ? k.publicKey.replace(/\s+/g, '') : '';
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4) fail(`${field}.publicKey`, 'must be base64');
    return { ...k, publicKey: key };
  });
}

function hostAttrs(value: unknown): HostAttr[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) fail('hostAttrs', 'must be a list');
  return value.map((h: HostAttr, i) => {
    const field = `hostAttrs[${i}]`;
    if (h === null || typeof h !== 'object') fail(field, 'must be an object');
    knownKeys(field, h, HOST_ATTR_KEYS);
    const forms = name(`${field}.name`, h.name);
    return { name: forms.aLabel, ...(forms.uLabel ? { unicodeName: forms.uLabel } : {}), addresses: ipAddresses(`${field}.addresses`, h.addresses) };
  });
}

function validateDomain(d: Domain): Domain {
  const forms = name('name', d.name);
  roid('roid', d.roid);
  sponsor(d);
  for (const role of ['registrant', 'admin', 'tech', 'billing'] as const) {
    if (d[role] !== undefined) text(role, d[role], { max: 16 });
  }
  if (!Array.isArray(d.nameservers) || d.nameservers.length > 13) fail('nameservers', 'must be a list of at most 13 host names');
  const nameservers = d.nameservers.map((n, i) => name(`nameservers[${i}]`, n).aLabel);
  statuses('statuses', d.statuses, EPP_STATUSES);
  date('created', d.created);
  date('updated', d.updated, true);
  date('expires', d.expires);
  date('registrarExpires', d.registrarExpires, true);
  date('transferred', d.transferred, true);
  if (!Array.isArray(d.ds)) fail('ds', 'must be a list');
  const ds = d.ds.map((r, i) => {
    if (!Number.isInteger(r.keyTag) || r.keyTag < 0 || r.keyTag > 65535) fail(`ds[${i}].keyTag`, 'must be 0-65535');
    if (!Number.isInteger(r.algorithm) || r.algorithm < 0 || r.algorithm > 255) fail(`ds[${i}].algorithm`, 'must be 0-255');
    if (!Number.isInteger(r.digestType) || r.digestType < 0 || r.digestType > 255) fail(`ds[${i}].digestType`, 'must be 0-255');
    if (typeof r.digest !== 'string' || !/^[0-9A-Fa-f]{2,}$/.test(r.digest) || r.digest.length % 2) fail(`ds[${i}].digest`, 'must be hexadecimal');
    return { ...r, digest: r.digest.toUpperCase() };
  });
  const keys = keyData(d.keyData);
  const attrs = hostAttrs(d.hostAttrs);
  if (nameservers.length + (attrs?.length ?? 0) > 13) fail('hostAttrs', 'a domain has at most 13 name servers, host objects and host attributes together');
  text('idnTableId', d.idnTableId, { optional: true, max: 64 });
  const original = d.originalName === undefined ? undefined : name('originalName', d.originalName).aLabel;
  text('reseller', d.reseller, { optional: true });
  ttls(d.ttl, DNS_TTL_TYPES);
  return {
    ...d,
    name: forms.aLabel,
    unicodeName: forms.uLabel,
    nameservers,
    ds,
    ...(keys ? { keyData: keys } : {}),
    ...(attrs ? { hostAttrs: attrs } : {}),
    ...(original ? { originalName: original } : {}),
  };
}

/** The canonical text of an IP address (lower-case, compressed IPv6), so lookups match whatever form a client types. */
export function canonicalIp(address: string): string {
  if (isIP(address) === 4) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}
