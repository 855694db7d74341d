// RFC 9022 objects to the rdds model (src/model/types.ts). Each mapper reads the elements it
// knows and reports the ones it does not use (counted in the import summary); a value the model
// cannot hold is refused with the element's name. The Store validates the result like any other
// record, so a deposit and a JSON Lines file pass the same checks.
import { normalizeName } from '../../model/idn.js';
import { SPONSOR_BY_CLIENT_ID, type Contact, type Disclose, type DnssecKey, type Domain, type DsRecord, type Host, type HostAttr, type PostalInfo, type Registrar } from '../../model/types.js';
import type { RemoveTarget } from '../../store/store.js';
import { NS, qualifiedName } from './namespaces.js';
import type { XmlNode } from './parse.js';

/** An object the importer cannot map; the message names the element. */
export class MappingError extends Error {}

/** Element names (rdeDomain:crRr, ...) this object had and rdds does not use. */
export type Skipped = string[];

/** Reads the children of one element, remembering which it used. */
class Children {
  private readonly used = new Set<XmlNode>();

  constructor(
    private readonly node: XmlNode,
    private readonly ns: string,
    private readonly skipped: Skipped,
    /** For nested elements whose names repeat their parent's (rdeRegistrar:whoisInfo/url). */
    private readonly within = '',
  ) {}

  all(local: string, ns = this.ns): XmlNode[] {
    const found = this.node.children.filter((c) => c.uri === ns && c.local === local);
    for (const c of found) this.used.add(c);
    return found;
  }

  one(local: string, ns = this.ns): XmlNode | undefined {
    return this.all(local, ns)[0];
  }

  text(local: string, ns = this.ns): string | undefined {
    const n = this.one(local, ns);
    return n === undefined ? undefined : n.text.trim();
  }

  required(local: string, ns = this.ns): string {
    const value = this.text(local, ns);
    if (value === undefined || value === '') throw new MappingError(`${qualifiedName(ns, local)} is missing`);
    return value;
  }

  /** Counts the children nobody asked for as skipped. */
  done(): void {
    for (const c of this.node.children) {
      if (!this.used.has(c)) this.skipped.push(this.within && c.uri === this.ns ? this.within + c.local : qualifiedName(c.uri, c.local));
    }
  }
}

const XSD_DATETIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** An XML Schema dateTime as UTC ISO 8601 (milliseconds kept when not zero; no zone taken as UTC). */
export function utcTime(element: string, value: string): string {
  const m = XSD_DATETIME.exec(value);
  const ms = m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${(m[7] ?? '').slice(0, 4)}${m[8] ?? 'Z'}`) : NaN;
  if (Number.isNaN(ms)) throw new MappingError(`${element} is not an XML dateTime: ${JSON.stringify(value)}`);
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function time(c: Children, local: string, ns: string): string | undefined {
  const value = c.text(local);
  return value === undefined ? undefined : utcTime(qualifiedName(ns, local), value);
}

function requiredTime(c: Children, local: string, ns: string, why: string): string {
  const value = time(c, local, ns);
  if (value === undefined) throw new MappingError(`${qualifiedName(ns, local)} is missing (${why})`);
  return value;
}

function integer(element: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new MappingError(`${element} is not a whole number: ${JSON.stringify(value)}`);
  return Number(value);
}

function statuses(c: Children, local = 'status', ns?: string): string[] {
  return c.all(local, ns).map((s) => s.attrs.s ?? '');
}

/** Sets the optional members that have a value (JSON drops the others anyway; this keeps objects tidy). */
function defined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) if (obj[key] === undefined) delete obj[key];
  return obj;
}

function postal(node: XmlNode, ns: string, skipped: Skipped, withName: boolean): PostalInfo {
  const c = new Children(node, ns, skipped);
  const addrNode = c.one('addr');
  if (!addrNode) throw new MappingError(`${qualifiedName(ns, 'addr')} is missing in ${qualifiedName(ns, 'postalInfo')}`);
  const a = new Children(addrNode, ns, skipped);
  const info = defined({
    name: withName ? c.required('name') : '',
    org: withName ? c.text('org') : undefined,
    street: a.all('street').map((s) => s.text.trim()).filter((s) => s !== ''),
    city: a.required('city'),
    sp: a.text('sp') || undefined,
    pc: a.text('pc') || undefined,
    cc: a.required('cc').toUpperCase(),
  });
  a.done();
  c.done();
  return info;
}

export function mapDomain(node: XmlNode, skipped: Skipped): Domain {
  const c = new Children(node, NS.domain, skipped);
  const name = c.required('name');
  const uName = c.text('uName');
  if (uName !== undefined && normalizeName(uName)?.aLabel !== normalizeName(name)?.aLabel) {
    throw new MappingError(`rdeDomain:uName ${JSON.stringify(uName)} is not the U-label of ${JSON.stringify(name)}`);
  }
  const contacts: Partial<Record<'admin' | 'tech' | 'billing', string>> = {};
  for (const n of c.all('contact')) {
    const type = n.attrs.type;
    if (type !== 'admin' && type !== 'tech' && type !== 'billing') throw new MappingError(`rdeDomain:contact has type ${JSON.stringify(type)}, not admin, tech or billing`);
    if (contacts[type] === undefined) contacts[type] = n.text.trim();
    else skipped.push(`rdeDomain:contact (a second ${type} contact)`);
  }
  const nameservers: string[] = [];
  const hostAttrs: HostAttr[] = [];
  const nsNode = c.one('ns');
  if (nsNode) {
    const n = new Children(nsNode, NS.eppDomain, skipped);
    for (const h of n.all('hostObj')) nameservers.push(h.text.trim());
    for (const h of n.all('hostAttr')) {
      const a = new Children(h, NS.eppDomain, skipped);
      hostAttrs.push({ name: a.required('hostName'), addresses: a.all('hostAddr').map((x) => x.text.trim()) });
      a.done();
    }
    n.done();
  }
  const ds: DsRecord[] = [];
  const keyData: DnssecKey[] = [];
  const sec = c.one('secDNS');
  if (sec) {
    const s = new Children(sec, NS.secDNS, skipped);
    for (const d of s.all('dsData')) {
      const r = new Children(d, NS.secDNS, skipped);
      ds.push({ keyTag: integer('secDNS:keyTag', r.required('keyTag')), algorithm: integer('secDNS:alg', r.required('alg')), digestType: integer('secDNS:digestType', r.required('digestType')), digest: r.required('digest') });
      r.done();
    }
    for (const k of s.all('keyData')) keyData.push(key(k, skipped));
    s.done();
  }
  const status = [...statuses(c), ...statuses(c, 'rgpStatus')];
  const domain: Domain = defined({
    type: 'domain' as const,
    name,
    roid: c.required('roid'),
    registrarId: SPONSOR_BY_CLIENT_ID,
    clientId: c.required('clID'),
    registrant: c.text('registrant'),
    admin: contacts.admin,
    tech: contacts.tech,
    billing: contacts.billing,
    nameservers,
    statuses: [...new Set(status)],
    created: requiredTime(c, 'crDate', NS.domain, 'rdds needs the creation date'),
    updated: time(c, 'upDate', NS.domain),
    expires: requiredTime(c, 'exDate', NS.domain, 'rdds needs the expiry date'),
    transferred: time(c, 'trDate', NS.domain),
    ds,
    keyData: keyData.length ? keyData : undefined,
    hostAttrs: hostAttrs.length ? hostAttrs : undefined,
    idnTableId: c.text('idnTableId'),
    originalName: c.text('originalName'),
  });
  c.done();
  return domain;
}

function key(node: XmlNode, skipped: Skipped): DnssecKey {
  const k = new Children(node, NS.secDNS, skipped);
  const result = { flags: integer('secDNS:flags', k.required('flags')), protocol: integer('secDNS:protocol', k.required('protocol')), algorithm: integer('secDNS:alg', k.required('alg')), publicKey: k.required('pubKey') };
  k.done();
  return result;
}

export function mapHost(node: XmlNode, skipped: Skipped): Host {
  const c = new Children(node, NS.host, skipped);
  const host: Host = defined({
    type: 'host' as const,
    name: c.required('name'),
    roid: c.required('roid'),
    registrarId: SPONSOR_BY_CLIENT_ID,
    clientId: c.required('clID'),
    addresses: c.all('addr').map((a) => a.text.trim()),
    statuses: statuses(c),
    created: requiredTime(c, 'crDate', NS.host, 'rdds needs the creation date'),
    updated: time(c, 'upDate', NS.host),
  });
  c.done();
  return host;
}

const DISCLOSE_ELEMENTS = ['name', 'org', 'addr', 'voice', 'fax', 'email'] as const;

export function mapContact(node: XmlNode, skipped: Skipped): Contact {
  const c = new Children(node, NS.contact, skipped);
  const forms: Partial<Record<'int' | 'loc', PostalInfo>> = {};
  for (const p of c.all('postalInfo')) {
    const type = p.attrs.type;
    if (type !== 'int' && type !== 'loc') throw new MappingError(`rdeContact:postalInfo has type ${JSON.stringify(type)}, not int or loc`);
    forms[type] = postal(p, NS.eppContact, skipped, true);
  }
  const voice = c.one('voice');
  const fax = c.one('fax');
  let disclose: Disclose | undefined;
  const d = c.one('disclose');
  if (d) {
    const flag = d.attrs.flag;
    if (flag !== '0' && flag !== '1' && flag !== 'true' && flag !== 'false') throw new MappingError(`rdeContact:disclose has flag ${JSON.stringify(flag)}, not 0 or 1`);
    const allowed = flag === '1' || flag === 'true';
    disclose = {};
    for (const e of d.children) {
      const which = DISCLOSE_ELEMENTS.find((x) => e.uri === NS.eppContact && e.local === x);
      if (which) disclose[which] = allowed;
      else skipped.push(qualifiedName(e.uri, e.local));
    }
  }
  const contact: Contact = defined({
    type: 'contact' as const,
    handle: c.required('id'),
    roid: c.required('roid'),
    registrarId: SPONSOR_BY_CLIENT_ID,
    clientId: c.required('clID'),
    statuses: statuses(c),
    postalInt: forms.int,
    postalLoc: forms.loc,
    voice: voice?.text.trim(),
    voiceExt: voice?.attrs.x || undefined,
    fax: fax?.text.trim(),
    faxExt: fax?.attrs.x || undefined,
    email: c.required('email'),
    disclose,
    created: requiredTime(c, 'crDate', NS.contact, 'rdds needs the creation date'),
    updated: time(c, 'upDate', NS.contact),
  });
  c.done();
  return contact;
}

export function mapRegistrar(node: XmlNode, skipped: Skipped): Registrar {
  const c = new Children(node, NS.registrar, skipped);
  const repositoryId = c.required('id');
  const gurid = c.text('gurid');
  if (gurid === undefined) throw new MappingError('rdeRegistrar:gurid (the IANA registrar ID) is missing: rdds keys registrars by IANA ID');
  const forms: Partial<Record<'int' | 'loc', PostalInfo>> = {};
  for (const p of c.all('postalInfo')) forms[p.attrs.type === 'loc' ? 'loc' : 'int'] = postal(p, NS.registrar, skipped, false);
  const address = forms.int ?? forms.loc;
  if (!address) throw new MappingError('rdeRegistrar:postalInfo is missing');
  if (forms.int && forms.loc) skipped.push('rdeRegistrar:postalInfo (loc, beside int)');
  const { name: _name, org: _org, ...postalAddress } = address;
  let whoisServer: string | undefined;
  const w = c.one('whoisInfo');
  if (w) {
    const wc = new Children(w, NS.registrar, skipped, 'rdeRegistrar:whoisInfo/');
    whoisServer = wc.text('name');
    wc.done();
  }
  const registrar: Registrar = defined({
    type: 'registrar' as const,
    ianaId: integer('rdeRegistrar:gurid', gurid),
    repositoryId,
    name: c.required('name'),
    postal: postalAddress,
    voice: c.text('voice'),
    fax: c.text('fax'),
    email: c.required('email'),
    whoisServer,
    url: c.text('url'),
    abuseEmail: '', // RFC 9022 registrars carry no abuse contact: the store keeps what JSON Lines gave
    abusePhone: '',
    updated: time(c, 'upDate', NS.registrar),
  });
  c.done();
  return registrar;
}

/** The deposit header: TLD and the count of each object type (by namespace URI). */
export function mapHeader(node: XmlNode, skipped: Skipped): { tld: string; counts: Map<string, number> } {
  const c = new Children(node, NS.header, skipped);
  const tld = c.required('tld');
  const counts = new Map<string, number>();
  for (const n of c.all('count')) counts.set(n.attrs.uri ?? '', integer('rdeHeader:count', n.text.trim()));
  c.done();
  const aLabel = normalizeName(`x.${tld}`)?.aLabel.slice(2);
  if (!aLabel) throw new MappingError(`rdeHeader:tld ${JSON.stringify(tld)} is not a TLD`);
  return { tld: aLabel, counts };
}

/** The objects one <rde:deletes> child removes (an element of a namespace rdds does not keep: none). */
export function mapDelete(node: XmlNode, skipped: Skipped): RemoveTarget[] {
  const c = new Children(node, node.uri, skipped);
  let targets: RemoveTarget[] = [];
  if (node.uri === NS.domain) targets = c.all('name').map((n) => ({ kind: 'domain', name: n.text.trim() }));
  else if (node.uri === NS.host) {
    targets = [...c.all('name').map((n): RemoveTarget => ({ kind: 'host', name: n.text.trim() })), ...c.all('roid').map((n): RemoveTarget => ({ kind: 'host', roid: n.text.trim() }))];
  } else if (node.uri === NS.contact) targets = c.all('id').map((n) => ({ kind: 'contact', handle: n.text.trim() }));
  else if (node.uri === NS.registrar) targets = c.all('id').map((n) => ({ kind: 'registrar', repositoryId: n.text.trim() }));
  else {
    skipped.push(qualifiedName(node.uri, node.local));
    return [];
  }
  c.done();
  return targets;
}
