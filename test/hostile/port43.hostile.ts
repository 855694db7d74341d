// Hostile clients on port 43, each while the good client keeps asking every door (alongside.ts):
// slowloris, over-long lines, invalid UTF-8, pipelined queries, slow readers, and idle
// connections up to and past the per-client cap and whois.max_connections.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alongside } from './alongside.js';
import { attacker, exchange, openMany, sleep, trickle, waitClosed, type Conn } from './clients.js';
import { ServerNode } from './node.js';

const IDLE_MS = 1000;
const TOTAL_MS = 3000;
// Connections open at OPEN_RATE (500) a second and live an idle timeout (1 s): about 500 at once.
const MAX_CONNECTIONS = 300;
const PER_CLIENT = 20;
/** One % line and the close: the door's form for a refusal. */
const ONE_LINE = /^% [^\r\n]+\r\n$/;

let node: ServerNode;
before(async () => {
  node = await ServerNode.start({
    config: {
      whois: { idle_timeout_ms: IDLE_MS, total_timeout_ms: TOTAL_MS, max_connections: MAX_CONNECTIONS, max_query_bytes: 1024 },
      policy: { max_connections_per_client: PER_CLIENT, rate_limit: { per_minute: 0 } },
    },
  });
});
after(async () => {
  const exit = await node.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, 'rdds serve ends cleanly on SIGTERM after the attacks');
});

describe('port 43 under attack', () => {
  test('slowloris: query bytes trickled under the idle timeout are cut off at the total timeout', async (t) => {
    let conns: Conn[] = [];
    await alongside(
      node,
      async () => {
        // 5 addresses x 20 connections (the per-client cap), one byte every half idle timeout, no line end.
        conns = (await openMany(node.ports.whois, 100, (i) => attacker(i % 5))).conns;
        assert.equal(conns.length, 100);
        await Promise.all(conns.map((c) => trickle(c, Buffer.from('nic.example-and-more-and-more-and-more'), IDLE_MS / 2, TOTAL_MS + 2000)));
        assert.equal(await waitClosed(conns, 2000), 0, 'every trickling connection is closed');
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
    for (const c of conns) {
      assert.match(c.text, ONE_LINE);
      assert.match(c.text, /^% Timeout: the query took too long to arrive\./);
      const held = c.closedAt! - c.openedAt;
      assert.ok(held < TOTAL_MS + 1500, `held ${held.toFixed(0)} ms, total timeout ${TOTAL_MS} ms`);
    }
  });

  test('over-long lines, invalid UTF-8, control bytes, binary noise: one % line each, then the close', async (t) => {
    const inputs: Buffer[] = [
      Buffer.from('a'.repeat(100_000) + '\r\n'),
      Buffer.from('a'.repeat(5000)), // no line end at all
      Buffer.from([0xff, 0xfe, 0xfd, 0x0d, 0x0a]),
      Buffer.from([0xc3, 0x28, 0x2e, 0x65, 0x78, 0x0d, 0x0a]), // broken two-byte sequence
      Buffer.from([0xed, 0xa0, 0x80, 0x0d, 0x0a]), // a UTF-16 surrogate encoded in UTF-8
      Buffer.from('nic\x00.example\r\n'),
      Buffer.from('\x1b[31mnic.example\r\n'),
      Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7919) % 256).filter((b) => b !== 10)),
    ];
    await alongside(
      node,
      async () => {
        for (let round = 0; round < 5; round++) {
          const answers = await Promise.all(inputs.map((input, i) => exchange(node.ports.whois, input, { from: attacker(10 + i) })));
          answers.forEach((a, i) => {
            assert.equal(a.how, 'closed', `input ${i}: closed by the server`);
            assert.match(a.text, ONE_LINE, `input ${i}: ${JSON.stringify(a.text.slice(0, 100))}`);
          });
        }
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
  });

  test('pipelined queries: only the first line is answered, then the connection closes', async (t) => {
    await alongside(
      node,
      async () => {
        const pipelined = Array.from({ length: 50 }, () => 'nic.example\r\n').join('') + 'ドメイン.example\r\n';
        const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => exchange(node.ports.whois, pipelined, { from: attacker(20 + (i % 2)) })));
        for (const a of answers) {
          assert.equal(a.how, 'closed');
          assert.equal(a.text.match(/^Domain Name: /gm)?.length, 1, 'one answer per connection');
          assert.match(a.text, /^Domain Name: NIC\.EXAMPLE\r\n/);
        }
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
  });

  test('slow readers: clients that read their answer one byte a second do not hold the server', async (t) => {
    let readers: Conn[] = [];
    const read: Buffer[][] = [];
    await alongside(
      node,
      async () => {
        readers = (await openMany(node.ports.whois, 60, (i) => attacker(30 + (i % 3)))).conns;
        readers.forEach((c, i) => {
          c.socket.pause(); // nothing is read from the kernel but the one byte a second below
          read[i] = [];
          c.write('nic.example\r\n');
        });
        const deadline = Date.now() + IDLE_MS + 3000;
        while (Date.now() < deadline && readers.some((c) => !c.isClosed)) {
          readers.forEach((c, i) => {
            const b = c.socket.read(1) as Buffer | null;
            if (b) read[i].push(b);
          });
          await sleep(1000);
        }
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
    // What a slow reader got is the start of a real answer (the door's form), not an error.
    for (const bytes of read) assert.ok('Domain Name: NIC.EXAMPLE'.startsWith(Buffer.concat(bytes).toString('latin1')));
    // The server gave up on them an idle timeout after its last write (their slots are free again).
    await sleep(IDLE_MS + 1500);
    assert.ok((await node.metric('rdds_open_connections', { door: 'whois' })) < 10, 'slow readers no longer hold connections');
    for (const c of readers) c.destroy();
  });

  test(`idle connections past the per-client cap (${PER_CLIENT}) get a % line; the others are timed out`, async (t) => {
    let conns: Conn[] = [];
    await alongside(
      node,
      async () => {
        conns = (await openMany(node.ports.whois, 200, (i) => attacker(40 + (i % 4)))).conns;
        await sleep(500);
        const refused = conns.filter((c) => c.isClosed);
        assert.equal(refused.length, 200 - 4 * PER_CLIENT, 'everything past the cap of each address is refused at once');
        for (const c of refused) assert.equal(c.text, '% Too many connections from your address; please try again later.\r\n');
        assert.equal(await waitClosed(conns, IDLE_MS + 2000), 0, 'the idle ones are closed at the idle timeout');
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
    const timedOut = conns.filter((c) => c.text.startsWith('% Timeout: no query received.'));
    assert.equal(timedOut.length, 4 * PER_CLIENT);
  });

  test(`thousands of idle connections past whois.max_connections (${MAX_CONNECTIONS}) from many addresses`, async (t) => {
    let conns: Conn[] = [];
    let failed = 0;
    let openAtPeak = 0;
    const before = await node.metric('rdds_connections_refused_total', { door: 'whois', reason: 'too-many-connections' });
    await alongside(
      node,
      async () => {
        // 2,000 connections from 100 addresses (each within its own cap of 20), held idle.
        ({ conns, failed } = await openMany(node.ports.whois, 2000, (i) => attacker(100 + (i % 100))));
        openAtPeak = await node.metric('rdds_open_connections', { door: 'whois' });
      },
      { diagnostic: (m) => t.diagnostic(m) },
    );
    assert.equal(failed, 0, 'every connection was accepted');
    assert.equal(await waitClosed(conns, IDLE_MS + 3000), 0, 'the held ones are closed at the idle timeout');
    const evicted = conns.filter((c) => c.text === '% Too many connections; please try again later.\r\n');
    const timedOut = conns.filter((c) => c.text === '% Timeout: no query received.\r\n');
    t.diagnostic(`${conns.length} connections opened; ${evicted.length} closed to make room, ${timedOut.length} timed out; ${openAtPeak} open at the end of the flood (cap ${MAX_CONNECTIONS})`);
    assert.ok(evicted.length > 0, 'the cap was reached');
    assert.equal(evicted.length + timedOut.length, conns.length, 'each got one % line');
    assert.ok(openAtPeak <= MAX_CONNECTIONS);
    assert.ok((await node.metric('rdds_connections_refused_total', { door: 'whois', reason: 'too-many-connections' })) - before >= evicted.length);
  });
});
