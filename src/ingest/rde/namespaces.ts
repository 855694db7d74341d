// The XML namespaces of an RDE deposit (RFC 8909, RFC 9022, and the EPP mappings they reuse).
// Elements are matched by namespace URI, never by prefix: a deposit may bind any prefix.

export const NS = {
  rde: 'urn:ietf:params:xml:ns:rde-1.0',
  header: 'urn:ietf:params:xml:ns:rdeHeader-1.0',
  domain: 'urn:ietf:params:xml:ns:rdeDomain-1.0',
  host: 'urn:ietf:params:xml:ns:rdeHost-1.0',
  contact: 'urn:ietf:params:xml:ns:rdeContact-1.0',
  registrar: 'urn:ietf:params:xml:ns:rdeRegistrar-1.0',
  idn: 'urn:ietf:params:xml:ns:rdeIDN-1.0',
  nndn: 'urn:ietf:params:xml:ns:rdeNNDN-1.0',
  eppParams: 'urn:ietf:params:xml:ns:rdeEppParams-1.0',
  policy: 'urn:ietf:params:xml:ns:rdePolicy-1.0',
  eppDomain: 'urn:ietf:params:xml:ns:domain-1.0',
  eppContact: 'urn:ietf:params:xml:ns:contact-1.0',
  eppHost: 'urn:ietf:params:xml:ns:host-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
} as const;

/** The usual prefix of each namespace, for naming elements in reports whatever prefix the deposit used. */
const PREFIX: Record<string, string> = {
  [NS.rde]: 'rde',
  [NS.header]: 'rdeHeader',
  [NS.domain]: 'rdeDomain',
  [NS.host]: 'rdeHost',
  [NS.contact]: 'rdeContact',
  [NS.registrar]: 'rdeRegistrar',
  [NS.idn]: 'rdeIDN',
  [NS.nndn]: 'rdeNNDN',
  [NS.eppParams]: 'rdeEppParams',
  [NS.policy]: 'rdePolicy',
  [NS.eppDomain]: 'domain',
  [NS.eppContact]: 'contact',
  [NS.eppHost]: 'host',
  [NS.secDNS]: 'secDNS',
  [NS.rgp]: 'rgp',
};

/** `rdeDomain:crRr` for a known namespace, `{uri}local` for another. */
export function qualifiedName(uri: string, local: string): string {
  const prefix = PREFIX[uri];
  return prefix ? `${prefix}:${local}` : `{${uri}}${local}`;
}
