// Proofs of what clients see through HAProxy when a part of the deployment fails under load
// (issue #17, item 2): one node's database connection cut, PostgreSQL restarted, Redis stopped,
// a node killed, a node stopped with SIGTERM. The load comes from an allowlisted address (so the
// rate limit never refuses it) or, where admission itself is under test, from a fresh address per
// query; each load records every attempt with its start time and outcome.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFailures, startLoad, whois, type Attempt } from '../harness/clients.js';
import { Cluster, clusterMissing, freshClient, LOAD_CLIENT } from '../harness/cluster.js';
import { sleep, tcpOpen, waitFor } from '../harness/process.js';
import { rdds, type RddsNode } from '../harness/rdds-node.js';
import { TcpForwarder } from '../harness/tcp-forwarder.js';
import { BAN_REFUSAL, loggedRecords, RATE_REFUSAL, unique, windowRoom } from './proofs.js';

const skip = clusterMissing();
if (skip) console.log(`# ${skip}`);

const LIMIT = 5;
const REGISTRY = 'Example Registry Operator'; // every rdds page and RDAP answer names it; HAProxy's own pages do not

type Door = 'whois' | 'rdap' | 'web';

interface Answer {
  door: Door;
  /** A normal answer: the record, or "does not exist". */
  normal: boolean;
  /** Came from an rdds node (normal or its own error form), not from HAProxy and not a broken connection. */
  fromNode: boolean;
  status?: number;
  retryAfter?: string;
  contentType?: string;
  text: string;
}

const show = (a: Answer) => `${a.door} ${a.status ?? ''} ${a.text.replace(/\s+/g, ' ').slice(0, 100)}`;

/** One query on one door through HAProxy, classified. */
async function ask(cluster: Cluster, door: Door, name: string, client: string): Promise<Answer> {
  if (door === 'whois') {
    const a = await cluster.whois(name, client);
    const normal = !a.error && (/^Domain Name: /m.test(a.text) || /^The queried object does not exist/m.test(a.text));
    // HAProxy with no server to send to closes a TCP connection without a byte.
    return { door, normal, fromNode: !a.error && a.text !== '', text: a.error ? `(${a.error}) ${a.text}` : a.text || '(closed without a word)' };
  }
  const res = await cluster.https(door === 'rdap' ? `/rdap/domain/${name}` : `/whois?q=${encodeURIComponent(name)}`, client);
  const type = String(res.headers['content-type'] ?? '');
  const fromNode = !res.error && res.body.includes(REGISTRY) && (door === 'rdap' ? type.startsWith('application/rdap+json') : type.startsWith('text/html'));
  return {
    door,
    normal: fromNode && (res.status === 200 || res.status === 404),
    fromNode,
    status: res.status,
    retryAfter: res.headers['retry-after'] as string | undefined,
    contentType: type,
    text: res.error ? `(${res.error})` : door === 'web' ? res.body.replace(/<[^>]+>/g, ' ') : res.body,
  };
}

const DOORS: Door[] = ['whois', 'rdap', 'web'];

/** Load on every door from one client; `name(i)` picks what each query asks for. */
function doorLoad(cluster: Cluster, workers: number, name: (i: number) => string, client: (i: number) => string = () => LOAD_CLIENT) {
  return startLoad(workers, (i) => ask(cluster, DOORS[i % 3], name(i), client(i)), (a) => a.normal);
}

describe('cluster: outages under load', { skip }, () => {
  let cluster: Cluster;
  // Each node reaches PostgreSQL through a forwarder the tests can cut or slow down: a fault of that node alone.
  const forwarders: TcpForwarder[] = [];

  before(async () => {
    cluster = await Cluster.start('outages', {
      settings: { policy: { rate_limit: { per_minute: LIMIT } } },
      nodeSettings: async (i, { pg }) => {
        forwarders[i] = await TcpForwarder.start(pg.port);
        return { db: `postgres://postgres@127.0.0.1:${forwarders[i].port}/postgres` };
      },
    });
  });
  after(async () => {
    await cluster?.stop();
    for (const f of forwarders) await f.close();
  });

  it('takes a node whose own database connection fails out of rotation, and back when it returns', async () => {
    await cluster.healthy();
    const [node1] = cluster.nodes;
    forwarders[0].sever();
    await waitFor('HAProxy to take node1 out', async () => (await cluster.lb.status('whois_nodes', 'node1')) === 'DOWN' && (await cluster.lb.status('http_nodes', 'node1')) === 'DOWN', { timeoutMs: 8000 });
    assert.equal((await node1.admin('/readyz')).status, 503, "node1's /readyz fails");
    assert.equal(await cluster.lb.status('whois_nodes', 'node2'), 'UP', 'node2 stays in rotation');
    // With node1 out, every query is answered normally (by node2).
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await ask(cluster, DOORS[i % 3], `${unique('local')}.example`, LOAD_CLIENT));
    assert.deepEqual(answers.filter((a) => !a.normal).map(show), [], 'no client error while one node has lost its database');
    forwarders[0].restore();
    await cluster.healthy(10_000);
  });

  describe('PostgreSQL restarted under load', () => {
    let attempts: Attempt<Answer>[] = [];
    const outage = { from: 0, to: 0 };
    let recoveredAfterMs = Infinity;

    before(async () => {
      await cluster.healthy();
      // Names nobody asked before: each query reaches the store (a cached answer would not).
      const load = doorLoad(cluster, 3, (i) => `${unique(`pg${i}`)}.example`);
      await sleep(1000);
      outage.from = performance.now();
      await cluster.pg.stop();
      // The fault is shared: both nodes fail /readyz, and HAProxy must keep sending them traffic.
      await cluster.lb.waitAll('DOWN', ['whois_nodes', 'http_nodes'], 8000).catch(() => {});
      await sleep(1500);
      await cluster.pg.start();
      outage.to = performance.now();
      recoveredAfterMs = await waitFor('normal answers on every door again', async () => {
        const probe = await Promise.all(DOORS.map((door) => ask(cluster, door, `${unique('probe')}.example`, LOAD_CLIENT)));
        return probe.every((a) => a.normal) && performance.now() - outage.to;
      }, { timeoutMs: 20_000, everyMs: 100 }).catch(() => Infinity);
      await sleep(500);
      attempts = await load.stop();
      await cluster.healthy(20_000);
    });

    const during = () => attempts.filter((a) => a.start >= outage.from && a.end <= outage.to);
    const failedOn = (door: Door) => during().filter((a) => a.answer.door === door && !a.answer.normal).map((a) => a.answer);

    it('answers every query from a node: no HAProxy 503 page, no connection closed without a word', () => {
      assert.ok(attempts.length > 30, `enough load (${attempts.length} queries)`);
      assert.ok(during().some((a) => !a.answer.normal), 'the outage was seen by clients (else this proves nothing)');
      const lost = attempts.filter((a) => !a.answer.fromNode).map((a) => show(a.answer));
      assert.deepEqual(lost.slice(0, 5), [], `${lost.length} answers did not come from a node`);
    });

    it('answers port 43 with % lines that say to try again later', () => {
      const failed = failedOn('whois');
      assert.ok(failed.length > 0, 'port-43 queries during the outage');
      for (const a of failed) {
        const lines = a.text.split('\r\n').filter((l) => l !== '');
        assert.ok(lines.every((l) => l.startsWith('%')), `only % lines: ${show(a)}`);
        assert.match(a.text, /try again later/i);
      }
    });

    it('answers RDAP with 503, Retry-After and an RDAP error object', () => {
      const failed = failedOn('rdap');
      assert.ok(failed.length > 0, 'RDAP queries during the outage');
      for (const a of failed) {
        assert.equal(a.status, 503, show(a));
        assert.match(a.retryAfter ?? '', /^\d+$/, `Retry-After: ${show(a)}`);
        assert.equal(JSON.parse(a.text).errorCode, 503);
      }
    });

    it('answers the web lookup with a 503 page', () => {
      const failed = failedOn('web');
      assert.ok(failed.length > 0, 'web lookups during the outage');
      for (const a of failed) assert.equal(a.status, 503, show(a));
    });

    it('recovers by itself within 5 s of PostgreSQL accepting connections again', () => {
      assert.ok(recoveredAfterMs <= 5000, `normal answers on every door ${Math.round(recoveredAfterMs)} ms after PostgreSQL returned`);
      const late = attempts.filter((a) => a.start > outage.to + recoveredAfterMs && !a.answer.normal).map((a) => show(a.answer));
      assert.deepEqual(late, [], 'no failure after the recovery');
    });
  });

  it('goes on answering with local limits while Redis is down, and shares limits again when it is back', async () => {
    await cluster.healthy();
    const pids = cluster.nodes.map((n) => n.pid);
    // A ban made before the outage, copied into each node's ban table (every second).
    const banned = freshClient();
    rdds(['ban', banned, '--for', '10m', '--config', cluster.nodes[0].configFile], cluster.dir);
    await sleep(1500);
    // A fresh client per query: every one passes admission (and its Redis round trip).
    let k = 0;
    const load = doorLoad(cluster, 3, () => 'nic.example', () => `127.2.${Math.floor(k / 250) % 250}.${(k++ % 250) + 1}`);
    await sleep(800);
    await cluster.redis.stop();
    await Promise.all(cluster.nodes.map((n) => waitFor(`${n.name} to log the Redis outage`, () => n.processLog().some((l) => l.msg === 'redis outage'), { timeoutMs: 8000 })));
    for (const node of cluster.nodes) {
      assert.ok(((await node.metric('rdds_outages_total', 'component="redis"')) ?? 0) >= 1, `${node.name} counts the outage`);
      assert.equal((await node.admin('/readyz')).status, 200, `${node.name} stays ready: it can still serve the data`);
    }

    for (const node of cluster.nodes) {
      const a = await whois(node.ports.whois, 'nic.example', { localAddress: banned });
      assert.ok(a.text.startsWith(BAN_REFUSAL), `${node.name} still refuses the banned client: ${a.text.slice(0, 60)}`);
    }

    // Local limits: straight to each node, one client gets the limit from each.
    await windowRoom();
    const local = freshClient();
    for (const node of cluster.nodes) assert.deepEqual(await answeredOf(node, local, LIMIT + 1), [...Array(LIMIT).fill(true), false], `${node.name} applies the limit by itself`);

    await cluster.redis.start();
    await Promise.all(cluster.nodes.map((n) => waitFor(`${n.name} to log that Redis is back`, () => n.processLog().some((l) => l.msg === 'redis recovered'), { timeoutMs: 10_000 })));
    // Shared limits again: what one node counted, the other refuses.
    await windowRoom();
    const shared = freshClient();
    assert.deepEqual(await answeredOf(cluster.nodes[0], shared, 3), [true, true, true]);
    assert.deepEqual(await answeredOf(cluster.nodes[1], shared, 4), [true, true, false, false], 'node2 counts on from node1');
    // This Redis keeps nothing on disk (as docs/deploy.md allows): the restart forgot the ban.
    await waitFor('the ban list copied from the empty Redis', async () => !(await whois(cluster.nodes[1].ports.whois, 'nic.example', { localAddress: banned })).text.startsWith(BAN_REFUSAL), { timeoutMs: 3000 });

    const attempts = await load.stop();
    assert.ok(attempts.length > 30, `enough load (${attempts.length} queries)`);
    assert.equal(attempts.filter((a) => !a.ok).length, 0, describeFailures(attempts, show));
    assert.deepEqual(cluster.nodes.map((n) => n.pid), pids, 'no node restarted');
  });

  it('drains a killed node without client errors beyond its queries in flight, and takes it back after a restart', async () => {
    await cluster.healthy();
    const node1 = cluster.nodes[0];
    const workers = 4;
    const load = doorLoad(cluster, workers, (i) => (i % 2 ? 'nic.example' : `${unique('kill')}.example`));
    await sleep(1500);
    await node1.kill();
    // Queries started before the node was gone may have been on it: those are its queries in flight.
    const deadAt = performance.now();
    await waitFor('HAProxy to mark node1 down', async () => (await cluster.lb.status('whois_nodes', 'node1'))?.startsWith('DOWN'), { timeoutMs: 5000 });
    const drainedMs = performance.now() - deadAt;
    await sleep(1000);
    const restartedAt = Date.now();
    await node1.start();
    await cluster.healthy(10_000);
    // The restarted node gets its share of the load again.
    await loggedRecords([node1], (r) => r.address === LOAD_CLIENT && Date.parse(r.time) > restartedAt, 5, 10_000);
    const attempts = await load.stop();

    assert.ok(drainedMs < 3000, `node1 out of rotation ${Math.round(drainedMs)} ms after the kill`);
    const failed = attempts.filter((a) => !a.ok);
    const late = attempts.filter((a) => a.start >= deadAt);
    assert.ok(late.every((a) => a.ok), `only queries started before the kill failed: ${describeFailures(late, (a) => show(a))}; at ${late.filter((a) => !a.ok).map((a) => Math.round(a.start - deadAt)).join(', ')} ms after the node died`);
    assert.ok(failed.length <= workers, `at most one query in flight per client failed (${failed.length}): ${failed.map((a) => show(a.answer)).join(' | ')}`);
  });

  describe('SIGTERM on a node under load', () => {
    const node = () => cluster.nodes[1];
    let attempts: Attempt<Answer>[] = [];
    let prefix = '';
    let signalled = 0;
    let closedMs = Infinity;
    let exitedMs = Infinity;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let lines: string[] = [];

    before(async () => {
      await cluster.healthy();
      const child = node().child!;
      prefix = unique('term');
      // node2's database answers 300 ms late: it has queries in flight when the signal comes.
      forwarders[1].delayMs = 300;
      const load = doorLoad(cluster, 6, (i) => `${prefix}-${i}.example`);
      await sleep(2000);
      signalled = Date.now();
      child.signal('SIGTERM');
      closedMs = await waitFor('node2 to stop accepting', async () => !(await tcpOpen(node().ports.whois)) && Date.now() - signalled, { timeoutMs: 5000, everyMs: 20 });
      exit = await Promise.race([child.exited, sleep(15_000).then(() => undefined)]);
      exitedMs = Date.now() - signalled;
      lines = child.lines;
      forwarders[1].delayMs = 0;
      await sleep(1000);
      attempts = await load.stop();
      await node().start();
    });

    it('stops accepting at once, says so, and exits by itself with status 0', () => {
      assert.deepEqual(exit, { code: 0, signal: null }, `node2 exited by itself with status 0\n${node().recent()}`);
      assert.ok(closedMs < 1000, `port 43 closed ${closedMs} ms after SIGTERM`);
      // HAProxy's idle keep-alive connections hold the HTTP listener open until its 5 s grace ends.
      assert.ok(exitedMs < 10_000, `exited ${exitedMs} ms after SIGTERM`);
      assert.ok(lines.some((l) => l.includes('shutting down')), 'node2 said it was shutting down');
    });

    it('finishes its queries in flight; no client sees an error or a reset', async () => {
      assert.ok(attempts.length > 30, `enough load (${attempts.length} queries)`);
      assert.equal(attempts.filter((a) => !a.ok).length, 0, describeFailures(attempts, show));
      const [records] = await loggedRecords([node()], (r) => r.query.includes(prefix) && Date.parse(r.time) > signalled, 1);
      assert.ok(records.length > 0, 'node2 answered (and logged) queries after the signal: those in flight');
    });

    it('writes every answer to a query log exactly once', async () => {
      const per = await loggedRecords(cluster.nodes, (r) => r.query.includes(prefix), attempts.length);
      const seen = new Map<string, string[]>();
      per.forEach((records, i) => records.forEach((r) => seen.set(`${r.door} ${r.query}`, [...(seen.get(`${r.door} ${r.query}`) ?? []), `node${i + 1} +${Date.parse(r.time) - signalled} ms`])));
      const twice = [...seen].filter(([, where]) => where.length > 1).map(([q, where]) => `${q} (${where.join(', ')})`);
      assert.deepEqual(twice, [], 'queries logged twice');
      assert.equal(per[0].length + per[1].length, attempts.length, 'one record per answered query');
    });
  });
});

/** Sends `n` port-43 queries straight to a node from `client`: for each, answered (true) or refused (false). */
async function answeredOf(node: RddsNode, client: string, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const a = await whois(node.ports.whois, 'nic.example', { localAddress: client });
    if (!/^Domain Name:/m.test(a.text) && !a.text.startsWith(RATE_REFUSAL)) throw new Error(`neither answer nor refusal from ${node.name}: ${a.text.slice(0, 100)}`);
    out.push(/^Domain Name:/m.test(a.text));
  }
  return out;
}
