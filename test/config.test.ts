// The configuration contract: the documented example holds every key with its real default, and
// bad files are refused with a message that names the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { CONFIG_SCHEMA, ConfigError, loadConfig } from '../src/config.js';

function leafPaths(schema: any, prefix = ''): string[] {
  if (schema.type !== 'object' || !schema.properties) return [prefix];
  return Object.entries(schema.properties).flatMap(([k, s]) => leafPaths(s, prefix ? `${prefix}.${k}` : k));
}
const at = (obj: any, path: string) => path.split('.').reduce((o, k) => o?.[k], obj);

test('rdds.example.yaml lists every key, each with its default', () => {
  const example = YAML.parse(readFileSync('rdds.example.yaml', 'utf8'));
  const defaults = loadConfig(undefined, {}, {});
  for (const path of leafPaths(CONFIG_SCHEMA)) {
    assert.notEqual(at(example, path), undefined, `${path} is missing from rdds.example.yaml`);
    assert.deepEqual(at(example, path), at(defaults, path), `${path}: the example and the default differ`);
  }
  assert.deepEqual(loadConfig('rdds.example.yaml', {}, {}), defaults);
});

function refused(yaml: string, message: RegExp): void {
  const file = join(mkdtempSync(join(tmpdir(), 'rdds-config-')), 'rdds.yaml');
  writeFileSync(file, yaml);
  assert.throws(() => loadConfig(file, {}, {}), (err: unknown) => err instanceof ConfigError && message.test(err.message));
}

test('an unknown key or a bad value names the key', () => {
  refused('whois:\n  prot: 43\n', /unknown key whois\.prot/);
  refused('whois:\n  port: 70000\n', /whois\.port must be <= 65535/);
  refused('state: memcached\n', /state must match/);
  refused('registry:\n  tlds: [EXAMPLE]\n', /registry\.tlds\.0 must match/);
  refused('[1, 2]\n', /must hold a mapping/);
  refused('whois: {port: [\n', /not valid YAML/);
});

test('flags override the file and RDDS_ variables override both', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rdds-config-')), 'rdds.yaml');
  writeFileSync(file, 'whois:\n  port: 43\nhttp:\n  port: 80\ndb: ./file.sqlite\n');
  const config = loadConfig(file, { 'http.port': '8081', db: './flag.sqlite' }, { RDDS_DB: 'postgres://u@h/db', RDDS_POLICY_RATE_LIMIT_PER_MINUTE: '5' });
  assert.equal(config.whois.port, 43);
  assert.equal(config.http.port, 8081);
  assert.equal(config.db, 'postgres://u@h/db');
  assert.equal(config.policy.rate_limit.per_minute, 5);
  assert.throws(() => loadConfig(undefined, {}, { RDDS_WHOIS_PORT: 'forty-three' }), /whois\.port must be integer/);
});

test('the file is checked on its own: a bad value in it is refused even where a flag overrides the key', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rdds-config-')), 'rdds.yaml');
  writeFileSync(file, 'whois:\n  port: seventy\n');
  assert.throws(() => loadConfig(file, { 'whois.port': '4343' }, {}), (err: unknown) => err instanceof ConfigError && /in .*rdds\.yaml: whois\.port must be integer/.test(err.message));
  assert.throws(() => loadConfig(file, {}, { RDDS_WHOIS_PORT: '4343' }), /whois\.port must be integer/);
});

test('every address list is checked, and the message names the key and the entry', () => {
  refused('policy:\n  allowlist: [127.0.0.1/8, 127.0.0.1/99]\n', /policy\.allowlist\[1\] is not an address or CIDR range: "127\.0\.0\.1\/99"/);
  refused('policy:\n  trusted_proxies: [haproxy]\n', /policy\.trusted_proxies\[0\] is not an address/);
  refused('policy:\n  tiers:\n    registrars:\n      "5555555": [10.0.0.0/33]\n', /policy\.tiers\.registrars\.5555555\[0\]/);
  assert.throws(() => loadConfig(undefined, { 'policy.tiers.authorized': '192.0.2.0/24,2001:db8::/129' }, {}), /policy\.tiers\.authorized\[1\]/);
});
