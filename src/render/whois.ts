// Port-43 WHOIS text in the layout of the ICANN registry agreement, Specification 4 (digest:
// ../shared/spec/whois-text.md), or in registrar mode the 2013 RAA layout (docs/registrar-rdds.md
// §2). Each answer's emitter reads like the spec's layout, line by line. The renderer decides
// nothing about privacy: it prints what the view holds, and for a redacted field the field
// table's redaction text (a registrar prints its contact form for a withheld e-mail address).
import type { Config } from '../config.js';
import type { Referral } from '../model/records.js';
import { statusUrl } from '../model/statuses.js';
import { isSigned, nameserverNames, type Domain, type Host, type Registrar, type RegistrarPerson } from '../model/types.js';
import { CONTACT_FIELDS, contactWhoisKey } from '../policy/fields.js';
import { REDACTED, type ContactView, type DomainView, type HostView, type RegistrarView } from '../policy/view.js';
import { queriedText } from '../query/query.js';
import type { Resolution } from '../resolution.js';
import { keyWithTranslations, type Language } from './labels.js';
import { contactFormUrl, forbiddenText, gatewayQuotaText, NOT_AVAILABLE_FROM_REGISTRY, referralText, WHOIS_COMPLAINT_FORM_URL, WHOIS_HELP, WHOIS_STATUS_CODES_LINE } from './texts.js';

// Control characters and bidi overrides are stripped from every value, so that data can never
// forge a line of the answer or reorder what a reader sees.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function whoisDate(iso: string | undefined): string {
  return iso ? new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

class Emitter {
  private readonly out: string[] = [];

  constructor(private readonly keys: (key: string) => string) {}

  field(key: string, value: string | number | undefined): this {
    this.out.push(`${this.keys(key)}: ${String(value ?? '').replace(UNSAFE, '')}`);
    return this;
  }

  /** A field Specification 4 lets be absent: left out when it has no value (fields.ts, `optional`). */
  optional(key: string, value: string | number | undefined): this {
    return value === undefined || value === '' ? this : this.field(key, value);
  }

  fields(key: string, values: readonly string[]): this {
    for (const value of values) this.field(key, value);
    return this;
  }

  line(text: string): this {
    this.out.push(text.replace(UNSAFE, ''));
    return this;
  }

  lines(texts: readonly string[]): this {
    for (const text of texts) this.line(text);
    return this;
  }

  comment(text: string): this {
    return this.line(`% ${text}`);
  }

  text(): string {
    return this.out.join('\r\n') + '\r\n';
  }
}

export interface WhoisOptions {
  languages: readonly Language[];
  termsOfUse: string;
  /** Set in registrar mode: domain answers in the 2013 RAA layout. */
  registrar?: RegistrarLayout;
}

/** What the registrar layout needs besides the view (docs/registrar.md). */
export interface RegistrarLayout {
  /** The registrar's name, for referrals ("not sponsored by ..."). */
  name: string;
  /** False when the registry is thin: the three Registry ... ID lines say Not Available From Registry. */
  registryIds: boolean;
  /** The web form that stands for a withheld e-mail address, with {domain} and {role}. */
  contactFormUrl: string;
}

export function whoisOptions(config: Config): WhoisOptions {
  return { languages: config.whois.translations as Language[], termsOfUse: config.registry.terms_of_use, registrar: registrarLayout(config) };
}

export function registrarLayout(config: Config): RegistrarLayout | undefined {
  const r = config.registry;
  if (r.mode !== 'registrar') return undefined;
  return { name: r.name, registryIds: !r.thin, contactFormUrl: r.contact_form_url ?? '' };
}

/** The registrar's own expiry of a registration: its own date where the data gives one, else the registry's. */
export function registrarExpiry(domain: Domain): string {
  return domain.registrarExpires ?? domain.expires;
}

export class WhoisRenderer {
  private readonly keyCache = new Map<string, string>();
  private readonly keys = (key: string): string => {
    let out = this.keyCache.get(key);
    if (out === undefined) this.keyCache.set(key, (out = keyWithTranslations(key, this.options.languages)));
    return out;
  };

  constructor(private readonly options: WhoisOptions) {}

  render(res: Resolution): string {
    const out = new Emitter(this.keys);
    if (res.notice) out.comment(res.notice);
    switch (res.outcome) {
      case 'refused':
        for (const line of res.refusal!.message) out.comment(line);
        return out.text();
      case 'forbidden': {
        const f = res.forbidden!;
        if (f.silent) return '';
        if (f.reason === 'gateway-limited') return out.line(gatewayQuotaText(res.query ? queriedText(res.query) : '', f.retryAfterSeconds ?? 60)).text();
        return out.comment(`Not allowed: ${forbiddenText(f)}`).text();
      }
      case 'bad-query':
        return out.comment(`Invalid query: ${res.error}`).text();
      case 'unavailable':
      case 'error':
        return out.comment(`Error: ${res.error ?? 'internal error'}`).text();
      case 'not-found':
        if (res.referral && this.options.registrar) this.referral(out, res.referral, this.options.registrar);
        else out.field('The queried object does not exist', res.query ? queriedText(res.query) : '');
        break;
      case 'answered':
        if (!res.view) WHOIS_HELP.forEach((l) => out.comment(l));
        else if (res.view.kind === 'domain' && this.options.registrar) this.registrarDomain(out, res.view, this.options.registrar);
        else if (res.view.kind === 'domain') this.domain(out, res.view);
        else if (res.view.kind === 'host') this.hosts(out, res.view);
        else if (res.view.kind === 'registrar') this.registrar(out, res.view);
        else this.contact(out, res.view.contact);
        break;
    }
    return this.footer(out, res).text();
  }

  private domain(out: Emitter, view: DomainView): void {
    const { domain, registrar } = view.record;
    out.field('Domain Name', domain.name.toUpperCase());
    if (domain.unicodeName) out.field('Internationalized Domain Name', domain.unicodeName);
    out
      .field('Registry Domain ID', domain.roid)
      .field('Registrar WHOIS Server', registrar.whoisServer)
      .field('Registrar URL', registrar.url)
      .optional('Updated Date', whoisDate(domain.updated))
      .field('Creation Date', whoisDate(domain.created))
      .field('Registry Expiry Date', whoisDate(domain.expires))
      .field('Registrar', registrar.name)
      .field('Registrar IANA ID', registrar.ianaId)
      .field('Registrar Abuse Contact Email', registrar.abuseEmail)
      .field('Registrar Abuse Contact Phone', registrar.abusePhone);
    out.optional('Reseller', domain.reseller);
    out.fields('Domain Status', domain.statuses.map((s) => `${s} ${statusUrl(s)}`));
    for (const contact of view.contacts) this.contact(out, contact);
    out
      .fields('Name Server', nameserverNames(domain).map((n) => n.toUpperCase()))
      .field('DNSSEC', isSigned(domain) ? 'signedDelegation' : 'unsigned')
      .field('URL of the ICANN Whois Inaccuracy Complaint Form', WHOIS_COMPLAINT_FORM_URL);
  }

  /**
   * A registrar's domain answer (2013 RAA RDDS Specification §1.4.2, with the 2015 Advisory's
   * status links and complaint-form line): the registrar's own expiry date in place of the
   * registry's, and the Registrant, Admin and Tech blocks only (the layout has no Billing block).
   */
  private registrarDomain(out: Emitter, view: DomainView, layout: RegistrarLayout): void {
    const { domain, registrar, hosts } = view.record;
    out.field('Domain Name', domain.name.toUpperCase());
    if (domain.unicodeName) out.field('Internationalized Domain Name', domain.unicodeName);
    out
      .field('Registry Domain ID', domain.roid)
      .field('Registrar WHOIS Server', registrar.whoisServer)
      .field('Registrar URL', registrar.url)
      .optional('Updated Date', whoisDate(domain.updated))
      .field('Creation Date', whoisDate(domain.created))
      .field('Registrar Registration Expiration Date', whoisDate(registrarExpiry(domain)))
      .field('Registrar', registrar.name)
      .field('Registrar IANA ID', registrar.ianaId)
      .field('Registrar Abuse Contact Email', registrar.abuseEmail)
      .field('Registrar Abuse Contact Phone', registrar.abusePhone);
    out.optional('Reseller', domain.reseller);
    out.fields('Domain Status', domain.statuses.map((s) => `${s} ${statusUrl(s)}`));
    for (const contact of view.contacts) {
      if (contact.role === 'billing') continue;
      this.contact(out, contact, { registryId: layout.registryIds ? undefined : NOT_AVAILABLE_FROM_REGISTRY, emailRedacted: contactFormUrl(layout.contactFormUrl, domain.name, contact.role) });
    }
    out
      .fields('Name Server', hosts.length ? hosts.map((h) => h.name.toUpperCase()) : domain.nameservers.map((n) => n.toUpperCase()))
      .field('DNSSEC', domain.ds.length > 0 ? 'signedDelegation' : 'unsigned')
      .field('URL of the ICANN Whois Inaccuracy Complaint Form', WHOIS_COMPLAINT_FORM_URL);
  }

  /** A name this registrar does not sponsor: where its registry answers for it (docs/registrar.md). */
  private referral(out: Emitter, referral: Referral, layout: RegistrarLayout): void {
    for (const line of referralText(referral.name, layout.name)) out.comment(line);
    out.field('Registry WHOIS Server', referral.whoisServer).field('Registry RDAP URL', referral.rdapUrl);
  }

  /** `registrar`: the registrar layout's texts for the registry ID and a withheld e-mail address. */
  private contact(out: Emitter, contact: ContactView, registrar?: { registryId?: string; emailRedacted: string }): void {
    for (const field of CONTACT_FIELDS) {
      if (!contact.values.has(field.id)) continue;
      const key = contactWhoisKey(contact.role, field);
      const value = contact.values.get(field.id);
      if (field.id === 'id' && registrar?.registryId) out.field(key, registrar.registryId);
      else if (value === REDACTED && field.id === 'email' && registrar) out.field(key, registrar.emailRedacted);
      else if (value === REDACTED) out.field(key, field.whoisRedacted);
      else if (Array.isArray(value)) out.fields(key, value);
      else if (field.optional) out.optional(key, value);
      else out.field(key, value);
    }
  }

  private hosts(out: Emitter, view: HostView): void {
    for (const { host, registrar } of view.hosts) this.host(out, host, registrar);
  }

  private host(out: Emitter, host: Host, registrar: Registrar): void {
    out
      .field('Server Name', host.name.toUpperCase())
      .fields('IP Address', host.addresses)
      .field('Registrar', registrar.name)
      .field('Registrar WHOIS Server', registrar.whoisServer)
      .field('Registrar URL', registrar.url);
  }

  private registrar(out: Emitter, { registrar: r }: RegistrarView): void {
    out
      .field('Registrar', r.name)
      .fields('Street', r.postal.street)
      .field('City', r.postal.city)
      .optional('State/Province', r.postal.sp)
      .optional('Postal Code', r.postal.pc)
      .field('Country', r.postal.cc)
      .field('Phone Number', r.voice)
      .optional('Fax Number', r.fax)
      .field('Email', r.email)
      .field('Registrar WHOIS Server', r.whoisServer)
      .field('Registrar URL', r.url);
    this.registrarPerson(out, 'Admin Contact', r.admin);
    this.registrarPerson(out, 'Technical Contact', r.tech);
  }

  private registrarPerson(out: Emitter, key: string, person: RegistrarPerson | undefined): void {
    if (!person) return;
    out.field(key, person.name).field('Phone Number', person.voice).optional('Fax Number', person.fax).field('Email', person.email);
  }

  private footer(out: Emitter, res: Resolution): Emitter {
    return out
      .line(`>>> Last update of WHOIS database: ${whoisDate(res.data.updatedAt)} <<<`)
      .line('')
      .line(WHOIS_STATUS_CODES_LINE)
      .line('')
      .lines(this.options.termsOfUse.split(/\r?\n/));
  }
}
