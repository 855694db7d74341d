// Registrar quota, personal-data budget, Redis outage fallback, the ban file shared with `rdds ban`.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RddsPolicy, type PolicyEvent } from '../../src/policy/rdds-policy.js';
import { banCommand, listBansCommand, unbanCommand } from '../../src/policy/ban-command.js';
import { RedisState } from '../../src/policy/redis-state.js';
import { BanFile, MemoryState } from '../../src/policy/state.js';
import { BACKENDS, FakeClock, policyConfig, redisAvailable, REDIS_SKIP } from './helpers.js';

for (const backend of BACKENDS) {
  describe(`quota and budget on ${backend.name} state`, () => {
    let skip: string | false = false;
    before(async () => {
      if (backend.name === 'redis' && !(await redisAvailable())) skip = REDIS_SKIP;
    });

    it('gives a registrar full data up to 110% of its domains a day, then the public view with a notice', async (t) => {
      if (skip) return t.skip(skip);
      const clock = new FakeClock(Date.UTC(2030, 0, 1, 12));
      const cfg = policyConfig();
      cfg.policy.tiers.registrars = { '5555555': ['10.5.0.0/16'] };
      const events: PolicyEvent[] = [];
      let counted = 0;
      const store = { countDomains: async (id: number) => (counted++, id === 5555555 ? 20 : 0) };
      const policy = new RddsPolicy(cfg, { store, state: await backend.make(clock), clock: clock.now, onEvent: (e) => events.push(e), log: () => {} });
      try {
        const client = policy.identify({ door: 'whois', address: '10.5.1.2' });
        assert.equal(client.tier, 'registrar');
        assert.equal(client.registrarId, 5555555);
        for (let i = 0; i < 22; i++) {
          const d = await policy.access(policy.identify({ door: 'whois', address: `10.5.${i % 3}.2` }));
          assert.deepEqual(d, { access: { tier: 'registrar', full: true, revealCustomer: false } }, `lookup ${i + 1}`);
        }
        const over = await policy.access(client);
        assert.equal(over.access.full, false);
        assert.equal(over.access.tier, 'public');
        assert.match(over.notice!, /daily quota of 22 full lookups for registrar 5555555 is spent/);
        await policy.access(client);
        assert.deepEqual(events.map((e) => e.type), ['quota-exhausted'], 'reported once');
        assert.equal(counted, 1, 'domain count cached');
        // The next UTC day starts afresh.
        clock.advance(12 * 3600_000);
        assert.equal((await policy.access(client)).access.full, true);
      } finally {
        await policy.close();
      }
    });

    it('counts unredacted personal records per client key and falls back to public past the budget', async (t) => {
      if (skip) return t.skip(skip);
      const clock = new FakeClock();
      const events: PolicyEvent[] = [];
      const logs: string[] = [];
      const cfg = policyConfig({ 'policy.tiers.authorized': '2001:db8:77::/48', 'policy.personal_data_budget.authorized': '10' });
      const policy = new RddsPolicy(cfg, { state: await backend.make(clock), clock: clock.now, onEvent: (e) => events.push(e), log: (_l, m) => logs.push(m) });
      try {
        const a = policy.identify({ door: 'whois', address: '2001:db8:77:1::1' });
        const b = policy.identify({ door: 'rdap', address: '2001:db8:77:1::2' }); // same /64: same budget
        assert.equal(a.tier, 'authorized');
        for (let i = 0; i < 3; i++) {
          assert.equal((await policy.access(a)).access.revealCustomer, true);
          await policy.charge(i % 2 ? a : b, 3);
        }
        assert.equal(await policy.personalRecords(a.key), 9);
        assert.equal((await policy.access(b)).access.full, true, '9 < 10');
        await policy.charge(b, 4);
        const d = await policy.access(a);
        assert.equal(d.access.full, false);
        assert.match(d.notice!, /daily budget of 10 records with personal data is spent/);
        assert.equal(events.length, 1);
        assert.deepEqual({ ...events[0], day: undefined }, { type: 'budget-exhausted', key: '2001:db8:77:1::/64', tier: 'authorized', budget: 10, used: 13, day: undefined });
        assert.equal(logs.filter((l) => /personal-data budget/.test(l)).length, 1, 'the operator sees it in the log');
        // Another /64 of the same range has its own budget; public clients are never charged.
        assert.equal((await policy.access(policy.identify({ door: 'whois', address: '2001:db8:77:2::1' }))).access.full, true);
        const pub = policy.identify({ door: 'whois', address: '192.0.2.1' });
        await policy.charge(pub, 5);
        assert.equal(await policy.personalRecords(pub.key), 0);
      } finally {
        await policy.close();
      }
    });
  });
}

describe('Redis outage', () => {
  it('keeps admitting with local limits when Redis is unreachable, and logs it once', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    // Nothing listens on port 1: every connection attempt is refused.
    const state = new RedisState('redis://127.0.0.1:1', { clock: clock.now, log: (_l, m) => logs.push(m) });
    const policy = new RddsPolicy(policyConfig({ 'policy.rate_limit.per_minute': '5' }), { state, clock: clock.now, log: (_l, m) => logs.push(m) });
    try {
      const started = performance.now();
      const results = [];
      for (let i = 0; i < 7; i++) results.push((await policy.admit(policy.identify({ door: 'whois', address: '192.0.2.44' }))).admitted);
      assert.deepEqual(results, [true, true, true, true, true, false, false], 'local limits hold');
      assert.ok(performance.now() - started < 500, 'no query waits for Redis');
      assert.equal(state.isDegraded, true);
      // Personal-data counters fall back too.
      await policy.charge({ remote: { door: 'whois', address: '10.0.0.1' }, key: '10.0.0.1', tier: 'authorized' }, 2);
      assert.equal(await policy.personalRecords('10.0.0.1'), 2);
      await new Promise<void>((resolve) => state.redis.once('error', () => resolve())); // a reconnect attempt fails again
      assert.equal(logs.filter((l) => /redis unreachable/.test(l)).length, 1, logs.join('\n'));
    } finally {
      await policy.close();
    }
  });

  it('goes back to Redis when it returns', async (t) => {
    if (!(await redisAvailable())) return t.skip(REDIS_SKIP);
    const clock = new FakeClock();
    const logs: string[] = [];
    const state = new RedisState('redis://127.0.0.1:6379', { clock: clock.now, log: (_l, m) => logs.push(m), prefix: `rdds-test-outage-${process.pid}:` });
    try {
      await state.ready();
      const ended = once(state.redis, 'end');
      state.redis.disconnect(); // Redis goes away ...
      await ended;
      const local = await state.hit({ key: '192.0.2.9', limit: 5, windowMs: 60_000, banAfter: 0, banWindowMs: 1, banMs: 1, now: clock.t });
      assert.equal(local.count, 1);
      assert.equal(state.isDegraded, true);
      void state.redis.connect(); // ... and comes back
      await state.ready(3000);
      assert.equal(state.isDegraded, false);
      const shared = await state.hit({ key: '192.0.2.9', limit: 5, windowMs: 60_000, banAfter: 0, banWindowMs: 1, banMs: 1, now: clock.t });
      assert.equal(shared.count, 1, 'counted in Redis again (the local count stays local)');
      assert.equal(await state.redis.get(`rdds-test-outage-${process.pid}:rl:192.0.2.9:${Math.floor(clock.t / 60_000)}`), '1');
    } finally {
      const keys = await state.redis.keys(`rdds-test-outage-${process.pid}:*`).catch(() => []);
      if (keys.length) await state.redis.del(...keys);
      await state.close();
    }
  });
});

describe('operator bans with memory state', () => {
  it('rdds ban writes the ban file that a running node watches; rdds unban lifts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-bans-'));
    const cfg = policyConfig({ db: join(dir, 'rdds.sqlite') });
    const state = new MemoryState({ banFile: new BanFile(join(dir, 'rdds.sqlite.bans.json')), banPollMs: 20 });
    const keepAlive = setInterval(() => {}, 1000);
    const policy = new RddsPolicy(cfg, { state, log: () => {} });
    const ask = () => policy.admit(policy.identify({ door: 'whois', address: '203.0.113.9' }));
    // Waits for the node's file watcher to take a change (a condition, polled; fails after 5 s).
    const until = (cond: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 5000;
        const t = setInterval(() => {
          if (cond()) resolve(clearInterval(t));
          else if (Date.now() > deadline) reject((clearInterval(t), new Error('the ban file change was not seen')));
        }, 10);
      });
    try {
      assert.equal((await ask()).admitted, true);
      assert.match(await banCommand(cfg, '203.0.113.0/24', { for: '2h', reason: 'scraping' }), /^banned 203\.0\.113\.0\/24 until /);
      // The node's own watcher reloads the file within its poll interval.
      await until(() => state.table.size === 1);
      assert.deepEqual(await ask(), { admitted: false, reason: 'banned', message: ['You are not allowed to connect.'], retryAfterSeconds: 7200 });
      assert.match(await listBansCommand(cfg), /203\.0\.113\.0\/24 .* operator +scraping/);
      assert.match(await unbanCommand(cfg, '203.0.113.0/24'), /lifted/);
      await until(() => state.table.size === 0);
      assert.equal((await ask()).admitted, true);
      await assert.rejects(unbanCommand(cfg, '203.0.113.0/24'), /is not banned/);
      // A ban of an allowlisted address (or of a range that holds one) says it will have no effect.
      const allowing = { ...cfg, policy: { ...cfg.policy, allowlist: ['198.51.100.16/28'] } };
      assert.match(await banCommand(allowing, '198.51.100.20', {}), /\nnote: 198\.51\.100\.20 overlaps policy\.allowlist \(198\.51\.100\.16\/28\): .*no effect/);
      assert.match(await banCommand(allowing, '198.51.100.0/24', {}), /overlaps policy\.allowlist/);
      assert.doesNotMatch(await banCommand(allowing, '198.51.100.1', {}), /note:/);
      // A ban without expiry, by hand: rdds bans says it is permanent, and why.
      assert.match(await banCommand(cfg, '203.0.113.77', { for: 'forever', reason: 'systematic abuse' }), /^banned 203\.0\.113\.77 permanently \(until rdds unban\)/);
      assert.match(await listBansCommand(cfg), /203\.0\.113\.77 +until rdds unban +permanent +operator +systematic abuse/);
      await assert.rejects(banCommand(cfg, '203.0.113.78', { for: 'soon' }), /--for: .*\(or "forever"\)/);
    } finally {
      clearInterval(keepAlive);
      await policy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
