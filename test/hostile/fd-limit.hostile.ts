// Idle connections past the process's file-descriptor limit: the server runs under
// `ulimit -n 1024`, and attackers open 3,000 connections to port 43 and 3,000 to HTTP (twice
// the limit each), while the good client keeps asking every door.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alongside } from './alongside.js';
import { attacker, openMany, sleep, waitClosed, type Conn } from './clients.js';
import { ServerNode } from './node.js';

const OPEN_FILES = 1024;
const FLOOD = 3000;
const IDLE_MS = 2000;

let node: ServerNode;
before(async () => {
  node = await ServerNode.start({
    openFiles: OPEN_FILES,
    // The connection caps at their defaults (10,000 each): far above what the limit allows.
    config: {
      whois: { idle_timeout_ms: IDLE_MS, total_timeout_ms: 3 * IDLE_MS },
      http: { request_timeout_ms: 3 * IDLE_MS },
      policy: { rate_limit: { per_minute: 0 } },
    },
  });
});
after(async () => {
  const exit = await node.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, 'rdds serve ends cleanly on SIGTERM after the attacks');
});

describe(`past the file-descriptor limit (ulimit -n ${OPEN_FILES})`, () => {
  test('the start says the connection caps were lowered to fit the limit', () => {
    const warning = node.logLines().find((l) => l.level === 40 && /file-descriptor limit/.test(l.msg));
    assert.ok(warning, `a warning about the limit in the log:\n${node.output.join('\n')}`);
  });

  for (const door of ['whois', 'http'] as const) {
    test(`${FLOOD} idle connections to ${door} from 100 addresses`, async (t) => {
      let conns: Conn[] = [];
      let failed = 0;
      await alongside(
        node,
        async () => {
          ({ conns, failed } = await openMany(node.ports[door], FLOOD, (i) => attacker(i % 100)));
          await sleep(1000);
          t.diagnostic(`server file descriptors with ${conns.length} connections opened: ${node.openFds()} (limit ${OPEN_FILES})`);
          assert.ok(node.openFds() < OPEN_FILES, 'the server keeps file descriptors free');
        },
        { diagnostic: (m) => t.diagnostic(m) },
      );
      t.diagnostic(`${conns.length} connected, ${failed} failed to connect, ${conns.filter((c) => c.isClosed).length} closed by the server`);
      // Each closed one got the door's form or nothing: a % line on port 43; on HTTP, a status line or nothing.
      for (const c of conns.filter((c) => c.isClosed && c.text !== '')) {
        assert.match(c.text, door === 'whois' ? /^% [^\r\n]+\r\n$/ : /^HTTP\/1\.1 [45]\d\d /);
      }
      for (const c of conns) c.destroy();
      assert.equal(await waitClosed(conns, 2000), 0);
    });
  }
});
