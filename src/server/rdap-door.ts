// The RDAP door (RFC 7480, RFC 9082): adapts HTTP requests under the RDAP base path to the shared
// pipeline. It reads the path and query string safely, turns them into a Query, and writes what
// the RDAP renderer made of the resolution with the headers RFC 7480 and the ICANN profile ask
// for. It holds no policy: admission, tiers and redaction happen behind pipeline.handle().
import type http from 'node:http';
import { isIP } from 'node:net';
import type { Config } from '../config.js';
import { normalizeName } from '../model/idn.js';
import type { Pipeline } from '../pipeline.js';
import type { Remote } from '../policy/policy.js';
import type { Tier } from '../policy/view.js';
import { BadQuery, contactQuery, quoteForMessage, type Query } from '../query/query.js';
import { RDAP_MEDIA_TYPE, type RdapAnswer, type RdapRenderer, type RdapRequestContext } from '../render/rdap.js';
import type { HttpRoute } from './http.js';
import { parseRdapSearch, type RdapSearch, type RdapSearchKind } from '../query/rdap-search.js';
import { httpClientAddress } from './proxy-protocol.js';

export interface RdapDoorOptions {
  /** Path the service answers under, starting and ending with '/' ("/rdap/"). */
  basePath: string;
  /** Longest request target accepted (bytes). */
  maxUrlBytes: number;
  /** Tiers that may search. */
  searchTiers: readonly Tier[];
  searchMaxResults: number;
  /** Cache-Control max-age of public answers. */
  cacheMaxAgeSeconds: number;
}

export function rdapDoorOptions(config: Config): RdapDoorOptions {
  return {
    basePath: config.rdap.base_path,
    maxUrlBytes: config.rdap.max_url_bytes,
    searchTiers: config.rdap.search_tiers,
    searchMaxResults: config.rdap.search_max_results,
    cacheMaxAgeSeconds: config.rdap.cache_max_age_s,
  };
}

/** RFC 9082 object types this server does not serve (a registry has no IP networks or AS numbers). */
const NOT_SERVED = new Set(['ip', 'autnum']);

interface Parsed {
  /** Builds the pipeline query; throws BadQuery for a malformed one. */
  query: () => Query;
  /** Canonical path and query under the base path, for link values. */
  relative: string;
  search?: RdapSearch | RdapSearchKind;
  refuse?: RdapRequestContext['refuse'];
}

export class RdapDoor implements HttpRoute {
  private readonly base: string;
  /** The context of an answer to a request that could not be parsed (bad method, target or query). */
  private readonly unparsed: RdapRequestContext;
  private readonly publicCacheControl: string;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly renderer: RdapRenderer,
    private readonly options: RdapDoorOptions,
  ) {
    this.base = options.basePath.endsWith('/') ? options.basePath : `${options.basePath}/`;
    this.unparsed = { requestUrl: renderer.url('') };
    this.publicCacheControl = options.cacheMaxAgeSeconds > 0 ? `public, max-age=${options.cacheMaxAgeSeconds}` : 'no-store';
  }

  owns(path: string): boolean {
    return path === this.base.slice(0, -1) || path.startsWith(this.base);
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): void | Promise<void> {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawQuery = q >= 0 ? target.slice(q + 1) : '';

    const head = req.method === 'HEAD';
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD', 'access-control-max-age': '86400' }).end();
      return;
    }
    if (req.method !== 'GET' && !head) {
      this.send(req, res, this.renderer.error(405, 'Method Not Allowed', ['RDAP answers GET and HEAD only.'], this.unparsed), { allow: 'GET, HEAD' });
      return;
    }
    if (Buffer.byteLength(target) > this.options.maxUrlBytes) {
      this.send(req, res, this.renderer.error(414, 'URI Too Long', [`The request target is longer than ${this.options.maxUrlBytes} bytes.`], this.unparsed));
      return;
    }

    // The client address: the socket's peer, or what a trusted proxy forwarded (the same helper as the web door).
    const remote: Remote = { door: 'rdap', address: httpClientAddress(req, this.pipeline.policy.trustedProxies) };
    // The request target decides the whole answer: parsed only when it is not a cached repeat.
    let ctx: RdapRequestContext | undefined;
    const answer = this.pipeline.handle<RdapAnswer>({
      remote,
      input: target,
      parse: () => {
        const parsed = this.parse(path.slice(this.base.length), rawQuery, remote);
        ctx = this.context(parsed);
        if (parsed.refuse) throw new BadQuery(parsed.refuse.message);
        return parsed.query();
      },
      // A refused client's answer is rendered without a parse: its links still name the request.
      render: (resolution) => this.renderer.render(resolution, ctx ?? this.contextOf(path, rawQuery, remote)),
      size: (a) => a.body.length,
      format: 'rdap',
    });
    if (answer instanceof Promise) return answer.then((a) => this.send(req, res, a));
    this.send(req, res, answer);
  }

  private context(parsed: Parsed): RdapRequestContext {
    const searchKind = typeof parsed.search === 'string' ? parsed.search : parsed.search?.kind;
    return { requestUrl: this.renderer.url(parsed.relative), refuse: parsed.refuse, search: searchKind ? { kind: searchKind } : undefined };
  }

  /** The context of a request that was not parsed in the pipeline (refused before it was). */
  private contextOf(path: string, rawQuery: string, remote: Remote): RdapRequestContext {
    try {
      return this.context(this.parse(path.slice(this.base.length), rawQuery, remote));
    } catch (err) {
      if (err instanceof BadQuery) return this.unparsed;
      throw err;
    }
  }

  /** Reads the path under the base and the query string into a query. Throws BadQuery. */
  private parse(path: string, rawQuery: string, remote: Remote): Parsed {
    const segments = path.split('/').map(decodeSegment);
    const [type, ...rest] = segments;
    const arg = rest.length === 1 && rest[0] !== '' ? rest[0] : undefined;
    if (rawQuery !== '' && !['domains', 'nameservers', 'entities'].includes(type)) throw new BadQuery('this query takes no query string');
    switch (type) {
      case 'domain': {
        if (arg === undefined) throw new BadQuery('use domain/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid domain name`);
        return { relative: `domain/${encodeURIComponent(arg)}`, query: () => ({ kind: 'domain', name: forms.aLabel, uName: forms.uLabel }) };
      }
      case 'nameserver': {
        if (arg === undefined) throw new BadQuery('use nameserver/<name>');
        const forms = normalizeName(arg);
        if (!forms || isIP(arg)) throw new BadQuery(`"${quoteForMessage(arg)}" is not a valid host name`);
        return { relative: `nameserver/${encodeURIComponent(arg)}`, query: () => ({ kind: 'nameserver', name: forms.aLabel }) };
      }
      case 'entity': {
        if (arg === undefined) throw new BadQuery('use entity/<handle>');
        const relative = `entity/${encodeURIComponent(arg)}`;
        if (/^\d{1,10}$/.test(arg)) return { relative, query: () => ({ kind: 'registrar-id', ianaId: Number(arg) }) };
        const query = contactQuery(arg);
        return { relative, query: () => query };
      }
      case 'help':
        if (rest.length > 0) throw new BadQuery('help takes no argument');
        return { relative: 'help', query: () => ({ kind: 'help' }) };
      case 'domains':
      case 'nameservers':
      case 'entities':
        if (rest.length > 0) throw new BadQuery(`use ${type}?<parameter>=<pattern>`);
        return this.parseSearch(type, rawQuery, remote);
      default:
        if (NOT_SERVED.has(type)) {
          return { relative: type, query: () => ({ kind: 'help' }), refuse: { status: 501, message: `this server holds no ${type} objects` } };
        }
        throw new BadQuery(type === '' ? 'use domain/<name>, nameserver/<name>, entity/<handle> or help' : `unknown query type "${quoteForMessage(type, 32)}"`);
    }
  }

  private parseSearch(kind: RdapSearchKind, rawQuery: string, remote: Remote): Parsed {
    const params = decodeQuery(rawQuery);
    const search = parseRdapSearch(kind, params);
    const relative = `${kind}?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2A|%3A|%40/g, decodeURIComponent)}`).join('&')}`;
    // Which tiers may search is access policy from the configuration; the identity is the pipeline's.
    const tier = this.pipeline.policy.identify(remote).tier;
    if (!this.options.searchTiers.includes(tier)) {
      return { relative, search, query: () => ({ kind: 'help' }), refuse: { status: 403, message: 'searches are not available to this client' } };
    }
    return { relative, search, query: () => ({ kind: 'rdap-search', search, limit: this.options.searchMaxResults }) };
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, answer: RdapAnswer, extra?: Record<string, string>): void {
    const headers: Record<string, string | number> = {
      'access-control-allow-origin': '*',
      'content-type': mediaType(acceptHeader(req)),
      'content-length': answer.body.length,
      'cache-control': answer.cacheable ? this.publicCacheControl : 'no-store',
      vary: 'Accept',
    };
    if (extra) Object.assign(headers, extra);
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  }
}

/**
 * The Accept header, read from the raw header list: req.headers is built on first use, which
 * costs more than the rest of a cached answer's headers.
 */
function acceptHeader(req: http.IncomingMessage): string | undefined {
  const raw = req.rawHeaders;
  let accept: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 6 && raw[i].toLowerCase() === 'accept') accept = accept === undefined ? raw[i + 1] : `${accept}, ${raw[i + 1]}`;
  }
  return accept;
}

const RDAP_CONTENT_TYPE = `${RDAP_MEDIA_TYPE}; charset=utf-8`;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** application/rdap+json, unless the client asked for plain JSON and not for RDAP's type. */
function mediaType(accept: string | undefined): string {
  if (!accept || accept === RDAP_MEDIA_TYPE) return RDAP_CONTENT_TYPE;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  if (types.includes(RDAP_MEDIA_TYPE)) return RDAP_CONTENT_TYPE;
  return types.includes('application/json') ? JSON_CONTENT_TYPE : RDAP_CONTENT_TYPE;
}

/** Percent-decodes one path segment as UTF-8; bad escapes, bad UTF-8 and control characters are a BadQuery. */
function decodeSegment(segment: string): string {
  let text: string;
  try {
    text = decodeURIComponent(segment);
  } catch {
    throw new BadQuery('the path has a bad percent-encoding or is not UTF-8');
  }
  if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(text)) throw new BadQuery('the path contains control or invalid characters');
  return text;
}

function decodeQuery(raw: string): [string, string][] {
  if (raw === '') return [];
  return raw.split('&').filter((p) => p !== '').map((pair) => {
    const eq = pair.indexOf('=');
    const key = eq >= 0 ? pair.slice(0, eq) : pair;
    const value = eq >= 0 ? pair.slice(eq + 1) : '';
    return [decodeSegment(key.replace(/\+/g, ' ')), decodeSegment(value.replace(/\+/g, ' '))];
  });
}
