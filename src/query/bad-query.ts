// A query the client got wrong, as every grammar reports it.

/**
 * Why a gateway's query was bad (the WHOIS2 contract's list, digest whois-text.md §9), for the
 * counts the registry reports to the gateway's operator.
 */
export type GatewayFault = 'format' | 'wrong-port' | 'false-details' | 'not-served';

/**
 * A malformed query; `message` is short and safe to echo (no raw client bytes). `unsupported`
 * marks a well-formed request for something this server does not serve (RDAP `ip/`, `autnum/`);
 * `gatewayFault` says which of the gateway service's bad-query reasons it is, where one applies.
 */
export class BadQuery extends Error {
  readonly unsupported: boolean;
  readonly gatewayFault?: GatewayFault;

  constructor(message: string, options: { unsupported?: boolean; gatewayFault?: GatewayFault } = {}) {
    super(message);
    this.unsupported = options.unsupported ?? false;
    this.gatewayFault = options.gatewayFault;
  }
}

/**
 * What no query may hold: C0 and C1 controls, DEL, and the bidi embeddings, overrides and isolates
 * (an answer that repeats them would show other text than it holds).
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Shows client text in an error message without letting it forge lines or run as markup. */
export function quoteForMessage(text: string, max = 64): string {
  const clean = text.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?').replace(/[<>"'&`]/g, '?').replace(/[\u202a-\u202e\u2066-\u2069]/g, '?');
  // Cut at a character, not inside a surrogate pair (a lone half is not text any encoder keeps).
  return clean.length > max ? `${clean.slice(0, /[\ud800-\udbff]/.test(clean[max - 1]) ? max - 1 : max)}...` : clean;
}
