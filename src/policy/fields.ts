// THE table of contact fields: every personal-data field once, with its port-43 key, its RDAP
// location and redaction entry (RFC 9537, ICANN profile names), its web labels, and what the
// public may see of it in each contact role. The view stage applies it; the WHOIS, RDAP and HTML
// renderers and the leak tests walk it. A new field or a policy change is one edit here.
import type { ContactData, ContactRole, Disclose, PostalInfo } from '../model/types.js';

export type ContactFieldId =
  | 'id' | 'name' | 'org' | 'street' | 'city' | 'sp' | 'pc' | 'cc'
  | 'phone' | 'phoneExt' | 'fax' | 'faxExt' | 'email';

/** What the public sees of a field: the value, a redaction marker, or no line at all. */
export type PublicTreatment = 'show' | 'redact' | 'omit';

export interface ContactField {
  id: ContactFieldId;
  /** Port-43 key after the role word ("Registrant Name"); `id` is spelled "Registry Registrant ID". */
  whois: string;
  /** Text printed on port 43 in place of a redacted value. */
  whoisRedacted: string;
  /** Personal data of a natural person: never in a public answer unless disclosed. */
  personal: boolean;
  /**
   * Specification 4 lets the field be absent (Organization, State/Province, Postal Code, Phone
   * Ext, Fax, Fax Ext). Every answer follows one rule for them: a field with no value is left out,
   * never printed as a key with an empty value; a required field without a value keeps its key.
   */
  optional: boolean;
  /** A name of a person or organisation: invisible characters in it are shown escaped on every door (model/text.ts). */
  visible?: true;
  /** EPP disclose flag that lets the registrar publish it (legal persons, consent). */
  disclose?: keyof Disclose;
  /** RFC 9537 redaction: the ICANN profile's method, and where the value sits in the jCard. */
  rdap: { method: 'removal' | 'emptyValue'; vcard: 'handle' | 'fn' | 'org' | 'adr' | 'tel' | 'email'; adrIndex?: number; telType?: 'voice' | 'fax' };
  label: { en: string; ja: string; ru: string };
  /** Public treatment per role; roles missing here follow `default`. */
  public: { default: PublicTreatment } & Partial<Record<ContactRole, PublicTreatment>>;
  /** Reads the value from contact data (street lines are an array). */
  get(data: ContactData, handle: string): string | string[] | undefined;
}

export const REDACTED_TEXT = 'REDACTED FOR PRIVACY';
export const EMAIL_REDACTED_TEXT =
  'Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.';

/** The postal info a contact answer shows: the internationalised form when present, else the localised one. */
export function postalOf(data: ContactData): PostalInfo | undefined {
  return data.postalInt ?? data.postalLoc;
}

const r = REDACTED_TEXT;

// Public policy (Registration Data Policy, digest whois-text.md §3): registrant organisation,
// state/province and country are published; the tech contact shows only ID, name, phone and e-mail;
// every admin field is redacted; the billing block is left out of public answers.
export const CONTACT_FIELDS: readonly ContactField[] = [
  { id: 'id', whois: 'ID', whoisRedacted: r, personal: true, optional: false, rdap: { method: 'removal', vcard: 'handle' },
    label: { en: 'Registry ID', ja: 'ID', ru: 'Идентификатор' }, public: { default: 'redact', billing: 'omit' }, get: (_d, handle) => handle },
  { id: 'name', whois: 'Name', whoisRedacted: r, personal: true, optional: false, visible: true, disclose: 'name', rdap: { method: 'emptyValue', vcard: 'fn' },
    label: { en: 'Name', ja: '名前', ru: 'Имя' }, public: { default: 'redact', billing: 'omit' }, get: (d) => postalOf(d)?.name },
  { id: 'org', whois: 'Organization', whoisRedacted: r, personal: false, optional: true, visible: true, disclose: 'org', rdap: { method: 'removal', vcard: 'org' },
    label: { en: 'Organization', ja: '組織', ru: 'Организация' }, public: { default: 'show', admin: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.org },
  { id: 'street', whois: 'Street', whoisRedacted: r, personal: true, optional: false, disclose: 'addr', rdap: { method: 'emptyValue', vcard: 'adr', adrIndex: 2 },
    label: { en: 'Street', ja: '住所', ru: 'Улица' }, public: { default: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.street },
  { id: 'city', whois: 'City', whoisRedacted: r, personal: true, optional: false, disclose: 'addr', rdap: { method: 'emptyValue', vcard: 'adr', adrIndex: 3 },
    label: { en: 'City', ja: '市区町村', ru: 'Город' }, public: { default: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.city },
  // State/province and country sit inside the jCard `adr` array, which keeps its seven positions: withheld, they are emptied, not removed.
  { id: 'sp', whois: 'State/Province', whoisRedacted: r, personal: false, optional: true, disclose: 'addr', rdap: { method: 'emptyValue', vcard: 'adr', adrIndex: 4 },
    label: { en: 'State/Province', ja: '都道府県', ru: 'Регион' }, public: { default: 'show', admin: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.sp },
  { id: 'pc', whois: 'Postal Code', whoisRedacted: r, personal: true, optional: true, disclose: 'addr', rdap: { method: 'emptyValue', vcard: 'adr', adrIndex: 5 },
    label: { en: 'Postal Code', ja: '郵便番号', ru: 'Почтовый индекс' }, public: { default: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.pc },
  { id: 'cc', whois: 'Country', whoisRedacted: r, personal: false, optional: false, disclose: 'addr', rdap: { method: 'emptyValue', vcard: 'adr', adrIndex: 6 },
    label: { en: 'Country', ja: '国', ru: 'Страна' }, public: { default: 'show', admin: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => postalOf(d)?.cc },
  { id: 'phone', whois: 'Phone', whoisRedacted: r, personal: true, optional: false, disclose: 'voice', rdap: { method: 'removal', vcard: 'tel', telType: 'voice' },
    label: { en: 'Phone', ja: '電話番号', ru: 'Телефон' }, public: { default: 'redact', billing: 'omit' }, get: (d) => d.voice },
  { id: 'phoneExt', whois: 'Phone Ext', whoisRedacted: r, personal: true, optional: true, disclose: 'voice', rdap: { method: 'removal', vcard: 'tel', telType: 'voice' },
    label: { en: 'Phone Ext', ja: '電話番号内線', ru: 'Добавочный номер' }, public: { default: 'redact', billing: 'omit' }, get: (d) => d.voiceExt },
  { id: 'fax', whois: 'Fax', whoisRedacted: r, personal: true, optional: true, disclose: 'fax', rdap: { method: 'removal', vcard: 'tel', telType: 'fax' },
    label: { en: 'Fax', ja: 'FAX番号', ru: 'Факс' }, public: { default: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => d.fax },
  { id: 'faxExt', whois: 'Fax Ext', whoisRedacted: r, personal: true, optional: true, disclose: 'fax', rdap: { method: 'removal', vcard: 'tel', telType: 'fax' },
    label: { en: 'Fax Ext', ja: 'FAX番号内線', ru: 'Добавочный номер факса' }, public: { default: 'redact', tech: 'omit', billing: 'omit' }, get: (d) => d.faxExt },
  { id: 'email', whois: 'Email', whoisRedacted: EMAIL_REDACTED_TEXT, personal: true, optional: false, disclose: 'email', rdap: { method: 'removal', vcard: 'email' },
    label: { en: 'Email', ja: 'メールアドレス', ru: 'Электронная почта' }, public: { default: 'redact', billing: 'omit' }, get: (d) => d.email },
];

/** Words for each contact role: the port-43 key prefix, the RDAP role and the redaction-name prefix. */
export const ROLE_WORDS: Record<ContactRole, { whois: string; rdapRole: string; rdapName: string; ja: string; ru: string; en: string }> = {
  registrant: { whois: 'Registrant', rdapRole: 'registrant', rdapName: 'Registrant', en: 'Registrant', ja: '登録者', ru: 'регистранта' },
  admin: { whois: 'Admin', rdapRole: 'administrative', rdapName: 'Admin', en: 'Administrative contact', ja: '管理担当者', ru: 'административного контакта' },
  tech: { whois: 'Tech', rdapRole: 'technical', rdapName: 'Tech', en: 'Technical contact', ja: '技術担当者', ru: 'технического контакта' },
  billing: { whois: 'Billing', rdapRole: 'billing', rdapName: 'Billing', en: 'Billing contact', ja: '請求担当者', ru: 'контакта для оплаты' },
};

/** The port-43 key of a contact field in a role ("Registry Registrant ID", "Tech Phone Ext"). */
export function contactWhoisKey(role: ContactRole, field: ContactField): string {
  const word = ROLE_WORDS[role].whois;
  return field.id === 'id' ? `Registry ${word} ID` : `${word} ${field.whois}`;
}

/** The RFC 9537 `name.type` of a redacted field ("Registrant Phone", "Registry Tech ID"). */
export function contactRedactionName(role: ContactRole, field: ContactField): string {
  return contactWhoisKey(role, field);
}

/** JSONPath of a domain answer's entity in a contact role ("$.entities[?(@.roles[0]=='registrant')]"); `at` prefixes search results. */
export function contactRdapEntityPath(role: ContactRole, at = '$'): string {
  return `${at}.entities[?(@.roles[0]=='${ROLE_WORDS[role].rdapRole}')]`;
}

/**
 * The RFC 9537 prePath/postPath of a contact field inside the entity `entityPath` selects, as the
 * ICANN gTLD RDAP profile (2024) and its conformance tool spell them: the handle, the `fn` value,
 * an `adr` component, the voice or fax `tel` entry, or the `org`/`email` entry.
 */
export function contactRdapPath(field: ContactField, entityPath: string): string {
  const { vcard, adrIndex, telType } = field.rdap;
  const card = `${entityPath}.vcardArray[1]`;
  switch (vcard) {
    case 'handle':
      return `${entityPath}.handle`;
    case 'fn':
      return `${card}[?(@[0]=='fn')][3]`;
    case 'adr':
      return `${card}[?(@[0]=='adr')][3][${adrIndex}]`;
    case 'tel':
      return `${card}[?(@[1].type=='${telType}')]`;
    default:
      return `${card}[?(@[0]=='${vcard}')]`;
  }
}

export function publicTreatment(role: ContactRole, field: ContactField): PublicTreatment {
  return field.public[role] ?? field.public.default;
}
