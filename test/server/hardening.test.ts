// The small pure parts of the hardening (issue #18, items 3 and 6): connection caps against the
// file-descriptor limit, the log's error serializer, the user/group pairing. The suite that
// drives them in a running node is `npm run test:hostile` (test/hostile/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorForLog, redactUrlPasswords } from '../../src/observe/log.js';
import { fitConnectionCaps, openFileLimit, RESERVED_FDS } from '../../src/server/fd-limit.js';
import { checkAccount, PrivilegeError } from '../../src/server/privileges.js';

test('connection caps that fit the file-descriptor limit are kept; others are lowered in proportion', () => {
  assert.deepEqual(fitConnectionCaps({ whois: 10000, http: 10000 }, 1_048_576), { caps: { whois: 10000, http: 10000 }, lowered: false });
  assert.deepEqual(fitConnectionCaps({ whois: 10000, http: 10000 }, undefined), { caps: { whois: 10000, http: 10000 }, lowered: false });
  const { caps, lowered } = fitConnectionCaps({ whois: 3000, http: 1000 }, 1024);
  assert.equal(lowered, true);
  assert.deepEqual(caps, { whois: Math.floor((3000 * (1024 - RESERVED_FDS)) / 4000), http: Math.floor((1000 * (1024 - RESERVED_FDS)) / 4000) });
  assert.ok(caps.whois + caps.http + RESERVED_FDS <= 1024);
  // A limit below the reserve still leaves each door one connection rather than none.
  assert.deepEqual(fitConnectionCaps({ whois: 10, http: 10 }, 64).caps, { whois: 1, http: 1 });
});

test('the open-files limit is read from /proc/self/limits (soft limit); unlimited or unreadable: none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-limits-'));
  const file = (text: string) => (writeFileSync(join(dir, 'limits'), text), join(dir, 'limits'));
  const header = 'Limit                     Soft Limit           Hard Limit           Units     \n';
  assert.equal(openFileLimit(file(`${header}Max open files            1024                 524288               files     \n`)), 1024);
  assert.equal(openFileLimit(file(`${header}Max open files            unlimited            unlimited            files     \n`)), undefined);
  assert.equal(openFileLimit(join(dir, 'missing')), undefined);
  if (process.platform === 'linux') assert.ok((openFileLimit() ?? 0) > 0);
});

test('the log writes errors without URL passwords or a failed command\'s arguments', () => {
  assert.equal(redactUrlPasswords('connect to postgres://rdds:s3cret@db.example/rdds and redis://:p%40ss@r:6379 failed'), 'connect to postgres://rdds:***@db.example/rdds and redis://:***@r:6379 failed');
  assert.equal(redactUrlPasswords('no password in postgres://rdds@db/rdds or https://example/a:b'), 'no password in postgres://rdds@db/rdds or https://example/a:b');
  // As ioredis reports a refused AUTH: the password is among the command's arguments.
  const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'hello', args: ['3', 'AUTH', 'default', 'hunter2'] } });
  const logged = JSON.stringify(errorForLog(err));
  assert.doesNotMatch(logged, /hunter2/);
  assert.match(logged, /"command":\{"name":"hello"\}/);
  assert.match(logged, /WRONGPASS/);
  const nested = JSON.stringify(errorForLog(new Error('pool failed', { cause: new Error('bad url postgres://u:topsecret@h/db') })));
  assert.doesNotMatch(nested, /topsecret/);
});

test('user and group are set together or not at all', () => {
  checkAccount(null, null);
  checkAccount('nobody', 'nogroup');
  checkAccount(65534, 65534);
  assert.throws(() => checkAccount('nobody', null), (e: unknown) => e instanceof PrivilegeError && /user and group must be set together/.test(e.message));
  assert.throws(() => checkAccount(null, 'nogroup'), PrivilegeError);
});
