// The web door's answers besides its HTML pages: a lookup's port-43 text (?format=text) and the
// searchable WHOIS's JSON (/search.json), with the one status mapping every HTTP answer uses.
import type { Resolution } from '../resolution.js';
import type { HtmlAnswer } from './html.js';
import { httpStatus, retryAfter } from './http-status.js';
import { forbiddenText } from './texts.js';

/** A web answer as the door writes it. */
export interface WebAnswer {
  status: number;
  type: string;
  body: string;
  retryAfter?: number;
}

const HTML = 'text/html; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

export function htmlAnswer(a: HtmlAnswer): WebAnswer {
  return { status: a.status, type: HTML, body: a.body, retryAfter: a.retryAfter };
}

/** A lookup as port-43 text (`whoisText`: what the WHOIS renderer made of the same resolution). */
export function textAnswer(res: Resolution, whoisText: string): WebAnswer {
  return { status: httpStatus(res), type: TEXT, body: whoisText, retryAfter: retryAfter(res) };
}

export function jsonError(status: number, message: string): WebAnswer {
  return { status, type: JSON_TYPE, body: JSON.stringify({ error: { status, message } }) };
}

export interface SearchPaging {
  /** The expression as the client typed it, the page asked for and its first result's offset. */
  q: string;
  page: number;
  offset: number;
  pageSize: number;
  resultCap: number;
}

/** One page of a search as JSON: the domain names, and whether more can be paged to. */
export function searchJson(res: Resolution, paging: SearchPaging): WebAnswer {
  const status = httpStatus(res);
  switch (res.outcome) {
    case 'refused':
      return { ...jsonError(status, res.refusal!.message.join(' ')), retryAfter: retryAfter(res) };
    case 'forbidden':
      return jsonError(status, forbiddenText(res.forbidden!));
    case 'bad-query':
      return jsonError(status, res.error ?? 'bad query');
    case 'unavailable':
      return { ...jsonError(status, res.error ?? 'temporarily unavailable'), retryAfter: retryAfter(res) };
    case 'error':
      return jsonError(status, res.error ?? 'internal error');
    default: {
      const found = res.search;
      const results = found?.domains ?? [];
      const capped = paging.offset + results.length >= paging.resultCap && (found?.more ?? false);
      const body = {
        query: res.query?.kind === 'search' ? res.query.text : paging.q,
        page: paging.page,
        pageSize: paging.pageSize,
        offset: paging.offset,
        results,
        more: (found?.more ?? false) && !capped,
        capped,
        lastUpdate: res.data.updatedAt,
      };
      return { status: 200, type: JSON_TYPE, body: JSON.stringify(body) };
    }
  }
}
