// The configuration: one YAML file (contract keys in ../shared/DESIGN.md), flags over the file,
// RDDS_ environment variables over both. Checked at start against one JSON schema; an unknown
// key or a bad value stops the start with a message that names the key.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import YAML from 'yaml';
import { DURATION_PATTERN } from './policy/duration.js';

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
  };
  /** The web door: lookup pages, searchable WHOIS, captcha (src/server/web-door.ts, docs/web.md). */
  web: {
    enabled: boolean;
    /** Page languages offered (?lang= or Accept-Language); the first is the default. */
    languages: ('en' | 'ja')[];
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
  rdap: obj({
    base_path: { type: 'string', pattern: '^/([^/?#]+/)*$', default: '/rdap/' },
    search_tiers: { type: 'array', items: { enum: ['public', 'registrar', 'authorized'] }, uniqueItems: true, default: ['authorized'] },
    search_max_results: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
    max_url_bytes: { type: 'integer', minimum: 256, maximum: 65536, default: 4096 },
    cache_max_age_s: { type: 'integer', minimum: 0, default: 60 },
  }),
  web: obj({
    enabled: { type: 'boolean', default: true },
    languages: { type: 'array', items: { enum: ['en', 'ja'] }, minItems: 1, uniqueItems: true, default: ['en', 'ja'] },
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
  for (const part of path.split('.')) s = s?.properties?.[part];
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
    try {
      raw = YAML.parse(text) ?? {};
    } catch (err) {
      throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file} must hold a mapping of settings`);
  }
  for (const layer of [flags, envOverrides(env)]) {
    for (const [path, value] of Object.entries(layer)) if (value !== undefined) setPath(raw, path, coerce(path, value));
  }
  if (!check(raw)) {
    const messages = (check.errors ?? []).map((e) => {
      const key = e.instancePath.slice(1).replace(/\//g, '.');
      if (e.keyword === 'additionalProperties') {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        return `unknown key ${key ? key + '.' : ''}${extra}`;
      }
      return `${key || '(top level)'} ${e.message}`;
    });
    throw new ConfigError(`bad configuration${file ? ` in ${file}` : ''}: ${[...new Set(messages)].join('; ')}`);
  }
  return raw as Config;
}
