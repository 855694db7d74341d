// The configuration: one YAML file (contract keys in ../shared/DESIGN.md), flags over the file,
// RDDS_ environment variables over both. Checked at start against one JSON schema; an unknown
// key or a bad value stops the start with a message that names the key.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { parseCidr } from './policy/cidr-set.js';
import { DURATION_PATTERN } from './policy/duration.js';
import { BUILT_IN_WORDS } from './render/page-texts.js';

export interface Config {
  db: string;
  state: string;
  registry: {
    name: string;
    tlds: string[];
    whois_server: string;
    rdap_base_url: string;
    terms_of_use: string;
    terms_of_use_url: string;
    /** The registry's EPP repository ID suffix (ROIDs end in -SUFFIX). */
    roid_suffix: string;
    /** registry: the registry's directory (Specification 4); registrar: a registrar's (2013 RAA layout, only its own names; docs/registrar.md). */
    mode: 'registry' | 'registrar';
    /** Registrar mode: the IANA ID of the registrar whose names this service answers for. */
    registrar_iana_id: number | null;
    /** The registry holds no contact data: answers name the registrar and point to it (registrar mode: the registry gives no contact IDs). */
    thin: boolean;
    /** Registrar mode: what a name of another registrar (or none) gets: the not-found answer, or a referral to its registry. */
    other_names: 'notfound' | 'referral';
    /** Registrar mode, other_names referral: each TLD's registry WHOIS server and RDAP base URL. */
    referrals: Record<string, { whois_server: string; rdap_base_url: string }>;
    /**
     * Registrar mode: the web form that reaches a contact whose e-mail address is withheld from
     * the public, `{domain}` and `{role}` filled in (the Registration Data Policy's "web form").
     */
    contact_form_url: string | null;
  };
  whois: {
    host: string[];
    port: number;
    /** Field-name translations after the English key: [] or any of ja, ru. */
    translations: string[];
    /** Keep the (redacted) Admin block that ICANN's testing grammar expects. */
    admin_block: boolean;
    max_query_bytes: number;
    idle_timeout_ms: number;
    total_timeout_ms: number;
    max_connections: number;
  };
  http: {
    host: string[];
    port: number;
    /** Time a client has to send a whole request (headers and body), from its first byte or its connection. */
    request_timeout_ms: number;
    /** Open HTTP connections in all (web and RDAP); when full, the oldest idle one makes room. */
    max_connections: number;
    /** Pipelined requests one connection may have waiting for their answers; the next gets 503 and the close. */
    max_pipelined: number;
  };
  /** Live mode: the registry's own PostgreSQL, read-only, mirrored into `db` (src/ingest/live/, docs/live-source.md). */
  source: {
    /** postgres:// URL of the registry's database (null: live mode off). */
    url: string | null;
    /** The schema of the views of the source contract. */
    schema: string;
    /** How often the change log is read. */
    poll_ms: number;
    /** Changes applied per transaction at most. */
    batch: number;
    /** /readyz fails when the served data is more than this many seconds behind the source. */
    max_lag_s: number;
  };
  /** The WHOIS2 gateway door (src/server/port43.ts with door 'gateway'; digest whois-text.md §9; docs/gateway.md). */
  gateway: {
    enabled: boolean;
    host: string[];
    port: number;
    /** Queries a minute per gateway, over all its addresses; `rdds gateway set-limit` overrides it per gateway. */
    limit_per_minute: number;
    /** What a gateway over its limit gets: the quota text, slower answers, or a close without an answer. */
    over_limit: 'refuse' | 'throttle' | 'ignore';
    /** The delay of each answer in throttle mode. */
    throttle_delay: string | number;
    /** Occasions over the limit within a UTC day that suspend a gateway (0 = never). */
    suspend_after: number;
    /** The same end user and name this many times a minute is a live request at most; more is a bad query. */
    repeat_limit: number;
  };
  /** The RDAP door (src/server/rdap-door.ts). */
  rdap: {
    /** Path the RDAP service answers under on the HTTP listener. */
    base_path: string;
    /** Access tiers that may search (RFC 9082 domains?, nameservers?, entities?); public search is off by default. */
    search_tiers: ('public' | 'registrar' | 'authorized')[];
    /** Most objects one search answer carries; more set the truncation notice. */
    search_max_results: number;
    /** Longest request target (path and query string) accepted, in bytes. */
    max_url_bytes: number;
    /** Cache-Control max-age of public answers. */
    cache_max_age_s: number;
    /** HMAC key of search paging cursors; empty = a random key per process (every node behind one load balancer needs the same key). */
    cursor_secret: string;
  };
  /** The web door: lookup pages, searchable WHOIS, captcha (src/server/web-door.ts, docs/web.md). */
  web: {
    enabled: boolean;
    /** Page languages offered (?lang= or Accept-Language); the first is the default. Built in: en, ja, ru; others from language_files. */
    languages: string[];
    /** Language code -> YAML file of its page texts and labels (docs/web.md). */
    language_files: Record<string, string>;
    /** Tiers that may use the searchable WHOIS (/search, /search.json). */
    search_tiers: ('public' | 'registrar' | 'authorized')[];
    /** Domain names on one page of search results. */
    page_size: number;
    /** Most results a search can page through (the rest are cut off, and the page says so). */
    result_cap: number;
    /** Longest search expression (characters) and most terms in one. */
    search_max_length: number;
    search_max_terms: number;
    captcha: {
      enabled: boolean;
      /** Public-tier lookups per address (IPv4, IPv6 /64) and UTC day before a solved challenge is required. */
      free_lookups: number;
      /** HMAC key for challenges; empty = a random key per process (challenges do not survive a restart). */
      secret: string;
      /** Proof-of-work: SHA-256 rounds per attempt, and the attempts a solver needs on average (a random counter up to this). */
      cost: number;
      max_number: number;
      /** Seconds a challenge stays valid (used challenges are remembered this long). */
      expires_s: number;
    };
  };
  admin: {
    host: string[];
    port: number;
    /** /readyz fails when the data is older than this many seconds (0: no limit). */
    ready_max_data_age_s: number;
    /** /readyz fails when the store does not answer within this time. */
    ready_timeout_ms: number;
    /** /readyz fails when the store is a PostgreSQL read replica this many seconds behind its primary (0: no limit). */
    ready_max_replication_lag_s: number;
  };
  /** The query log (src/observe/) and the process log. */
  log: {
    /** false: no query log files at all (metrics still count queries); for benchmarks. */
    enabled: boolean;
    /** Where the query log goes: JSON Lines files (reports read them). */
    sink: 'jsonl';
    dir: string;
    rotate: { daily: boolean; max_mb: number };
    /** Days the per-query records (with addresses) are kept; then only daily counts stay. */
    retention_days: number;
    /** Records held in memory waiting for the sink; more are dropped and counted. */
    buffer: number;
    flush_ms: number;
    /** Process (operator) log level and format; auto = human-readable on a terminal, else JSON. */
    level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    format: 'auto' | 'json' | 'pretty';
  };
  policy: {
    rate_limit: {
      /** Public-tier queries a minute per client key (0 = no limit). */
      per_minute: number;
      /** IPv6 clients are counted per prefix of this length. */
      ipv6_prefix: number;
      /** refuse: answer with refusal_text; throttle: answer after throttle_delay. */
      mode: 'refuse' | 'throttle';
      throttle_delay: string | number;
      /** Windows over the limit within ban_window that ban the client key (0 = never ban). */
      ban_after: number;
      ban_window: string | number;
      ban_duration: string | number;
      refusal_text: string[];
      ban_text: string[];
      /** Per-minute limits of the other tiers (null or 0 = no limit). */
      per_tier: { registrar: number | null; authorized: number | null };
      /** Per-minute limit of allowlisted clients (null or 0 = no limit). */
      allowlist_per_minute: number | null;
      /** Automatic bans within permanent_window that make the next one permanent, until rdds unban (0 = never). */
      permanent_after: number;
      permanent_window: string | number;
    };
    allowlist: string[];
    blocklist_file: string | null;
    trusted_proxies: string[];
    tiers: { authorized: string[]; registrars: Record<string, string[]> };
    /** Unredacted personal records a client key may receive a day (null = unlimited). */
    personal_data_budget: { authorized: number | null };
    /** The registrar tier's daily full lookups, in percent of the domains it sponsors. */
    registrar_quota_percent: number;
    /** Concurrent port-43 connections per client key (0 = no cap). */
    max_connections_per_client: number;
    /** Where bans live when state is memory (default: DB.bans.json next to the SQLite file). */
    bans_file: string | null;
  };
  /** Drop root to this user and group once every listener is bound (names or numeric ids; null: stay). */
  user: string | number | null;
  group: string | number | null;
}

const hosts = { type: 'array', items: { type: 'string' }, minItems: 1 };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const cidrs = { type: 'array', items: { type: 'string' } };
const duration = { type: ['string', 'integer'], pattern: DURATION_PATTERN, minimum: 0 };
const lines = { type: 'array', items: { type: 'string', pattern: '^[^\\r\\n]*$' }, minItems: 1 };
const optionalCount = { type: ['integer', 'null'], minimum: 0 };
/** A user or group: a name, or a numeric id (process.setuid/setgid take either). */
const account = { type: ['string', 'integer', 'null'], minLength: 1, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$', minimum: 0 };
const root = (properties: Record<string, unknown>) => ({ type: 'object', additionalProperties: false, properties });
const obj = (properties: Record<string, unknown>) => ({ ...root(properties), default: {} });

export const CONFIG_SCHEMA = root({
  db: { type: 'string', default: './rdds.sqlite' },
  state: { type: 'string', pattern: '^(memory|rediss?://.+)$', default: 'memory' },
  registry: obj({
    name: { type: 'string', default: 'Example Registry Operator' },
    tlds: { type: 'array', items: { type: 'string', pattern: '^[a-z0-9-]+$' }, minItems: 1, default: ['example'] },
    whois_server: { type: 'string', default: 'whois.nic.example' },
    rdap_base_url: { type: 'string', pattern: '^https?://.+/$', default: 'https://rdap.nic.example/rdap/' },
    terms_of_use: {
      type: 'string',
      default:
        'The data in this record is provided by Example Registry Operator for informational purposes only. ' +
        'It may be used only to obtain information about or related to a domain name registration record, ' +
        'and not for marketing, spam or mass collection of personal data. By submitting a query you agree to these terms.',
    },
    terms_of_use_url: { type: 'string', pattern: '^https?://', default: 'https://www.nic.example/terms' },
    roid_suffix: { type: 'string', pattern: '^\\w{1,8}$', default: 'EXAMPLE' },
    mode: { enum: ['registry', 'registrar'], default: 'registry' },
    registrar_iana_id: { type: ['integer', 'null'], minimum: 1, default: null },
    thin: { type: 'boolean', default: false },
    other_names: { enum: ['notfound', 'referral'], default: 'notfound' },
    referrals: {
      type: 'object',
      patternProperties: {
        '^[a-z0-9-]+$': { ...root({ whois_server: { type: 'string', minLength: 1 }, rdap_base_url: { type: 'string', pattern: '^https?://.+/$' } }), required: ['whois_server', 'rdap_base_url'] },
      },
      additionalProperties: false,
      default: {},
    },
    contact_form_url: { type: ['string', 'null'], pattern: '^https?://', default: null },
  }),
  whois: obj({
    host: { ...hosts, default: ['127.0.0.1', '::1'] },
    port: { ...port, default: 4343 },
    translations: { type: 'array', items: { enum: ['ja', 'ru'] }, default: [] },
    admin_block: { type: 'boolean', default: true },
    max_query_bytes: { type: 'integer', minimum: 16, maximum: 65536, default: 1024 },
    idle_timeout_ms: { type: 'integer', minimum: 100, default: 10000 },
    total_timeout_ms: { type: 'integer', minimum: 100, default: 30000 },
    max_connections: { type: 'integer', minimum: 1, default: 10000 },
  }),
  http: obj({
    host: { ...hosts, default: ['127.0.0.1', '::1'] },
    port: { ...port, default: 8080 },
    request_timeout_ms: { type: 'integer', minimum: 100, default: 30000 },
    max_connections: { type: 'integer', minimum: 1, default: 10000 },
    max_pipelined: { type: 'integer', minimum: 1, maximum: 1000, default: 16 },
  }),
  source: obj({
    url: { type: ['string', 'null'], pattern: '^postgres(ql)?://', default: null },
    schema: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', default: 'rdds_source' },
    poll_ms: { type: 'integer', minimum: 50, maximum: 60000, default: 250 },
    batch: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 },
    max_lag_s: { type: 'integer', minimum: 1, default: 60 },
  }),
  gateway: obj({
    enabled: { type: 'boolean', default: false },
    host: { ...hosts, default: ['127.0.0.1', '::1'] },
    port: { ...port, default: 1043 },
    limit_per_minute: { type: 'integer', minimum: 1, default: 600 },
    over_limit: { enum: ['refuse', 'throttle', 'ignore'], default: 'refuse' },
    throttle_delay: { ...duration, default: '2s' },
    suspend_after: { type: 'integer', minimum: 0, default: 3 },
    repeat_limit: { type: 'integer', minimum: 1, default: 3 },
  }),
  rdap: obj({
    base_path: { type: 'string', pattern: '^/([^/?#]+/)*$', default: '/rdap/' },
    search_tiers: { type: 'array', items: { enum: ['public', 'registrar', 'authorized'] }, uniqueItems: true, default: ['authorized'] },
    search_max_results: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
    max_url_bytes: { type: 'integer', minimum: 256, maximum: 65536, default: 4096 },
    cache_max_age_s: { type: 'integer', minimum: 0, default: 60 },
    cursor_secret: { type: 'string', default: '' },
  }),
  web: obj({
    enabled: { type: 'boolean', default: true },
    languages: { type: 'array', items: { type: 'string', pattern: '^[a-z]{2,3}$' }, minItems: 1, uniqueItems: true, default: ['en', 'ja', 'ru'] },
    language_files: { type: 'object', patternProperties: { '^[a-z]{2,3}$': { type: 'string', minLength: 1 } }, additionalProperties: false, default: {} },
    search_tiers: { type: 'array', items: { enum: ['public', 'registrar', 'authorized'] }, uniqueItems: true, default: ['authorized'] },
    page_size: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    result_cap: { type: 'integer', minimum: 1, maximum: 100000, default: 1000 },
    search_max_length: { type: 'integer', minimum: 16, maximum: 4096, default: 512 },
    search_max_terms: { type: 'integer', minimum: 1, maximum: 64, default: 16 },
    captcha: obj({
      enabled: { type: 'boolean', default: true },
      free_lookups: { type: 'integer', minimum: 0, default: 20 },
      secret: { type: 'string', default: '' },
      cost: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
      max_number: { type: 'integer', minimum: 1, maximum: 10000000, default: 50000 },
      expires_s: { type: 'integer', minimum: 10, maximum: 86400, default: 300 },
    }),
  }),
  admin: obj({
    host: { ...hosts, default: ['127.0.0.1', '::1'] },
    port: { ...port, default: 9043 },
    ready_max_data_age_s: { type: 'integer', minimum: 0, default: 0 },
    ready_timeout_ms: { type: 'integer', minimum: 1, default: 2000 },
    ready_max_replication_lag_s: { type: 'integer', minimum: 0, default: 30 },
  }),
  log: obj({
    enabled: { type: 'boolean', default: true },
    sink: { type: 'string', enum: ['jsonl'], default: 'jsonl' },
    dir: { type: 'string', minLength: 1, default: './rdds-queries' },
    rotate: obj({ daily: { type: 'boolean', default: true }, max_mb: { type: 'integer', minimum: 0, default: 256 } }),
    retention_days: { type: 'integer', minimum: 1, default: 90 },
    buffer: { type: 'integer', minimum: 1, default: 20000 },
    flush_ms: { type: 'integer', minimum: 1, default: 250 },
    level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    format: { type: 'string', enum: ['auto', 'json', 'pretty'], default: 'auto' },
  }),
  policy: obj({
    rate_limit: obj({
      per_minute: { type: 'integer', minimum: 0, default: 30 },
      ipv6_prefix: { type: 'integer', minimum: 1, maximum: 128, default: 64 },
      mode: { enum: ['refuse', 'throttle'], default: 'refuse' },
      throttle_delay: { ...duration, default: '2s' },
      ban_after: { type: 'integer', minimum: 0, default: 3 },
      ban_window: { ...duration, default: '15m' },
      ban_duration: { ...duration, default: '1h' },
      refusal_text: { ...lines, default: ['You have exceeded allowed connection rate.', 'Please try to connect later.'] },
      ban_text: { ...lines, default: ['You are not allowed to connect.'] },
      per_tier: obj({ registrar: { ...optionalCount, default: 600 }, authorized: { ...optionalCount, default: null } }),
      allowlist_per_minute: { ...optionalCount, default: null },
      permanent_after: { type: 'integer', minimum: 0, default: 0 },
      permanent_window: { ...duration, default: '30d' },
    }),
    allowlist: { ...cidrs, default: [] },
    blocklist_file: { type: ['string', 'null'], default: null },
    trusted_proxies: { ...cidrs, default: [] },
    tiers: obj({
      authorized: { ...cidrs, default: [] },
      registrars: { type: 'object', patternProperties: { '^[0-9]+$': cidrs }, additionalProperties: false, default: {} },
    }),
    personal_data_budget: obj({ authorized: { ...optionalCount, default: null } }),
    registrar_quota_percent: { type: 'integer', minimum: 0, default: 110 },
    max_connections_per_client: { type: 'integer', minimum: 0, default: 20 },
    bans_file: { type: ['string', 'null'], default: null },
  }),
  user: { ...account, default: null },
  group: { ...account, default: null },
});

export class ConfigError extends Error {}

const ajv = new Ajv({ useDefaults: true, allErrors: true, coerceTypes: false, allowUnionTypes: true });
const check = ajv.compile(CONFIG_SCHEMA);

/** Settings given by flag or environment: a dotted key path and its (string) value. */
export type Overrides = Record<string, string | string[] | undefined>;

/** The environment variables that set a key: RDDS_DB, RDDS_WHOIS_PORT, RDDS_POLICY_RATE_LIMIT_PER_MINUTE ... */
export function envOverrides(env: NodeJS.ProcessEnv = process.env): Overrides {
  const out: Overrides = {};
  for (const path of leafPaths(CONFIG_SCHEMA)) {
    const name = 'RDDS_' + path.replace(/\./g, '_').toUpperCase();
    if (env[name] !== undefined) out[path] = env[name];
  }
  return out;
}

function leafPaths(schema: any, prefix = ''): string[] {
  if (schema.type !== 'object' || !schema.properties) return [prefix];
  return Object.entries(schema.properties).flatMap(([k, s]) => leafPaths(s, prefix ? `${prefix}.${k}` : k));
}

function schemaAt(path: string): any {
  let s: any = CONFIG_SCHEMA;
  for (const part of path.split('.')) {
    // A map's entries (policy.tiers.registrars.<IANA ID>, web.language_files.<code>) by their key pattern.
    const pattern = Object.entries(s?.patternProperties ?? {}).find(([re]) => new RegExp(re).test(part));
    s = s?.properties?.[part] ?? pattern?.[1];
  }
  return s;
}

/** Turns a flag or variable's text into the type the schema wants (ports are numbers, host lists arrays). */
function coerce(path: string, value: string | string[]): unknown {
  const schema = schemaAt(path);
  if (!schema) throw new ConfigError(`unknown setting ${path}`);
  const types = [schema.type].flat();
  if (types.includes('array')) return [value].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const text = [value].flat().at(-1)!;
  if (types.includes('integer')) return /^-?\d+$/.test(text) ? Number(text) : text;
  if (types.includes('boolean')) return text === 'true' ? true : text === 'false' ? false : text;
  if (types.includes('null') && text === '') return null;
  return text;
}

function setPath(target: any, path: string, value: unknown): void {
  const parts = path.split('.');
  for (const part of parts.slice(0, -1)) {
    if (target[part] === undefined || target[part] === null) target[part] = {};
    target = target[part];
  }
  target[parts.at(-1)!] = value;
}

/** Reads the file (if any), applies flags then environment, fills defaults, checks everything. */
export function loadConfig(file?: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: any = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${file}: ${(err as Error).message}`);
    }
    // Warnings (an unknown directive) refuse the file too, rather than reach stderr as process
    // warnings (silent: a list as a key is a key no schema knows); each message is its first line.
    const notYaml = (message: string) => new ConfigError(`${file} is not valid YAML: ${message.split('\n')[0].replace(/:$/, '')}`);
    const doc = YAML.parseDocument(text, { logLevel: 'silent' });
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem) throw notYaml(problem.message);
    try {
      raw = doc.toJS() ?? {};
    } catch (err) {
      throw notYaml((err as Error).message);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file} must hold a mapping of settings`);
    // The file is checked on its own first: a bad value in it is an error even where a flag or a
    // variable overrides the key.
    checked(structuredClone(raw), `in ${file}`);
  }
  for (const layer of [flags, envOverrides(env)]) {
    for (const [path, value] of Object.entries(layer)) if (value !== undefined) setPath(raw, path, coerce(path, value));
  }
  return checked(raw, file ? `(${file} with flags and RDDS_ variables)` : '');
}

/** The keys that hold lists of addresses or CIDR ranges, each checked as such. */
function cidrLists(c: Config): [string, string[]][] {
  return [
    ['policy.allowlist', c.policy.allowlist],
    ['policy.trusted_proxies', c.policy.trusted_proxies],
    ['policy.tiers.authorized', c.policy.tiers.authorized],
    ...Object.entries(c.policy.tiers.registrars).map(([id, list]): [string, string[]] => [`policy.tiers.registrars.${id}`, list]),
  ];
}

/** The registry keys that depend on each other: registrar mode needs its registrar, a referral needs its targets. */
function directoryProblems(r: Config['registry']): string[] {
  const out: string[] = [];
  if (r.mode === 'registrar') {
    if (r.registrar_iana_id === null) out.push('registry.registrar_iana_id is needed with registry.mode registrar (the IANA ID whose names it answers for)');
    if (r.contact_form_url === null) out.push('registry.contact_form_url is needed with registry.mode registrar (the web form public answers give in place of a withheld e-mail address)');
    if (r.other_names === 'referral') {
      for (const tld of r.tlds) if (!r.referrals[tld]) out.push(`registry.referrals.${tld} is needed with registry.other_names referral (the registry's whois_server and rdap_base_url for .${tld})`);
    }
  } else {
    if (r.other_names === 'referral') out.push('registry.other_names referral is for registry.mode registrar');
    if (r.registrar_iana_id !== null) out.push('registry.registrar_iana_id is for registry.mode registrar');
  }
  return out;
}

/** Fills defaults and checks `raw` against the schema and the address lists; throws ConfigError naming every bad key. */
function checked(raw: any, where: string): Config {
  const messages: string[] = [];
  if (!check(raw)) {
    for (const e of check.errors ?? []) {
      const key = e.instancePath.slice(1).replace(/\//g, '.');
      if (e.keyword === 'additionalProperties') {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        messages.push(`unknown key ${key ? key + '.' : ''}${extra}`);
      } else messages.push(`${key || '(top level)'} ${e.message}`);
    }
  } else {
    const web = (raw as Config).web;
    web.languages.forEach((code, i) => {
      if (!Object.hasOwn(BUILT_IN_WORDS, code) && !web.language_files[code]) {
        messages.push(`web.languages[${i}] "${code}" is not built in (${Object.keys(BUILT_IN_WORDS).join(', ')}): name its file of labels in web.language_files.${code}`);
      }
    });
    messages.push(...directoryProblems((raw as Config).registry));
    for (const [key, list] of cidrLists(raw as Config)) {
      list.forEach((entry, i) => {
        try {
          parseCidr(entry);
        } catch {
          messages.push(`${key}[${i}] is not an address or CIDR range: ${JSON.stringify(entry)}`);
        }
      });
    }
  }
  if (messages.length > 0) throw new ConfigError(`bad configuration${where ? ` ${where}` : ''}: ${[...new Set(messages)].join('; ')}`);
  return raw as Config;
}
