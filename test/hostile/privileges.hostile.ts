// Security basics of a running node: it drops root after binding (keys `user` and `group`), says
// in one line why it cannot, and keeps the admin listener on loopback unless told otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange } from './clients.js';
import { REPO, ServerNode } from './node.js';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534; // Debian's nobody and nogroup
const accountsMissing = (() => {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  const group = readFileSync('/etc/group', 'utf8');
  return /^nobody:[^:]*:65534:/m.test(passwd) && /^nogroup:[^:]*:65534:/m.test(group) ? undefined : 'there is no user nobody / group nogroup with id 65534';
})();

/** `rdds serve` with a configuration of its own that is expected to stop: its exit status and output. */
function serveFails(config: Record<string, unknown>): { status: number | null; lines: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-priv-'));
  const file = join(dir, 'rdds.yaml');
  const base = { db: join(dir, 'rdds.sqlite'), whois: { port: 0, host: ['127.0.0.1'] }, http: { port: 0, host: ['127.0.0.1'] }, admin: { port: 0, host: ['127.0.0.1'] }, log: { dir: join(dir, 'q'), format: 'json' } };
  writeFileSync(file, JSON.stringify({ ...base, ...config }));
  // --demo: an empty database would not be served; the demo data makes it a real start.
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--demo', '10', '--config', file], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) };
}

/** The line `rdds: ...` of a failed start, checked to be one line without a stack trace. */
function oneLineError(result: { status: number | null; lines: string[] }): string {
  assert.equal(result.status, 1, result.lines.join('\n'));
  assert.ok(!result.lines.some((l) => /^\s+at /.test(l)), `no stack trace:\n${result.lines.join('\n')}`);
  const errors = result.lines.filter((l) => l.startsWith('rdds: '));
  assert.equal(errors.length, 1, result.lines.join('\n'));
  return errors[0];
}

/** The process's real, effective, saved and file-system ids (Uid:/Gid: of /proc/PID/status) and its supplementary groups. */
function credentials(pid: number): { uid: number[]; gid: number[]; groups: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const ids = (key: string) => (new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
  return { uid: ids('Uid'), gid: ids('Gid'), groups: ids('Groups') };
}

describe('dropping root after binding: user and group', () => {
  test('as root with user nobody and group nogroup, the node runs as them and answers every door', { skip: !isRoot ? 'not running as root: privileges cannot be dropped here (the error for that is tested below)' : accountsMissing }, async () => {
    const node = await ServerNode.start({
      config: { user: 'nobody', group: 'nogroup' },
      // The node writes its query log after the drop: its directory must be the user's.
      prepare: (dir) => {
        mkdirSync(join(dir, 'query-log'));
        for (const path of [dir, ...readdirSync(dir).map((f) => join(dir, f))]) chownSync(path, NOBODY, NOBODY);
      },
    });
    try {
      // "rdds started" comes when the listeners are bound; the drop follows it.
      const dropBy = Date.now() + 10000;
      while (Date.now() < dropBy && node.alive && !node.logLines().some((l) => l.msg === 'privileges dropped')) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(credentials(node.pid), { uid: [NOBODY, NOBODY, NOBODY, NOBODY], gid: [NOBODY, NOBODY, NOBODY, NOBODY], groups: [NOBODY] });
      assert.ok(node.logLines().some((l) => l.msg === 'privileges dropped' && l.uid === NOBODY && l.gid === NOBODY));
      assert.match((await exchange(node.ports.whois, 'nic.example\r\n')).text, /^Domain Name: NIC\.EXAMPLE\r\n/);
      assert.equal((await fetch(`http://127.0.0.1:${node.ports.http}/rdap/domain/nic.example`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${node.ports.http}/whois?q=nic.example`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${node.ports.admin}/readyz`)).status, 200);
      // The query log of those queries was written as nobody.
      const logDir = join(node.dir, 'query-log');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && readdirSync(logDir).length === 0) await new Promise((r) => setTimeout(r, 100));
      const files = readdirSync(logDir);
      assert.ok(files.length > 0 && files.every((f) => statSync(join(logDir, f)).uid === NOBODY), 'query log files owned by nobody');
    } finally {
      assert.deepEqual(await node.stop(), { code: 0, signal: null });
    }
  });

  test('a user that does not exist: one line naming the keys, exit 1', { skip: !isRoot && 'not running as root: the switch fails for want of permission first (next test)' }, () => {
    const line = oneLineError(serveFails({ user: 'rdds-no-such-user', group: 'nogroup' }));
    assert.match(line, /^rdds: cannot switch to user rdds-no-such-user \(keys user: rdds-no-such-user, group: nogroup\): /);
  });

  test('not root: one line saying the switch is not permitted, exit 1', { skip: isRoot && 'running as root: the switch is permitted here (tested above)' }, () => {
    const line = oneLineError(serveFails({ user: 'nobody', group: 'nogroup' }));
    assert.match(line, /^rdds: cannot switch to group nogroup \(keys user: nobody, group: nogroup\): .*EPERM/);
  });

  test('a user without a group (or a group without a user): one line, exit 1, before anything is bound', () => {
    assert.equal(oneLineError(serveFails({ user: 'nobody' })), 'rdds: user and group must be set together (user: nobody, group: null)');
    assert.equal(oneLineError(serveFails({ group: 'nogroup' })), 'rdds: user and group must be set together (user: null, group: nogroup)');
  });

  test('a query log directory the user cannot write: one line naming it, exit 1', { skip: !isRoot ? 'not running as root' : accountsMissing }, () => {
    const line = oneLineError(serveFails({ user: 'nobody', group: 'nogroup' }));
    assert.match(line, /^rdds: \/.*\/q is not writable by user nobody: /);
  });
});

describe('the admin listener', () => {
  test('is bound to loopback only by default', async () => {
    // No admin.host in the file: the default applies (whois and http stay on 127.0.0.1 for the test).
    const node = await ServerNode.start({ config: { admin: { host: undefined } } });
    try {
      const started = node.logLines().find((l) => l.msg === 'rdds started')!;
      assert.deepEqual(started.doors.admin, [`127.0.0.1:${node.ports.admin}`, `[::1]:${node.ports.admin}`]);
      // What the kernel says is listening on the admin port, in every address family.
      const port = node.ports.admin.toString(16).toUpperCase().padStart(4, '0');
      const listening = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
        readFileSync(file, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${port}`) && f[3] === '0A').map((f) => f[1].split(':')[0]),
      );
      assert.deepEqual(listening.sort(), ['00000000000000000000000001000000', '0100007F'], 'listening on 127.0.0.1 and ::1 only');
    } finally {
      await node.stop();
    }
  });
});
