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
    case 'error':
      return 500;
  }
}

/** Seconds for Retry-After: a rate-limited client hears when it may ask again. */
export function retryAfter(res: Resolution): number | undefined {
  return res.outcome === 'refused' && rateLimited(res) ? Math.max(1, Math.ceil(res.refusal?.retryAfterSeconds ?? 60)) : undefined;
}

function rateLimited(res: Resolution): boolean {
  const reason = res.refusal?.reason;
  return reason === 'rate-limited' || reason === 'too-many-connections';
}
