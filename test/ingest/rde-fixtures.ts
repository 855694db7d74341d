// Small RDE deposits for tests, written as XML text (the deposit generator of the benchmark is
// another module): a registrar, contacts, hosts and domains of .example, in any order.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NAMESPACES = `xmlns:rde="urn:ietf:params:xml:ns:rde-1.0"
    xmlns:rdeHeader="urn:ietf:params:xml:ns:rdeHeader-1.0" xmlns:rdeDomain="urn:ietf:params:xml:ns:rdeDomain-1.0"
    xmlns:rdeHost="urn:ietf:params:xml:ns:rdeHost-1.0" xmlns:rdeContact="urn:ietf:params:xml:ns:rdeContact-1.0"
    xmlns:rdeRegistrar="urn:ietf:params:xml:ns:rdeRegistrar-1.0" xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"
    xmlns:contact="urn:ietf:params:xml:ns:contact-1.0" xmlns:secDNS="urn:ietf:params:xml:ns:secDNS-1.1"
    xmlns:rdeIDN="urn:ietf:params:xml:ns:rdeIDN-1.0" xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"`;

export interface DepositSpec {
  type: 'FULL' | 'DIFF' | 'INCR';
  id: string;
  prevId?: string;
  watermark?: string;
  tld?: string;
  /** Header counts: domains, hosts, contacts, registrars (after the deposit is applied). */
  counts: [number, number, number, number];
  deletes?: string[];
  objects: string[];
}

export function depositXml(d: DepositSpec): string {
  const [domains, hosts, contacts, registrars] = d.counts;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rde:deposit type="${d.type}" id="${d.id}"${d.prevId ? ` prevId="${d.prevId}"` : ''} ${NAMESPACES}>
  <rde:watermark>${d.watermark ?? `2026-12-${d.id.padStart(2, '0').slice(-2)}T00:00:00Z`}</rde:watermark>
  <rde:rdeMenu><rde:version>1.0</rde:version><rde:objURI>urn:ietf:params:xml:ns:rdeHeader-1.0</rde:objURI></rde:rdeMenu>
${d.deletes?.length ? `  <rde:deletes>\n${d.deletes.join('\n')}\n  </rde:deletes>\n` : ''}  <rde:contents>
    <rdeHeader:header>
      <rdeHeader:tld>${d.tld ?? 'example'}</rdeHeader:tld>
      <rdeHeader:count uri="urn:ietf:params:xml:ns:rdeDomain-1.0">${domains}</rdeHeader:count>
      <rdeHeader:count uri="urn:ietf:params:xml:ns:rdeHost-1.0">${hosts}</rdeHeader:count>
      <rdeHeader:count uri="urn:ietf:params:xml:ns:rdeContact-1.0">${contacts}</rdeHeader:count>
      <rdeHeader:count uri="urn:ietf:params:xml:ns:rdeRegistrar-1.0">${registrars}</rdeHeader:count>
    </rdeHeader:header>
${d.objects.join('\n')}
  </rde:contents>
</rde:deposit>
`;
}

export function registrarXml(id = 'reg-1', gurid = 5555555, name = 'Example Registrar, Inc.'): string {
  return `    <rdeRegistrar:registrar>
      <rdeRegistrar:id>${id}</rdeRegistrar:id>
      <rdeRegistrar:name>${name}</rdeRegistrar:name>
      <rdeRegistrar:gurid>${gurid}</rdeRegistrar:gurid>
      <rdeRegistrar:status>ok</rdeRegistrar:status>
      <rdeRegistrar:postalInfo type="int"><rdeRegistrar:addr><rdeRegistrar:street>1 Road</rdeRegistrar:street><rdeRegistrar:city>Town</rdeRegistrar:city><rdeRegistrar:cc>US</rdeRegistrar:cc></rdeRegistrar:addr></rdeRegistrar:postalInfo>
      <rdeRegistrar:email>info@${id}.example</rdeRegistrar:email>
      <rdeRegistrar:crDate>2005-04-23T11:49:00Z</rdeRegistrar:crDate>
    </rdeRegistrar:registrar>`;
}

export function contactXml(id: string, opts: { name?: string; clID?: string } = {}): string {
  return `    <rdeContact:contact>
      <rdeContact:id>${id}</rdeContact:id>
      <rdeContact:roid>C${id.replace(/\W/g, '')}-EXAMPLE</rdeContact:roid>
      <rdeContact:status s="ok"/>
      <rdeContact:postalInfo type="int"><contact:name>${opts.name ?? `Person ${id}`}</contact:name><contact:addr><contact:street>2 Street</contact:street><contact:city>City</contact:city><contact:cc>NL</contact:cc></contact:addr></rdeContact:postalInfo>
      <rdeContact:email>${id.toLowerCase()}@mail.example</rdeContact:email>
      <rdeContact:clID>${opts.clID ?? 'reg-1'}</rdeContact:clID>
      <rdeContact:crRr>reg-1</rdeContact:crRr>
      <rdeContact:crDate>2020-01-01T00:00:00Z</rdeContact:crDate>
    </rdeContact:contact>`;
}

export function hostXml(name: string, addresses: string[] = [], roid = `H${name.replace(/\W/g, '').slice(0, 20)}-EXAMPLE`): string {
  return `    <rdeHost:host>
      <rdeHost:name>${name}</rdeHost:name>
      <rdeHost:roid>${roid}</rdeHost:roid>
      <rdeHost:status s="ok"/>
${addresses.map((a) => `      <rdeHost:addr ip="${a.includes(':') ? 'v6' : 'v4'}">${a}</rdeHost:addr>`).join('\n')}
      <rdeHost:clID>reg-1</rdeHost:clID>
      <rdeHost:crRr>reg-1</rdeHost:crRr>
      <rdeHost:crDate>2020-01-01T00:00:00Z</rdeHost:crDate>
    </rdeHost:host>`;
}

export function domainXml(name: string, opts: { registrant?: string; tech?: string; ns?: string[]; status?: string; extra?: string } = {}): string {
  return `    <rdeDomain:domain>
      <rdeDomain:name>${name}</rdeDomain:name>
      <rdeDomain:roid>D${name.replace(/\W/g, '').slice(0, 20)}-EXAMPLE</rdeDomain:roid>
      <rdeDomain:status s="${opts.status ?? 'ok'}"/>
${opts.registrant ? `      <rdeDomain:registrant>${opts.registrant}</rdeDomain:registrant>\n` : ''}${opts.tech ? `      <rdeDomain:contact type="tech">${opts.tech}</rdeDomain:contact>\n` : ''}${opts.ns?.length ? `      <rdeDomain:ns>${opts.ns.map((n) => `<domain:hostObj>${n}</domain:hostObj>`).join('')}</rdeDomain:ns>\n` : ''}      <rdeDomain:clID>reg-1</rdeDomain:clID>
      <rdeDomain:crRr>reg-1</rdeDomain:crRr>
      <rdeDomain:crDate>2021-01-01T00:00:00Z</rdeDomain:crDate>
      <rdeDomain:exDate>2030-01-01T00:00:00Z</rdeDomain:exDate>${opts.extra ?? ''}
    </rdeDomain:domain>`;
}

export const deleteDomain = (name: string) => `    <rdeDomain:delete><rdeDomain:name>${name}</rdeDomain:name></rdeDomain:delete>`;
export const deleteHost = (name: string) => `    <rdeHost:delete><rdeHost:name>${name}</rdeHost:name></rdeHost:delete>`;
export const deleteHostByRoid = (roid: string) => `    <rdeHost:delete><rdeHost:roid>${roid}</rdeHost:roid></rdeHost:delete>`;
export const deleteContact = (id: string) => `    <rdeContact:delete><rdeContact:id>${id}</rdeContact:id></rdeContact:delete>`;

/** A FULL deposit of `n` domains (each with its own contact and host), big enough to take several read chunks. */
export function bigDepositXml(n: number, id = '1', type: 'FULL' | 'DIFF' = 'FULL', extra: string[] = []): string {
  const objects = [registrarXml()];
  for (let i = 0; i < n; i++) {
    objects.push(contactXml(`BIG-${i}`, { name: `Person number ${i} with a rather long name to make the file larger` }));
    objects.push(hostXml(`ns${i}.big${i}.example`, [`10.${(i >> 8) & 255}.${i & 255}.1`]));
    objects.push(domainXml(`big${i}.example`, { registrant: `BIG-${i}`, ns: [`ns${i}.big${i}.example`] }));
  }
  return depositXml({ type, id, counts: [n, n, n, 1], objects: [...objects, ...extra] });
}

let files = 0;
export function writeDeposit(dir: string, xml: string, name = `deposit-${++files}.xml`): string {
  const path = join(dir, name);
  writeFileSync(path, xml);
  return path;
}
