// The web door: lookup pages (/, /whois?q=), the searchable WHOIS (/search, /search.json), the
// captcha challenge and the static files. Like the other doors it only adapts HTTP to the shared
// pipeline: lookups go through pipeline.handle with door 'web', searches with door 'search' (the
// query log counts them apart), and the pages are rendered from the resolution by the HTML
// renderer, which takes its contact fields from the view. The port-43 text of a lookup comes from
// the same WhoisRenderer as port 43.
import type http from 'node:http';
import type { Config } from '../config.js';
import type { Pipeline, Resolution } from '../pipeline.js';
import type { Remote } from '../policy/policy.js';
import type { Tier } from '../policy/view.js';
import { isIP } from 'node:net';
import { normalizeName } from '../model/idn.js';
import { BadQuery, nameserverQuery, registrarQuery, type Query } from '../query/query.js';
import { parseSearchExpression, searchKey, type SearchLimits } from '../query/search-query.js';
import { parseWhoisQuery } from '../query/whois-query.js';
import { HtmlRenderer, htmlOptions, type HtmlAnswer, type PageContext, type PageLanguage } from '../render/html.js';
import type { WhoisRenderer } from '../render/whois.js';
import type { SearchExpr } from '../model/search.js';
import { Captcha } from './captcha.js';
import type { HttpRoute } from './http.js';
import { httpClientAddress } from './proxy-protocol.js';
import { webAssets, type Asset } from './web-assets.js';


/** A search by a tier the configuration does not let search: answered 403, logged as a bad query. */
const SEARCH_FORBIDDEN = 'the searchable WHOIS is open only to authorised users';

export interface WebDoorOptions {
  tlds: readonly string[];
  languages: readonly PageLanguage[];
  searchTiers: readonly Tier[];
  pageSize: number;
  resultCap: number;
  searchLimits: SearchLimits;
  captcha: Config['web']['captcha'];
}

export function webDoorOptions(config: Config): WebDoorOptions {
  const web = config.web;
  return {
    tlds: config.registry.tlds,
    languages: web.languages,
    searchTiers: web.search_tiers,
    pageSize: web.page_size,
    resultCap: web.result_cap,
    searchLimits: { maxLength: web.search_max_length, maxTerms: web.search_max_terms },
    captcha: web.captcha,
  };
}

/** No inline script or style, no other origin: every asset is a file served by this door. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Fields that name a natural person's data: a tier without full access may not search them. */
const PERSONAL_FIELDS = new Set(['name', 'street', 'city', 'pc']);
/** The paths of the lookup and search pages. */
const PAGES = new Set(['/', '/whois', '/search', '/search.json']);

interface WebAnswer {
  status: number;
  type: string;
  body: string;
  retryAfter?: number;
}

export class WebDoor implements HttpRoute {
  private readonly assets: Map<string, Asset>;
  readonly captcha: Captcha;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly html: HtmlRenderer,
    private readonly whois: WhoisRenderer,
    private readonly options: WebDoorOptions,
  ) {
    this.assets = webAssets();
    this.captcha = new Captcha(options.captcha);
  }

  static create(pipeline: Pipeline, whois: WhoisRenderer, config: Config): WebDoor {
    return new WebDoor(pipeline, new HtmlRenderer(htmlOptions(config)), whois, webDoorOptions(config));
  }

  owns(path: string): boolean {
    return PAGES.has(path) || path === '/captcha/challenge' || this.assets.has(path);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.send(req, res, { status: 405, type: 'text/plain; charset=utf-8', body: 'Method Not Allowed\n' }, { allow: 'GET, HEAD' });
      return;
    }
    const asset = this.assets.get(path);
    if (asset) {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'public, max-age=3600' });
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    if (path === '/captcha/challenge') {
      const body = JSON.stringify(await this.captcha.challenge());
      this.send(req, res, { status: 200, type: 'application/json; charset=utf-8', body });
      return;
    }

    const lang = this.language(url, req.headers['accept-language']);
    const q = (url.searchParams.get('q') ?? '').trim();
    const selfParams = new URLSearchParams();
    if (q) selfParams.set('q', q);
    const ctx: PageContext = { lang, q, selfPath: '' };
    const remote: Remote = { door: path === '/whois' || path === '/' ? 'web' : 'search', address: httpClientAddress(req, this.pipeline.policy.trustedProxies) };

    if (path === '/' || (path === '/whois' && q === '')) {
      ctx.selfPath = '/';
      this.send(req, res, this.page(this.html.home(ctx)), { vary: 'Accept-Language', 'content-language': lang });
      return;
    }
    if (path === '/whois') {
      ctx.selfPath = `/whois?${selfParams}`;
      this.send(req, res, await this.lookup(remote, q, url, ctx), { vary: 'Accept-Language', 'content-language': lang });
      return;
    }
    // Searchable WHOIS.
    const json = path === '/search.json';
    const page = Number(url.searchParams.get('page') ?? '1');
    if (url.searchParams.has('page')) selfParams.set('page', String(page));
    ctx.selfPath = `${path}?${selfParams}`;
    const tier = this.pipeline.policy.identify(remote).tier;
    if (q === '' && !json) {
      const page = this.options.searchTiers.includes(tier) ? this.html.searchHome(ctx) : this.html.searchForbidden(ctx);
      this.send(req, res, this.page(page), { vary: 'Accept-Language', 'content-language': lang });
      return;
    }
    this.send(req, res, await this.search(remote, tier, q, page, json, ctx), json ? {} : { vary: 'Accept-Language', 'content-language': lang });
    return;
  }

  private async lookup(remote: Remote, q: string, url: URL, ctx: PageContext): Promise<WebAnswer> {
    const text = url.searchParams.get('format') === 'text';
    const client = this.pipeline.policy.identify(remote);
    if (client.tier === 'public') {
      const check = await this.captcha.admit(client.key, url.searchParams.get('altcha') ?? undefined);
      if (check !== 'free' && check !== 'solved') {
        ctx.captcha = { failed: check !== 'missing' };
        return this.page(this.html.captcha(ctx));
      }
    }
    return this.pipeline.handle<WebAnswer>({
      remote,
      input: q,
      parse: () => {
        if (q.length > 255) throw new BadQuery('the query is longer than 255 characters');
        return webLookupQuery(q, this.options.tlds);
      },
      render: (res) => (text ? this.text(res) : this.page(this.html.lookup(res, { ...ctx, whoisText: res.outcome === 'answered' ? this.whois.render(res) : undefined }))),
      size: (a) => Buffer.byteLength(a.body),
      format: `web ${text ? 'text' : 'html'} ${ctx.lang}`,
    });
  }

  private async search(remote: Remote, tier: Tier, q: string, page: number, json: boolean, ctx: PageContext): Promise<WebAnswer> {
    const { pageSize, resultCap } = this.options;
    const offset = Number.isSafeInteger(page) && page >= 1 ? (page - 1) * pageSize : -1;
    ctx.search = { pageSize, cap: resultCap, page };
    let expr: SearchExpr | undefined;
    return this.pipeline.handle<WebAnswer>({
      remote,
      input: `${q}\n${page}`,
      parse: (): Query => {
        // Who may search is checked here, after admission, so a refused client hears why it was
        // refused and the query log records the attempt.
        if (!this.options.searchTiers.includes(tier)) throw new BadQuery(SEARCH_FORBIDDEN);
        if (q === '') throw new BadQuery('empty search expression');
        if (offset < 0) throw new BadQuery('page must be a whole number from 1');
        if (offset >= resultCap) throw new BadQuery(`only the first ${resultCap} results can be shown; narrow the search`);
        expr = parseSearchExpression(q, this.options.searchLimits);
        if (tier === 'public') {
          const personal = usedFields(expr).find((f) => PERSONAL_FIELDS.has(f));
          if (personal) throw new BadQuery(`searching by ${personal} needs authorised access`);
        }
        return { kind: 'search', expr, text: searchKey(expr), offset, limit: Math.min(pageSize, resultCap - offset) };
      },
      render: (res) => {
        if (res.outcome === 'bad-query' && res.error === SEARCH_FORBIDDEN) return json ? jsonError(403, SEARCH_FORBIDDEN) : this.page(this.html.searchForbidden(ctx));
        return json ? this.json(res, q, page, offset) : this.page(this.html.search(res, ctx));
      },
      size: (a) => Buffer.byteLength(a.body),
      format: `search ${json ? 'json' : 'html'} ${ctx.lang}`,
    });
  }

  private text(res: Resolution): WebAnswer {
    const status = res.outcome === 'answered' ? 200 : res.outcome === 'not-found' ? 404 : res.outcome === 'bad-query' ? 400 : res.outcome === 'refused' ? refusalStatus(res) : 500;
    return { status, type: 'text/plain; charset=utf-8', body: this.whois.render(res), retryAfter: retryAfter(res) };
  }

  private json(res: Resolution, q: string, page: number, offset: number): WebAnswer {
    switch (res.outcome) {
      case 'refused':
        return { ...jsonError(refusalStatus(res), res.refusal!.message.join(' ')), retryAfter: retryAfter(res) };
      case 'bad-query':
        return jsonError(400, res.error ?? 'bad query');
      case 'error':
        return jsonError(500, res.error ?? 'internal error');
      default: {
        const found = res.search;
        const results = found?.domains ?? [];
        const capped = offset + results.length >= this.options.resultCap && (found?.more ?? false);
        const body = {
          query: res.query?.kind === 'search' ? res.query.text : q,
          page,
          pageSize: this.options.pageSize,
          offset,
          results,
          more: (found?.more ?? false) && !capped,
          capped,
          lastUpdate: res.data.updatedAt,
        };
        return { status: 200, type: 'application/json; charset=utf-8', body: JSON.stringify(body) };
      }
    }
  }

  private page(a: HtmlAnswer): WebAnswer {
    return { status: a.status, type: 'text/html; charset=utf-8', body: a.body, retryAfter: a.retryAfter };
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, a: WebAnswer, extra: Record<string, string> = {}): void {
    const headers: Record<string, string | number> = {
      ...SECURITY_HEADERS,
      'content-type': a.type,
      'content-length': Buffer.byteLength(a.body),
      'cache-control': 'no-store',
      ...extra,
    };
    if (a.retryAfter !== undefined) headers['retry-after'] = a.retryAfter;
    res.writeHead(a.status, headers);
    res.end(req.method === 'HEAD' ? undefined : a.body);
  }

  /** ?lang= when offered, else the first offered language in Accept-Language, else the default. */
  private language(url: URL, accept: string | undefined): PageLanguage {
    const offered = this.options.languages;
    const asked = url.searchParams.get('lang');
    if (asked && (offered as readonly string[]).includes(asked)) return asked as PageLanguage;
    if (accept) {
      const ranked = accept
        .split(',')
        .map((part) => {
          const [tag, ...params] = part.trim().split(';');
          const qv = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
          return { lang: tag.toLowerCase().split('-')[0], q: qv ? Number(qv.slice(2)) : 1 };
        })
        .filter((x) => x.q > 0)
        .sort((a, b) => b.q - a.q);
      for (const { lang } of ranked) if ((offered as readonly string[]).includes(lang)) return lang as PageLanguage;
    }
    return offered[0];
  }
}

/**
 * The lookup box takes what port 43 takes ("domain x", "nameserver x", "registrar x"), and also a
 * bare IP address (name servers with that glue), a bare IANA ID or a registrar name with spaces
 * (registrar), and a bare host name of three or more labels (name server).
 */
export function webLookupQuery(input: string, tlds: readonly string[]): Query {
  const text = input.trim();
  const first = text.split(/\s+/, 1)[0].toLowerCase();
  if (['domain', 'nameserver', 'registrar', 'help'].includes(first)) return parseWhoisQuery(text, tlds);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new BadQuery('the query contains control characters');
  if (isIP(text)) return nameserverQuery(text);
  if (/^\d{1,10}$/.test(text) || /\s/.test(text)) return registrarQuery(text);
  const forms = normalizeName(text);
  // Domains are registered at the second level: a longer name is a host (name server).
  if (forms && forms.aLabel.split('.').length > 2) return nameserverQuery(text);
  return parseWhoisQuery(text, tlds);
}

function refusalStatus(res: Resolution): number {
  const reason = res.refusal?.reason;
  return reason === 'rate-limited' || reason === 'too-many-connections' ? 429 : 403;
}

function retryAfter(res: Resolution): number | undefined {
  return res.outcome === 'refused' && refusalStatus(res) === 429 ? (res.refusal?.retryAfterSeconds ?? 60) : undefined;
}

function jsonError(status: number, message: string): WebAnswer {
  return { status, type: 'application/json; charset=utf-8', body: JSON.stringify({ error: { status, message } }) };
}

function usedFields(expr: SearchExpr): string[] {
  switch (expr.op) {
    case 'term':
      return [expr.field];
    case 'not':
      return usedFields(expr.arg);
    default:
      return expr.args.flatMap(usedFields);
  }
}
