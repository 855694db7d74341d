// The fixed texts of every answer, one family per section: URLs and notices the specifications
// require, help texts, and the short messages of refusals and errors. The renderers and the doors
// take their words from here; a text changes in one place.
import { STATUS_URL_BASE } from '../model/statuses.js';
import type { ClientLimits, RateLimit } from '../policy/policy.js';
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

// --- registrar mode (docs/registrar.md) --------------------------------------------------------
/** The registrar layout's value for a Registry ... ID the registry does not give (a thin registry). */
export const NOT_AVAILABLE_FROM_REGISTRY = 'Not Available From Registry';

/** The contact form for a withheld e-mail address, `{domain}` and `{role}` filled in (URL-encoded). */
export function contactFormUrl(template: string, domain: string, role: string): string {
  return template.replace(/\{domain\}/g, encodeURIComponent(domain)).replace(/\{role\}/g, encodeURIComponent(role));
}

/** Why a registrar's directory refers a name to its registry. */
export function referralText(name: string, registrar: string): string[] {
  return [`${registrar} does not sponsor ${name}.`, "Its registry's WHOIS and RDAP services answer for it:"];
}

// --- help ------------------------------------------------------------------------------------
export const WHOIS_HELP = [
  'Queries (one per connection, keywords are case-insensitive):',
  '  example.tld                      a domain (A-label or U-label)',
  '  domain example.tld               the same',
  '  nameserver ns1.example.tld       a name server by name (or just ns1.example.tld)',
  '  nameserver 192.0.2.1             every name server with that address, IPv4 or IPv6 (or just 192.0.2.1)',
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
  'Searches (domains?name=, domains?nsLdhName=, domains?nsIp=, nameservers?name=, nameservers?ip=, entities?fn=, entities?handle=) and reverse searches (domains/reverse_search/entity?fn=, handle=, email=, narrowed by role=) are open only to authorised clients.',
  'Every search takes count=true, sort=<property>[:a|:d] and the cursor of its paging_metadata next link (RFC 8977).',
  'Add jscard=1 (or accept application/rdap-x+json with the jscontact extension) for contacts as JSContact cards instead of jCards (experimental).',
];

/** The words of RDAP's sorting and paging members (RFC 8977) and of its search notices. */
export const RDAP_PAGING_TEXTS = {
  nextTitle: 'Result Pagination Link',
  ascendingTitle: 'Result Ascending Sort Link',
  descendingTitle: 'Result Descending Sort Link',
  notCounted: 'The total count was asked for but is not given: the search has too many candidates to count them one by one. Narrow the pattern.',
};

/** The line of a 429 answer that states the limit the client went over. */
export function rateLimitLine(limit: RateLimit): string {
  return `Limit: ${limit.perMinute} queries a minute per IPv4 address or IPv6 /${limit.ipv6Prefix} network.`;
}

/** The lines of RDAP help's "Service limits" notice: the limits in force for the caller. */
export function limitsNoticeLines(limits: ClientLimits, pageSize = limits.searchPageSize): string[] {
  const lines = [
    limits.rate ? `Queries: ${limits.rate.perMinute} a minute per IPv4 address or IPv6 /${limits.rate.ipv6Prefix} network; past that, 429 with Retry-After.` : 'Queries: no per-minute limit for your access.',
    limits.search
      ? `Searches: ${pageSize} result${pageSize === 1 ? '' : 's'} a page; follow the paging_metadata "next" link for the next page.`
      : 'Searches and reverse searches: not open to your access (403).',
  ];
  if (limits.personalRecordsPerDay !== undefined) lines.push(`Personal data: ${limits.personalRecordsPerDay} unredacted contact records a day (UTC); past that, answers show the public view.`);
  if (limits.fullLookupsPerDay !== undefined) lines.push(`Full lookups: ${limits.fullLookupsPerDay} a day (UTC) for your registrar; past that, answers show the public view.`);
  return lines;
}

// --- refusals and errors ---------------------------------------------------------------------
/** Why this client may not run this query, in one line (port 43, RDAP, the web's JSON). */
export function forbiddenText(f: Forbidden): string {
  switch (f.reason) {
    case 'search-not-allowed':
      return 'searches are open only to authorised users';
    case 'personal-search':
      return `searching by ${f.detail} needs authorised access`;
    case 'captcha-required':
      return 'web lookups past the free ones need a solved captcha';
    case 'captcha-failed':
      return 'the captcha solution was missing, expired or already used';
    case 'not-a-gateway':
      return 'this address is not registered for the gateway service; plain WHOIS queries go to port 43, and gateways are registered with the registry';
    case 'gateway-suspended':
      return `this gateway is suspended${f.detail ? ` (${f.detail})` : ''}; contact the registry to have it resumed`;
    case 'gateway-limited':
      return `this gateway has exceeded its quota for forwarded WHOIS queries; it will be replenished in ${f.retryAfterSeconds} seconds`;
    case 'gateway-repeat':
      return 'the same end user asked for the same name too often within a minute: the gateway service relays live queries only';
  }
}

/** A gateway over its limit is told so in the words of Nominet's WHOIS2 instructions (digest §9). */
export function gatewayQuotaText(domain: string, seconds: number): string {
  return `Error for "${domain}". This proxy has exceeded its quota for forwarded WHOIS queries. The quota will be replenished in ${seconds} seconds.`;
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
