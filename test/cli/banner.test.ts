// The start banner of `rdds serve`: every listener, and a query to try that exists in the data
// served (not nic.example on any database), or a word that there is none yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryObject } from '../../src/model/types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { contact, domain, host, registrar, seed } from '../store/fixtures.js';

const { RDDS_LOG_LEVEL: _level, ...inherited } = process.env;

/** Serves a database of these objects and returns the banner (stdout up to the admin line). */
async function banner(objects: RegistryObject[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-banner-'));
  try {
    const db = join(dir, 'rdds.sqlite');
    const store = SqliteStore.open(db);
    await seed(store, objects);
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--db', db, '--host', '127.0.0.1', '--whois-port', '0', '--http-port', '0', '--admin-port', '0', '--config', ''], {
      env: { ...inherited, RDDS_CONFIG: '', RDDS_LOG_DIR: join(dir, 'log'), RDDS_LOG_LEVEL: 'error' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 30_000;
    while (!/admin \(metrics, health\):.*\n/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await exited;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const contacts = ['REG-1', 'ADM-1', 'TECH-1', 'BILL-1'].map((h) => contact(h));

test('the banner suggests a domain the data holds, and every listener', async () => {
  const out = await banner([registrar(), ...contacts, host('ns1.nic.example'), host('ns2.nic.example'), domain('zebra.example')]);
  assert.match(out, /WHOIS \(port 43 protocol\): 127\.0\.0\.1:\d+ {3}try: whois -h 127\.0\.0\.1 -p \d+ zebra\.example\n/);
  assert.match(out, /try: curl http:\/\/127\.0\.0\.1:\d+\/rdap\/domain\/zebra\.example\n/);
  assert.match(out, /admin \(metrics, health\): {2}127\.0\.0\.1:\d+ {3}try: curl http:\/\/127\.0\.0\.1:\d+\/readyz/);
  assert.doesNotMatch(out, /nic\.example/);
});

test('on data without a domain it says so instead of suggesting one', async () => {
  const out = await banner([registrar()]);
  assert.match(out, /no domain of \.example in the data yet: rdds import FILE/);
  assert.doesNotMatch(out, /try: whois/);
});
