// The RDAP door (RFC 7480, RFC 9082): adapts HTTP requests under the RDAP base path to the shared
// pipeline. The request target is read by the RDAP grammar (src/query/rdap-request.ts), and what
// the RDAP renderer made of the resolution is written with the headers RFC 7480 and the ICANN
// profile ask for. It holds no policy: admission, authorization, tiers and redaction happen behind
// pipeline.handle().
import type http from 'node:http';
import type { Config } from '../config.js';
import type { Pipeline } from '../pipeline.js';
import type { Remote } from '../policy/policy.js';
import type { RdapCursors } from '../query/rdap-cursor.js';
import { parseRdapRequest, type RdapRequest } from '../query/rdap-request.js';
import { RDAP_MEDIA_TYPE, type RdapAnswer, type RdapRenderer } from '../render/rdap.js';
import { restampRdap } from '../render/restamp.js';
import { HTTP_TEXTS } from '../render/texts.js';
import type { HttpRoute } from './http.js';
import { httpClientAddress } from './proxy-protocol.js';

export interface RdapDoorOptions {
  /** Path the service answers under, starting and ending with '/' ("/rdap/"). */
  basePath: string;
  /** Longest request target accepted (bytes). */
  maxUrlBytes: number;
  /** Most results one search answer carries. */
  searchMaxResults: number;
  /** Cache-Control max-age of public answers. */
  cacheMaxAgeSeconds: number;
  /** Checks the cursors of paging links (the renderer issues them with the same key). */
  cursors?: RdapCursors;
}

export function rdapDoorOptions(config: Config, cursors?: RdapCursors): RdapDoorOptions {
  return {
    basePath: config.rdap.base_path,
    maxUrlBytes: config.rdap.max_url_bytes,
    searchMaxResults: config.rdap.search_max_results,
    cacheMaxAgeSeconds: config.rdap.cache_max_age_s,
    cursors,
  };
}

export class RdapDoor implements HttpRoute {
  private readonly base: string;
  private readonly publicCacheControl: string;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly renderer: RdapRenderer,
    private readonly options: RdapDoorOptions,
  ) {
    this.base = options.basePath.endsWith('/') ? options.basePath : `${options.basePath}/`;
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
      this.send(req, res, this.renderer.error(405, [HTTP_TEXTS.rdapMethods]), { allow: 'GET, HEAD' });
      return;
    }
    if (Buffer.byteLength(target) > this.options.maxUrlBytes) {
      this.send(req, res, this.renderer.error(414, [HTTP_TEXTS.targetTooLong(this.options.maxUrlBytes)]));
      return;
    }

    // The client address: the socket's peer, or what a trusted proxy forwarded (the same helper as the web door).
    const remote: Remote = { door: 'rdap', address: httpClientAddress(req, this.pipeline.policy.trustedProxies) };
    const relative = path.slice(this.base.length);
    const accept = acceptHeader(req);
    // JSContact asked for by media type (the rdap-x draft): a different answer for the same target.
    const jscontact = asksForJscontact(accept);
    // The request target (and the media type asked for) decides the whole answer: parsed only when it is not a cached repeat.
    const answer = this.pipeline.handle<RdapRequest, RdapAnswer>({
      remote,
      input: target,
      format: jscontact ? 'rdap+jscontact' : 'rdap',
      parse: () => parseRdapRequest(relative, rawQuery, { ...this.options, jscontact }),
      // A request refused before it was read still names itself in the answer's links, as sent.
      render: (resolution, request) => this.renderer.render(resolution, request ?? { relative: rawQuery ? `${relative}?${rawQuery}` : relative }),
      size: (a) => a.body.length,
      restamp: (a, updatedAt) => ({ ...a, body: restampRdap(a.body, updatedAt) }),
    });
    const extra = jscontact ? { 'content-type': RDAPX_CONTENT_TYPE } : undefined;
    if (answer instanceof Promise) return answer.then((a) => this.send(req, res, a, extra));
    this.send(req, res, answer, extra);
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
    if (answer.location !== undefined) headers.location = answer.location;
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
/** What an answer with JSContact asked for by media type is sent as (draft-ietf-regext-rdap-x-media-type: the extensions it uses). */
const RDAPX_CONTENT_TYPE = 'application/rdap-x+json; extensions="rdap_level_0 jscontact"; charset=utf-8';

/**
 * Whether the Accept header asks for the rdap-x media type with the `jscontact` extension
 * (draft-ietf-regext-rdap-x-media-type: `application/rdap-x+json;extensions="... jscontact"`).
 */
function asksForJscontact(accept: string | undefined): boolean {
  if (!accept || !accept.includes('rdap-x')) return false;
  return accept.split(',').some((type) => {
    const [name, ...params] = type.split(';').map((p) => p.trim());
    if (name.toLowerCase() !== 'application/rdap-x+json') return false;
    const extensions = params.find((p) => /^extensions\s*=/i.test(p));
    return extensions !== undefined && /(^|[\s"=])jscontact([\s"]|$)/.test(extensions.replace(/^extensions\s*=\s*/i, ' '));
  });
}
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** application/rdap+json, unless the client asked for plain JSON and not for RDAP's type. */
function mediaType(accept: string | undefined): string {
  if (!accept || accept === RDAP_MEDIA_TYPE) return RDAP_CONTENT_TYPE;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  if (types.includes(RDAP_MEDIA_TYPE)) return RDAP_CONTENT_TYPE;
  return types.includes('application/json') ? JSON_CONTENT_TYPE : RDAP_CONTENT_TYPE;
}
