// HTML pages of the web door: the lookup form, a record as a readable page, search results, and
// the pages for not found, bad queries, refusals and the captcha. Like the WHOIS renderer it
// decides nothing about privacy: contact fields come from the view (redaction done), labelled
// from the field table (policy/fields.ts) in the page language. Every piece of data goes through
// esc(), which also neutralises control and bidi-override characters, and is isolated in <bdi>.
// No inline script or style: CSS and JS are served as files (web-assets.ts) under a strict CSP.
import type { Config } from '../config.js';
import { statusUrl } from '../model/statuses.js';
import type { Host, Registrar, RegistrarPerson } from '../model/types.js';
import type { Resolution } from '../resolution.js';
import { CONTACT_FIELDS, EMAIL_REDACTED_TEXT, REDACTED_TEXT, ROLE_WORDS } from '../policy/fields.js';
import { REDACTED, type ContactView, type DomainView, type HostView, type RegistrarView, type SearchView } from '../policy/view.js';
import { httpStatus, retryAfter } from './http-status.js';
import { translate } from './labels.js';
import { forbiddenText } from './texts.js';
import { whoisDate } from './whois.js';

export type PageLanguage = 'en' | 'ja';

export interface HtmlAnswer {
  status: number;
  body: string;
  retryAfter?: number;
}

// Control characters (except none: pages need no raw controls) and bidi embedding/override/isolate
// controls are shown as U+FFFD, so data can neither reorder the page text nor hide characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
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

// ---------------------------------------------------------------------------------------------
// Page text in English and Japanese

const TEXT = {
  en: {
    title: 'Registration data lookup',
    searchTitle: 'Searchable WHOIS',
    skip: 'Skip to content',
    lookupLabel: 'Domain name, name server, IP address or registrar',
    lookupHint: 'For example nic.example, ドメイン.example, ns1.nic.example, 192.0.2.53 or 5555555 (IANA ID).',
    lookupButton: 'Look up',
    searchLabel: 'Search expression',
    searchButton: 'Search',
    searchHint: 'Terms are field:value. Fields: domain, name, org, street, city, sp (state/province), pc (postal code), cc (country), registrar (IANA ID or name), ns (name server), nsip (name server IP address). * matches any run of characters, ? one character; plain text matches anywhere in names, organisations, addresses and domain names, and exactly in the other fields. Join terms with AND, OR, NOT and parentheses; quote values with spaces.',
    searchExample: 'Example:',
    results: (from: number, to: number) => `Results ${from}–${to}`,
    noResults: 'No domain matches this search.',
    previous: 'Previous page',
    next: 'Next page',
    capped: (cap: number) => `Only the first ${cap} results can be shown; narrow the search to see others.`,
    searchNotAllowed: 'The searchable WHOIS is open only to authorised users. Ask the registry for access.',
    domain: 'Domain',
    idn: 'Internationalised name',
    registration: 'Registration',
    registrar: 'Registrar',
    status: 'Status',
    contacts: 'Contacts',
    nameservers: 'Name servers',
    noNameservers: 'This domain has no name servers.',
    dnssec: 'DNSSEC',
    signed: 'Signed (the zone publishes DS records for this domain)',
    unsigned: 'Not signed',
    dsRecords: 'DS records',
    keyTag: 'Key tag',
    algorithm: 'Algorithm',
    digestType: 'Digest type',
    digest: 'Digest',
    host: 'Name server',
    addresses: 'IP addresses',
    noAddresses: 'No glue addresses',
    registrarAddress: 'Address',
    adminContact: 'Administrative contact',
    techContact: 'Technical contact',
    whoisText: 'Port-43 WHOIS text of this answer',
    whoisTextLink: 'Plain text',
    terms: 'Terms of use',
    lastUpdate: 'Last update of the registration data',
    notFoundTitle: 'Not found',
    notFound: (q: string) => `No object matches ${q}.`,
    badQueryTitle: 'The query could not be read',
    refusedTitle: 'Too many queries',
    refusedRetry: (s: number) => `Please try again in ${s} seconds.`,
    bannedTitle: 'Access refused',
    errorTitle: 'Something went wrong',
    captchaTitle: 'Please confirm you are a person',
    captchaText: (n: number) => `Lookups from your address have passed the ${n} free lookups a day. Your browser can solve a small computing puzzle to continue (it takes a few seconds, and no data leaves this site). Then press the button again.`,
    captchaBad: 'The confirmation was missing, expired or already used. Please solve the puzzle again.',
    captchaNoScript: 'This check needs JavaScript. Command-line clients can use port-43 WHOIS or RDAP instead.',
    language: 'Language',
    redacted: 'Withheld for privacy',
    emailRedacted: 'Not shown. Contact the registrar of record (above) to reach this contact.',
    statusUrl: 'What this status means at ICANN',
    rdap: 'RDAP',
    tooBroad: 'Results',
  },
  ja: {
    title: '登録情報の検索',
    searchTitle: '検索可能なWHOIS',
    skip: '本文へ移動',
    lookupLabel: 'ドメイン名・ネームサーバ・IPアドレス・レジストラ',
    lookupHint: '例: nic.example、ドメイン.example、ns1.nic.example、192.0.2.53、5555555（IANA ID）',
    lookupButton: '検索',
    searchLabel: '検索式',
    searchButton: '検索',
    searchHint: '条件は「項目:値」で書きます。項目: domain、name（氏名）、org（組織）、street（住所）、city（市区町村）、sp（都道府県）、pc（郵便番号）、cc（国）、registrar（IANA IDまたは名前）、ns（ネームサーバ）、nsip（ネームサーバのIPアドレス）。* は任意の文字列、? は任意の1文字に一致します。ワイルドカードのない値は、氏名・組織・住所・ドメイン名では部分一致、その他の項目では完全一致です。AND、OR、NOT と括弧で組み合わせ、空白を含む値は引用符で囲みます。',
    searchExample: '例:',
    results: (from: number, to: number) => `${from}〜${to}件目`,
    noResults: 'この条件に一致するドメインはありません。',
    previous: '前のページ',
    next: '次のページ',
    capped: (cap: number) => `表示できるのは最初の${cap}件までです。条件を絞り込んでください。`,
    searchNotAllowed: '検索可能なWHOISは許可された利用者だけが使えます。利用についてはレジストリにお問い合わせください。',
    domain: 'ドメイン',
    idn: '国際化ドメイン名',
    registration: '登録',
    registrar: 'レジストラ',
    status: 'ステータス',
    contacts: '連絡先',
    nameservers: 'ネームサーバ',
    noNameservers: 'このドメインにはネームサーバがありません。',
    dnssec: 'DNSSEC',
    signed: '署名あり（このドメインのDSレコードがゾーンに公開されています）',
    unsigned: '署名なし',
    dsRecords: 'DSレコード',
    keyTag: '鍵タグ',
    algorithm: 'アルゴリズム',
    digestType: 'ダイジェスト種別',
    digest: 'ダイジェスト',
    host: 'ネームサーバ',
    addresses: 'IPアドレス',
    noAddresses: 'グルーアドレスなし',
    registrarAddress: '住所',
    adminContact: '管理担当者',
    techContact: '技術担当者',
    whoisText: 'この回答のポート43 WHOISテキスト',
    whoisTextLink: 'テキスト形式',
    terms: '利用条件',
    lastUpdate: '登録データの最終更新',
    notFoundTitle: '見つかりません',
    notFound: (q: string) => `${q} に一致するものはありません。`,
    badQueryTitle: '問い合わせを読み取れませんでした',
    refusedTitle: '問い合わせが多すぎます',
    refusedRetry: (s: number) => `${s}秒後にもう一度お試しください。`,
    bannedTitle: 'アクセスが拒否されました',
    errorTitle: 'エラーが発生しました',
    captchaTitle: '確認のお願い',
    captchaText: (n: number) => `お使いのアドレスからの検索が1日の無料回数（${n}回）を超えました。続けるには、ブラウザで小さな計算パズルを解いてください（数秒かかります。データは外部に送られません）。その後もう一度ボタンを押してください。`,
    captchaBad: '確認が見つからないか、期限切れか、使用済みです。もう一度パズルを解いてください。',
    captchaNoScript: 'この確認にはJavaScriptが必要です。コマンドラインからはポート43のWHOISまたはRDAPをご利用ください。',
    language: '言語',
    redacted: 'プライバシー保護のため非表示',
    emailRedacted: '表示しません。この連絡先へは上記のレジストラにお問い合わせください。',
    statusUrl: 'ICANNによるこのステータスの説明',
    rdap: 'RDAP',
    tooBroad: '結果',
  },
} as const;

type Texts = (typeof TEXT)['en'] | (typeof TEXT)['ja'];

/** Plain-words explanations of EPP statuses (RFC 5731 §2.3, ICANN's EPP status code guide). */
const STATUS_WORDS: Record<string, { en: string; ja: string }> = {
  ok: { en: 'Active: no restrictions apply.', ja: '有効：制限はありません。' },
  inactive: { en: 'Inactive: the domain has no name servers and does not resolve.', ja: '非アクティブ：ネームサーバがなく名前解決されません。' },
  addPeriod: { en: 'Newly registered: a grace period after registration.', ja: '新規登録直後の猶予期間です。' },
  autoRenewPeriod: { en: 'Just renewed automatically: a grace period after the renewal.', ja: '自動更新直後の猶予期間です。' },
  renewPeriod: { en: 'Just renewed: a grace period after the renewal.', ja: '更新直後の猶予期間です。' },
  transferPeriod: { en: 'Just transferred to a new registrar: a grace period after the transfer.', ja: 'レジストラ移管直後の猶予期間です。' },
  redemptionPeriod: { en: 'Deleted, but the registrar can still restore it for a short time.', ja: '削除されましたが、短期間はレジストラが復元できます。' },
  pendingCreate: { en: 'Registration is being processed.', ja: '登録手続き中です。' },
  pendingDelete: { en: 'Will be deleted soon and then become available again.', ja: 'まもなく削除され、再登録可能になります。' },
  pendingRenew: { en: 'A renewal is being processed.', ja: '更新手続き中です。' },
  pendingRestore: { en: 'A restore is being processed.', ja: '復元手続き中です。' },
  pendingTransfer: { en: 'A transfer to another registrar is being processed.', ja: '他のレジストラへの移管手続き中です。' },
  pendingUpdate: { en: 'A change is being processed.', ja: '変更手続き中です。' },
  clientDeleteProhibited: { en: 'The registrar has locked the domain against deletion.', ja: 'レジストラにより削除が禁止されています。' },
  clientRenewProhibited: { en: 'The registrar has locked the domain against renewal.', ja: 'レジストラにより更新が禁止されています。' },
  clientTransferProhibited: { en: 'The registrar has locked the domain against transfer to another registrar.', ja: 'レジストラにより他のレジストラへの移管が禁止されています。' },
  clientUpdateProhibited: { en: 'The registrar has locked the domain against changes.', ja: 'レジストラにより変更が禁止されています。' },
  serverDeleteProhibited: { en: 'The registry has locked the domain against deletion.', ja: 'レジストリにより削除が禁止されています。' },
  serverRenewProhibited: { en: 'The registry has locked the domain against renewal.', ja: 'レジストリにより更新が禁止されています。' },
  serverTransferProhibited: { en: 'The registry has locked the domain against transfer.', ja: 'レジストリにより移管が禁止されています。' },
  serverUpdateProhibited: { en: 'The registry has locked the domain against changes.', ja: 'レジストリにより変更が禁止されています。' },
  clientHold: { en: 'On hold by the registrar: the domain does not resolve.', ja: 'レジストラにより保留中：名前解決されません。' },
  serverHold: { en: 'On hold by the registry: the domain does not resolve.', ja: 'レジストリにより保留中：名前解決されません。' },
  linked: { en: 'Used as a name server by at least one domain.', ja: '少なくとも1つのドメインのネームサーバとして使われています。' },
};

export interface PageContext {
  lang: PageLanguage;
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
  languages: readonly PageLanguage[];
  freeLookups: number;
}

export function htmlOptions(config: Config): HtmlOptions {
  return {
    registryName: config.registry.name,
    termsOfUse: config.registry.terms_of_use,
    termsOfUseUrl: config.registry.terms_of_use_url,
    languages: config.web.languages,
    freeLookups: config.web.captcha.free_lookups,
  };
}

function withParam(path: string, key: string, value: string): string {
  const url = new URL(path, 'http://x');
  url.searchParams.set(key, value);
  return url.pathname + url.search;
}

export class HtmlRenderer {
  constructor(private readonly options: HtmlOptions) {}

  // --- pages ---------------------------------------------------------------------------------

  home(ctx: PageContext): HtmlAnswer {
    return { status: 200, body: this.page(ctx, TEXT[ctx.lang].title, this.lookupForm(ctx), { terms: false }) };
  }

  searchHome(ctx: PageContext): HtmlAnswer {
    const t = TEXT[ctx.lang];
    return { status: 200, body: this.page(ctx, t.searchTitle, this.searchForm(ctx), { terms: false }) };
  }

  /** A lookup's resolution as a page. */
  lookup(res: Resolution, ctx: PageContext): HtmlAnswer {
    const t = TEXT[ctx.lang];
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
    const t = TEXT[ctx.lang];
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
    const items = found.domains.map((name) => `<li><a href="/whois?q=${encodeURIComponent(name)}${ctx.lang !== this.options.languages[0] ? `&amp;lang=${ctx.lang}` : ''}">${data(name)}</a></li>`).join('');
    const nav: string[] = [];
    if (paging.page > 1) nav.push(`<a rel="prev" href="${esc(withParam(ctx.selfPath, 'page', String(paging.page - 1)))}">${esc(t.previous)}</a>`);
    const capped = to >= paging.cap && found.more;
    if (found.more && !capped) nav.push(`<a rel="next" href="${esc(withParam(ctx.selfPath, 'page', String(paging.page + 1)))}">${esc(t.next)}</a>`);
    const body = `${form}<section aria-labelledby="results"><h2 id="results">${esc(t.results(from, to))}</h2>`
      + `<ol class="results" start="${from}">${items}</ol>`
      + (capped ? `<p class="notice">${esc(t.capped(paging.cap))}</p>` : '')
      + (nav.length ? `<nav class="pager" aria-label="${esc(t.tooBroad)}">${nav.join(' ')}</nav>` : '')
      + `</section>${this.updated(res, ctx)}`;
    return { status: 200, body: this.page(ctx, t.searchTitle, body) };
  }

  /** The searchable WHOIS is not open to this client. */
  searchForbidden(ctx: PageContext): HtmlAnswer {
    const t = TEXT[ctx.lang];
    return { status: 403, body: this.page(ctx, t.bannedTitle, `<p class="error">${esc(t.searchNotAllowed)}</p>`) };
  }

  /** A public-tier lookup past its free lookups, without a solved challenge (`failed`: one was sent, and it did not pass). */
  private captcha(ctx: PageContext, failed: boolean): HtmlAnswer {
    const t = TEXT[ctx.lang];
    const body = `<p>${esc(t.captchaText(this.options.freeLookups))}</p>`
      + (failed ? `<p class="error" role="alert">${esc(t.captchaBad)}</p>` : '')
      + `<form class="lookup" action="/whois" method="get">`
      + `<label for="q">${esc(t.lookupLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false">`
      + `<button type="submit">${esc(t.lookupButton)}</button></div>`
      + (ctx.lang !== this.options.languages[0] ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `<altcha-widget challenge="/captcha/challenge" name="altcha" language="${ctx.lang}" configuration='{"hideFooter":true,"hideLogo":false}'></altcha-widget>`
      + `<noscript><p>${esc(t.captchaNoScript)}</p></noscript>`
      + `</form>`;
    return { status: 403, body: this.page(ctx, t.captchaTitle, body, { captcha: true }) };
  }

  // --- shared outcomes -----------------------------------------------------------------------

  /** Pages for outcomes other than an answer: refused, forbidden, bad query, error, not found. */
  private common(res: Resolution, ctx: PageContext, form: string): HtmlAnswer | undefined {
    const t = TEXT[ctx.lang];
    const status = httpStatus(res);
    switch (res.outcome) {
      case 'refused': {
        const r = res.refusal!;
        const wait = retryAfter(res);
        const title = wait !== undefined ? t.refusedTitle : t.bannedTitle;
        const lines = r.message.map((l) => `<p>${esc(l)}</p>`).join('');
        const retry = wait !== undefined && r.retryAfterSeconds ? `<p>${esc(t.refusedRetry(r.retryAfterSeconds))}</p>` : '';
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
      case 'error':
        return { status, body: this.page(ctx, t.errorTitle, `<p class="error" role="alert">${esc(res.error ?? 'internal error')}</p>`) };
      case 'not-found':
        return { status, body: this.page(ctx, t.notFoundTitle, `${form}<p role="status">${esc(t.notFound(ctx.q))}</p>${this.updated(res, ctx)}`) };
      case 'answered':
        if (!res.view && !res.search) return { status: 200, body: this.page(ctx, t.title, form, { terms: false }) };
        return undefined;
    }
  }

  // --- records -------------------------------------------------------------------------------

  private domain(view: DomainView, ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    const { domain: d, registrar: r, hosts } = view.record;
    const k = (key: string) => this.key(key, ctx.lang);
    let out = `<h1 id="title">${data(d.unicodeName ?? d.name)}</h1>`;
    if (d.unicodeName) out += `<p class="alabel">${esc(k('Domain Name'))}: ${data(d.name)}</p>`;
    out += this.section('registration', t.registration, this.dl([
      [k('Domain Name'), data(d.name.toUpperCase())],
      ...(d.unicodeName ? [[k('Internationalized Domain Name'), data(d.unicodeName)] as [string, string]] : []),
      [k('Registry Domain ID'), data(d.roid)],
      [k('Creation Date'), this.date(d.created)],
      ...(d.updated ? [[k('Updated Date'), this.date(d.updated)] as [string, string]] : []),
      [k('Registry Expiry Date'), this.date(d.expires)],
    ]));
    out += this.section('registrar', t.registrar, this.dl([
      [k('Registrar'), data(r.name)],
      [k('Registrar IANA ID'), data(r.ianaId)],
      [k('Registrar WHOIS Server'), data(r.whoisServer)],
      [k('Registrar URL'), this.link(r.url)],
      [k('Registrar Abuse Contact Email'), this.mail(r.abuseEmail)],
      [k('Registrar Abuse Contact Phone'), data(r.abusePhone)],
      ...(d.reseller ? [[k('Reseller'), data(d.reseller)] as [string, string]] : []),
    ]));
    const statuses = d.statuses
      .map((s) => `<li><code>${esc(s)}</code> — ${esc(STATUS_WORDS[s]?.[ctx.lang] ?? '')} <a href="${esc(statusUrl(s))}" aria-label="${esc(`${t.statusUrl}: ${s}`)}">icann.org/epp#${esc(s)}</a></li>`)
      .join('');
    out += this.section('status', t.status, `<ul class="statuses">${statuses}</ul>`);
    if (view.contacts.length > 0) out += this.section('contacts', t.contacts, view.contacts.map((c) => this.contact(c, ctx)).join(''));
    const ns = hosts.length ? hosts.map((h) => h.name) : d.nameservers;
    const nsItems = ns.map((n) => {
      const host = hosts.find((h) => h.name === n);
      return `<li><a href="/whois?q=${encodeURIComponent(n)}">${data(host?.unicodeName ?? n)}</a>${host?.unicodeName ? ` (${data(n)})` : ''}</li>`;
    });
    out += this.section('nameservers', t.nameservers, ns.length ? `<ul>${nsItems.join('')}</ul>` : `<p>${esc(t.noNameservers)}</p>`);
    let dnssec = `<p>${esc(d.ds.length > 0 ? t.signed : t.unsigned)}</p>`;
    if (d.ds.length > 0) {
      dnssec += `<table><caption>${esc(t.dsRecords)}</caption><thead><tr><th scope="col">${esc(t.keyTag)}</th><th scope="col">${esc(t.algorithm)}</th><th scope="col">${esc(t.digestType)}</th><th scope="col">${esc(t.digest)}</th></tr></thead><tbody>`
        + d.ds.map((ds) => `<tr><td>${esc(ds.keyTag)}</td><td>${esc(ds.algorithm)}</td><td>${esc(ds.digestType)}</td><td class="digest"><code>${esc(ds.digest.toUpperCase())}</code></td></tr>`).join('')
        + '</tbody></table>';
    }
    out += this.section('dnssec', t.dnssec, dnssec);
    return out;
  }

  private contact(c: ContactView, ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    const rows: [string, string][] = [];
    for (const field of CONTACT_FIELDS) {
      if (!c.values.has(field.id)) continue;
      const value = c.values.get(field.id);
      if (field.optional && (value === undefined || value === '')) continue; // one rule with port 43: no empty optional rows
      let shown: string;
      if (value === REDACTED) shown = `<span class="redacted">${esc(field.whoisRedacted === EMAIL_REDACTED_TEXT ? t.emailRedacted : field.whoisRedacted === REDACTED_TEXT ? t.redacted : field.whoisRedacted)}</span>`;
      else if (Array.isArray(value)) shown = value.map(data).join('<br>');
      else if (field.id === 'email' && value) shown = this.mail(value);
      else shown = data(value);
      rows.push([field.label[ctx.lang], shown]);
    }
    const role = ROLE_WORDS[c.role][ctx.lang];
    return `<section class="contact" aria-labelledby="contact-${c.role}"><h3 id="contact-${c.role}">${esc(role)}</h3>${this.dl(rows)}</section>`;
  }

  private hosts(view: HostView, ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    const first = view.hosts[0]?.host;
    let out = `<h1 id="title">${data(first?.unicodeName ?? first?.name ?? '')}</h1>`;
    view.hosts.forEach(({ host, registrar }, i) => {
      out += `<section aria-labelledby="host-${i}"><h2 id="host-${i}">${esc(t.host)}: ${data(host.unicodeName ?? host.name)}</h2>${this.host(host, registrar, ctx)}</section>`;
    });
    return out;
  }

  private host(host: Host, r: Registrar, ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    const k = (key: string) => this.key(key, ctx.lang);
    return this.dl([
      [k('Server Name'), data(host.name.toUpperCase())],
      [t.addresses, host.addresses.length ? host.addresses.map(data).join('<br>') : esc(t.noAddresses)],
      [k('Registrar'), data(r.name)],
      [k('Registrar WHOIS Server'), data(r.whoisServer)],
      [k('Registrar URL'), this.link(r.url)],
    ]);
  }

  private registrar({ registrar: r }: RegistrarView, ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    const k = (key: string) => this.key(key, ctx.lang);
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

  private key(key: string, lang: PageLanguage): string {
    return translate(key, lang) ?? key;
  }

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
    const t = TEXT[ctx.lang];
    return `<p class="updated">${esc(t.lastUpdate)}: ${this.date(res.data.updatedAt)}</p>`;
  }

  private lookupForm(ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    return `<form class="lookup" action="/whois" method="get" role="search">`
      + `<label for="q">${esc(t.lookupLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="q-hint" maxlength="255">`
      + `<button type="submit">${esc(t.lookupButton)}</button></div>`
      + `<p id="q-hint" class="hint">${esc(t.lookupHint)}</p>`
      + (ctx.lang !== this.options.languages[0] ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `</form>`;
  }

  private searchForm(ctx: PageContext): string {
    const t = TEXT[ctx.lang];
    return `<form class="lookup" action="/search" method="get" role="search">`
      + `<label for="q">${esc(t.searchLabel)}</label>`
      + `<div class="row"><input id="q" name="q" type="text" value="${esc(ctx.q)}" required autocomplete="off" spellcheck="false" autocapitalize="off" aria-describedby="q-hint">`
      + `<button type="submit">${esc(t.searchButton)}</button></div>`
      + `<p id="q-hint" class="hint">${esc(t.searchHint)} ${esc(t.searchExample)} <code>name:tanaka* AND city:tokyo NOT registrar:5555555</code></p>`
      + (ctx.lang !== this.options.languages[0] ? `<input type="hidden" name="lang" value="${esc(ctx.lang)}">` : '')
      + `</form>`;
  }

  private page(ctx: PageContext, title: string, main: string, opts: { terms?: boolean; captcha?: boolean } = {}): string {
    const t: Texts = TEXT[ctx.lang];
    const langs = this.options.languages
      .map((l) => (l === ctx.lang ? `<span aria-current="true" lang="${l}">${l === 'ja' ? '日本語' : 'English'}</span>` : `<a lang="${l}" hreflang="${l}" href="${esc(withParam(ctx.selfPath, 'lang', l))}">${l === 'ja' ? '日本語' : 'English'}</a>`))
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
      + `<header><p class="brand"><a href="/${ctx.lang !== this.options.languages[0] ? `?lang=${ctx.lang}` : ''}">${esc(this.options.registryName)}</a></p>`
      + `<nav aria-label="${esc(t.language)}" class="langs">${langs}</nav></header>`
      + `<main id="main" tabindex="-1">${hasTitle ? '' : `<h1 id="title">${esc(title)}</h1>`}${main}${terms}</main>`
      + '</body></html>';
  }
}
