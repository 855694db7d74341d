// The fixed texts of every answer, one family per section: URLs and notices the specifications
// require, help texts, and the short messages of refusals and errors. The renderers and the doors
// take their words from here; a text changes in one place.
import { STATUS_URL_BASE } from '../model/statuses.js';
import type { Forbidden } from '../resolution.js';

// --- URLs and notices ------------------------------------------------------------------------
// The two complaint-form URLs differ on purpose: Specification 4 gives port 43 and the web
// `https://www.icann.org/wicf/`, the RDAP profile (2024) gives `https://icann.org/wicf`; ICANN's
// test tools check each door for its own.
export const WHOIS_COMPLAINT_FORM_URL = 'https://www.icann.org/wicf/';
export const RDAP_COMPLAINT_FORM_URL = 'https://icann.org/wicf';

/** The AWIP line after the port-43 footer. */
export const WHOIS_STATUS_CODES_LINE = `For more information on Whois status codes, please visit ${STATUS_URL_BASE}`;

export const RDAP_STATUS_CODES_NOTICE = {
  title: 'Status Codes',
  description: [`For more information on domain status codes, please visit ${STATUS_URL_BASE}`],
  href: STATUS_URL_BASE,
};
export const RDAP_COMPLAINT_NOTICE = {
  title: 'RDDS Inaccuracy Complaint Form',
  description: [`URL of the ICANN RDDS Inaccuracy Complaint Form: ${RDAP_COMPLAINT_FORM_URL}`],
  href: RDAP_COMPLAINT_FORM_URL,
};

// --- help ------------------------------------------------------------------------------------
export const WHOIS_HELP = [
  'Queries (one per connection, keywords are case-insensitive):',
  '  example.tld                      a domain (A-label or U-label)',
  '  domain example.tld               the same',
  '  nameserver ns1.example.tld       a name server by name',
  '  nameserver 192.0.2.1             every name server with that address (IPv4 or IPv6)',
  '  registrar Example Registrar, Inc.  a registrar by name',
  '  registrar 5555555                a registrar by IANA ID',
  '  help                             this text',
];

export const RDAP_HELP = [
  'domain/<name>          a domain by A-label or U-label',
  'nameserver/<name>      a name server',
  'entity/<IANA ID>       a registrar',
  'entity/<handle>        a contact',
  'help                   this text',
  'Searches (domains?name=, domains?nsLdhName=, domains?nsIp=, nameservers?name=, nameservers?ip=, entities?fn=, entities?handle=) are open only to authorised clients.',
];

// --- refusals and errors ---------------------------------------------------------------------
/** Why this client may not run this query, in one line (port 43, RDAP, the web's JSON). */
export function forbiddenText(f: Forbidden): string {
  switch (f.reason) {
    case 'search-not-allowed':
      return 'searches are open only to authorised users';
    case 'personal-search':
      return `searching by ${f.field} needs authorised access`;
    case 'captcha-required':
      return 'web lookups past the free ones need a solved captcha';
    case 'captcha-failed':
      return 'the captcha solution was missing, expired or already used';
  }
}

export const INTERNAL_ERROR = 'internal error; please try again later';

/** The short texts of HTTP answers that no renderer builds (a method or target the doors do not take). */
export const HTTP_TEXTS = {
  methodNotAllowed: 'Method Not Allowed',
  notFound: 'Not found',
  badRequest: 'Bad request',
  rdapMethods: 'RDAP answers GET and HEAD only.',
  targetTooLong: (bytes: number) => `The request target is longer than ${bytes} bytes.`,
  tooManyPipelined: (n: number) => `More than ${n} requests waiting on one connection; send the rest on a new one.`,
};

/** What port 43 says when it closes a connection before an answer (src/server/port43.ts). */
export const PORT43 = {
  serverFull: 'Too many connections; please try again later.',
  clientFull: 'Too many connections from your address; please try again later.',
  untrustedHeader: 'PROXY protocol header not accepted from your address.',
  invalidHeader: 'Invalid PROXY protocol header.',
  queryTooLong: (bytes: number) => `Invalid query: longer than ${bytes} bytes.`,
  slowQuery: 'Timeout: the query took too long to arrive.',
  noQuery: 'Timeout: no query received.',
  slowAnswer: 'Error: the answer took too long; please try again later.',
  internalError: `Error: ${INTERNAL_ERROR}`,
};
