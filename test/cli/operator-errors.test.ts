// What an operator sees when something is wrong at the command line: one line that names the
// flag or key, the value and what is wrong, a non-zero exit, no stack trace, nothing created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seed, standardObjects } from '../store/fixtures.js';

const { RDDS_LOG_LEVEL: _level, ...inherited } = process.env;
const ENV = { ...inherited, RDDS_CONFIG: '' };

function rdds(args: string[], env: NodeJS.ProcessEnv = ENV): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line, naming what it must name, with no stack frame in it. */
function oneLine(stderr: string, expected: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, not:\n${stderr}`);
  assert.match(lines[0], expected);
  assert.doesNotMatch(stderr, /\n\s+at |Error:/, 'no stack trace');
}

test('rdds --version prints the package version', () => {
  const r = rdds(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
});

test('serve --help names the configuration variable once', () => {
  const r = rdds(['serve', '--help']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.match(/RDDS_CONFIG/g)?.length, 1, r.stdout);
});

test('a read-only command never creates a SQLite file; a directory is not a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-cli-'));
  try {
    const missing = join(dir, 'nothing-here.db');
    const lookup = rdds(['lookup', 'nic.example', '--db', missing]);
    assert.equal(lookup.status, 1);
    oneLine(lookup.stderr, /^rdds: db \(--db\) .*nothing-here\.db: no such database; create it with rdds import or rdds demo/);
    assert.equal(existsSync(missing), false, 'lookup created no file');
    const serve = rdds(['serve', '--db', missing, '--whois-port', '0', '--http-port', '0', '--admin-port', '0']);
    assert.equal(serve.status, 1);
    oneLine(serve.stderr, /no such database/);
    assert.equal(existsSync(missing), false, 'serve created no file');
    for (const args of [['lookup', 'nic.example'], ['import', 'x.jsonl'], ['demo', '--domains', '1']]) {
      const r = rdds([...args, '--db', dir]);
      assert.equal(r.status, 1, args.join(' '));
      oneLine(r.stderr, /^rdds: db \(--db\) .*: is a directory, not a SQLite database file$/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad CIDR in the configuration names the key and the entry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-cli-'));
  try {
    const file = join(dir, 'rdds.yaml');
    writeFileSync(file, 'policy:\n  allowlist: [127.0.0.1/99]\n');
    const r = rdds(['lookup', 'nic.example', '--config', file]);
    assert.equal(r.status, 1);
    oneLine(r.stderr, /policy\.allowlist\[0\] is not an address or CIDR range: "127\.0\.0\.1\/99"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port already in use: one line naming the address, the settings and the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-cli-'));
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (busy.address() as net.AddressInfo).port;
  try {
    const db = join(dir, 'rdds.sqlite');
    const store = SqliteStore.open(db);
    await seed(store, standardObjects());
    await store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--db', db, '--host', '127.0.0.1', '--whois-port', String(port), '--http-port', '0', '--admin-port', '0', '--config', ''], {
      env: { ...ENV, RDDS_LOG_DIR: join(dir, 'log'), RDDS_LOG_LEVEL: 'error' },
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const status = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code) => resolve((clearTimeout(timer), code)));
    });
    assert.equal(status, 1);
    oneLine(stderr, new RegExp(`^rdds: cannot listen on 127\\.0\\.0\\.1:${port} \\(whois\\.host / whois\\.port, --host / --whois-port\\): the address is already in use`));
  } finally {
    busy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
