// The view stage: a record as one client may see it. Redaction happens here, once, for every door;
// renderers only print what a view holds and never decide what is personal.
import type { Contact, ContactData, ContactRole } from '../model/types.js';
import { visibleText } from '../model/text.js';
import { CONTACT_ROLES } from '../model/types.js';
import type { DomainRecord, HostRecord } from '../model/records.js';
import type { Registrar } from '../model/types.js';
import type { CursorPosition } from '../query/rdap-cursor.js';
import { CONTACT_FIELDS, publicTreatment, type ContactField, type ContactFieldId } from './fields.js';

/** Marks a value withheld from this client; renderers print the field table's redaction form. */
export const REDACTED = Symbol('REDACTED');
export type FieldValue = string | string[] | typeof REDACTED | undefined;

export type Tier = 'public' | 'registrar' | 'authorized';

/** What the policy stage decided this client may see for this answer. */
export interface Access {
  tier: Tier;
  /** Unredacted contact data (false for the public, and for a tier past its personal-data budget). */
  full: boolean;
  /** The customer behind a privacy/proxy service (authorized tier only). */
  revealCustomer: boolean;
}

export const PUBLIC_ACCESS: Access = { tier: 'public', full: false, revealCustomer: false };

export interface ContactView {
  role: ContactRole;
  handle: string;
  /** Fields in table order; a field absent from the map has no line in this view. */
  values: Map<ContactFieldId, FieldValue>;
  /** True when the contact is a privacy/proxy service and the values shown are the service's. */
  privacyProxy: boolean;
  /** True when this view shows the customer behind a privacy/proxy service. */
  customerRevealed: boolean;
}

export interface DomainView {
  kind: 'domain';
  record: DomainRecord;
  contacts: ContactView[];
  access: Access;
  /** Contacts whose personal data this answer shows unredacted (the personal-data budget counts them). */
  personalRecords: number;
}

export interface HostView {
  kind: 'host';
  hosts: HostRecord[];
}

export interface RegistrarView {
  kind: 'registrar';
  registrar: Registrar;
}

/** A contact asked for by its handle (RDAP entity/{handle}). */
export interface ContactEntityView {
  kind: 'contact';
  contact: ContactView;
  access: Access;
  personalRecords: number;
}

/** Searchable WHOIS: the names of the matching domains (no contact data; each links to a lookup). Carried in Resolution.search. */
export interface SearchView {
  kind: 'search';
  /** A-labels, sorted, of this page. */
  domains: string[];
  offset: number;
  /** More results exist after this page (within the cap). */
  more: boolean;
}

export type View = DomainView | HostView | RegistrarView | ContactEntityView;

/** Why a result set was cut short (RFC 9083 §10.2.1 notice types). */
export type Truncation = 'authorization' | 'excessive load';

/** RDAP search results: each item a view of one object (a host view holds one host), redacted like a lookup. Carried in Resolution.results. */
export interface ResultsView {
  kind: 'results';
  items: View[];
  /** Set when the search stopped before it had read every candidate (the result set is cut short). */
  truncated?: Truncation;
  /** Contacts shown with unredacted personal data, over all items (the personal-data budget counts them). */
  personalRecords: number;
  /** More results follow this page: where the next one starts (RFC 8977 paging). */
  next?: CursorPosition;
  /** The number of results in all, when the client asked (count=true) and it could be counted. */
  total?: number;
}

function contactView(role: ContactRole, contact: Contact, access: Access): { view: ContactView; personal: boolean } | undefined {
  const proxy = contact.privacyProxy !== undefined;
  const revealCustomer = proxy && access.revealCustomer;
  const data: ContactData = revealCustomer ? contact.privacyProxy!.customer : contact;
  const values = new Map<ContactFieldId, FieldValue>();
  let personal = false;
  for (const field of CONTACT_FIELDS) {
    const value = field.get(data, contact.handle);
    const treatment = access.full || proxy ? 'show' : visibleToPublic(role, field, contact);
    if (treatment === 'omit') continue;
    if (treatment === 'redact') {
      values.set(field.id, REDACTED);
      continue;
    }
    values.set(field.id, field.visible && typeof value === 'string' ? visibleText(value) : value);
    // A privacy/proxy service's own details are not personal data; its customer's are.
    if (field.personal && value !== undefined && (!proxy || revealCustomer) && !disclosed(field, contact)) personal = true;
  }
  if (values.size === 0) return undefined;
  return { view: { role, handle: contact.handle, values, privacyProxy: proxy, customerRevealed: revealCustomer }, personal };
}

function disclosed(field: ContactField, contact: Contact): boolean {
  return field.disclose !== undefined && contact.disclose?.[field.disclose] === true;
}

function visibleToPublic(role: ContactRole, field: ContactField, contact: Contact) {
  const treatment = publicTreatment(role, field);
  return treatment === 'redact' && disclosed(field, contact) ? 'show' : treatment;
}

export function viewDomain(record: DomainRecord, access: Access, options: { adminBlock: boolean } = { adminBlock: true }): DomainView {
  const contacts: ContactView[] = [];
  let personalRecords = 0;
  for (const role of CONTACT_ROLES) {
    if (role === 'admin' && !options.adminBlock) continue;
    const contact = record.contacts[role];
    if (!contact) continue;
    const shown = contactView(role, contact, access);
    if (!shown) continue;
    contacts.push(shown.view);
    if (shown.personal) personalRecords++;
  }
  return { kind: 'domain', record, contacts, access, personalRecords };
}

/**
 * A contact outside any domain: shown under the registrant role's rules (every personal field
 * redacted for the public; organisation, state/province and country published as for a registrant).
 */
export function viewContact(contact: Contact, access: Access): ContactEntityView {
  const shown = contactView('registrant', contact, access);
  const view = shown?.view ?? { role: 'registrant' as const, handle: contact.handle, values: new Map(), privacyProxy: false, customerRevealed: false };
  return { kind: 'contact', contact: view, access, personalRecords: shown?.personal ? 1 : 0 };
}

export function viewHosts(hosts: HostRecord[]): HostView {
  return { kind: 'host', hosts };
}

export function viewSearch(domains: string[], offset: number, more: boolean): SearchView {
  return { kind: 'search', domains, offset, more };
}

export function viewRegistrar(registrar: Registrar): RegistrarView {
  return { kind: 'registrar', registrar };
}
