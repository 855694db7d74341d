// A query the client got wrong, as every grammar reports it.

/**
 * A malformed query; `message` is short and safe to echo (no raw client bytes). `unsupported`
 * marks a well-formed request for something this server does not serve (RDAP `ip/`, `autnum/`).
 */
export class BadQuery extends Error {
  constructor(message: string, readonly unsupported = false) {
    super(message);
  }
}

/** Shows client text in an error message without letting it forge lines or run as markup. */
export function quoteForMessage(text: string, max = 64): string {
  const clean = text.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').replace(/[<>"'&`]/g, '?').replace(/[\u202a-\u202e\u2066-\u2069]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
