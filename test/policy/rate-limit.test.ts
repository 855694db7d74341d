// Rate limits, ban escalation and lifting, IPv6 grouping, allowlist and tier limits, throttle mode,
// on both state backends (the same assertions against memory and a real Redis).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { RddsPolicy } from '../../src/policy/rdds-policy.js';
import type { Admission } from '../../src/policy/policy.js';
import type { Overrides } from '../../src/config.js';
import { BACKENDS, FakeClock, policyConfig, redisAvailable, REDIS_SKIP } from './helpers.js';

const RATE_TEXT = ['You have exceeded allowed connection rate.', 'Please try to connect later.'];
const BAN_TEXT = ['You are not allowed to connect.'];

for (const backend of BACKENDS) {
  describe(`rate limits on ${backend.name} state`, () => {
    let skip: string | false = false;
    before(async () => {
      if (backend.name === 'redis' && !(await redisAvailable())) skip = REDIS_SKIP;
    });

    async function setup(settings: Overrides = {}) {
      const clock = new FakeClock();
      const state = await backend.make(clock);
      const events: string[] = [];
      const logs: string[] = [];
      const policy = new RddsPolicy(policyConfig(settings), { state, clock: clock.now, onEvent: (e) => events.push(e.type), log: (_l, m) => logs.push(m) });
      const ask = (address: string) => policy.admit(policy.identify({ door: 'whois', address }));
      const dispose = async () => {
        await policy.close();
        // The Redis runs must really have used Redis, not the local fallback.
        assert.deepEqual(logs.filter((l) => /redis/.test(l)), []);
      };
      return { clock, policy, events, logs, ask, [Symbol.asyncDispose]: dispose };
    }

    async function admitted(ask: (a: string) => Admission | Promise<Admission>, address: string, n: number): Promise<number> {
      let ok = 0;
      for (let i = 0; i < n; i++) if ((await ask(address)).admitted) ok++;
      return ok;
    }

    it('admits exactly N queries a window and refuses the N+1th with the spec text', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '30' });
      s.clock.advance(5_000); // 5 s into a window
      assert.equal(await admitted(s.ask, '192.0.2.10', 30), 30);
      const refused = await s.ask('192.0.2.10');
      assert.deepEqual(refused, { admitted: false, reason: 'rate-limited', message: RATE_TEXT, retryAfterSeconds: 55, limit: { perMinute: 30, ipv6Prefix: 64 } });
      // Another address has its own budget.
      assert.equal((await s.ask('192.0.2.11')).admitted, true);
      // The next window admits again.
      s.clock.advance(55_000);
      assert.equal(await admitted(s.ask, '192.0.2.10', 30), 30);
      assert.equal((await s.ask('192.0.2.10')).admitted, false);
    });

    it('bans a client that goes over the limit repeatedly within the ban window, and lifts the ban by itself', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '5', 'policy.rate_limit.ban_after': '3', 'policy.rate_limit.ban_window': '15m', 'policy.rate_limit.ban_duration': '1h' });
      const a = '198.51.100.7';
      for (let round = 1; round <= 2; round++) {
        assert.equal(await admitted(s.ask, a, 8), 5, `round ${round}`);
        s.clock.advance(60_000);
      }
      assert.equal(s.events.length, 0, 'two overflows do not ban');
      assert.equal(await admitted(s.ask, a, 6), 5); // the third overflow bans
      assert.deepEqual(s.events, ['banned']);
      s.clock.advance(60_000);
      const banned = await s.ask(a);
      assert.equal(banned.admitted, false);
      assert.deepEqual((banned as any).message, BAN_TEXT);
      assert.equal((banned as any).reason, 'banned');
      assert.equal((banned as any).retryAfterSeconds, 3600 - 60);
      const bans = await s.policy.state.bans(s.clock.t);
      assert.deepEqual(bans.map((b) => [b.target, b.source]), [[a, 'auto']]);
      // Still banned just before the hour is up, free after it.
      s.clock.advance(3600_000 - 60_000 - 1);
      assert.equal((await s.ask(a)).admitted, false);
      s.clock.advance(1);
      assert.equal((await s.ask(a)).admitted, true);
      assert.deepEqual(await s.policy.state.bans(s.clock.t), []);
    });

    it('makes the next automatic ban permanent after permanent_after of them within permanent_window', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '1', 'policy.rate_limit.ban_after': '1', 'policy.rate_limit.ban_duration': '1h', 'policy.rate_limit.permanent_after': '2', 'policy.rate_limit.permanent_window': '30d' });
      const a = '198.51.100.9';
      // Two automatic bans of an hour each, a day apart: both lift by themselves.
      for (let i = 0; i < 2; i++) {
        assert.equal(await admitted(s.ask, a, 2), 1);
        const bans = await s.policy.state.bans(s.clock.t);
        assert.equal(bans.length, 1);
        assert.ok(bans[0].until - s.clock.t <= 3600_000, `ban ${i + 1} lasts an hour`);
        s.clock.advance(86_400_000);
        assert.equal((await s.ask(a)).admitted, true, `ban ${i + 1} lifted`);
        s.clock.advance(60_000);
      }
      // The third within 30 days is permanent: still in force a year later.
      assert.equal(await admitted(s.ask, a, 2), 1);
      const [ban] = await s.policy.state.bans(s.clock.t);
      assert.match(ban.reason, /made permanent: 2 automatic bans before it within 30 days/);
      s.clock.advance(365 * 86_400_000);
      assert.equal((await s.ask(a)).admitted, false, 'permanent: until rdds unban');
      assert.equal(await s.policy.state.unban(a), true);
      assert.equal((await s.ask(a)).admitted, true);
    });

    it('does not ban for overflows spread wider than the ban window', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '2', 'policy.rate_limit.ban_after': '3', 'policy.rate_limit.ban_window': '15m' });
      for (let round = 0; round < 4; round++) {
        assert.equal(await admitted(s.ask, '203.0.113.5', 3), 2);
        s.clock.advance(8 * 60_000); // at most two overflows within any 15 minutes
      }
      assert.deepEqual(s.events, []);
      assert.equal((await s.ask('203.0.113.5')).admitted, true);
    });

    it('counts an IPv6 /64 as one client (prefix configurable)', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '4' });
      for (let i = 1; i <= 4; i++) assert.equal((await s.ask(`2001:db8:1:2::${i}`)).admitted, true);
      assert.equal((await s.ask('2001:db8:1:2:ffff:ffff:ffff:ffff')).admitted, false, 'same /64');
      assert.equal((await s.ask('2001:db8:1:3::1')).admitted, true, 'next /64');
      assert.equal(s.policy.identify({ door: 'whois', address: '2001:db8:1:2::9' }).key, '2001:db8:1:2::/64');

      await using w = await setup({ 'policy.rate_limit.per_minute': '4', 'policy.rate_limit.ipv6_prefix': '48' });
      for (let i = 1; i <= 4; i++) assert.equal((await w.ask(`2001:db8:1:${i}::1`)).admitted, true);
      assert.equal((await w.ask('2001:db8:1:ff::1')).admitted, false, 'same /48');
      // IPv4-mapped addresses count as the IPv4 address.
      assert.equal(w.policy.identify({ door: 'whois', address: '::ffff:192.0.2.1' }).key, '192.0.2.1');
    });

    it('throttles instead of refusing in throttle mode', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '3', 'policy.rate_limit.mode': 'throttle', 'policy.rate_limit.throttle_delay': '1500ms' });
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await s.ask('192.0.2.50'));
      assert.deepEqual(results, [{ admitted: true }, { admitted: true }, { admitted: true }, { admitted: true, delayMs: 1500 }, { admitted: true, delayMs: 1500 }]);
    });

    it('gives tiers and the allowlist their own limits, or none', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({
        'policy.rate_limit.per_minute': '2',
        'policy.rate_limit.per_tier.registrar': '4',
        'policy.rate_limit.allowlist_per_minute': '3',
        'policy.allowlist': '10.9.0.0/16',
        'policy.tiers.authorized': '10.1.0.0/16',
      });
      assert.equal(await admitted(s.ask, '10.1.2.3', 100), 100, 'authorized: no limit by default');
      assert.equal(await admitted(s.ask, '10.9.1.1', 5), 3, 'allowlist: its own limit');
      assert.equal(await admitted(s.ask, '192.0.2.99', 5), 2, 'public');

      const clock = new FakeClock();
      const cfg = policyConfig({ 'policy.rate_limit.per_minute': '2', 'policy.rate_limit.per_tier.registrar': '4' });
      cfg.policy.tiers.registrars = { '5555555': ['10.5.0.0/16'] };
      const policy = new RddsPolicy(cfg, { state: await backend.make(clock), clock: clock.now, log: () => {} });
      try {
        let ok = 0;
        for (let i = 0; i < 6; i++) if ((await policy.admit(policy.identify({ door: 'whois', address: '10.5.0.1' }))).admitted) ok++;
        assert.equal(ok, 4, 'registrar tier limit');
      } finally {
        await policy.close();
      }
    });

    it('never bans allowlisted clients', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup({ 'policy.rate_limit.per_minute': '1', 'policy.rate_limit.allowlist_per_minute': '1', 'policy.rate_limit.ban_after': '1', 'policy.allowlist': '192.0.2.0/24' });
      assert.equal(await admitted(s.ask, '192.0.2.1', 3), 1);
      assert.deepEqual(s.events, []);
      s.clock.advance(60_000);
      assert.equal((await s.ask('192.0.2.1')).admitted, true);
      // An address outside it is banned at the first overflow.
      assert.equal(await admitted(s.ask, '198.51.100.1', 3), 1);
      assert.deepEqual(s.events, ['banned']);
    });

    it('honours operator bans on ranges and lifts them on unban', async (t) => {
      if (skip) return t.skip(skip);
      await using s = await setup();
      const now = s.clock.t;
      await s.policy.state.ban({ target: '203.0.113.0/24', until: now + 3600_000, reason: 'scraping', created: now, source: 'operator' });
      await s.policy.state.ban({ target: '2001:db8:aa::/48', until: now + 60_000, reason: 'test', created: now, source: 'operator' });
      assert.deepEqual(await s.ask('203.0.113.77'), { admitted: false, reason: 'banned', message: BAN_TEXT, retryAfterSeconds: 3600 });
      assert.equal((await s.ask('2001:db8:aa:1::5')).admitted, false);
      assert.equal((await s.ask('203.0.114.1')).admitted, true);
      assert.equal(await s.policy.state.unban('203.0.113.0/24'), true);
      assert.equal((await s.ask('203.0.113.77')).admitted, true);
      s.clock.advance(60_000);
      assert.equal((await s.ask('2001:db8:aa:1::5')).admitted, true, 'lifted when its time is up');
    });
  });
}
