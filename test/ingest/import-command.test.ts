// `rdds import` and `rdds rollback` as an operator runs them: a real process, exit codes, one-line
// errors without stack traces, the --json summary, the warning about missing abuse contacts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { depositXml, domainXml, writeDeposit } from './rde-fixtures.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** Whether the database file holds the domain (read in this process: spawning rdds lookup is slow). */
async function stored(db: string, name: string): Promise<boolean> {
  const store = SqliteStore.open(db);
  try {
    return (await store.lookupDomain(name)) !== undefined;
  } finally {
    await store.close();
  }
}

// The spec's example deposit, beside the clone (as test/rdap/schemas.ts finds the RDAP schemas).
const EXAMPLE = resolve(import.meta.dirname, '../../../shared/spec/rde-example.xml');
const dir = mkdtempSync(join(tmpdir(), 'rdds-import-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function rdds(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, RDDS_CONFIG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rdds import and rdds rollback', () => {
  const db = join(dir, 'cli.sqlite');

  it('imports a deposit, prints a summary and warns about the missing abuse contact', () => {
    const r = rdds('import', EXAMPLE, '--db', db);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rde-example\.xml: imported FULL deposit 20261124001 of \.example \(watermark 2026-11-24T00:00:00Z\)/);
    assert.match(r.stdout, /domains\s+read 2, stored 2, unchanged 0, removed 0, refused 0/);
    assert.match(r.stdout, /skipped \(not used by rdds\): .*rdeDomain:crRr 2/);
    assert.match(r.stdout, /peak memory \d+ MB/);
    assert.match(r.stderr, /rdds: warning: registrar 5555555 \(Example Registrar, Inc\.\) has no abuse contact/);
  });

  it('--json prints the summary for scripts; a JSON Lines registrar file beside the deposit fills the abuse contact', () => {
    const registrars = join(dir, 'registrars.jsonl');
    writeFileSync(registrars, JSON.stringify({ type: 'registrar', ianaId: 5555555, name: 'Example Registrar, Inc.', postal: { street: ['1 Road'], city: 'Town', cc: 'US' }, email: 'info@registrar.example', abuseEmail: 'abuse@registrar.example', abusePhone: '+1.5555550000' }) + '\n');
    const diff = writeDeposit(dir, depositXml({ type: 'DIFF', id: '20261125001', prevId: '20261124001', watermark: '2026-11-25T00:00:00Z', counts: [3, 2, 2, 1], objects: [domainXml('new.example', { registrant: 'JP-0001' })] }));
    const r = rdds('import', diff, registrars, '--db', db, '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(out.warnings, [], 'the registrar line after the deposit gave the abuse contact');
    assert.equal(out.imports.length, 2);
    const [rde, jsonl] = out.imports;
    assert.equal(rde.format, 'rde');
    assert.deepEqual(rde.deposit, { tld: 'example', type: 'DIFF', id: '20261125001', prevId: '20261124001', watermark: '2026-11-25T00:00:00Z' });
    assert.deepEqual(rde.read, { registrar: 0, contact: 0, host: 0, domain: 1 });
    assert.deepEqual(rde.stored, { registrar: 0, contact: 0, host: 0, domain: 1 });
    assert.equal(typeof rde.seconds, 'number');
    assert.ok(rde.peakRssBytes > 1e6);
    assert.equal(jsonl.format, 'jsonl');
    assert.deepEqual(jsonl.stored, { registrar: 1, contact: 0, host: 0, domain: 0 });
  });

  it('warns that an empty JSON Lines file imported nothing, and changes nothing', () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n\n');
    const r = rdds('import', empty, '--db', db);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^rdds: warning: .*empty\.jsonl holds no objects: nothing was imported$/m);
    const j = rdds('import', empty, '--db', db, '--json');
    assert.match(JSON.parse(j.stdout).warnings[0], /empty\.jsonl holds no objects/);
  });

  it('refuses a bad prevId with one line and a non-zero exit, also as JSON; --force imports it', () => {
    const stale = writeDeposit(dir, depositXml({ type: 'DIFF', id: '20261126001', prevId: '20261124001', watermark: '2026-11-26T00:00:00Z', counts: [3, 2, 2, 1], objects: [] }));
    const r = rdds('import', stale, '--db', db);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(r.stderr, /^rdds: DIFF deposit 20261126001 of \.example follows 20261124001, but the last deposit imported for \.example is 20261125001 \(--force imports it anyway\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const j = rdds('import', stale, '--db', db, '--json');
    assert.equal(j.status, 1);
    assert.equal(JSON.parse(j.stdout).ok, false);
    assert.match(JSON.parse(j.stdout).error, /follows 20261124001/);
    assert.equal(rdds('import', stale, '--db', db, '--force').status, 0);
  });

  it('--dry-run checks and stores nothing; rollback undoes the last import, then has nothing left', async () => {
    const gone = writeDeposit(dir, depositXml({ type: 'DIFF', id: '20261127001', prevId: '20261126001', watermark: '2026-11-27T00:00:00Z', counts: [2, 2, 2, 1], objects: [], deletes: ['<rdeDomain:delete><rdeDomain:name>new.example</rdeDomain:name></rdeDomain:delete>'] }));
    const dry = rdds('import', gone, '--db', db, '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /checked \(dry run, nothing stored\) DIFF deposit 20261127001/);
    assert.ok(await stored(db, 'new.example'));
    assert.equal(rdds('import', gone, '--db', db).status, 0);
    assert.ok(!(await stored(db, 'new.example')));
    const rb = rdds('rollback', '--db', db);
    assert.equal(rb.status, 0, rb.stderr);
    assert.match(rb.stdout, /^restored 1 object to what they were before the last import \(data version \d+, data time 2026-11-26T00:00:00Z\)/);
    assert.ok(await stored(db, 'new.example'));
    const again = rdds('rollback', '--db', db);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^rdds: nothing to roll back/);
  });

  it('names a file that is neither JSON Lines nor a deposit', () => {
    const other = join(dir, 'notes.txt');
    writeFileSync(other, 'hello\n');
    const r = rdds('import', other, '--db', db);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^rdds: .*notes\.txt: is neither JSON Lines nor an RDE deposit/);
  });
});
