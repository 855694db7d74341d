// The configuration: one YAML file (contract keys in ../shared/DESIGN.md), flags over the file,
// RDDS_ environment variables over both. Checked at start against one JSON schema; an unknown
// key or a bad value stops the start with a message that names the key.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import YAML from 'yaml';

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
  http: { host: string[]; port: number };
  admin: { host: string[]; port: number };
  policy: {
    rate_limit: { per_minute: number };
    allowlist: string[];
    blocklist_file: string | null;
    trusted_proxies: string[];
    tiers: { authorized: string[]; registrars: Record<string, string[]> };
  };
}

const hosts = { type: 'array', items: { type: 'string' }, minItems: 1 };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const cidrs = { type: 'array', items: { type: 'string' } };
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
  http: obj({ host: { ...hosts, default: ['127.0.0.1', '::1'] }, port: { ...port, default: 8080 } }),
  admin: obj({ host: { ...hosts, default: ['127.0.0.1', '::1'] }, port: { ...port, default: 9043 } }),
  policy: obj({
    rate_limit: obj({ per_minute: { type: 'integer', minimum: 0, default: 30 } }),
    allowlist: { ...cidrs, default: [] },
    blocklist_file: { type: ['string', 'null'], default: null },
    trusted_proxies: { ...cidrs, default: [] },
    tiers: obj({
      authorized: { ...cidrs, default: [] },
      registrars: { type: 'object', patternProperties: { '^[0-9]+$': cidrs }, additionalProperties: false, default: {} },
    }),
  }),
});

export class ConfigError extends Error {}

const ajv = new Ajv({ useDefaults: true, allErrors: true, coerceTypes: false });
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
