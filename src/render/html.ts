// HTML pages of the web door: the lookup form, a record as a readable page, search results, and
// the pages for not found, bad queries, refusals and the captcha. Like the WHOIS renderer it
// decides nothing about privacy: contact fields come from the view (redaction done), labelled
// from the field table (policy/fields.ts) in the page language. Every piece of data goes through
// esc(), which also neutralises control and bidi-override characters, and is isolated in <bdi>.
// No inline script or style: CSS and JS are served as files (web-assets.ts) under a strict CSP.
import type { Config } from '../config.js';
import { statusUrl } from '../model/statuses.js';
import { isSigned, nameserverNames, type Host, type Registrar, type RegistrarPerson } from '../model/types.js';
import type { Resolution } from '../resolution.js';
import { CONTACT_FIELDS, EMAIL_REDACTED_TEXT, REDACTED_TEXT } from '../policy/fields.js';
import { REDACTED, type ContactView, type DomainView, type HostView, type RegistrarView, type SearchView } from '../policy/view.js';
import { httpStatus, retryAfter } from './http-status.js';
import { builtInLanguage, fileLanguage, isBuiltIn, type PageLanguage } from './page-language.js';
import { fill } from './page-texts.js';
import { contactFormUrl, forbiddenText, NOT_AVAILABLE_FROM_REGISTRY } from './texts.js';
import { registrarExpiry, registrarLayout, whoisDate, type RegistrarLayout } from './whois.js';

export interface HtmlAnswer {
  status: number;
  body: string;
  retryAfter?: number;
}

// Control characters (except none: pages need no raw controls) and bidi embedding/override/isolate
// controls are shown as U+FFFD, so data can neither reorder the page text nor hide characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
const EMAIL_FIELD = CONTACT_FIELDS.find((f) => f.id === 'email')!;
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and (double- or single-quoted) attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(UNSAFE, '\ufffd')
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A data value, escaped and isolated from the surrounding text direction. */
function data(value: unknown): string {
  return `<bdi>${esc(value)}</bdi>`;
}

export interface PageContext {
  /** The page language's code (one of HtmlOptions.languages). */
  lang: string;
  /** The query text as typed (shown back in the form). */
  q: string;
  /** The port-43 text of the same resolution, offered in a <details> block (lookups only). */
  whoisText?: string;
  /** The page's own path and query without lang, for the language switch and the text link. */
  selfPath: string;
  /** For search pages: how results are paged. */
  search?: { pageSize: number; cap: number; page: number };
}

export interface HtmlOptions {
  registryName: string;
  termsOfUse: string;
  termsOfUseUrl: string;
  /** The languages offered, the default first. */
  languages: readonly PageLanguage[];
  freeLookups: number;
  /** Set in registrar mode: domain pages in the registrar layout (docs/registrar.md). */
  registrar?: RegistrarLayout;
  /** A thin registry: domain pages link to the registrar's record, which has the contacts. */
  thin?: boolean;
}

export function htmlOptions(config: Config): HtmlOptions {
  return {
    registrar: registrarLayout(config),
    thin: config.registry.mode === 'registry' && config.registry.thin,
    registryName: config.registry.name,
    termsOfUse: config.registry.terms_of_use,
    termsOfUseUrl: config.registry.terms_of_use_url,
    languages: config.web.languages.map((code) => (isBuiltIn(code) ? builtInLanguage(code) : fileLanguage(code, config.web.language_files[code]))),
    freeLookups: config.web.captcha.free_lookups,
  };
}

function withParam(path: string, key: string, value: string): string {
  const url = new URL(path, 'http://x');
  url.searchParams.set(key, value);
  return url.pathname + url.search;
}

export class HtmlRenderer {
  private readonly languages: Map<string, PageLanguage>;

  constructor(private readonly options: HtmlOptions) {
    this.languages = new Map(options.languages.map((l) => [l.code, l]));
  }

  /** The language of a page. */
  private l(ctx: PageContext): PageLanguage {
    return this.languages.get(ctx.lang) ?? this.options.languages[0];
  }

  /** The words of a page's language. */
  private t(ctx: PageContext): PageLanguage['text'] {
    return this.l(ctx).text;
  }

  // --- pages ---------------------------------------------------------------------------------

  home(ctx: PageContext): HtmlAnswer {
    return { status: 200, body: this.page(ctx, this.t(ctx).title, this.lookupForm(ctx), { terms: false }) };
  }

  searchHome(ctx: PageContext): HtmlAnswer {
    const t = this.t(ctx);
    return { status: 200, body: this.page(ctx, t.searchTitle, this.searchForm(ctx), { terms: false }) };
  }

  /** A lookup's resolution as a page. */
  lookup(res: Resolution, ctx: PageContext): HtmlAnswer {
    const t = this.t(ctx);
    const common = this.common(res, ctx, this.lookupForm(ctx));
    if (common) return common;
    let title: string = t.title;
    let body = '';
    const view = res.view;
    if (view?.kind === 'domain') {
      const d = view.record.domain;
      title = d.unicodeName ?? d.name;
      body = this.domain(view, ctx);
    } else if (view?.kind === 'host') {
      title = view.hosts[0]?.host.unicodeName ?? view.hosts[0]?.host.name ?? t.host;
      body = this.hosts(view, ctx);
    } else if (view?.kind === 'registrar') {
      title = view.registrar.name;
      body = this.registrar(view, ctx);
    }
    if (ctx.whoisText !== undefined) {
      body += `<details class="whois-text"><summary>${esc(t.whoisText)}</summary><pre lang="en" dir="ltr">${ctx.whoisText.split(/\r?\n/).map(esc).join('\n')}</pre>`
        + `<p><a href="${esc(withParam(ctx.selfPath, 'format', 'text'))}">${esc(t.whoisTextLink)}</a></p></details>`;
    }
    body += this.updated(res, ctx);
    return { status: 200, body: this.page(ctx, title, `${this.lookupForm(ctx)}<article aria-labelledby="title">${body}</article>`) };
  }

  search(res: Resolution, ctx: PageContext): HtmlAnswer {
    const t = this.t(ctx);
    const form = this.searchForm(ctx);
    if (res.outcome === 'not-found') {
      return { status: 200, body: this.page(ctx, t.searchTitle, `${form}<section aria-labelledby="results"><h2 id="results">${esc(t.tooBroad)}</h2><p>${esc(t.noResults)}</p></section>`) };
    }
    const common = this.common(res, ctx, form);
    if (common) return common;
    const found: SearchView = res.search ?? { kind: 'search', domains: [], offset: 0, more: false };
    const paging = ctx.search!;
    const from = found.offset + 1;
    const to = found.offset + found.domains.length;
    const items = found.domains.map((name) => `<li><a href="/whois?q=${encodeURIComponent(name)}${ctx.lang !== this.options.languages[0].code ? `&amp;lang=${ctx.lang}` : ''}">${data(name)}</a></li>`).join('');
    const nav: string[] = [];
    if (paging.page > 1) nav.push(`<a rel="prev" href="${esc(withParam(ctx.selfPath, 'page', String(paging.page - 1)))}">${esc(t.previous)}</a>`);
    const capped = to >= paging.cap && found.more;
    if (found.more && !capped) nav.push(`<a rel="next" href="${esc(withParam(ctx.selfPath, 'page', String(paging.page + 1)))}">${esc(t.next)}</a>`);
    const body = `${form}<section aria-labelledby="results"><h2 id="results">${esc(fill(t.results, { from, to }))}</h2>`
      + `<ol class="results" start="${from}">${items}</ol>`
      + (capped ? `<p class="notice">${esc(fill(t.capped, { cap: paging.cap }))}</p>` : '')
      + (nav.length ? `<nav class="pager" aria-label="${esc(t.tooBroad)}">${nav.join(' ')}</nav>` : '')
      + `</section>${this.updated(res, ctx)}`;
    return { status: 200, body: this.page(ctx, t.searchTitle, body) };
  }

  /** The searchable WHOIS is not open to this client. */
  searchForbidden(ctx: PageContext): HtmlAnswer {
    const t = this.t(ctx);
    return { status: 403, body: this.page(ctx, t.bannedTitle, `<p class="error">${esc(t.searchNotAllowed)}</p>`) };
  }

  /** A public-tier lookup past its free lookups, without a solved challenge (`failed`: one was sent, and it did not pass). */
  private captcha(ctx: PageContext, failed: boolean): HtmlAnswer {
    const t = this.t(ctx);
    const body = `<p>${esc(fill(t.captchaText, { free: this.options.freeLookups }))}</p>`
      + (failed ? `<p class="error" role="alert">${esc(t.captchaBad)}</p>` : '')
      + `<form class="lookup" action="/whois" method="get">`
      + `<label for="q">${esc(t.lookupLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false">`
      + `<button type="submit">${esc(t.lookupButton)}</button></div>`
      + (ctx.lang !== this.options.languages[0].code ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `<altcha-widget challenge="/captcha/challenge" name="altcha" language="${ctx.lang}" configuration='{"hideFooter":true,"hideLogo":false}'></altcha-widget>`
      + `<noscript><p>${esc(t.captchaNoScript)}</p></noscript>`
      + `</form>`;
    return { status: 403, body: this.page(ctx, t.captchaTitle, body, { captcha: true }) };
  }

  // --- shared outcomes -----------------------------------------------------------------------

  /** Pages for outcomes other than an answer: refused, forbidden, bad query, error, not found. */
  private common(res: Resolution, ctx: PageContext, form: string): HtmlAnswer | undefined {
    const t = this.t(ctx);
    const status = httpStatus(res);
    switch (res.outcome) {
      case 'refused': {
        const r = res.refusal!;
        const wait = retryAfter(res);
        const title = wait !== undefined ? t.refusedTitle : t.bannedTitle;
        const lines = r.message.map((l) => `<p>${esc(l)}</p>`).join('');
        const retry = wait !== undefined && r.retryAfterSeconds ? `<p>${esc(fill(t.refusedRetry, { seconds: r.retryAfterSeconds }))}</p>` : '';
        return { status, retryAfter: wait, body: this.page(ctx, title, `<div class="error" role="alert">${lines}${retry}</div>`) };
      }
      case 'forbidden': {
        const f = res.forbidden!;
        if (f.reason === 'search-not-allowed') return this.searchForbidden(ctx);
        if (f.reason === 'captcha-required' || f.reason === 'captcha-failed') return this.captcha(ctx, f.reason === 'captcha-failed');
        return { status, body: this.page(ctx, t.bannedTitle, `${form}<p class="error" role="alert">${esc(forbiddenText(f))}</p>`) };
      }
      case 'bad-query':
        return { status, body: this.page(ctx, t.badQueryTitle, `${form}<p class="error" role="alert">${esc(res.error)}</p>`) };
      case 'unavailable':
        return { status, retryAfter: retryAfter(res), body: this.page(ctx, t.unavailableTitle, `<p class="error" role="alert">${esc(t.unavailable)}</p>`) };
      case 'error':
        return { status, body: this.page(ctx, t.errorTitle, `<p class="error" role="alert">${esc(res.error ?? 'internal error')}</p>`) };
      case 'not-found': {
        // A registrar's referral: where the name's registry answers for it.
        const k = (key: string) => this.l(ctx).key(key);
        const referral = res.referral
          ? this.dl([[k('Registry WHOIS Server'), data(res.referral.whoisServer)], [k('Registry RDAP URL'), this.link(res.referral.rdapUrl)]])
          : '';
        return { status, body: this.page(ctx, t.notFoundTitle, `${form}<p role="status">${esc(fill(t.notFound, { q: ctx.q }))}</p>${referral}${this.updated(res, ctx)}`) };
      }
      case 'answered':
        if (!res.view && !res.search) return { status: 200, body: this.page(ctx, t.title, form, { terms: false }) };
        return undefined;
    }
  }

  // --- records -------------------------------------------------------------------------------

  private domain(view: DomainView, ctx: PageContext): string {
    const t = this.t(ctx);
    const { domain: d, registrar: r, hosts } = view.record;
    const k = (key: string) => this.l(ctx).key(key);
    let out = `<h1 id="title">${data(d.unicodeName ?? d.name)}</h1>`;
    if (d.unicodeName) out += `<p class="alabel">${esc(k('Domain Name'))}: ${data(d.name)}</p>`;
    out += this.section('registration', t.registration, this.dl([
      [k('Domain Name'), data(d.name.toUpperCase())],
      ...(d.unicodeName ? [[k('Internationalized Domain Name'), data(d.unicodeName)] as [string, string]] : []),
      [k('Registry Domain ID'), data(d.roid)],
      [k('Creation Date'), this.date(d.created)],
      ...(d.updated ? [[k('Updated Date'), this.date(d.updated)] as [string, string]] : []),
      this.options.registrar ? [k('Registrar Registration Expiration Date'), this.date(registrarExpiry(d))] : [k('Registry Expiry Date'), this.date(d.expires)],
    ]));
    out += this.section('registrar', t.registrar, this.dl([
      [k('Registrar'), data(r.name)],
      [k('Registrar IANA ID'), data(r.ianaId)],
      [k('Registrar WHOIS Server'), data(r.whoisServer)],
      [k('Registrar URL'), this.link(r.url)],
      // A thin registry links to the domain's record at the registrar's RDAP service (the RDAP answer's related link).
      ...(r.rdapBaseUrl && this.options.thin ? [[k('Registrar RDAP URL'), this.link(`${r.rdapBaseUrl.replace(/\/?$/, '/')}domain/${d.name}`)] as [string, string]] : []),
      [k('Registrar Abuse Contact Email'), this.mail(r.abuseEmail)],
      [k('Registrar Abuse Contact Phone'), data(r.abusePhone)],
      ...(d.reseller ? [[k('Reseller'), data(d.reseller)] as [string, string]] : []),
    ]));
    const l = this.l(ctx);
    const statuses = d.statuses
      .map((s) => `<li><code>${esc(s)}</code>${l.statuses[s] ? ` — ${esc(l.statuses[s])}` : ''} <a href="${esc(statusUrl(s))}" aria-label="${esc(`icann.org/epp#${s} (${t.statusUrl})`)}">icann.org/epp#${esc(s)}</a></li>`)
      .join('');
    out += this.section('status', t.status, `<ul class="statuses">${statuses}</ul>`);
    // The registrar layout has no Billing block (2013 RAA RDDS Specification §1.4.2).
    const contacts = this.options.registrar ? view.contacts.filter((c) => c.role !== 'billing') : view.contacts;
    if (contacts.length > 0) out += this.section('contacts', t.contacts, contacts.map((c) => this.contact(c, ctx, d.name)).join(''));
    const ns = nameserverNames(d);
    const nsItems = ns.map((n) => {
      const host = hosts.find((h) => h.name === n) ?? d.hostAttrs?.find((h) => h.name === n);
      return `<li><a href="/whois?q=${encodeURIComponent(n)}">${data(host?.unicodeName ?? n)}</a>${host?.unicodeName ? ` (${data(n)})` : ''}</li>`;
    });
    out += this.section('nameservers', t.nameservers, ns.length ? `<ul>${nsItems.join('')}</ul>` : `<p>${esc(t.noNameservers)}</p>`);
    let dnssec = `<p>${esc(isSigned(d) ? t.signed : t.unsigned)}</p>`;
    if (d.ds.length > 0) {
      dnssec += `<table><caption>${esc(t.dsRecords)}</caption><thead><tr><th scope="col">${esc(t.keyTag)}</th><th scope="col">${esc(t.algorithm)}</th><th scope="col">${esc(t.digestType)}</th><th scope="col">${esc(t.digest)}</th></tr></thead><tbody>`
        + d.ds.map((ds) => `<tr><td>${esc(ds.keyTag)}</td><td>${esc(ds.algorithm)}</td><td>${esc(ds.digestType)}</td><td class="digest"><code>${esc(ds.digest.toUpperCase())}</code></td></tr>`).join('')
        + '</tbody></table>';
    }
    out += this.section('dnssec', t.dnssec, dnssec);
    return out;
  }

  private contact(c: ContactView, ctx: PageContext, domain: string): string {
    const t = this.t(ctx);
    const registrar = this.options.registrar;
    const rows: [string, string][] = [];
    for (const field of CONTACT_FIELDS) {
      if (!c.values.has(field.id)) continue;
      const value = c.values.get(field.id);
      if (field.optional && (value === undefined || value === '')) continue; // one rule with port 43: no empty optional rows
      let shown: string;
      if (field.id === 'id' && registrar && !registrar.registryIds) shown = data(NOT_AVAILABLE_FROM_REGISTRY);
      else if (value === REDACTED && field.id === 'email' && registrar) shown = this.link(contactFormUrl(registrar.contactFormUrl, domain, c.role));
      else if (value === REDACTED) shown = `<span class="redacted">${esc(field.whoisRedacted === EMAIL_REDACTED_TEXT ? t.emailRedacted : field.whoisRedacted === REDACTED_TEXT ? t.redacted : field.whoisRedacted)}</span>`;
      else if (Array.isArray(value)) shown = value.map(data).join('<br>');
      else if (field.id === 'email' && value) shown = this.mail(value);
      else shown = data(value);
      rows.push([this.l(ctx).field(field), shown]);
    }
    const role = this.l(ctx).roles[c.role];
    // A contact of which nothing may be shown is one line, not a dozen "withheld" rows.
    const withheld = c.values.size > 0 && [...c.values.values()].every((v) => v === REDACTED);
    // A registrar still gives its contact form for a contact of which nothing else may be shown.
    const form = registrar && c.values.get('email') === REDACTED ? this.dl(rows.filter(([label]) => label === this.l(ctx).field(EMAIL_FIELD))) : '';
    const body = withheld ? `<p class="redacted">${esc(t.contactWithheld)}</p>${form}` : this.dl(rows);
    return `<section class="contact" aria-labelledby="contact-${c.role}"><h3 id="contact-${c.role}">${esc(role)}</h3>${body}</section>`;
  }

  private hosts(view: HostView, ctx: PageContext): string {
    const t = this.t(ctx);
    const first = view.hosts[0]?.host;
    let out = `<h1 id="title">${data(first?.unicodeName ?? first?.name ?? '')}</h1>`;
    view.hosts.forEach(({ host, registrar }, i) => {
      out += `<section aria-labelledby="host-${i}"><h2 id="host-${i}">${esc(t.host)}: ${data(host.unicodeName ?? host.name)}</h2>${this.host(host, registrar, ctx)}</section>`;
    });
    return out;
  }

  private host(host: Host, r: Registrar, ctx: PageContext): string {
    const t = this.t(ctx);
    const k = (key: string) => this.l(ctx).key(key);
    return this.dl([
      [k('Server Name'), data(host.name.toUpperCase())],
      [t.addresses, host.addresses.length ? host.addresses.map(data).join('<br>') : esc(t.noAddresses)],
      [k('Registrar'), data(r.name)],
      [k('Registrar WHOIS Server'), data(r.whoisServer)],
      [k('Registrar URL'), this.link(r.url)],
    ]);
  }

  private registrar({ registrar: r }: RegistrarView, ctx: PageContext): string {
    const t = this.t(ctx);
    const k = (key: string) => this.l(ctx).key(key);
    let out = `<h1 id="title">${data(r.name)}</h1>`;
    out += this.section('registrar', t.registrar, this.dl([
      [k('Registrar'), data(r.name)],
      [k('Registrar IANA ID'), data(r.ianaId)],
      [t.registrarAddress, [...r.postal.street, r.postal.city, r.postal.sp, r.postal.pc, r.postal.cc].filter(Boolean).map(data).join('<br>')],
      [k('Phone Number'), data(r.voice)],
      ...(r.fax ? [[k('Fax Number'), data(r.fax)] as [string, string]] : []),
      [k('Email'), this.mail(r.email)],
      [k('Registrar WHOIS Server'), data(r.whoisServer)],
      [k('Registrar URL'), this.link(r.url)],
      [k('Registrar Abuse Contact Email'), this.mail(r.abuseEmail)],
      [k('Registrar Abuse Contact Phone'), data(r.abusePhone)],
    ]));
    const person = (id: string, title: string, p: RegistrarPerson | undefined) =>
      p ? this.section(id, title, this.dl([[title, data(p.name)], [k('Phone Number'), data(p.voice)], ...(p.fax ? [[k('Fax Number'), data(p.fax)] as [string, string]] : []), [k('Email'), this.mail(p.email)]])) : '';
    out += person('admin', t.adminContact, r.admin) + person('tech', t.techContact, r.tech);
    return out;
  }

  // --- pieces --------------------------------------------------------------------------------

  private date(iso: string | undefined): string {
    if (!iso) return '';
    const text = whoisDate(iso);
    return `<time datetime="${esc(text)}">${esc(text.replace('T', ' ').replace('Z', ' UTC'))}</time>`;
  }

  private link(url: string | undefined): string {
    if (!url) return '';
    // Only http(s) URLs become links; anything else is shown as text.
    return /^https?:\/\//i.test(url) ? `<a href="${esc(url)}" rel="nofollow noopener">${data(url)}</a>` : data(url);
  }

  private mail(address: string | undefined): string {
    if (!address) return '';
    return /^[^\s<>"'@]+@[^\s<>"'@]+$/.test(address) ? `<a href="mailto:${esc(address)}">${data(address)}</a>` : data(address);
  }

  private dl(rows: readonly (readonly [string, string])[]): string {
    const items = rows.filter(([, v]) => v !== '').map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('');
    return `<dl>${items}</dl>`;
  }

  private section(id: string, title: string, content: string): string {
    return `<section aria-labelledby="s-${id}"><h2 id="s-${id}">${esc(title)}</h2>${content}</section>`;
  }

  private updated(res: Resolution, ctx: PageContext): string {
    const t = this.t(ctx);
    return `<p class="updated">${esc(t.lastUpdate)}: ${this.date(res.data.updatedAt)}</p>`;
  }

  private lookupForm(ctx: PageContext): string {
    const t = this.t(ctx);
    return `<form class="lookup" action="/whois" method="get" role="search">`
      + `<label for="q">${esc(t.lookupLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="q-hint" maxlength="255">`
      + `<button type="submit">${esc(t.lookupButton)}</button></div>`
      + `<p id="q-hint" class="hint">${esc(t.lookupHint)}</p>`
      + (ctx.lang !== this.options.languages[0].code ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `</form>`;
  }

  private searchForm(ctx: PageContext): string {
    const t = this.t(ctx);
    return `<form class="lookup" action="/search" method="get" role="search">`
      + `<label for="q">${esc(t.searchLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="q-hint">`
      + `<button type="submit">${esc(t.searchButton)}</button></div>`
      + `<p id="q-hint" class="hint">${esc(t.searchHint)} ${esc(t.searchExample)} <code>name:tanaka* AND city:tokyo NOT registrar:5555555</code></p>`
      + (ctx.lang !== this.options.languages[0].code ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `</form>`;
  }

  private page(ctx: PageContext, title: string, main: string, opts: { terms?: boolean; captcha?: boolean } = {}): string {
    const t = this.t(ctx);
    const langs = this.options.languages
      .map((l) => (l.code === ctx.lang ? `<span aria-current="true" lang="${esc(l.code)}">${esc(l.name)}</span>` : `<a lang="${esc(l.code)}" hreflang="${esc(l.code)}" href="${esc(withParam(ctx.selfPath, 'lang', l.code))}">${esc(l.name)}</a>`))
      .join(' | ');
    const terms = opts.terms === false ? '' : `<section class="terms" aria-labelledby="terms"><h2 id="terms">${esc(t.terms)}</h2><p lang="en">${esc(this.options.termsOfUse)}</p><p><a href="${esc(this.options.termsOfUseUrl)}">${esc(this.options.termsOfUseUrl)}</a></p></section>`;
    const captchaHead = opts.captcha ? '<link rel="stylesheet" href="/static/altcha/altcha.css"><script type="module" src="/static/captcha.js"></script>' : '';
    const hasTitle = main.includes('id="title"');
    return '<!doctype html>'
      + `<html lang="${ctx.lang}" dir="ltr"><head><meta charset="utf-8">`
      + '<meta name="viewport" content="width=device-width, initial-scale=1">'
      + `<title>${esc(title)} — ${esc(this.options.registryName)}</title>`
      + '<link rel="stylesheet" href="/static/web.css">' + captchaHead
      + '</head><body>'
      + `<a class="skip" href="#main">${esc(t.skip)}</a>`
      + `<header><p class="brand"><a href="/${ctx.lang !== this.options.languages[0].code ? `?lang=${ctx.lang}` : ''}">${esc(this.options.registryName)}</a></p>`
      + `<nav aria-label="${esc(t.language)}" class="langs">${langs}</nav></header>`
      + `<main id="main" tabindex="-1">${hasTitle ? '' : `<h1 id="title">${esc(title)}</h1>`}${main}${terms}</main>`
      + '</body></html>';
  }
}
