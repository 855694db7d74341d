// Properties of the files an operator hands rdds: the configuration file (loadConfig) and JSON
// Lines import files (importJsonLines, through its public function only).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import YAML from 'yaml';
import { CONFIG_SCHEMA, ConfigError, loadConfig } from '../../src/config.js';
import { ImportError, importJsonLines } from '../../src/ingest/jsonl.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seed, standardObjects } from '../store/fixtures.js';
import { nastyText } from './arbitraries.js';
import { onlyThrows, runs } from './invariants.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdds-fuzz-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every key path of the configuration schema, objects and leaves: "whois", "whois.port", ... */
function schemaPaths(schema: any, prefix = ''): string[] {
  if (!schema.properties) return [];
  return Object.entries(schema.properties).flatMap(([k, s]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...schemaPaths(s, path)];
  });
}

const KNOWN = schemaPaths(CONFIG_SCHEMA);
/** Keys that have broken loaders: prototype names, look-alikes of real keys, odd text. */
const STRANGE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'Whois', 'port ', 'whois.port', '', '0', 'ü'];

const scalar = fc.oneof(
  fc.integer({ min: -5, max: 70000 }),
  fc.constantFrom(0, 1, 43, 65535, 65536, -1, 1e21, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('memory', 'redis://127.0.0.1:6379', '127.0.0.1', '::1', '127.0.0.1/99', '10.0.0.0/8', '1h', '15m', 'forever', '', 'en', 'ja', 'public', 'authorized', 'https://rdap.nic.example/rdap/', '/rdap/', 'example'),
  nastyText(16),
);
const value = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'port', 'per_minute', '5555555'), scalar, { maxKeys: 2 }) });

/** A mapping of settings: known key paths (and some strange ones) set to values of any type. */
const settings = fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KNOWN) }, { weight: 1, arbitrary: fc.constantFrom(...STRANGE_KEYS) }), value), { maxLength: 6 }).map((pairs) => {
  const root: Record<string, any> = {};
  for (const [path, v] of pairs) {
    const parts = path === '' || !KNOWN.includes(path) ? [path] : path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null || Array.isArray(node[part])) Object.defineProperty(node, part, { value: {}, enumerable: true, writable: true, configurable: true });
      node = node[part];
    }
    Object.defineProperty(node, parts.at(-1)!, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return root;
});

/** The dotted paths of a value's own keys, objects and leaves. */
function ownPaths(obj: unknown, prefix = ''): string[] {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return [];
  return Object.keys(obj).flatMap((k) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return [path, ...ownPaths((obj as Record<string, unknown>)[k], path)];
  });
}

describe('configuration file', () => {
  const isConfigError = (err: unknown) => err instanceof ConfigError;

  test('any mapping loads, keeping every value as written, or is refused with a ConfigError naming a key', () => {
    let n = 0;
    fc.assert(
      fc.property(settings, (obj) => {
        const file = join(dir, `config-${n++}.yaml`);
        writeFileSync(file, YAML.stringify(obj));
        const r = onlyThrows(() => loadConfig(file, {}, {}), isConfigError);
        if (r.error) {
          // "bad configuration in FILE: whois.port must be integer; unknown key whois.colour"
          const message = r.error.message;
          const prefix = `bad configuration in ${file}: `;
          assert.ok(message.startsWith(prefix) && !message.includes('\n'), message);
          const paths = ownPaths(YAML.parse(YAML.stringify(obj)));
          for (const part of message.slice(prefix.length).split('; ')) {
            assert.ok(paths.some((p) => part.startsWith(`unknown key ${p}`) || part.startsWith(`${p} `) || part.startsWith(`${p}.`)), `"${part}" names no key of the file`);
          }
          return;
        }
        for (const path of ownPaths(obj)) {
          const written = path.split('.').reduce((o: any, k) => o?.[k], obj);
          if (typeof written !== 'object' || written === null) assert.deepEqual(path.split('.').reduce((o: any, k) => o?.[k], r.value), written, path);
        }
      }),
      runs(400),
    );
  });

  test('any text: a configuration or a ConfigError, never another exception', () => {
    let n = 0;
    const text = fc.oneof(nastyText(80), settings.map((o) => YAML.stringify(o)).chain((y) => fc.nat({ max: y.length }).map((cut) => y.slice(0, cut))), fc.constantFrom('a: &x [*x]', 'x: !!binary AAAA', '- 1\n- 2', '"unterminated', 'a: 1\na: 2', '{a: [1, {b: ', 'whois: {port: 0x10}', '? [a]\n: 1', '%FOO bar\n---\ndb: x', 'db: *nope'));
    fc.assert(
      fc.property(text, (t) => {
        const file = join(dir, `text-${n++}.yaml`);
        writeFileSync(file, t);
        const r = onlyThrows(() => loadConfig(file, {}, {}), isConfigError);
        if (r.error) assert.ok(!r.error.message.includes('\n') && r.error.message.includes(file), `one line naming the file: ${JSON.stringify(r.error.message)}`);
      }),
      runs(400),
    );
  });
});

describe('JSON Lines import', () => {
  let store: SqliteStore;
  let db: string;
  before(async () => {
    db = join(dir, 'import.sqlite');
    store = SqliteStore.open(db);
    await seed(store);
  });
  after(async () => store.close());

  /** Every row of every table, read on a connection of its own. */
  function snapshot(): string {
    const conn = new Database(db, { readonly: true });
    try {
      const tables = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
      return JSON.stringify(tables.map((t) => [t, (conn.prepare(`SELECT * FROM "${t}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort()]));
    } finally {
      conn.close();
    }
  }

  const objects = standardObjects().map((o) => JSON.parse(JSON.stringify(o)) as Record<string, unknown>);
  const good = fc.constantFrom(...objects).map((o) => JSON.stringify(o));
  const json = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 2 }));
  /** A fixture object with one field changed, removed or added. */
  const mutated = fc.tuple(fc.constantFrom(...objects), fc.nat(), fc.constantFrom('set', 'delete', 'add'), json).map(([o, i, how, v]) => {
    const copy: Record<string, unknown> = { ...o };
    const keys = Object.keys(copy);
    const key = how === 'add' ? 'extra' : keys[i % keys.length];
    if (how === 'delete') delete copy[key];
    else copy[key] = v;
    return JSON.stringify(copy);
  });
  const line = fc.oneof(
    { weight: 3, arbitrary: good },
    { weight: 3, arbitrary: mutated },
    { weight: 1, arbitrary: fc.oneof(nastyText(30), fc.constantFrom('', '   ', '# a comment', '{', '[]', 'null', '"text"', '{"type":"domain"}', '{"type":"martian"}', '\ufeff{}', '{"a":1}{"b":2}')) },
  );
  const file = fc.tuple(fc.oneof(fc.array(line, { minLength: 1, maxLength: 8 }), fc.array(good, { minLength: 1, maxLength: 8 })), fc.constantFrom('\n', '\r\n'), fc.boolean());

  test('any lines import whole, or fail with an ImportError naming the line, leaving the store as it was', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(file, async ([lines, eol, finalEol]) => {
        const path = join(dir, `import-${n++}.jsonl`);
        writeFileSync(path, lines.join(eol) + (finalEol ? eol : ''));
        const before = snapshot();
        try {
          await importJsonLines(store, path);
        } catch (err) {
          assert.ok(err instanceof ImportError, `not an ImportError: ${err}`);
          assert.ok(err.line !== undefined && err.line >= 1 && err.line <= lines.length, `line ${err.line} of ${lines.length}: ${err.message}`);
          assert.ok(err.message.startsWith(`${path}:${err.line}: `), err.message);
          assert.notEqual(lines[err.line - 1].trim(), '', 'the line named is not blank');
          assert.ok(!err.message.includes('\n'), 'one line');
          assert.equal(snapshot(), before, 'a failed import changes nothing');
        }
      }),
      runs(60),
    );
  });
});
