// RDAP JSON (RFC 9083) as the ICANN gTLD RDAP Response Profile and Technical Implementation Guide
// (2024) ask of a registry (digest: ../shared/spec/rdap.md), or of a registrar in registrar mode
// (docs/registrar-rdds.md §4). Like the port-43 renderer it decides
// nothing about privacy: it prints what the view holds, and for each REDACTED value the RFC 9537
// `redacted` entry that the field table (src/policy/fields.ts) names.
import { STATUS_CODES } from 'node:http';
import type { Config } from '../config.js';
import type { DomainRecord, HostRecord, Referral } from '../model/records.js';
import { EPP_TO_RDAP_STATUS } from '../model/statuses.js';
import { isSigned, type ContactRole, type DnsTtls, type Domain, type Registrar } from '../model/types.js';
import { CONTACT_FIELDS, contactRdapEntityPath, contactRdapPath, contactRedactionName, type ContactField, type ContactFieldId } from '../policy/fields.js';
import { REDACTED, type ContactView, type DomainView, type View } from '../policy/view.js';
import type { RdapCursors } from '../query/rdap-cursor.js';
import type { RdapRequest } from '../query/rdap-request.js';
import { REVERSE_SEARCH_PROPERTIES, SORT_PROPERTIES, type RdapSearchKind } from '../query/rdap-search.js';
import type { Resolution } from '../resolution.js';
import { httpStatus, retryAfter } from './http-status.js';
import { contactFormUrl, forbiddenText, limitsNoticeLines, rateLimitLine, RDAP_COMPLAINT_NOTICE, RDAP_HELP, RDAP_PAGING_TEXTS, RDAP_STATUS_CODES_NOTICE, referralText } from './texts.js';
import { registrarExpiry } from './whois.js';

export const RDAP_MEDIA_TYPE = 'application/rdap+json';
export const RDAP_CONFORMANCE = ['rdap_level_0', 'icann_rdap_response_profile_1', 'icann_rdap_technical_implementation_guide_1'] as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Link extends JsonObject {
  value: string;
  rel: string;
  href: string;
  type: string;
}

export interface Redaction extends JsonObject {
  name: { type: string };
  pathLang: 'jsonpath';
  method: 'removal' | 'emptyValue' | 'replacementValue';
  reason: { description: string };
}

/** One rendered RDAP answer: the HTTP status and the body as UTF-8 bytes (kept in the pipeline's cache as is, so a cached answer is written without encoding it again). */
export interface RdapAnswer {
  status: number;
  body: Buffer;
  /** Seconds for Retry-After (429). */
  retryAfter?: number;
  /** True when the answer may be cached by clients and proxies (found or not found, public tier). */
  cacheable: boolean;
  /** A redirect's target (RFC 7480 §5.2): a registrar's referral of another registrar's name to its registry. */
  location?: string;
}

/** What a rendered answer depends on besides the resolution. */
interface AnswerContext {
  /** The request URL as this service's public base URL spells it: the `value` of every link. */
  requestUrl: string;
  /** For searches: which kind of results the answer carries (the member that holds them). */
  searchKind?: RdapSearchKind;
  request: RdapRequest;
  /** Contacts as JSContact cards instead of jCards (experimental, asked for by the client). */
  jscontact: boolean;
  /** Extension identifiers the answer uses beyond the profile's (paging, sorting, reverse_search, ttl0, jscontact). */
  extensions: Set<string>;
}

const SEARCH_MEMBER: Record<RdapSearchKind, string> = {
  domains: 'domainSearchResults',
  nameservers: 'nameserverSearchResults',
  entities: 'entitySearchResults',
};

export interface RdapOptions {
  /** Public base URL of this RDAP service, ending in '/'. */
  baseUrl: string;
  port43: string;
  termsOfUse: string;
  termsOfUseUrl: string;
  /** Set in registrar mode: the registrar variant of the profile (docs/registrar.md). */
  registrar?: { name: string; contactFormUrl: string };
  /** Signs the cursors of next-page links (the RDAP grammar checks them with the same key); without it a search answer has no next link. */
  cursors?: RdapCursors;
}

export function rdapOptions(config: Config, cursors?: RdapCursors): RdapOptions {
  const r = config.registry;
  return {
    baseUrl: r.rdap_base_url,
    port43: r.whois_server,
    termsOfUse: r.terms_of_use,
    termsOfUseUrl: r.terms_of_use_url,
    ...(r.mode === 'registrar' && { registrar: { name: r.name, contactFormUrl: r.contact_form_url ?? '' } }),
    cursors,
  };
}

/** Dates as RFC 3339 UTC without milliseconds. */
export function rdapDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function rdapStatuses(statuses: readonly string[]): string[] {
  return [...new Set(statuses.map((s) => EPP_TO_RDAP_STATUS[s] ?? s))];
}

function joinUrl(base: string, path: string): string {
  return base.endsWith('/') ? base + path : `${base}/${path}`;
}

/** Collects `redacted` entries while an answer is built. */
class Redactions {
  readonly entries: Redaction[] = [];

  /** `jscontact`: the path points into the entity's JSContact card instead of its jCard. */
  add(role: ContactRole, fieldId: ContactFieldId, entityPath: string, jscontact = false): void {
    const field = CONTACT_FIELDS.find((f) => f.id === fieldId)!;
    const path = jscontact ? jscontactPath(field, entityPath) : contactRdapPath(field, entityPath);
    const entry: Redaction = {
      name: { type: contactRedactionName(role, field) },
      ...(field.rdap.method === 'removal' ? { prePath: path } : { postPath: path }),
      pathLang: 'jsonpath',
      method: field.rdap.method,
      reason: { description: 'Server policy' },
    };
    this.entries.push(entry);
  }

  /** A withheld value shown by another (RFC 9537 replacementValue): a registrar's contact form for an e-mail address. */
  replace(role: ContactRole, fieldId: ContactFieldId, entityPath: string, replacementPath: string, jscontact = false): void {
    const field = CONTACT_FIELDS.find((f) => f.id === fieldId)!;
    this.entries.push({
      name: { type: contactRedactionName(role, field) },
      prePath: jscontact ? jscontactPath(field, entityPath) : contactRdapPath(field, entityPath),
      replacementPath,
      pathLang: 'jsonpath',
      method: 'replacementValue',
      reason: { description: 'Server policy' },
    });
  }
}

type VcardEntry = [string, JsonObject, string, Json];

export class RdapRenderer {
  constructor(readonly options: RdapOptions) {}

  /** The URL of an object at this service (`domain/nic.example`). */
  url(path: string): string {
    return joinUrl(this.options.baseUrl, path);
  }

  /** `request`: what the RDAP grammar read of the request (query/rdap-request.ts). */
  render(res: Resolution, request: RdapRequest): RdapAnswer {
    const ctx: AnswerContext = { requestUrl: this.url(request.relative ?? ''), searchKind: request.searchKind, request, jscontact: request.jscontact === true, extensions: new Set() };
    const status = httpStatus(res);
    if (res.referral) return this.referral(res.referral, ctx.requestUrl);
    if (res.outcome === 'answered') {
      return { status, body: Buffer.from(JSON.stringify(this.answer(res, ctx))), cacheable: res.client.tier === 'public' };
    }
    const error = this.error(status, errorDescription(res), ctx.requestUrl);
    return { ...error, retryAfter: retryAfter(res), cacheable: res.outcome === 'not-found' && res.client.tier === 'public' };
  }

  /** An error object (RFC 9083 §6) with the terms-of-service notice; its title is the status's reason phrase. */
  error(status: number, description: readonly string[], requestUrl = this.url('')): RdapAnswer {
    const body: JsonObject = {
      rdapConformance: [...RDAP_CONFORMANCE],
      errorCode: status,
      title: STATUS_CODES[status] ?? 'Error',
      description: [...description],
      notices: [this.termsNotice(requestUrl)],
    };
    return { status, body: Buffer.from(JSON.stringify(body)), cacheable: false };
  }

  /**
   * A name a registrar does not sponsor, with other_names referral: an HTTP redirect to the name
   * at its registry's RDAP service (RFC 7480 §5.2; 302, as a transfer can change the sponsor), with
   * an error object saying so for a reader that does not follow it.
   */
  private referral(referral: Referral, requestUrl: string): RdapAnswer {
    const answer = this.error(302, [...referralText(referral.name, this.options.registrar?.name ?? ''), referral.rdapUrl], requestUrl);
    return { ...answer, location: referral.rdapUrl, cacheable: true };
  }

  private answer(res: Resolution, ctx: AnswerContext): JsonObject {
    const view = res.view;
    const redactions = new Redactions();
    const notices: JsonObject[] = [this.termsNotice(ctx.requestUrl)];
    if (res.notice) notices.push({ title: 'Access', description: [res.notice] });
    let body: JsonObject;
    if (res.results && ctx.searchKind) {
      const { items, truncated } = res.results;
      body = { ...this.searchResults(ctx.searchKind, items, res, redactions, ctx), ...this.searchMetadata(res, ctx) };
      if (items.some((item) => item.kind === 'domain')) notices.push(...this.domainNotices(ctx.requestUrl));
      if (truncated) {
        notices.push({
          title: 'Search Policy',
          type: `result set truncated due to ${truncated}`,
          description: [`The search was stopped before it had checked every candidate; ${items.length} matching objects are shown. Narrow the pattern.`],
        });
      }
      if (res.query?.kind === 'rdap-search' && res.query.paging.count && res.results.total === undefined) notices.push({ title: 'Search Policy', description: [RDAP_PAGING_TEXTS.notCounted] });
    } else if (!view) {
      body = this.helpMembers(res, ctx);
      notices.push(this.helpNotice());
      if (res.limits) notices.push({ title: 'Service limits', description: limitsNoticeLines(res.limits) });
    } else {
      body = this.object(view, ctx.requestUrl, res, redactions, '$', true, ctx);
      if (view.kind === 'domain') notices.push(...this.domainNotices(ctx.requestUrl));
    }
    if (ctx.jscontact && jscontactEverywhere(body)) ctx.extensions.add('jscontact');
    const conformance: string[] = [...RDAP_CONFORMANCE];
    if (redactions.entries.length > 0) conformance.splice(1, 0, 'redacted');
    conformance.push(...ctx.extensions);
    const out: JsonObject = { rdapConformance: conformance, ...body, notices };
    if (redactions.entries.length > 0) out.redacted = redactions.entries;
    return out;
  }

  // --- reverse search, sorting and paging (RFC 9536, RFC 8977) --------------------------------

  /** help: the reverse searches this server offers (RFC 9536 §5), for the clients that may search. */
  private helpMembers(res: Resolution, ctx: AnswerContext): JsonObject {
    if (!res.limits?.search) return {};
    ctx.extensions.add('reverse_search');
    return {
      reverse_search_properties: REVERSE_SEARCH_PROPERTIES.map((p) => ({ searchableResourceType: 'domains', relatedResourceType: 'entity', property: p.property })),
    };
  }

  /** A search answer's RFC 8977 and RFC 9536 members: where the next page is, how it is sorted, what a reverse search matched on. */
  private searchMetadata(res: Resolution, ctx: AnswerContext): JsonObject {
    const query = res.query;
    const results = res.results;
    if (query?.kind !== 'rdap-search' || !results || !ctx.request.search) return {};
    const { path, params, count } = ctx.request.search;
    const paging = query.paging;
    const sort = paging.sort;
    const link = (extra: string[]) => this.url(`${path}?${[params, ...extra].filter((p) => p !== '').join('&')}`);
    const sortParam = sort ? [`sort=${sort.property.property}${sort.descending ? ':d' : ''}`] : [];
    const countParam = count ? ['count=true'] : [];
    const out: JsonObject = {};
    const pagingMetadata: JsonObject = {};
    if (count && results.total !== undefined) pagingMetadata.totalCount = results.total;
    pagingMetadata.pageSize = query.limit;
    pagingMetadata.pageNumber = paging.page;
    if (results.next && this.options.cursors) {
      const cursor = this.options.cursors.encode({ search: query.text, page: paging.page + 1, after: results.next });
      pagingMetadata.links = [{ value: ctx.requestUrl, rel: 'next', href: link([...sortParam, ...countParam, `cursor=${cursor}`]), title: RDAP_PAGING_TEXTS.nextTitle, type: RDAP_MEDIA_TYPE }];
    }
    out.paging_metadata = pagingMetadata;
    ctx.extensions.add('paging');
    const offered = SORT_PROPERTIES[query.search.kind];
    const current = sort?.property ?? offered[0];
    const sorting: JsonObject = {};
    if (sort) sorting.currentSort = `${sort.property.property}${sort.descending ? ':d' : ''}`;
    sorting.availableSorts = offered.map((p) => {
      // The link sorts by the property: the other way round for the current one, ascending otherwise.
      const descending = p === current && !sort?.descending;
      return {
        property: p.property,
        jsonPath: p.jsonPath,
        default: p === offered[0],
        links: [{ value: ctx.requestUrl, rel: 'alternate', href: link([`sort=${p.property}${descending ? ':d' : ''}`, ...countParam]), title: descending ? RDAP_PAGING_TEXTS.descendingTitle : RDAP_PAGING_TEXTS.ascendingTitle, type: RDAP_MEDIA_TYPE }],
      };
    });
    out.sorting_metadata = sorting;
    ctx.extensions.add('sorting');
    if (query.search.by === 'reverse') {
      const used = query.search.conditions;
      out.reverse_search_properties_mapping = REVERSE_SEARCH_PROPERTIES.filter((p) => used[p.property] !== undefined).map((p) => ({ property: p.property, propertyPath: p.propertyPath }));
      ctx.extensions.add('reverse_search');
    }
    return out;
  }

  private object(view: View, requestUrl: string, res: Resolution, redactions: Redactions, at: string, top: boolean, ctx: AnswerContext): JsonObject {
    switch (view.kind) {
      case 'domain':
        return this.domain(view, requestUrl, res, redactions, at, ctx);
      case 'host':
        void top;
        return this.nameserver(view.hosts[0], requestUrl, res, ctx);
      case 'registrar':
        return this.registrarLookup(view.registrar, requestUrl, res);
      case 'contact':
        return this.contactLookup(view.contact, requestUrl, res, redactions, at, ctx);
    }
  }

  /** Search results (RFC 9083 §8): each item a full object, with its redactions pathed into the array. */
  private searchResults(kind: RdapSearchKind, items: readonly View[], res: Resolution, redactions: Redactions, ctx: AnswerContext): JsonObject {
    const member = SEARCH_MEMBER[kind];
    return {
      [member]: items.map((item, i) => {
        const at = `$.${member}[${i}]`;
        return this.object(item, this.url(objectPath(item)), res, redactions, at, false, ctx);
      }),
    };
  }

  // --- notices --------------------------------------------------------------------------------

  private termsNotice(requestUrl: string): JsonObject {
    return {
      title: 'Terms of Use',
      description: this.options.termsOfUse.split(/\r?\n/).filter((l) => l !== ''),
      links: [{ value: requestUrl, rel: 'terms-of-service', href: this.options.termsOfUseUrl, type: 'text/html' }],
    };
  }

  private domainNotices(requestUrl: string): JsonObject[] {
    return [
      {
        title: RDAP_STATUS_CODES_NOTICE.title,
        description: [...RDAP_STATUS_CODES_NOTICE.description],
        links: [{ value: requestUrl, rel: 'glossary', href: RDAP_STATUS_CODES_NOTICE.href, type: 'text/html' }],
      },
      {
        title: RDAP_COMPLAINT_NOTICE.title,
        description: [...RDAP_COMPLAINT_NOTICE.description],
        links: [{ value: requestUrl, rel: 'help', href: RDAP_COMPLAINT_NOTICE.href, type: 'text/html' }],
      },
    ];
  }

  private helpNotice(): JsonObject {
    return { title: 'Queries', description: [...RDAP_HELP] };
  }

  // --- objects --------------------------------------------------------------------------------

  private selfLink(requestUrl: string, href: string): Link {
    return { value: requestUrl, rel: 'self', href, type: RDAP_MEDIA_TYPE };
  }

  private lastUpdate(res: Resolution): JsonObject {
    return { eventAction: 'last update of RDAP database', eventDate: rdapDate(res.data.updatedAt) };
  }

  private domain(view: DomainView, requestUrl: string, res: Resolution, redactions: Redactions, at: string, ctx: AnswerContext): JsonObject {
    const { domain, registrar } = view.record;
    const self = this.url(`domain/${domain.name}`);
    const links: Link[] = [this.selfLink(requestUrl, self)];
    // A registry points to the domain at its registrar (TIG §3.2); a registrar is that record.
    const related = this.options.registrar ? undefined : this.registrarDomainUrl(registrar, domain.name);
    if (related) links.push({ value: requestUrl, rel: 'related', href: related, type: RDAP_MEDIA_TYPE });
    const events: JsonObject[] = [
      { eventAction: 'registration', eventDate: rdapDate(domain.created) },
      { eventAction: 'expiration', eventDate: rdapDate(domain.expires) },
    ];
    if (this.options.registrar) events.push(registrarExpirationEvent(domain));
    if (domain.updated && domain.updated !== domain.created) events.push({ eventAction: 'last changed', eventDate: rdapDate(domain.updated) });
    if (domain.transferred) events.push({ eventAction: 'transfer', eventDate: rdapDate(domain.transferred) });
    events.push(this.lastUpdate(res));

    const out: JsonObject = {
      objectClassName: 'domain',
      handle: domain.roid,
      ldhName: domain.name,
    };
    if (domain.unicodeName) out.unicodeName = domain.unicodeName;
    out.status = rdapStatuses(domain.statuses.length > 0 ? domain.statuses : ['ok']);
    out.events = events;
    out.secureDNS = secureDns(domain);
    out.nameservers = this.domainNameservers(view.record, self);
    const entities: JsonObject[] = [this.registrarEntity(registrar, self, related)];
    for (const contact of view.contacts) {
      if (sentInDomain(contact)) entities.push(this.contactEntity(contact, redactions, contactRdapEntityPath(contact.role, at), true, ctx, this.emailForm(domain.name, contact.role)));
    }
    out.entities = entities;
    this.ttl(out, domain.ttl, ctx);
    if (domain.reseller) out.remarks = [{ title: 'Reseller', description: [domain.reseller] }];
    out.links = links;
    out.port43 = this.options.port43;
    return out;
  }

  /** Registrar mode: the web form a public answer gives in place of a contact's e-mail address. */
  private emailForm(domain: string, role: ContactRole): string | undefined {
    return this.options.registrar && contactFormUrl(this.options.registrar.contactFormUrl, domain, role);
  }

  private domainNameservers(record: DomainRecord, domainUrl: string): JsonObject[] {
    const byName = new Map(record.hosts.map((h) => [h.name, h]));
    const objects = record.domain.nameservers.map((name) => {
      const host = byName.get(name);
      const out: JsonObject = { objectClassName: 'nameserver' };
      if (host) out.handle = host.roid;
      out.ldhName = name;
      if (host?.unicodeName) out.unicodeName = host.unicodeName;
      if (host) {
        const ips = ipAddresses(host.addresses);
        if (ips) out.ipAddresses = ips;
        out.status = rdapStatuses(host.statuses.length > 0 ? host.statuses : ['ok']);
        // No glue TTLs here: the conformance tool checks a domain's nameservers against its schema,
        // which has no ttl0_data (the nameserver/ lookup carries them).
      }
      out.links = [{ value: domainUrl, rel: 'related', href: this.url(`nameserver/${name}`), type: RDAP_MEDIA_TYPE }];
      return out;
    });
    // Host attributes (RFC 5731 hostAttr): name servers that are no objects of the registry, with their glue.
    const attrs = (record.domain.hostAttrs ?? []).map((h): JsonObject => {
      const out: JsonObject = { objectClassName: 'nameserver', ldhName: h.name };
      if (h.unicodeName) out.unicodeName = h.unicodeName;
      const ips = ipAddresses(h.addresses);
      if (ips) out.ipAddresses = ips;
      return out;
    });
    return [...objects, ...attrs];
  }

  private nameserver({ host, registrar }: HostRecord, requestUrl: string, res: Resolution, ctx: AnswerContext): JsonObject {
    const self = this.url(`nameserver/${host.name}`);
    const out: JsonObject = { objectClassName: 'nameserver', handle: host.roid, ldhName: host.name };
    if (host.unicodeName) out.unicodeName = host.unicodeName;
    const ips = ipAddresses(host.addresses);
    if (ips) out.ipAddresses = ips;
    out.status = rdapStatuses(host.statuses.length > 0 ? host.statuses : ['ok']);
    this.ttl(out, host.ttl, ctx);
    out.entities = [this.registrarEntity(registrar, self, undefined)];
    const events: JsonObject[] = [{ eventAction: 'registration', eventDate: rdapDate(host.created) }];
    if (host.updated && host.updated !== host.created) events.push({ eventAction: 'last changed', eventDate: rdapDate(host.updated) });
    events.push(this.lastUpdate(res));
    out.events = events;
    out.links = [this.selfLink(requestUrl, self)];
    out.port43 = this.options.port43;
    return out;
  }

  private registrarDomainUrl(registrar: Registrar, name: string): string | undefined {
    return registrar.rdapBaseUrl ? joinUrl(registrar.rdapBaseUrl, `domain/${name}`) : undefined;
  }

  /** The sponsoring registrar inside another object: IANA ID, name, abuse contact and links. */
  private registrarEntity(r: Registrar, objectUrl: string, related: string | undefined): JsonObject {
    const links: Link[] = [];
    if (related) links.push({ value: objectUrl, rel: 'related', href: related, type: RDAP_MEDIA_TYPE });
    const about = this.registrarAboutLink(r);
    if (about) links.push(about);
    const out = this.registrarObject(r, [['fn', {}, 'text', r.name]]);
    if (links.length > 0) out.links = links;
    return out;
  }

  /** What every registrar entity carries: the IANA ID as handle and public ID, a vCard, the abuse contact. */
  private registrarObject(r: Registrar, card: VcardEntry[]): JsonObject {
    return {
      objectClassName: 'entity',
      handle: String(r.ianaId),
      roles: ['registrar'],
      publicIds: [{ type: 'IANA Registrar ID', identifier: String(r.ianaId) }],
      vcardArray: vcard(card),
      entities: [this.abuseEntity(r)],
    };
  }

  private registrarAboutLink(r: Registrar): Link | undefined {
    if (!r.url) return undefined;
    return { value: r.rdapBaseUrl ?? this.url(`entity/${r.ianaId}`), rel: 'about', href: r.url, type: 'text/html' };
  }

  private abuseEntity(r: Registrar): JsonObject {
    const card: VcardEntry[] = [['fn', {}, 'text', 'Abuse contact']];
    if (r.abusePhone) card.push(['tel', { type: 'voice' }, 'uri', telUri(r.abusePhone)]);
    card.push(['email', {}, 'text', r.abuseEmail]);
    return { objectClassName: 'entity', roles: ['abuse'], vcardArray: vcard(card) };
  }

  /** entity/{IANA ID}: the registrar's own published details. */
  private registrarLookup(r: Registrar, requestUrl: string, res: Resolution): JsonObject {
    const self = this.url(`entity/${r.ianaId}`);
    const card: VcardEntry[] = [['fn', {}, 'text', r.name], adrEntry(r.postal.street, r.postal.city, r.postal.sp, r.postal.pc, r.postal.cc)];
    if (r.voice) card.push(['tel', { type: 'voice' }, 'uri', telUri(r.voice)]);
    if (r.fax) card.push(['tel', { type: 'fax' }, 'uri', telUri(r.fax)]);
    card.push(['email', {}, 'text', r.email]);
    const links: Link[] = [this.selfLink(requestUrl, self)];
    const about = this.registrarAboutLink(r);
    if (about) links.push(about);
    const out = this.registrarObject(r, card);
    const events: JsonObject[] = [];
    if (r.updated) events.push({ eventAction: 'last changed', eventDate: rdapDate(r.updated) });
    events.push(this.lastUpdate(res));
    out.events = events;
    out.links = links;
    if (r.whoisServer) out.port43 = r.whoisServer;
    return out;
  }

  /** entity/{handle}: a contact through the view, redacted like the same contact in a domain answer. */
  private contactLookup(contact: ContactView, requestUrl: string, res: Resolution, redactions: Redactions, at: string, ctx: AnswerContext): JsonObject {
    const out = this.contactEntity(contact, redactions, at, false, ctx);
    const handle = contact.values.get('id');
    const events = [this.lastUpdate(res)];
    out.events = events;
    // The self link names the handle only when the view shows it (else it would give the handle away).
    out.links = [this.selfLink(requestUrl, typeof handle === 'string' ? this.url(`entity/${encodeURIComponent(handle)}`) : requestUrl)];
    out.port43 = this.options.port43;
    return out;
  }

  /**
   * A contact as jCard (or, when the client asked for it, a JSContact card) from what the view
   * holds: a string is printed, REDACTED is printed as the field table's method says (emptyValue:
   * present and empty; removal: absent) and listed in `redacted`, a field missing from the view is
   * left out.
   */
  private contactEntity(contact: ContactView, redactions: Redactions, entityPath: string, withRole: boolean, ctx: AnswerContext, emailForm?: string): JsonObject {
    const values = contact.values;
    const text = (id: ContactFieldId): string | undefined => {
      const v = values.get(id);
      return typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : undefined;
    };
    // A registrar's contact form stands for a withheld address (profile 2024 §2.7.4.9: a contact-uri, never beside an email).
    const contactUri = emailForm !== undefined && values.get('email') === REDACTED ? emailForm : undefined;
    for (const field of CONTACT_FIELDS) {
      if (values.get(field.id) !== REDACTED) continue;
      if (field.id === 'email' && contactUri !== undefined) {
        const replacement = ctx.jscontact ? `${entityPath}.jscontact_card.links.contact.uri` : `${entityPath}.vcardArray[1][?(@[0]=='contact-uri')]`;
        redactions.replace(contact.role, 'email', entityPath, replacement, ctx.jscontact);
      } else redactions.add(contact.role, field.id, entityPath, ctx.jscontact);
    }

    const out: JsonObject = { objectClassName: 'entity' };
    const handle = text('id');
    if (handle !== undefined) out.handle = handle;
    if (withRole) out.roles = [roleWord(contact.role)];
    if (ctx.jscontact) {
      out.jscontact_card = jscontactCard(contact.values, text, contactUri);
      ctx.extensions.add('jscontact');
    } else {
      out.vcardArray = jcard(contact.values, text, contactUri);
    }
    if (contact.privacyProxy && !contact.customerRevealed) {
      out.remarks = [{ title: 'Privacy or proxy service', description: ['The details shown are those of a privacy or proxy service.'] }];
    }
    return out;
  }

  /** ttl0_data (draft-ietf-regext-rdap-ttl-extension) of a domain or name server whose data carries TTLs. */
  private ttl(out: JsonObject, ttl: DnsTtls | undefined, ctx: AnswerContext): void {
    if (!ttl || Object.keys(ttl).length === 0) return;
    out.ttl0_data = { values: { ...ttl } };
    ctx.extensions.add('ttl0');
  }
}

type ContactValues = ContactView['values'];
type ContactText = (id: ContactFieldId) => string | undefined;

const ADR_IDS: ContactFieldId[] = ['street', 'city', 'sp', 'pc', 'cc'];

/** A contact's jCard (RFC 7095), positions as the profile wants them. */
function jcard(values: ContactValues, text: ContactText, contactUri?: string): Json {
  const card: VcardEntry[] = [];
  card.push(['fn', {}, 'text', text('name') ?? '']);
  const org = text('org');
  if (org !== undefined) card.push(['org', {}, 'text', org]);
  if (ADR_IDS.some((id) => values.has(id))) {
    const street = values.get('street');
    const cc = text('cc');
    const params: JsonObject = cc ? { cc } : {};
    const parts: Json[] = ['', '', Array.isArray(street) ? (street.length === 1 ? street[0] : [...street]) : (text('street') ?? ''), text('city') ?? '', text('sp') ?? '', text('pc') ?? '', ''];
    card.push(['adr', params, 'text', parts]);
  }
  const phone = text('phone');
  if (phone !== undefined) card.push(['tel', { type: 'voice' }, 'uri', telUri(phone, text('phoneExt'))]);
  const fax = text('fax');
  if (fax !== undefined) card.push(['tel', { type: 'fax' }, 'uri', telUri(fax, text('faxExt'))]);
  const email = text('email');
  if (email !== undefined) card.push(['email', {}, 'text', email]);
  if (contactUri !== undefined) card.push(['contact-uri', {}, 'uri', contactUri]);
  return vcard(card);
}

/** The JSContact component kind (RFC 9553 §2.5.1) of each address part of the field table. */
const JSCONTACT_ADR_KIND: Partial<Record<ContactFieldId, string>> = { street: 'name', city: 'locality', sp: 'region', pc: 'postcode' };

/**
 * A contact as a JSContact card (RFC 9553; draft-ietf-regext-rdap-jscontact, experimental), by
 * the RFC 9555 mapping from the same values: name.full, organizations.org, addresses.addr with
 * its components and countryCode, phones.voice / phones.fax, emails.email (or, for a registrar's
 * contact form, links.contact). A redacted emptyValue
 * field is present and empty, a removal one absent, as in the jCard.
 */
function jscontactCard(values: ContactValues, text: ContactText, contactUri?: string): JsonObject {
  const card: JsonObject = { '@type': 'Card', version: '1.0', name: { full: text('name') ?? '' } };
  const org = text('org');
  if (org !== undefined) card.organizations = { org: { name: org } };
  if (ADR_IDS.some((id) => values.has(id))) {
    const components: JsonObject[] = [];
    // A part without a value is left out; a redacted one (all of them emptyValue) is there, empty.
    for (const id of ['street', 'city', 'sp', 'pc'] as const) {
      const v = values.get(id);
      if (v === undefined) continue;
      const lines = Array.isArray(v) ? v : [text(id) ?? ''];
      for (const line of lines) components.push({ kind: JSCONTACT_ADR_KIND[id]!, value: line });
    }
    const addr: JsonObject = { components };
    if (values.get('cc') !== undefined) addr.countryCode = text('cc') ?? '';
    card.addresses = { addr };
  }
  const phones: JsonObject = {};
  const phone = text('phone');
  if (phone !== undefined) phones.voice = { features: { voice: true }, number: telUri(phone, text('phoneExt')) };
  const fax = text('fax');
  if (fax !== undefined) phones.fax = { features: { fax: true }, number: telUri(fax, text('faxExt')) };
  if (Object.keys(phones).length > 0) card.phones = phones;
  const email = text('email');
  if (email !== undefined) card.emails = { email: { address: email } };
  if (contactUri !== undefined) card.links = { contact: { kind: 'contact', uri: contactUri } };
  return card;
}

/**
 * The jCards an answer still holds (the registrar's and its abuse contact's: public data, nothing
 * redacted) as JSContact cards too, for a client that asked for JSContact: one representation in
 * the whole answer.
 */
function jscontactEverywhere(node: Json): boolean {
  if (Array.isArray(node)) return node.map(jscontactEverywhere).some(Boolean);
  if (!node || typeof node !== 'object') return false;
  let converted = false;
  if (Array.isArray(node.vcardArray)) {
    node.jscontact_card = jcardToJscontact(node.vcardArray[1] as Json[]);
    delete node.vcardArray;
    converted = true;
  }
  for (const value of Object.values(node)) converted = jscontactEverywhere(value) || converted;
  return converted || 'jscontact_card' in node;
}

/** A jCard's entries as a JSContact card (RFC 9555 mapping), empty parts left out. */
function jcardToJscontact(entries: Json[]): JsonObject {
  const card: JsonObject = { '@type': 'Card', version: '1.0' };
  const phones: JsonObject = {};
  for (const entry of entries as VcardEntry[]) {
    const [name, params, , value] = entry;
    if (name === 'fn') card.name = { full: value as string };
    else if (name === 'org') card.organizations = { org: { name: value as string } };
    else if (name === 'email') card.emails = { email: { address: value as string } };
    else if (name === 'tel') {
      const type = params.type === 'fax' ? 'fax' : 'voice';
      phones[type] = { features: { [type]: true }, number: value as string };
    } else if (name === 'adr') {
      const [, , street, city, sp, pc] = value as Json[];
      const components: JsonObject[] = [];
      for (const line of [street].flat()) if (line) components.push({ kind: 'name', value: line as string });
      for (const [kind, part] of [['locality', city], ['region', sp], ['postcode', pc]] as const) if (part) components.push({ kind, value: part as string });
      const addr: JsonObject = { components };
      if (typeof params.cc === 'string') addr.countryCode = params.cc;
      card.addresses = { addr };
    }
  }
  if (Object.keys(phones).length > 0) card.phones = phones;
  return card;
}

/** The RFC 9537 path of a contact field inside a JSContact card (the jCard paths are the field table's, fields.ts). */
function jscontactPath(field: ContactField, entityPath: string): string {
  const card = `${entityPath}.jscontact_card`;
  switch (field.rdap.vcard) {
    case 'handle':
      return `${entityPath}.handle`;
    case 'fn':
      return `${card}.name.full`;
    case 'org':
      return `${card}.organizations`;
    case 'adr':
      return field.id === 'cc' ? `${card}.addresses.addr.countryCode` : `${card}.addresses.addr.components[?(@.kind=='${JSCONTACT_ADR_KIND[field.id]}')].value`;
    case 'tel':
      return `${card}.phones.${field.rdap.telType}`;
    case 'email':
      return `${card}.emails`;
  }
}

/**
 * Whether a domain answer carries this contact as an entity. The ICANN conformance tool wants a
 * `<id>-<suffix>` handle on every top-level entity but the registrar, registrant, technical and
 * reseller ones (check -47600): an administrative or billing contact whose handle this client may
 * not see has nothing the answer could show without failing it, so it is left out rather than
 * sent as an empty shell (whose `adr` would also lack its `cc`, check -62101).
 */
function sentInDomain(contact: ContactView): boolean {
  if (contact.role !== 'admin' && contact.role !== 'billing') return true;
  return typeof contact.values.get('id') === 'string';
}

/** The RDAP counterpart of Registrar Registration Expiration Date (profile 2024, tool check -65500). */
function registrarExpirationEvent(domain: DomainRecord['domain']): JsonObject {
  return { eventAction: 'registrar expiration', eventDate: rdapDate(registrarExpiry(domain)) };
}

/** The description lines of an error answer. */
function errorDescription(res: Resolution): readonly string[] {
  switch (res.outcome) {
    case 'refused':
      return res.refusal!.limit ? [...res.refusal!.message, rateLimitLine(res.refusal!.limit)] : res.refusal!.message;
    case 'forbidden':
      return [forbiddenText(res.forbidden!)];
    case 'not-found':
      // A search past the personal-data budget finds registrars only: the notice says why.
      return res.notice ? ['The queried object does not exist.', res.notice] : ['The queried object does not exist.'];
    default:
      return [res.error ?? 'malformed query'];
  }
}

function roleWord(role: ContactRole): string {
  return { registrant: 'registrant', admin: 'administrative', tech: 'technical', billing: 'billing' }[role];
}

function vcard(entries: VcardEntry[]): Json {
  return ['vcard', [['version', {}, 'text', '4.0'], ...entries]];
}

function adrEntry(street: string[], city: string, sp: string | undefined, pc: string | undefined, cc: string): VcardEntry {
  return ['adr', { cc }, 'text', ['', '', street.length === 1 ? street[0] : [...street], city, sp ?? '', pc ?? '', '']];
}

/** EPP's "+1.7035555555" with an extension as a tel: URI (RFC 3966). */
export function telUri(number: string, ext?: string): string {
  const clean = number.replace(/[^\d+.()-]/g, '');
  return `tel:${clean}${ext ? `;ext=${ext.replace(/[^\da-zA-Z]/g, '')}` : ''}`;
}

function ipAddresses(addresses: readonly string[]): JsonObject | undefined {
  const v4 = addresses.filter((a) => !a.includes(':'));
  const v6 = addresses.filter((a) => a.includes(':'));
  if (v4.length === 0 && v6.length === 0) return undefined;
  const out: JsonObject = {};
  if (v4.length) out.v4 = v4;
  if (v6.length) out.v6 = v6;
  return out;
}

function secureDns(domain: Domain): JsonObject {
  const out: JsonObject = { delegationSigned: isSigned(domain) };
  if (domain.ds.length > 0) out.dsData = domain.ds.map((d) => ({ keyTag: d.keyTag, algorithm: d.algorithm, digestType: d.digestType, digest: d.digest.toUpperCase() }));
  if (domain.keyData?.length) out.keyData = domain.keyData.map((k) => ({ flags: k.flags, protocol: k.protocol, algorithm: k.algorithm, publicKey: k.publicKey }));
  return out;
}

/** The path of an object at this service, for the links of search results. */
function objectPath(view: View): string {
  switch (view.kind) {
    case 'domain':
      return `domain/${view.record.domain.name}`;
    case 'host':
      return `nameserver/${view.hosts[0].host.name}`;
    case 'registrar':
      return `entity/${view.registrar.ianaId}`;
    case 'contact': {
      const handle = view.contact.values.get('id');
      return typeof handle === 'string' ? `entity/${encodeURIComponent(handle)}` : 'entities';
    }
  }
}
