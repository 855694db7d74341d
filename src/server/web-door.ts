// The web door: lookup pages (/, /whois?q=), the searchable WHOIS (/search, /search.json), the
// captcha challenge and the static files. Like the other doors it only adapts HTTP to the shared
// pipeline: lookups go through pipeline.handle with door 'web', searches with door 'search' (the
// query log counts them apart), each with its grammar from src/query/; whether the client may
// search or must solve the captcha is the pipeline's authorization stage; the answers are rendered
// by src/render/ (HTML pages, the port-43 text of a lookup, the search JSON).
import type http from 'node:http';
import type { Config } from '../config.js';
import type { Pipeline } from '../pipeline.js';
import type { Captcha } from '../policy/captcha.js';
import type { Remote } from '../policy/policy.js';
import { parseWith } from '../query/query.js';
import { webLookupQuery } from '../query/web-lookup.js';
import { pageOffset, webSearchQuery, type WebSearchLimits } from '../query/web-search.js';
import { HtmlRenderer, htmlOptions, type PageContext } from '../render/html.js';
import { restampHtml, restampWhois } from '../render/restamp.js';
import { HTTP_TEXTS } from '../render/texts.js';
import { htmlAnswer, searchJson, textAnswer, type WebAnswer } from '../render/web-formats.js';
import type { WhoisRenderer } from '../render/whois.js';
import type { HttpRoute } from './http.js';
import { httpClientAddress } from './proxy-protocol.js';
import { webAssets, type Asset } from './web-assets.js';

export interface WebDoorOptions {
  tlds: readonly string[];
  /** The codes of the page languages offered, the default first. */
  languages: readonly string[];
  search: WebSearchLimits;
}

export function webDoorOptions(config: Config): WebDoorOptions {
  const web = config.web;
  return {
    tlds: config.registry.tlds,
    languages: web.languages,
    search: { pageSize: web.page_size, resultCap: web.result_cap, maxLength: web.search_max_length, maxTerms: web.search_max_terms },
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

/** The paths of the lookup and search pages. */
const PAGES = new Set(['/', '/whois', '/search', '/search.json']);

export class WebDoor implements HttpRoute {
  private readonly assets: Map<string, Asset>;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly html: HtmlRenderer,
    private readonly whois: WhoisRenderer,
    /** Serves the challenges whose solutions the authorization stage verifies. */
    private readonly captcha: Captcha,
    private readonly options: WebDoorOptions,
  ) {
    this.assets = webAssets();
  }

  static create(pipeline: Pipeline, whois: WhoisRenderer, captcha: Captcha, config: Config): WebDoor {
    return new WebDoor(pipeline, new HtmlRenderer(htmlOptions(config)), whois, captcha, webDoorOptions(config));
  }

  owns(path: string): boolean {
    return PAGES.has(path) || path === '/captcha/challenge' || this.assets.has(path);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.send(req, res, { status: 405, type: 'text/plain; charset=utf-8', body: `${HTTP_TEXTS.methodNotAllowed}\n` }, { allow: 'GET, HEAD' });
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
    const pageHeaders = { vary: 'Accept-Language', 'content-language': lang };

    if (path === '/' || (path === '/whois' && q === '')) {
      ctx.selfPath = '/';
      this.send(req, res, htmlAnswer(this.html.home(ctx)), pageHeaders);
      return;
    }
    if (path === '/whois') {
      ctx.selfPath = `/whois?${selfParams}`;
      this.send(req, res, await this.lookup(remote, q, url, ctx), pageHeaders);
      return;
    }
    // Searchable WHOIS.
    const json = path === '/search.json';
    const page = Number(url.searchParams.get('page') ?? '1');
    if (url.searchParams.has('page')) selfParams.set('page', String(page));
    ctx.selfPath = `${path}?${selfParams}`;
    if (q === '' && !json) {
      // The empty form: shown to those who may search, else the page that says who may.
      const may = await this.pipeline.allows(remote, 'search');
      this.send(req, res, htmlAnswer(may.allowed ? this.html.searchHome(ctx) : this.html.searchForbidden(ctx)), pageHeaders);
      return;
    }
    this.send(req, res, await this.search(remote, q, page, json, ctx), json ? {} : pageHeaders);
  }

  private lookup(remote: Remote, q: string, url: URL, ctx: PageContext): WebAnswer | Promise<WebAnswer> {
    const text = url.searchParams.get('format') === 'text';
    return this.pipeline.handle<undefined, WebAnswer>({
      remote,
      input: q,
      format: `web ${text ? 'text' : 'html'} ${ctx.lang}`,
      parse: () => parseWith(undefined, () => webLookupQuery(q, this.options.tlds)),
      proof: url.searchParams.get('altcha') ?? undefined,
      render: (res) => {
        if (text) return textAnswer(res, this.whois.render(res));
        return htmlAnswer(this.html.lookup(res, { ...ctx, whoisText: res.outcome === 'answered' ? this.whois.render(res) : undefined }));
      },
      restamp: (a, updatedAt) => ({ ...a, body: text ? restampWhois(a.body, updatedAt) : restampHtml(a.body, updatedAt) }),
      size: (a) => Buffer.byteLength(a.body),
    });
  }

  private search(remote: Remote, q: string, page: number, json: boolean, ctx: PageContext): WebAnswer | Promise<WebAnswer> {
    const limits = this.options.search;
    const paging = { q, page, offset: pageOffset(page, limits.pageSize), pageSize: limits.pageSize, resultCap: limits.resultCap };
    const pageCtx: PageContext = { ...ctx, search: { pageSize: limits.pageSize, cap: limits.resultCap, page } };
    return this.pipeline.handle<undefined, WebAnswer>({
      remote,
      input: `${q}\n${page}`,
      format: `search ${json ? 'json' : 'html'} ${ctx.lang}`,
      parse: () => parseWith(undefined, () => webSearchQuery(q, page, limits), 'search'),
      render: (res) => (json ? searchJson(res, paging) : htmlAnswer(this.html.search(res, pageCtx))),
      size: (a) => Buffer.byteLength(a.body),
    });
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
  private language(url: URL, accept: string | undefined): string {
    const offered = this.options.languages;
    const asked = url.searchParams.get('lang');
    if (asked && offered.includes(asked)) return asked;
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
      for (const { lang } of ranked) if (offered.includes(lang)) return lang;
    }
    return offered[0];
  }
}
