// `rdds report accuracy`: the format checks of the 2013 RAA WHOIS Accuracy Program Specification
// §1(a)-(d) over every contact in the Store (or the contacts of one domain): presence of the
// required fields, e-mail (RFC 5322), telephone (E.164 in EPP's +CC.NUMBER form, valid for the
// country's numbering plan) and postal address (complete for its country). docs/accuracy.md
// says where each rule comes from. The checks read only what the Store returns, so data that
// reached the database without rdds's import validation is checked just the same.
import { normalizeName } from '../model/idn.js';
import type { Contact, ContactData, ContactRole, PostalInfo } from '../model/types.js';
import type { Store } from '../store/store.js';
import { emailProblem } from './accuracy-rules/email.js';
import { phoneProblem } from './accuracy-rules/phone.js';
import { postalProblems } from './accuracy-rules/postal.js';
import { csvText } from './reports.js';

/** Every reason a value can fail, with what it means (the report's legend, in this order). */
export const REASONS = {
  'email-missing': 'no e-mail address',
  'email-syntax': 'the e-mail address is not an RFC 5322 addr-spec',
  'email-domain': "the e-mail address's domain is not a valid host name",
  'phone-missing': 'no voice telephone number',
  'phone-format': 'the telephone number is not of the EPP form +CC.NUMBER',
  'phone-country-code': 'the telephone number has no real country calling code',
  'phone-number': "the telephone number is not valid in its country's numbering plan",
  'postal-missing': 'no postal address',
  'field-missing': "a field the country's addresses need is empty",
  'country-code': 'the country is not an ISO 3166-1 alpha-2 code',
  'postal-code': "the postal code does not match the country's pattern",
  'state-unknown': 'the state/province is not one of the country',
  'postal-code-state': 'the postal code does not belong to the state/province',
} as const;
export type Reason = keyof typeof REASONS;

export interface AccuracyFailure {
  handle: string;
  /** Where in the contact, as import errors name it: `voice`, `postalInt.pc`, `privacyProxy.customer.email`. */
  field: string;
  reason: Reason;
  value: string;
  detail: string;
}

export interface AccuracyReport {
  /** Set for `--domain`: the domain (A-label) and its contacts by role. */
  domain?: { name: string; roles: Partial<Record<ContactRole, string>> };
  checked: number;
  failing: number; // contacts with at least one failure
  failures: AccuracyFailure[];
  counts: Partial<Record<Reason, number>>;
}

export class AccuracyError extends Error {}

/** Every failure of one contact: its own data and, behind a privacy/proxy service, its customer's. */
export function checkContact(contact: Contact): AccuracyFailure[] {
  const failures = checkData(contact, '');
  if (contact.privacyProxy) failures.push(...checkData(contact.privacyProxy.customer, 'privacyProxy.customer.'));
  return failures.map((f) => ({ handle: contact.handle, ...f }));
}

function checkData(c: ContactData, prefix: string): Omit<AccuracyFailure, 'handle'>[] {
  const out: Omit<AccuracyFailure, 'handle'>[] = [];
  const add = (field: string, reason: Reason, value: unknown, detail: string) => out.push({ field: prefix + field, reason, value: value === undefined ? '' : String(value), detail });

  if (typeof c.email !== 'string' || c.email.trim() === '') add('email', 'email-missing', c.email, 'every contact needs an e-mail address');
  else {
    const p = emailProblem(c.email);
    if (p) add('email', p.reason, c.email, p.detail);
  }
  // Voice is required, fax only where there is one (2013 RAA §3.7.7.1).
  for (const field of ['voice', 'fax'] as const) {
    const value = c[field];
    if (value === undefined || value === '') {
      if (field === 'voice') add(field, 'phone-missing', value, 'every contact needs a voice telephone number');
      continue;
    }
    const p = phoneProblem(String(value));
    if (p) add(field, p.reason, value, p.detail);
  }
  const forms = (['postalInt', 'postalLoc'] as const).filter((f) => c[f] !== undefined);
  if (forms.length === 0) add('postalInfo', 'postal-missing', '', 'every contact needs a postal address (int or loc)');
  for (const form of forms) {
    const postal = c[form] as PostalInfo;
    for (const p of postalProblems(postal)) add(`${form}.${p.field}`, p.reason, show(postal[p.field]), p.detail);
  }
  return out;
}

const show = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : (v ?? ''));

/** Contacts are read in pages of this many (the Store has no iterator; see pageContacts). */
const PAGE = 5000;

/**
 * Every contact of the Store, through the one listing the contract has: a handle search for `*`,
 * paged by offset in handle order. A change to the data while the report runs can make a contact
 * be read twice or not at all; the report is a snapshot only when nothing imports meanwhile.
 */
async function* pageContacts(store: Store): AsyncGenerator<Contact> {
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.searchContacts({ handle: '*' }, { limit: PAGE, offset });
    yield* page.items;
    if (!page.truncated || page.items.length === 0) return;
  }
}

/** Checks every contact, or with `domain` the contacts of that one domain. */
export async function accuracyReport(store: Store, opts: { domain?: string } = {}): Promise<AccuracyReport> {
  const report: AccuracyReport = { checked: 0, failing: 0, failures: [], counts: {} };
  let contacts: AsyncIterable<Contact> | Iterable<Contact> = pageContacts(store);
  if (opts.domain !== undefined) {
    const forms = normalizeName(opts.domain);
    if (!forms) throw new AccuracyError(`--domain: ${opts.domain} is not a valid domain name`);
    const record = await store.lookupDomain(forms.aLabel);
    if (!record) throw new AccuracyError(`--domain: no domain ${forms.aLabel} in the database`);
    const roles: Partial<Record<ContactRole, string>> = {};
    const byHandle = new Map<string, Contact>();
    for (const [role, c] of Object.entries(record.contacts) as [ContactRole, Contact][]) {
      roles[role] = c.handle;
      byHandle.set(c.handle, c);
    }
    report.domain = { name: record.domain.name, roles };
    contacts = byHandle.values();
  }
  for await (const contact of contacts) {
    report.checked++;
    const failures = checkContact(contact);
    if (failures.length === 0) continue;
    report.failing++;
    for (const f of failures) {
      report.failures.push(f);
      report.counts[f.reason] = (report.counts[f.reason] ?? 0) + 1;
    }
  }
  return report;
}

export const CSV_HEADER = ['handle', 'field', 'reason', 'value', 'detail'] as const;

/** RFC 4180 text: one record per failure. */
export function accuracyCsv(report: AccuracyReport): string {
  return csvText(CSV_HEADER, report.failures.map((f) => CSV_HEADER.map((k) => f[k])));
}

/** The one-line summary: what was checked and how much failed, by reason. */
export function accuracySummary(report: AccuracyReport): string {
  const scope = report.domain ? `the ${report.checked} contacts of ${report.domain.name}` : `${report.checked} contacts`;
  if (report.failing === 0) return `${scope} checked: all pass`;
  const counts = orderedCounts(report).map(([r, n]) => `${r} ${n}`).join(', ');
  return `${scope} checked: ${report.failing} fail (${report.failures.length} problems: ${counts})`;
}

function orderedCounts(report: AccuracyReport): [Reason, number][] {
  return (Object.keys(REASONS) as Reason[]).flatMap((r) => (report.counts[r] ? [[r, report.counts[r]!] as [Reason, number]] : []));
}

// Control and bidi-override characters could forge lines or reorder text in a terminal.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const printable = (s: string) => s.replace(UNSAFE, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);

/** The report as a table for people: the failures, then the counts per reason with their meaning. */
export function accuracyText(report: AccuracyReport): string {
  const lines = ['rdds WHOIS accuracy report (2013 RAA WHOIS Accuracy Program Specification, format checks)'];
  if (report.domain) {
    const roles = Object.entries(report.domain.roles).map(([role, handle]) => `${role} ${handle}`);
    lines.push(`domain ${report.domain.name}: ${roles.length > 0 ? roles.join(', ') : 'no contacts'}`);
  }
  lines.push(accuracySummary(report));
  if (report.failures.length === 0) return lines.join('\n') + '\n';
  const rows = report.failures.map((f) => CSV_HEADER.map((k) => printable(f[k])));
  const widths = CSV_HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]) : c)).join('  ');
  lines.push('', line(CSV_HEADER), ...rows.map(line), '', 'problems by reason:');
  const reasonWidth = Math.max(...Object.keys(REASONS).map((r) => r.length));
  for (const [reason, n] of orderedCounts(report)) lines.push(`  ${reason.padEnd(reasonWidth)}${String(n).padStart(8)}  ${REASONS[reason]}`);
  return lines.join('\n') + '\n';
}
