// Shared pieces of the RDAP tests: a registry whose contacts carry values found nowhere else (so a
// leak test can look for them), an HTTP client that can choose its source address (the access
// tier follows the address), and the profile checks ICANN's tool runs in code.
import http from 'node:http';
import assert from 'node:assert/strict';
import { JSONPath } from 'jsonpath-plus';
import countries from 'i18n-iso-countries';
import type { Contact, RegistryObject } from '../../src/model/types.js';
import { CONTACT_FIELDS } from '../../src/policy/fields.js';
import { contact, domain, host, IDN_ULABEL, registrar } from '../store/fixtures.js';

/** Loopback source addresses: 127.0.0.1 is public, 127.0.0.2 is configured as authorized. */
export const PUBLIC_FROM = '127.0.0.1';
export const AUTHORIZED_FROM = '127.0.0.2';

function privateContact(handle: string, n: number): Contact {
  return contact(handle, {
    postalInt: {
      name: `Quillon Varga${n}`,
      org: 'Example Organisation',
      street: [`${n}7 Hiddenmoor Lane`, `Flat ${n}Q`],
      city: `Secretbury${n}`,
      sp: 'VA',
      pc: `ZX${n}9 8QW`,
      cc: 'US',
    },
    voice: `+44.20794600${n}1`,
    voiceExt: `7${n}3`,
    fax: `+44.20794600${n}2`,
    faxExt: `6${n}4`,
    email: `quillon.varga${n}@private-mail.example`,
  });
}

/** One registrar, four contacts with unique personal values, two hosts, nic.example and the IDN. */
export function rdapObjects(): RegistryObject[] {
  return [
    registrar(),
    privateContact('REG-1', 1),
    privateContact('ADM-1', 2),
    privateContact('TECH-1', 3),
    privateContact('BILL-1', 4),
    host('ns1.nic.example', ['192.0.2.53', '2001:db8::53']),
    host('ns2.nic.example', ['198.51.100.53']),
    domain('nic.example'),
    domain(IDN_ULABEL, { admin: undefined, billing: undefined, nameservers: ['ns2.nic.example'] }),
  ];
}

/** Every personal value of the contacts, as a public answer must never show it. */
export function personalValues(objects: RegistryObject[]): string[] {
  const out: string[] = [];
  for (const obj of objects) {
    if (obj.type !== 'contact') continue;
    for (const field of CONTACT_FIELDS) {
      if (!field.personal) continue;
      const value = field.get(obj, obj.handle);
      for (const v of [value ?? []].flat()) if (v) out.push(v);
    }
  }
  return out;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** `host`: the server address to connect to (127.0.0.1, or ::1 for IPv6; then `from` defaults to ::1 too). */
export function request(port: number, path: string, opts: { from?: string; method?: string; headers?: Record<string, string>; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const host = opts.host ?? '127.0.0.1';
    const localAddress = opts.from ?? (host === '::1' ? '::1' : PUBLIC_FROM);
    const req = http.request({ host, port, path, method: opts.method ?? 'GET', localAddress, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no answer in time')));
    req.end();
  });
}

export function jsonPath(path: string, json: unknown): unknown[] {
  return JSONPath({ path, json: json as object, wrap: true }) as unknown[];
}

export const CONFORMANCE = ['rdap_level_0', 'icann_rdap_response_profile_1', 'icann_rdap_technical_implementation_guide_1'];

/** The profile rules every answer follows: conformance, terms-of-service notice, link values. */
export function checkCommon(answer: any, requestUrl: string): void {
  for (const level of CONFORMANCE) assert.ok(answer.rdapConformance.includes(level), `rdapConformance has ${level}`);
  assert.ok(!answer.rdapConformance.some((c: string) => /_0$/.test(c) && c !== 'rdap_level_0'), 'no _0 profile versions');
  assert.equal(answer.rdapConformance.includes('redacted'), Array.isArray(answer.redacted), '"redacted" conformance exactly when a redacted member is present');
  const tos = answer.notices.find((n: any) => n.links?.some((l: any) => l.rel === 'terms-of-service'));
  assert.ok(tos, 'terms-of-service notice');
  const link = tos.links.find((l: any) => l.rel === 'terms-of-service');
  assert.match(link.href, /^https?:\/\//);
  assert.equal(link.value, requestUrl);
}

/** The object's own self link. */
export function checkSelf(object: any, requestUrl: string): void {
  const self = object.links?.find((l: any) => l.rel === 'self');
  assert.ok(self, 'self link');
  assert.equal(self.value, requestUrl);
  assert.equal(self.type, 'application/rdap+json');
}

/** A domain answer's notices, events, handle, registrar and nameservers (ICANN profile 2024). */
export function checkDomainProfile(answer: any, requestUrl: string, roidSuffix = 'EXAMPLE'): void {
  checkCommon(answer, requestUrl);
  checkSelf(answer, requestUrl);
  const status = answer.notices.find((n: any) => n.title === 'Status Codes');
  assert.deepEqual(status?.description, ['For more information on domain status codes, please visit https://icann.org/epp']);
  assert.deepEqual(status.links.map((l: any) => [l.rel, l.href, l.value]), [['glossary', 'https://icann.org/epp', requestUrl]]);
  const wicf = answer.notices.find((n: any) => n.title === 'RDDS Inaccuracy Complaint Form');
  assert.deepEqual(wicf?.description, ['URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf']);
  assert.deepEqual(wicf.links.map((l: any) => [l.rel, l.href, l.value]), [['help', 'https://icann.org/wicf', requestUrl]]);
  assert.match(answer.handle, new RegExp(`^\\w{1,80}-${roidSuffix}$`));
  const actions = answer.events.map((e: any) => e.eventAction);
  for (const a of ['registration', 'expiration', 'last update of RDAP database']) assert.ok(actions.includes(a), `event ${a}`);
  for (const e of answer.events) assert.match(e.eventDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(typeof answer.secureDNS?.delegationSigned, 'boolean');
  assert.ok(Array.isArray(answer.nameservers) && answer.nameservers.length > 0);
  assert.equal(answer.port43, 'whois.nic.example');
  const related = answer.links.find((l: any) => l.rel === 'related');
  assert.ok(related, 'related link to the registrar RDAP');
  assert.equal(related.href, `https://rdap.registrar.example/domain/${answer.ldhName}`);
  const registrars = answer.entities.filter((e: any) => e.roles.includes('registrar'));
  assert.equal(registrars.length, 1, 'exactly one registrar entity');
  checkRegistrarEntity(registrars[0]);
  assert.deepEqual(entityProfileErrors(answer), [], 'checks -62101 and -47600');
}

/** A valid ISO 3166-1 alpha-2 code in upper case, as the conformance tool wants a jCard's `cc`. */
const ISO_ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));

/**
 * Two checks ICANN's conformance tool runs on the top-level entities of a domain answer (rdds's
 * own tests missed them before): -62101, every `adr` of a jCard carries an ISO 3166-1 alpha-2
 * `cc` parameter (ResponseValidation1Dot2_4_2024; the tool's repository also holds a stricter
 * variant that wants an `adr` in every jCard, which the public technical contact, shown without
 * an address by policy, would fail); -47600, every top-level entity but the registrar,
 * registrant, technical and reseller ones has a handle of the form `(\w|_){1,80}-\w{1,8}`
 * (ResponseValidation2Dot7Dot3_2024). Returns one line per failure.
 */
export function entityProfileErrors(answer: any): string[] {
  const errors: string[] = [];
  for (const [i, entity] of (answer.entities ?? []).entries()) {
    const card = entity.vcardArray?.[1] ?? [];
    for (const prop of card) {
      if (prop[0] !== 'adr') continue;
      const cc = prop[1]?.cc;
      if (typeof cc !== 'string' || cc !== cc.toUpperCase() || !ISO_ALPHA2.has(cc)) errors.push(`-62101: entities[${i}] (${entity.roles}) has an adr without a valid cc`);
    }
    const roles: string[] = entity.roles ?? [];
    const exempt = ['registrar', 'registrant', 'technical', 'reseller'].some((r) => roles.includes(r));
    if (!exempt && !/^(\w|_){1,80}-\w{1,8}$/.test(entity.handle ?? '')) errors.push(`-47600: entities[${i}] (${roles}) has no <id>-<suffix> handle`);
  }
  return errors;
}

export function checkRegistrarEntity(r: any): void {
  assert.equal(r.handle, '5555555');
  assert.deepEqual(r.publicIds, [{ type: 'IANA Registrar ID', identifier: r.handle }]);
  assert.ok(r.vcardArray[1].some((p: any) => p[0] === 'fn' && p[3]), 'registrar fn');
  const abuse = r.entities?.find((e: any) => e.roles.includes('abuse'));
  assert.ok(abuse, 'abuse entity');
  assert.ok(abuse.vcardArray[1].some((p: any) => p[0] === 'tel' && p[1].type === 'voice' && /^tel:/.test(p[3])), 'abuse voice tel');
  assert.ok(abuse.vcardArray[1].some((p: any) => p[0] === 'email' && p[3].includes('@')), 'abuse email');
  const about = r.links?.find((l: any) => l.rel === 'about');
  assert.ok(about, 'about link');
  assert.equal(about.value, 'https://rdap.registrar.example/');
}

/**
 * RFC 9537 as the tool checks it: each removal's prePath matches nothing, each emptyValue's
 * postPath matches only empty values, and names are given in name.type.
 */
export function checkRedactions(answer: any): void {
  for (const r of answer.redacted ?? []) {
    assert.equal(r.pathLang, 'jsonpath');
    assert.equal(typeof r.name?.type, 'string');
    assert.ok(r.reason?.description);
    if (r.method === 'removal') {
      assert.ok(r.prePath && !r.postPath, `${r.name.type}: removal has a prePath`);
      assert.deepEqual(jsonPath(r.prePath, answer), [], `${r.name.type}: removed value absent`);
    } else {
      assert.equal(r.method, 'emptyValue');
      assert.ok(r.postPath && !r.prePath, `${r.name.type}: emptyValue has a postPath`);
      const hits = jsonPath(r.postPath, answer);
      assert.ok(hits.length > 0, `${r.name.type}: emptied value present`);
      assert.ok(hits.every((h) => h === ''), `${r.name.type}: emptied value is empty`);
    }
  }
}

/** Every string in a JSON value. */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}
