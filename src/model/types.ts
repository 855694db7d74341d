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
  registrarId: number; // sponsoring registrar (IANA ID)
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
  name: string;
  postal: Omit<PostalInfo, 'name' | 'org'>;
  voice?: string;
  fax?: string;
  email: string;
  whoisServer?: string;
  url?: string;
  rdapBaseUrl?: string;
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
  addresses: string[]; // glue, IPv4 and IPv6 in canonical text form
  statuses: string[];
  created: string;
  updated?: string;
}

export interface DsRecord {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string; // hex, upper case
}

export interface Domain {
  type: 'domain';
  name: string; // A-label, lower case
  unicodeName?: string; // U-label (NFC), only for IDNs
  roid: string;
  registrarId: number;
  registrant?: string; // contact handles
  admin?: string;
  tech?: string;
  billing?: string;
  nameservers: string[]; // host names (A-labels)
  statuses: string[];
  created: string;
  updated?: string;
  expires: string;
  transferred?: string;
  ds: DsRecord[];
  reseller?: string;
}

export type RegistryObject = Registrar | Contact | Host | Domain;

/** The contact roles a domain refers to, in the order the answers show them. */
export const CONTACT_ROLES = ['registrant', 'admin', 'tech', 'billing'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];
