// A streaming writer of registry data escrow deposits: the RFC 8909 envelope around RFC 9022
// objects, written from rdds model objects. Text goes out in chunks of about 64 KiB through the
// Writable's back-pressure (optionally gzip-compressed), so memory stays flat however many objects
// pass through. Every value is XML-escaped; a value XML 1.0 cannot carry at all (C0 controls, lone
// surrogates, U+FFFE/U+FFFF) is refused with an error naming the object and field, never written.
//
// What the deposit cannot carry of an rdds object (RFC 9022 has no element for it) is left out;
// withoutUncarried() says exactly what, so tests can compare an import with what was written:
//   registrar: abuseEmail, abusePhone, rdapBaseUrl, admin, tech (no creation date either: crDate,
//              which the schema requires, is written as the registrar's `updated`, else the watermark)
//   contact:   privacyProxy (the customer behind a privacy service is not registry data), disclose
//              members that are false (the deposit lists what may be disclosed, flag="1")
//   host:      unicodeName (the deposit names hosts by A-label only)
//   domain:    reseller, registrarExpires (a registrar's own date, not registry data)
// Statuses: RFC 3915 grace-period statuses go to <rdeDomain:rgpStatus>; a domain whose statuses
// are all grace periods gets <rdeDomain:status s="ok"/> beside them, as the schema needs one status.
// Contacts carry no statuses in rdds: they are written as "ok".
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Contact, Domain, Host, PostalInfo, Registrar, RegistryObject } from '../../model/types.js';

export type DepositType = 'FULL' | 'DIFF' | 'INCR';
export type ObjectType = RegistryObject['type'];

/** Objects of each type in the registry at the watermark (RFC 9022 header counts). */
export type ObjectCounts = Record<ObjectType, number>;

export interface DepositEnvelope {
  type: DepositType;
  /** RFC 8909 depositIdType: 1-13 letters or digits. */
  id: string;
  /** The deposit this one follows (DIFF: the previous deposit; INCR: the last FULL). */
  prevId?: string;
  /** The point in time the data reflects, ISO 8601 UTC. */
  watermark: string;
  tld: string;
  /**
   * The header counts. RFC 9022 §5.1.1 (as issue #14 reads it): the objects of each type in the
   * registry at the watermark, whatever the deposit type, so a DIFF states the totals after it.
   */
  counts: ObjectCounts;
}

/** What a <rde:deletes> entry names: a domain and a host by name (or a host by roid), a contact by handle, a registrar by IANA ID. */
export type DepositDelete =
  | { type: 'domain'; name: string }
  | { type: 'host'; name: string }
  | { type: 'host'; roid: string }
  | { type: 'contact'; handle: string }
  | { type: 'registrar'; ianaId: number };

/** A value or call the writer cannot turn into a valid deposit; the message names the object and field. */
export class DepositWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DepositWriteError';
  }
}

const NS = {
  rde: 'urn:ietf:params:xml:ns:rde-1.0',
  rdeHeader: 'urn:ietf:params:xml:ns:rdeHeader-1.0',
  rdeDomain: 'urn:ietf:params:xml:ns:rdeDomain-1.0',
  rdeHost: 'urn:ietf:params:xml:ns:rdeHost-1.0',
  rdeContact: 'urn:ietf:params:xml:ns:rdeContact-1.0',
  rdeRegistrar: 'urn:ietf:params:xml:ns:rdeRegistrar-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
} as const;

/** The namespace of each object type: the header count's `uri` and the rdeMenu objURI. */
export const OBJECT_URI: Readonly<Record<ObjectType, string>> = {
  domain: NS.rdeDomain,
  host: NS.rdeHost,
  contact: NS.rdeContact,
  registrar: NS.rdeRegistrar,
};
const TYPES: ObjectType[] = ['domain', 'host', 'contact', 'registrar'];

/** RFC 3915 statuses: a deposit carries them as <rdeDomain:rgpStatus>, not <rdeDomain:status>. */
const RGP_STATUSES = new Set(['addPeriod', 'autoRenewPeriod', 'renewPeriod', 'transferPeriod', 'redemptionPeriod', 'pendingRestore']);

/**
 * The registry's own id of a registrar (what clID, crRr refer to). Deliberately not the IANA ID
 * (that is <rdeRegistrar:gurid>), so an importer has to map one to the other.
 */
export function registrarRepositoryId(ianaId: number): string {
  return `reg-${ianaId}`;
}

/** The object as far as a deposit carries it (see the list at the top of this file). */
export function withoutUncarried(obj: RegistryObject): RegistryObject {
  switch (obj.type) {
    case 'registrar': {
      const { abuseEmail: _e, abusePhone: _p, rdapBaseUrl: _r, admin: _a, tech: _t, ...rest } = obj;
      return rest as RegistryObject;
    }
    case 'contact': {
      const { privacyProxy: _p, disclose, ...rest } = obj;
      const shown = disclose && Object.fromEntries(Object.entries(disclose).filter(([, v]) => v === true));
      return shown && Object.keys(shown).length > 0 ? { ...rest, disclose: shown } : rest;
    }
    case 'host': {
      const { unicodeName: _u, ...rest } = obj;
      return rest;
    }
    case 'domain': {
      const { reseller: _r, registrarExpires: _e, ...rest } = obj;
      return rest;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Escaping

// Characters XML 1.0 allows (§2.2 Char); anything else cannot be written even as a reference.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
// Printable ASCII that needs no escaping anywhere: the fast path for almost every value.
const PLAIN = /^[\u0020-\u0021\u0023-\u0025\u0027-\u003b\u003d\u003f-\u007e]*$/;
// C1 controls go out as character references too: XML 1.0 §2.2 discourages them raw, XML 1.1
// requires references, and a reference survives tools that mangle raw control bytes.
const TEXT_SPECIAL = /[&<>\r\u0080-\u009f]/g;
const ATTR_SPECIAL = /[&<>"\r\n\t\u0080-\u009f]/g;
const REFERENCE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' };
const reference = (c: string) => REFERENCE[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;

function escaper(special: RegExp) {
  return (value: string, where: () => string): string => {
    if (PLAIN.test(value)) return value;
    const bad = NOT_XML_CHAR.exec(value);
    if (bad) {
      const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new DepositWriteError(`${where()}: U+${code} at offset ${bad.index} cannot be carried by XML 1.0`);
    }
    return value.replace(special, reference);
  };
}
const escText = escaper(TEXT_SPECIAL);
const escAttr = escaper(ATTR_SPECIAL);

// ---------------------------------------------------------------------------------------------
// The writer

const CHUNK = 1 << 16; // characters buffered before a write
// RFC 8909 depositIdType is \w{1,13} in XML Schema regex, where \w means letters and digits of any
// script but not `_`; ASCII letters and digits are what both readings accept.
const DEPOSIT_ID = /^[A-Za-z0-9]{1,13}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

export interface DepositWriterOptions {
  /** gzip-compress what goes to the Writable. */
  gzip?: boolean;
}

/**
 * Writes one deposit: deletes() (DIFF/INCR only) before any put(), then end(). Each call awaits
 * the Writable's back-pressure. For a FULL deposit end() checks that the objects written match the
 * header counts; a DIFF's counts are totals after it and cannot be checked here.
 */
export class DepositWriter {
  private readonly sink: Writable;
  private readonly done: Promise<void>;
  private buffer = '';
  private state: 'start' | 'deletes' | 'contents' | 'ended' = 'start';
  private readonly written: ObjectCounts = { domain: 0, host: 0, contact: 0, registrar: 0 };

  constructor(out: Writable, private readonly envelope: DepositEnvelope, opts: DepositWriterOptions = {}) {
    checkEnvelope(envelope);
    if (opts.gzip) {
      const gzip = createGzip();
      this.sink = gzip;
      this.done = pipeline(gzip, out);
    } else {
      this.sink = out;
      this.done = finished(out);
    }
    this.done.catch(() => {}); // observed in end(); a failed stream also rejects the pending flush
    const e = envelope;
    const xmlns = Object.entries(NS).map(([prefix, uri]) => `\n    xmlns:${prefix}="${uri}"`).join('');
    this.buffer =
      `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<rde:deposit type="${e.type}" id="${e.id}"${e.prevId === undefined ? '' : ` prevId="${e.prevId}"`}${xmlns}>\n` +
      `  <rde:watermark>${e.watermark}</rde:watermark>\n` +
      `  <rde:rdeMenu>\n    <rde:version>1.0</rde:version>\n` +
      [NS.rdeHeader, ...TYPES.map((t) => OBJECT_URI[t])].map((uri) => `    <rde:objURI>${uri}</rde:objURI>\n`).join('') +
      `  </rde:rdeMenu>\n`;
  }

  /** Writes one <rde:deletes> entry. Only for DIFF and INCR, and only before the first object. */
  async delete(d: DepositDelete): Promise<void> {
    if (this.envelope.type === 'FULL') throw new DepositWriteError('a FULL deposit has no <rde:deletes>');
    if (this.state === 'contents' || this.state === 'ended') throw new DepositWriteError('deletes must come before the objects');
    if (this.state === 'start') {
      this.buffer += '  <rde:deletes>\n';
      this.state = 'deletes';
    }
    this.buffer += deleteXml(d);
    await this.flush(false);
  }

  /** Writes one object into <rde:contents> (the header goes first, with the first object). */
  async put(obj: RegistryObject): Promise<void> {
    if (this.state === 'ended') throw new DepositWriteError('the deposit is already ended');
    if (this.state !== 'contents') this.openContents();
    this.buffer += objectXml(obj, this.envelope.watermark);
    this.written[obj.type]++;
    await this.flush(false);
  }

  /** Closes the deposit and the Writable; resolves once everything is written. */
  async end(): Promise<void> {
    if (this.state === 'ended') throw new DepositWriteError('the deposit is already ended');
    if (this.state !== 'contents') this.openContents();
    this.state = 'ended';
    if (this.envelope.type === 'FULL') {
      const off = TYPES.filter((t) => this.written[t] !== this.envelope.counts[t]);
      if (off.length > 0) {
        const says = off.map((t) => `${t} ${this.envelope.counts[t]} in the header, ${this.written[t]} written`).join('; ');
        this.sink.destroy();
        throw new DepositWriteError(`FULL deposit ${this.envelope.id}: ${says}`);
      }
    }
    this.buffer += '  </rde:contents>\n</rde:deposit>\n';
    await this.flush(true);
    this.sink.end();
    await this.done;
  }

  private openContents(): void {
    if (this.state === 'deletes') this.buffer += '  </rde:deletes>\n';
    const { tld, counts } = this.envelope;
    this.buffer +=
      `  <rde:contents>\n    <rdeHeader:header>\n      <rdeHeader:tld>${escText(tld, () => 'header tld')}</rdeHeader:tld>\n` +
      TYPES.map((t) => `      <rdeHeader:count uri="${OBJECT_URI[t]}">${counts[t]}</rdeHeader:count>\n`).join('') +
      `    </rdeHeader:header>\n`;
    this.state = 'contents';
  }

  private async flush(all: boolean): Promise<void> {
    if (this.buffer.length < CHUNK && !all) return;
    const chunk = this.buffer;
    this.buffer = '';
    if (chunk.length > 0 && !this.sink.write(chunk)) await once(this.sink, 'drain');
  }
}

function checkEnvelope(e: DepositEnvelope): void {
  if (!DEPOSIT_ID.test(e.id)) throw new DepositWriteError(`deposit id ${JSON.stringify(e.id)} must be 1-13 letters or digits (RFC 8909)`);
  if (e.prevId !== undefined && !DEPOSIT_ID.test(e.prevId)) throw new DepositWriteError(`prevId ${JSON.stringify(e.prevId)} must be 1-13 letters or digits (RFC 8909)`);
  if (e.type === 'FULL' && e.prevId !== undefined) throw new DepositWriteError('a FULL deposit has no prevId');
  if (e.type !== 'FULL' && e.prevId === undefined) throw new DepositWriteError(`a ${e.type} deposit needs a prevId`);
  if (!DATE_TIME.test(e.watermark)) throw new DepositWriteError(`watermark ${JSON.stringify(e.watermark)} is not an ISO 8601 UTC time`);
  for (const t of TYPES) {
    if (!Number.isSafeInteger(e.counts[t]) || e.counts[t] < 0) throw new DepositWriteError(`header count of ${t} must be a whole number, not ${e.counts[t]}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Objects

/** Builds the lines of one object; `where` names the object in errors. */
class Lines {
  text = '';
  constructor(private readonly what: string) {}
  /** One element with text content; `attrs` is already escaped (use attr()). */
  el(name: string, value: string | number | undefined, field: string, indent = 6, attrs = ''): void {
    if (value === undefined) return;
    const v = typeof value === 'number' ? String(value) : escText(value, () => `${this.what} ${field}`);
    this.text += `${' '.repeat(indent)}<${name}${attrs}>${v}</${name}>\n`;
  }
  attr(value: string, field: string): string {
    return escAttr(value, () => `${this.what} ${field}`);
  }
  raw(line: string): void {
    this.text += line + '\n';
  }
}

function objectXml(obj: RegistryObject, watermark: string): string {
  switch (obj.type) {
    case 'domain':
      return domainXml(obj);
    case 'host':
      return hostXml(obj);
    case 'contact':
      return contactXml(obj);
    case 'registrar':
      return registrarXml(obj, watermark);
    default:
      throw new DepositWriteError(`not a registry object: ${JSON.stringify((obj as { type?: unknown }).type)}`);
  }
}

function domainXml(d: Domain): string {
  const x = new Lines(`domain ${d.name}`);
  const rr = registrarRepositoryId(d.registrarId);
  x.raw('    <rdeDomain:domain>');
  x.el('rdeDomain:name', d.name, 'name');
  x.el('rdeDomain:roid', d.roid, 'roid');
  x.el('rdeDomain:uName', d.unicodeName, 'unicodeName');
  const epp = d.statuses.filter((s) => !RGP_STATUSES.has(s));
  for (const s of epp.length > 0 ? epp : ['ok']) x.raw(`      <rdeDomain:status s="${x.attr(s, 'statuses')}"/>`);
  for (const s of d.statuses) if (RGP_STATUSES.has(s)) x.raw(`      <rdeDomain:rgpStatus s="${s}"/>`);
  x.el('rdeDomain:registrant', d.registrant, 'registrant');
  for (const role of ['admin', 'tech', 'billing'] as const) x.el('rdeDomain:contact', d[role], role, 6, ` type="${role}"`);
  if (d.nameservers.length > 0) {
    x.raw('      <rdeDomain:ns>');
    d.nameservers.forEach((ns, i) => x.el('domain:hostObj', ns, `nameservers[${i}]`, 8));
    x.raw('      </rdeDomain:ns>');
  }
  x.el('rdeDomain:clID', rr, 'registrarId');
  x.el('rdeDomain:crRr', rr, 'registrarId');
  x.el('rdeDomain:crDate', d.created, 'created');
  x.el('rdeDomain:exDate', d.expires, 'expires');
  x.el('rdeDomain:upDate', d.updated, 'updated');
  if (d.ds.length > 0) {
    x.raw('      <rdeDomain:secDNS>');
    d.ds.forEach((ds, i) => {
      x.raw('        <secDNS:dsData>');
      x.el('secDNS:keyTag', ds.keyTag, `ds[${i}].keyTag`, 10);
      x.el('secDNS:alg', ds.algorithm, `ds[${i}].algorithm`, 10);
      x.el('secDNS:digestType', ds.digestType, `ds[${i}].digestType`, 10);
      x.el('secDNS:digest', ds.digest, `ds[${i}].digest`, 10);
      x.raw('        </secDNS:dsData>');
    });
    x.raw('      </rdeDomain:secDNS>');
  }
  x.el('rdeDomain:trDate', d.transferred, 'transferred');
  x.raw('    </rdeDomain:domain>');
  return x.text;
}

function hostXml(h: Host): string {
  const x = new Lines(`host ${h.name}`);
  const rr = registrarRepositoryId(h.registrarId);
  x.raw('    <rdeHost:host>');
  x.el('rdeHost:name', h.name, 'name');
  x.el('rdeHost:roid', h.roid, 'roid');
  for (const s of h.statuses.length > 0 ? h.statuses : ['ok']) x.raw(`      <rdeHost:status s="${x.attr(s, 'statuses')}"/>`);
  h.addresses.forEach((a, i) => x.el('rdeHost:addr', a, `addresses[${i}]`, 6, ` ip="${a.includes(':') ? 'v6' : 'v4'}"`));
  x.el('rdeHost:clID', rr, 'registrarId');
  x.el('rdeHost:crRr', rr, 'registrarId');
  x.el('rdeHost:crDate', h.created, 'created');
  x.el('rdeHost:upDate', h.updated, 'updated');
  x.raw('    </rdeHost:host>');
  return x.text;
}

function postalXml(x: Lines, type: 'int' | 'loc', p: PostalInfo, field: string): void {
  x.raw(`      <rdeContact:postalInfo type="${type}">`);
  x.el('contact:name', p.name, `${field}.name`, 8);
  x.el('contact:org', p.org, `${field}.org`, 8);
  x.raw('        <contact:addr>');
  p.street.forEach((s, i) => x.el('contact:street', s, `${field}.street[${i}]`, 10));
  x.el('contact:city', p.city, `${field}.city`, 10);
  x.el('contact:sp', p.sp, `${field}.sp`, 10);
  x.el('contact:pc', p.pc, `${field}.pc`, 10);
  x.el('contact:cc', p.cc, `${field}.cc`, 10);
  x.raw('        </contact:addr>');
  x.raw('      </rdeContact:postalInfo>');
}

function phoneXml(x: Lines, name: string, number: string | undefined, ext: string | undefined, field: string): void {
  x.el(name, number, field, 6, ext === undefined ? '' : ` x="${x.attr(ext, `${field}Ext`)}"`);
}

function contactXml(c: Contact): string {
  const x = new Lines(`contact ${c.handle}`);
  const rr = registrarRepositoryId(c.registrarId);
  if (!c.postalInt && !c.postalLoc) throw new DepositWriteError(`contact ${c.handle}: needs an int or loc postal info (RFC 9022 requires one)`);
  x.raw('    <rdeContact:contact>');
  x.el('rdeContact:id', c.handle, 'handle');
  x.el('rdeContact:roid', c.roid, 'roid');
  x.raw('      <rdeContact:status s="ok"/>');
  if (c.postalLoc) postalXml(x, 'loc', c.postalLoc, 'postalLoc');
  if (c.postalInt) postalXml(x, 'int', c.postalInt, 'postalInt');
  phoneXml(x, 'rdeContact:voice', c.voice, c.voiceExt, 'voice');
  phoneXml(x, 'rdeContact:fax', c.fax, c.faxExt, 'fax');
  x.el('rdeContact:email', c.email, 'email');
  x.el('rdeContact:clID', rr, 'registrarId');
  x.el('rdeContact:crRr', rr, 'registrarId');
  x.el('rdeContact:crDate', c.created, 'created');
  x.el('rdeContact:upDate', c.updated, 'updated');
  const forms = [c.postalInt && 'int', c.postalLoc && 'loc'].filter((f): f is 'int' | 'loc' => !!f);
  const d = c.disclose;
  // EPP discloseType order: name, org, addr (one per postal form), then voice, fax, email.
  const lines = d === undefined ? [] : [
    ...(['name', 'org', 'addr'] as const).filter((k) => d[k] === true).flatMap((k) => forms.map((f) => `        <contact:${k} type="${f}"/>`)),
    ...(['voice', 'fax', 'email'] as const).filter((k) => d[k] === true).map((k) => `        <contact:${k}/>`),
  ];
  if (lines.length > 0) {
    x.raw('      <rdeContact:disclose flag="1">');
    lines.forEach((l) => x.raw(l));
    x.raw('      </rdeContact:disclose>');
  }
  x.raw('    </rdeContact:contact>');
  return x.text;
}

function registrarXml(r: Registrar, watermark: string): string {
  const x = new Lines(`registrar ${r.ianaId}`);
  const p = r.postal;
  x.raw('    <rdeRegistrar:registrar>');
  x.el('rdeRegistrar:id', registrarRepositoryId(r.ianaId), 'ianaId');
  x.el('rdeRegistrar:name', r.name, 'name');
  x.el('rdeRegistrar:gurid', r.ianaId, 'ianaId');
  x.raw('      <rdeRegistrar:status>ok</rdeRegistrar:status>');
  const ascii = /^[\x20-\x7e]*$/.test([...p.street, p.city, p.sp ?? '', p.pc ?? ''].join(''));
  x.raw(`      <rdeRegistrar:postalInfo type="${ascii ? 'int' : 'loc'}">`);
  x.raw('        <rdeRegistrar:addr>');
  p.street.forEach((s, i) => x.el('rdeRegistrar:street', s, `postal.street[${i}]`, 10));
  x.el('rdeRegistrar:city', p.city, 'postal.city', 10);
  x.el('rdeRegistrar:sp', p.sp, 'postal.sp', 10);
  x.el('rdeRegistrar:pc', p.pc, 'postal.pc', 10);
  x.el('rdeRegistrar:cc', p.cc, 'postal.cc', 10);
  x.raw('        </rdeRegistrar:addr>');
  x.raw('      </rdeRegistrar:postalInfo>');
  x.el('rdeRegistrar:voice', r.voice, 'voice');
  x.el('rdeRegistrar:fax', r.fax, 'fax');
  x.el('rdeRegistrar:email', r.email, 'email');
  x.el('rdeRegistrar:url', r.url, 'url');
  if (r.whoisServer !== undefined) {
    x.raw('      <rdeRegistrar:whoisInfo>');
    x.el('rdeRegistrar:name', r.whoisServer, 'whoisServer', 8);
    x.raw('      </rdeRegistrar:whoisInfo>');
  }
  x.el('rdeRegistrar:crDate', r.updated ?? watermark, 'updated');
  x.el('rdeRegistrar:upDate', r.updated, 'updated');
  x.raw('    </rdeRegistrar:registrar>');
  return x.text;
}

function deleteXml(d: DepositDelete): string {
  const x = new Lines(`delete of ${d.type}`);
  switch (d.type) {
    case 'domain':
      x.raw('    <rdeDomain:delete>');
      x.el('rdeDomain:name', d.name, 'name');
      x.raw('    </rdeDomain:delete>');
      break;
    case 'host':
      x.raw('    <rdeHost:delete>');
      if ('roid' in d) x.el('rdeHost:roid', d.roid, 'roid');
      else x.el('rdeHost:name', d.name, 'name');
      x.raw('    </rdeHost:delete>');
      break;
    case 'contact':
      x.raw('    <rdeContact:delete>');
      x.el('rdeContact:id', d.handle, 'handle');
      x.raw('    </rdeContact:delete>');
      break;
    case 'registrar':
      x.raw('    <rdeRegistrar:delete>');
      x.el('rdeRegistrar:id', registrarRepositoryId(d.ianaId), 'ianaId');
      x.raw('    </rdeRegistrar:delete>');
      break;
  }
  return x.text;
}
