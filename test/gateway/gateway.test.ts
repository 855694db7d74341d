// The WHOIS2 gateway door over real TCP: registered gateways relay queries for their end users and
// get exactly what port 43 gives those end users; per-gateway and per-end-user limits (one
// allowance over every door); every bad-query reason produced, counted and reported; gateways
// added, removed and suspended at run time; and the same limits exact over two nodes on Redis.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { gatewayReport } from '../../src/observe/gateway-report.js';
import { readDay } from '../../src/observe/daily-counts.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import { banCommand } from '../../src/policy/ban-command.js';
import { addGateway, removeGateway, resumeGateway, suspendGateway } from '../../src/policy/gateway-command.js';
import { RddsPolicy } from '../../src/policy/rdds-policy.js';
import { RedisState } from '../../src/policy/redis-state.js';
import { proxyV1, proxyV2 } from '../../src/server/proxy-protocol.js';
import { startService } from '../../src/server/service.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { seed, standardObjects } from '../store/fixtures.js';

const GATEWAY = '127.0.0.2';
const OTHER_GATEWAY = '127.0.0.4';
const PROXY = '127.0.0.3';
const STRANGER = '127.0.0.5';
// End users: public unicast addresses (the gateway must name real ones).
const ALICE = '81.2.69.160';
const BOB = '2a02:1234::7';
const CAROL = '81.2.69.161';

/** One connection from `from`: sends `data`, returns everything until the server closes. */
function tcp(port: number, from: string, data: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: from });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('no answer in time'))), 10_000);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve((clearTimeout(timer), Buffer.concat(chunks).toString('utf8'))));
  });
}

const ask = (svc: TestService, line: string, from = GATEWAY) => tcp(svc.ports.gateway!, from, `${line}\r\n`);
/** What port 43 answers this end user directly (through the trusted proxy that names them). */
const direct = (svc: TestService, address: string, line: string) => tcp(svc.ports.whois, PROXY, Buffer.concat([proxyV1(address), Buffer.from(`${line}\r\n`)]));

async function records(svc: TestService): Promise<QueryRecord[]> {
  await svc.observe.buffered!.flush();
  const out: QueryRecord[] = [];
  readDay(svc.config.log.dir, new Date().toISOString().slice(0, 10), (r) => out.push(r));
  return out;
}

const settings = (more: Record<string, string | string[]> = {}) => ({
  'gateway.enabled': 'true',
  'gateway.host': '127.0.0.1',
  'gateway.port': '0',
  'policy.allowlist': [],
  'policy.trusted_proxies': [PROXY],
  'policy.max_connections_per_client': '0',
  'policy.rate_limit.ban_after': '0',
  ...more,
});

describe('the gateway door', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService(settings({ 'policy.rate_limit.per_minute': '6', 'gateway.limit_per_minute': '1000', 'gateway.repeat_limit': '3' }));
    await addGateway(svc.store, 'web-whois', { address: [`${GATEWAY}/32`], contact: 'ops@gw.example' });
    await addGateway(svc.store, 'tiny', { address: [OTHER_GATEWAY], limit: '3' });
    await (svc.pipeline.policy as RddsPolicy).gateways.refresh();
  });
  after(async () => svc?.stop());

  it('relays queries for its end users, each answered exactly as port 43 answers them, and logs both addresses', async () => {
    for (const [host, user] of [['alice.example.net', ALICE], ['unresolvable', BOB]]) {
      const relayed = await ask(svc, `${host} ${user} nic.example`);
      assert.match(relayed, /^Domain Name: NIC\.EXAMPLE\r\n/);
      assert.equal(relayed, await direct(svc, user, 'nic.example'), 'the same answer, byte for byte: layout, notices, terms, redaction');
      assert.doesNotMatch(relayed, /Contact REG-1|1 Main Street/, 'the public view, never more');
    }
    const mine = (await records(svc)).filter((r) => r.door === 'gateway');
    assert.deepEqual(mine.map((r) => [r.gateway, r.address, r.endUser, r.clientKey, r.outcome]), [
      ['web-whois', GATEWAY, ALICE, ALICE, 'answered'],
      ['web-whois', GATEWAY, '2a02:1234::7', '2a02:1234::/64', 'answered'],
    ]);
  });

  it('knows a gateway behind a trusted load balancer by its own address (PROXY protocol v1 and v2)', async () => {
    for (const header of [proxyV1(GATEWAY), proxyV2(GATEWAY)]) {
      const text = await tcp(svc.ports.gateway!, PROXY, Buffer.concat([header, Buffer.from('unresolvable 81.2.69.90 nic.example\r\n')]));
      assert.match(text, /^Domain Name: NIC\.EXAMPLE/);
    }
    // From the balancer's own address (no gateway) without a header naming one: refused.
    assert.match(await tcp(svc.ports.gateway!, PROXY, Buffer.concat([proxyV1(STRANGER), Buffer.from('unresolvable 81.2.69.91 nic.example\r\n')])), /not registered for the gateway service/);
    const logged = (await records(svc)).filter((r) => r.endUser === '81.2.69.90');
    assert.deepEqual(logged.map((r) => [r.address, r.gateway]), [[GATEWAY, 'web-whois'], [GATEWAY, 'web-whois']]);
  });

  it("counts an end user's gateway and direct queries against one allowance", async () => {
    // Carol's six a minute: three straight, three through the gateway; the seventh is refused through it.
    for (let i = 0; i < 3; i++) assert.match(await direct(svc, CAROL, `q${i}.example`), /^The queried object does not exist/);
    for (let i = 3; i < 6; i++) assert.match(await ask(svc, `unresolvable ${CAROL} q${i}.example`), /^The queried object does not exist/);
    assert.equal(await ask(svc, `unresolvable ${CAROL} q6.example`), '% You have exceeded allowed connection rate.\r\n% Please try to connect later.\r\n');
    assert.match(await direct(svc, CAROL, 'q7.example'), /exceeded allowed connection rate/, 'and directly');
  });

  it("holds a gateway to its own limit over all its addresses, in the WHOIS2 quota text with the true seconds", async () => {
    const users = ['81.2.69.10', '81.2.69.11', '81.2.69.12', '81.2.69.13'];
    for (const u of users.slice(0, 3)) assert.match(await ask(svc, `unresolvable ${u} nic.example`, OTHER_GATEWAY), /^Domain Name/);
    const over = await ask(svc, `unresolvable ${users[3]} nic.example`, OTHER_GATEWAY);
    const m = /^Error for "nic\.example"\. This proxy has exceeded its quota for forwarded WHOIS queries\. The quota will be replenished in (\d+) seconds\.\r\n$/.exec(over);
    assert.ok(m, over);
    const secondsLeft = 60 - new Date().getUTCSeconds();
    assert.ok(Math.abs(Number(m[1]) - secondsLeft) <= 2, `${m[1]} s: the rest of this minute's window (${secondsLeft} s)`);
  });

  it('produces, counts and reports every bad-query reason', async () => {
    const user = '81.2.69.20';
    const bad: [string, RegExp, string?][] = [
      ['this is not it', /^% Invalid query: not a gateway query/],
      ['nic.example', /^% Invalid query: a plain query: send it to port 43/],
      ['bad_host!name 81.2.69.20 nic.example', /^% Invalid query: .* is neither a host name nor "unresolvable"/],
      ['h.example.net 10.1.2.3 nic.example', /^% Invalid query: 10\.1\.2\.3 is not a public unicast address/],
      ['h.example.net 192.0.2.7 nic.example', /^% Invalid query: 192\.0\.2\.7 is not a public unicast address/],
      ['h.example.net 127.0.0.2 nic.example', /^% Invalid query: 127\.0\.0\.2 is not a public unicast address/],
      [`h.example.net ${user} nic.other`, /^% Invalid query: this server answers only for \.example/],
    ];
    for (const [line, expected] of bad) assert.match(await ask(svc, line), expected, line);
    // A gateway's line sent to port 43 from the gateway's address.
    assert.match(await tcp(svc.ports.whois, GATEWAY, `h.example.net ${user} nic.example\r\n`), /^% Invalid query: a gateway query: gateways send it to the gateway port/);
    // The same end user and name more than gateway.repeat_limit (3) times a minute is no live request.
    for (let i = 0; i < 3; i++) assert.match(await ask(svc, `h.example.net ${user} nic.example`), /^Domain Name/);
    assert.match(await ask(svc, `h.example.net ${user} nic.example`), /^% Not allowed: the same end user asked for the same name too often/);
    // A banned end user is refused through the gateway as on port 43.
    const banned = '81.2.69.30';
    await banCommand(svc.config, banned, { for: '1h' });
    await new Promise((r) => setTimeout(r, 1500)); // the node reads the ban file within a second
    assert.equal(await ask(svc, `unresolvable ${banned} nic.example`), '% You are not allowed to connect.\r\n');

    const faults = (await records(svc)).filter((r) => r.gateway === 'web-whois' && r.fault).map((r) => r.fault);
    assert.deepEqual(faults, ['end-user-limited', 'format', 'wrong-port', 'false-details', 'false-details', 'false-details', 'false-details', 'not-served', 'wrong-port', 'repeat', 'end-user-banned']);
    const report = gatewayReport(svc.config.log.dir, new Date().toISOString().slice(0, 10));
    const web = report.gateways.find((g) => g.gateway === 'web-whois')!;
    assert.deepEqual(
      Object.fromEntries(Object.entries(web.bad).filter(([, n]) => n > 0)),
      { format: 1, 'wrong-port': 2, 'false-details': 4, 'not-served': 1, 'end-user-limited': 1, 'end-user-banned': 1, repeat: 1 },
    );
    assert.equal(web.badTotal, 11);
    assert.equal(report.gateways.find((g) => g.gateway === 'tiny')!.bad['gateway-limited'], 1);
    const m = await (await fetch(`http://127.0.0.1:${svc.ports.admin}/metrics`)).text();
    assert.match(m, /^rdds_gateway_faults_total\{gateway="web-whois",fault="false-details"\} 4$/m);
    assert.match(m, /^rdds_gateway_queries_total\{gateway="tiny",outcome="answered"\} 3$/m);
  });

  it('refuses an address of no gateway; a gateway removed or suspended at run time from its next connection', async () => {
    assert.equal(await ask(svc, 'unresolvable 81.2.69.40 nic.example', STRANGER), '% Not allowed: this address is not registered for the gateway service; plain WHOIS queries go to port 43, and gateways are registered with the registry\r\n');
    await addGateway(svc.store, 'late', { address: [STRANGER] });
    // The node re-reads the register every second: wait until it has, then ask once.
    const registry = (svc.pipeline.policy as RddsPolicy).gateways;
    let user = 100;
    const seen = async (until: () => boolean) => {
      const deadline = Date.now() + 3000;
      while (!until() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      return ask(svc, `unresolvable 81.2.70.${user++} nic.example`, STRANGER);
    };
    assert.match(await seen(() => registry.match(STRANGER) !== undefined), /^Domain Name/, 'added without a restart');
    await suspendGateway(svc.store, 'late', 'abuse reported');
    assert.match(await seen(() => registry.match(STRANGER)?.suspended !== undefined), /^% Not allowed: this gateway is suspended \(abuse reported\); contact the registry/);
    await resumeGateway(svc.store, 'late');
    assert.match(await seen(() => registry.match(STRANGER)?.suspended === undefined), /^Domain Name/);
    await removeGateway(svc.store, 'late');
    assert.match(await seen(() => registry.match(STRANGER) === undefined), /not registered for the gateway service/);
  });
});

describe('a gateway over its limit', () => {
  it('is suspended after gateway.suspend_after occasions, and the operator log and metrics say so; ignore mode closes without a word', async () => {
    const logs: string[] = [];
    const svc = await startTestService(settings({ 'gateway.limit_per_minute': '2', 'gateway.suspend_after': '1', 'gateway.over_limit': 'ignore' }), standardObjects(), {
      logger: (await import('../../src/observe/log.js')).createLogger({ destination: { write: (l: string) => logs.push(l) }, format: 'json' }),
    });
    try {
      await addGateway(svc.store, 'greedy', { address: [GATEWAY] });
      await (svc.pipeline.policy as RddsPolicy).gateways.refresh();
      for (const u of ['81.2.69.50', '81.2.69.51']) assert.match(await ask(svc, `unresolvable ${u} nic.example`), /^Domain Name/);
      assert.equal(await ask(svc, 'unresolvable 81.2.69.52 nic.example'), '', 'ignore: closed without an answer');
      assert.match(await ask(svc, 'unresolvable 81.2.69.53 nic.example'), /this gateway is suspended \(over its limit of 2 queries a minute on 1 occasions today\)/);
      assert.ok((await svc.store.gateways())[0].suspended?.by === 'automatic', 'suspended in the store: every node sees it');
      assert.ok(logs.some((l) => l.includes('gateway greedy suspended')), 'the operator log says so');
      const m = await (await fetch(`http://127.0.0.1:${svc.ports.admin}/metrics`)).text();
      assert.match(m, /^rdds_gateway_suspensions_total\{gateway="greedy"\} 1$/m);
    } finally {
      await svc.stop();
    }
  });

  it('is slowed down in throttle mode, and still answered', async () => {
    const svc = await startTestService(settings({ 'gateway.limit_per_minute': '1', 'gateway.suspend_after': '0', 'gateway.over_limit': 'throttle', 'gateway.throttle_delay': '400ms' }));
    try {
      await addGateway(svc.store, 'slow', { address: [GATEWAY] });
      await (svc.pipeline.policy as RddsPolicy).gateways.refresh();
      let started = Date.now();
      assert.match(await ask(svc, 'unresolvable 81.2.69.60 nic.example'), /^Domain Name/);
      const fast = Date.now() - started;
      started = Date.now();
      assert.match(await ask(svc, 'unresolvable 81.2.69.61 nic.example'), /^Domain Name/);
      assert.ok(Date.now() - started >= 400, `the second answer waited the throttle delay (${Date.now() - started} ms; the first ${fast} ms)`);
    } finally {
      await svc.stop();
    }
  });
});

const redis = await new Promise<boolean>((resolve) => {
  const s = net.connect({ host: '127.0.0.1', port: 6379 }, () => (s.destroy(), resolve(true)));
  s.on('error', () => resolve(false));
});

describe('two nodes on one store and one Redis', { skip: redis ? undefined : 'no Redis on 127.0.0.1:6379' }, () => {
  it("keeps a gateway's limit and an end user's allowance exact whichever node answers", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-gw2-'));
    const db = join(dir, 'rdds.sqlite');
    const prefix = `rdds-test-gw-${process.pid}-${Date.now()}:`;
    const setup = await SqliteStore.open(db);
    await seed(setup, standardObjects());
    await addGateway(setup, 'shared', { address: [GATEWAY], limit: '4' });
    await setup.close();
    const nodes = await Promise.all([0, 1].map(async (i) => {
      const config = loadConfig(undefined, {
        ...settings({ 'policy.rate_limit.per_minute': '3', state: 'redis://127.0.0.1:6379' }),
        db, 'whois.host': '127.0.0.1', 'whois.port': '0', 'http.host': '127.0.0.1', 'http.port': '0', 'admin.host': '127.0.0.1', 'admin.port': '0',
        'log.dir': join(dir, `log-${i}`), 'log.level': 'warn',
      }, {});
      const store = await SqliteStore.open(db);
      const state = new RedisState(config.state, { prefix });
      await state.ready(3000); // until it is connected a node counts on its own (local limits)
      const policy = new RddsPolicy(config, { store, gateways: store, state, log: () => {} });
      return { store, svc: await startService(config, { store, policy }) };
    }));
    const on = (i: number, line: string) => tcp(nodes[i].svc.ports.gateway!, GATEWAY, `${line}\r\n`);
    try {
      // The end user's three a minute, alternating nodes; the fourth refused on either.
      for (let i = 0; i < 3; i++) assert.match(await on(i % 2, 'unresolvable 81.2.69.70 nic.example'), /^Domain Name/);
      assert.match(await on(1, 'unresolvable 81.2.69.70 nic.example'), /exceeded allowed connection rate/);
      // The gateway's four a minute count the queries whose end user was admitted: three so far, so one more, then over on either node.
      assert.match(await on(0, 'unresolvable 81.2.69.71 nic.example'), /^Domain Name/);
      assert.match(await on(1, 'unresolvable 81.2.69.72 nic.example'), /^Error for "nic\.example"\. This proxy has exceeded its quota/);
      assert.match(await on(0, 'unresolvable 81.2.69.73 nic.example'), /^Error for "nic\.example"\. This proxy has exceeded its quota/);
    } finally {
      for (const n of nodes) {
        await n.svc.close();
        await n.store.close();
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
