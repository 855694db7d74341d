// The one mapping from a resolution to an HTTP status, for every HTTP answer (RDAP, web pages, the
// search JSON, the web's text form).
import type { Resolution } from '../resolution.js';

export function httpStatus(res: Resolution): number {
  switch (res.outcome) {
    case 'answered':
      return 200;
    case 'not-found':
      return 404;
    case 'bad-query':
      return res.unsupported ? 501 : 400;
    case 'refused':
      return rateLimited(res) ? 429 : 403;
    case 'forbidden':
      return 403;
    case 'unavailable':
      return 503;
    case 'error':
      return 500;
  }
}

/** Seconds a client is told to wait after a temporary failure (the store out of reach). */
export const UNAVAILABLE_RETRY_S = 10;

/** Seconds for Retry-After: a rate-limited client hears when it may ask again, and so does one that met a temporary failure. */
export function retryAfter(res: Resolution): number | undefined {
  if (res.outcome === 'unavailable') return UNAVAILABLE_RETRY_S;
  return res.outcome === 'refused' && rateLimited(res) ? Math.max(1, Math.ceil(res.refusal?.retryAfterSeconds ?? 60)) : undefined;
}

function rateLimited(res: Resolution): boolean {
  const reason = res.refusal?.reason;
  return reason === 'rate-limited' || reason === 'too-many-connections';
}
