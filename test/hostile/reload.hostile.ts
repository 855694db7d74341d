// SIGHUP under load: the operator's reload (the blocklist file read again) while the good client
// keeps asking every door. The process survives every signal, the good client loses nothing, a
// broken file keeps the list in force, and the list last written is the one in force.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alongside } from './alongside.js';
import { attacker, exchange, sleep } from './clients.js';
import { ServerNode } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-reload-'));
const blocklist = join(dir, 'blocklist.txt');
const blocked = attacker(7);
const other = attacker(8);
let node: ServerNode;

before(async () => {
  writeFileSync(blocklist, '# nothing blocked yet\n');
  node = await ServerNode.start({ config: { policy: { blocklist_file: blocklist, rate_limit: { per_minute: 0 } } } });
});
after(async () => {
  const exit = await node.stop();
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(exit, { code: 0, signal: null }, 'rdds serve ends cleanly on SIGTERM after the reloads');
});

const ask = async (from: string) => (await exchange(node.ports.whois, 'nic.example\r\n', { from })).text;

test('SIGHUP twenty times under load: no answer lost, the last list in force, a broken file ignored', async (t) => {
  await alongside(
    node,
    async () => {
      for (let i = 0; i < 20; i++) {
        // Every other reload blocks the address, and every fifth file is broken.
        writeFileSync(blocklist, i % 5 === 4 ? 'not an address\n' : i % 2 === 0 ? `${blocked}/32\n` : '# empty\n');
        process.kill(node.pid, 'SIGHUP');
        await sleep(150);
      }
      writeFileSync(blocklist, `${blocked}/32\n`);
      process.kill(node.pid, 'SIGHUP');
      await sleep(200);
    },
    { diagnostic: (m) => t.diagnostic(m) },
  );
  assert.match(await ask(blocked), /^% /, 'the address of the last list is refused');
  assert.doesNotMatch(await ask(blocked), /Domain Name:/);
  assert.match(await ask(other), /Domain Name: NIC\.EXAMPLE/, 'another address is answered');
  const errors = node.logLines().filter((l) => l.level >= 50);
  assert.ok(errors.every((l) => /blocklist/i.test(String(l.msg))), `only the broken files are errors: ${JSON.stringify(errors.slice(0, 3))}`);
  assert.ok(errors.length >= 1, 'a broken file is reported');
});
