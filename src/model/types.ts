// The registry objects, shaped after EPP (RFC 5730-5734, RFC 5910). Names of domains and hosts are
// stored as lower-case A-labels; the U-label travels beside them for IDNs.

export interface PostalInfo {
  name: string;
  org?: string;
  street: string[]; // one to three EPP street lines
  city: string;
  sp?: string; // state or province
  pc?: string; // postal code
  cc: string; // ISO 3166 alpha-2, upper case
}

/** EPP <contact:disclose flag="1">: fields the registrar says may be published (e.g. a legal person). */
export interface Disclose {
  name?: boolean;
  org?: boolean;
  addr?: boolean;
  voice?: boolean;
  fax?: boolean;
  email?: boolean;
}

/** The person or organisation details a contact carries (also the customer behind a privacy/proxy service). */
export interface ContactData {
  postalInt?: PostalInfo; // internationalised (ASCII) form
  postalLoc?: PostalInfo; // localised form (any script)
  voice?: string; // E.164a: +CC.NUMBER
  voiceExt?: string;
  fax?: string;
  faxExt?: string;
  email: string;
}

export interface Contact extends ContactData {
  type: 'contact';
  handle: string;
  roid: string;
  registrarId: number; // sponsoring registrar (IANA ID); see SPONSOR_BY_CLIENT_ID
  clientId?: string; // the sponsoring registrar's id in the registry (EPP clID), as a deposit gives it
  statuses?: string[]; // EPP contact statuses (RFC 5733), when the source carries them
  disclose?: Disclose;
  /** Set when this contact is a privacy/proxy service: the customer behind it, seen by entitled tiers only. */
  privacyProxy?: { customer: ContactData };
  created: string; // ISO 8601 UTC
  updated?: string;
}

export interface RegistrarPerson {
  name: string;
  voice?: string;
  fax?: string;
  email: string;
}

export interface Registrar {
  type: 'registrar';
  ianaId: number;
  /** The registry's own id for the registrar (RDE rdeRegistrar:id), which objects' clientId names. */
  repositoryId?: string;
  name: string;
  postal: Omit<PostalInfo, 'name' | 'org'>;
  voice?: string;
  fax?: string;
  email: string;
  whoisServer?: string;
  url?: string;
  rdapBaseUrl?: string;
  /** '' when the source does not carry it (an RDE deposit): the import warns, and keeps what another source gave. */
  abuseEmail: string;
  abusePhone: string;
  admin?: RegistrarPerson;
  tech?: RegistrarPerson;
  updated?: string;
}

export interface Host {
  type: 'host';
  name: string; // A-label, lower case
  unicodeName?: string;
  roid: string;
  registrarId: number;
  clientId?: string;
  addresses: string[]; // glue, IPv4 and IPv6 in canonical text form
  statuses: string[];
  created: string;
  updated?: string;
  /** TTLs of the glue records the registry publishes for this host (A, AAAA), when the source carries them. */
  ttl?: DnsTtls;
}

/**
 * TTLs in seconds that the registry publishes in its zone, by DNS record type (RFC 9803's EPP
 * mapping; shown in RDAP as draft-ietf-regext-rdap-ttl-extension's ttl0_data): a domain's NS and
 * DS (and A/AAAA glue), a host's A and AAAA.
 */
export type DnsTtls = Partial<Record<DnsTtlType, number>>;
export const DNS_TTL_TYPES = ['NS', 'DS', 'A', 'AAAA'] as const;
export type DnsTtlType = (typeof DNS_TTL_TYPES)[number];

export interface DsRecord {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string; // hex, upper case
}

/** RFC 5910 keyData: a DNSKEY the registry holds for a domain (instead of, or inside, DS data). */
export interface DnssecKey {
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string; // base64
}

/**
 * A name server given as a host attribute (RFC 5731 hostAttr): its name and glue live in the
 * domain itself. It is not a host object and not a reference to one.
 */
export interface HostAttr {
  name: string; // A-label, lower case
  unicodeName?: string;
  addresses: string[]; // canonical text form
}

export interface Domain {
  type: 'domain';
  name: string; // A-label, lower case
  unicodeName?: string; // U-label (NFC), only for IDNs
  roid: string;
  registrarId: number;
  clientId?: string;
  registrant?: string; // contact handles
  admin?: string;
  tech?: string;
  billing?: string;
  nameservers: string[]; // host names (A-labels)
  statuses: string[];
  created: string;
  updated?: string;
  expires: string;
  /**
   * The sponsoring registrar's own expiry of the registration (2013 RAA: Registrar Registration
   * Expiration Date), where the registrar's data gives it; it may differ from the registry's
   * `expires`, e.g. in an auto-renew grace period. Registrar-mode answers fall back to `expires`.
   */
  registrarExpires?: string;
  transferred?: string;
  ds: DsRecord[];
  keyData?: DnssecKey[];
  hostAttrs?: HostAttr[];
  idnTableId?: string; // the IDN table the name was registered under (RDE rdeIDN id)
  originalName?: string; // A-label of the name this one is an IDN variant of (RDE originalName)
  reseller?: string;
  /** TTLs of the delegation the registry publishes (NS, DS), when the source carries them. */
  ttl?: DnsTtls;
}

export type RegistryObject = Registrar | Contact | Host | Domain;
export type ObjectKind = RegistryObject['type'];

/**
 * registrarId 0 on the way into the Store means "the registrar whose repositoryId is clientId":
 * a deposit names registrars by the registry's own id, and the registrar may come later in the
 * file. The Store resolves it; a stored object always has the IANA ID.
 */
export const SPONSOR_BY_CLIENT_ID = 0;

/** The contact roles a domain refers to, in the order the answers show them. */
export const CONTACT_ROLES = ['registrant', 'admin', 'tech', 'billing'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** A delegation is signed when the registry holds DS records or DNSSEC keys for it (RFC 5910). */
export function isSigned(domain: Pick<Domain, 'ds' | 'keyData'>): boolean {
  return domain.ds.length > 0 || (domain.keyData?.length ?? 0) > 0;
}

/** Every name server of a domain: its host objects' names, then those given as host attributes. */
export function nameserverNames(domain: Pick<Domain, 'nameservers' | 'hostAttrs'>): string[] {
  return [...domain.nameservers, ...(domain.hostAttrs ?? []).map((h) => h.name)];
}
