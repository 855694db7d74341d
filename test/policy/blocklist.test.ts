// CIDR interval sets and the blocklist file: parsing, lookups against a reference, reload on change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockList, isIP } from 'node:net';
import { Blocklist, parseCidrList } from '../../src/policy/blocklist.js';
import { CidrSet, canonicalCidr, ipv4ToNumber } from '../../src/policy/cidr-set.js';
import { RddsPolicy } from '../../src/policy/rdds-policy.js';
import { MemoryState } from '../../src/policy/state.js';
import { FakeClock, policyConfig } from './helpers.js';

describe('CidrSet', () => {
  it('matches IPv4 and IPv6 ranges, single addresses and IPv4-mapped addresses', () => {
    const set = new CidrSet(['192.0.2.0/24', '198.51.100.7', '2001:db8::/32', '::1', '10.0.0.0/8', '10.1.0.0/16']);
    for (const a of ['192.0.2.0', '192.0.2.255', '198.51.100.7', '::ffff:192.0.2.9', '2001:db8:ffff::1', '::1', '10.200.3.4']) assert.equal(set.has(a), true, a);
    for (const a of ['192.0.3.0', '198.51.100.8', '2001:db9::', '::2', 'not-an-address', '11.0.0.0']) assert.equal(set.has(a), false, a);
    assert.equal(set.size, 5, 'nested ranges merge');
  });

  it('reads IPv4 addresses exactly as node:net isIP accepts them', () => {
    const cases = ['0.0.0.0', '255.255.255.255', '192.0.2.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.02.3.4', '1.2.3.04', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4 ', '1.2.3.a', '1000.1.1.1', '', '::1', '10.0.0.00'];
    for (const a of cases) {
      const n = ipv4ToNumber(a);
      assert.equal(n !== undefined, isIP(a) === 4, a);
      if (n !== undefined) assert.equal(n, a.split('.').reduce((v, p) => v * 256 + Number(p), 0), a);
    }
  });

  it('canonicalises ranges the way client keys are written', () => {
    assert.equal(canonicalCidr('192.0.2.77/24'), '192.0.2.0/24');
    assert.equal(canonicalCidr('192.0.2.77'), '192.0.2.77');
    assert.equal(canonicalCidr('2001:DB8:0:1:2::9/64'), '2001:db8:0:1::/64');
    assert.throws(() => canonicalCidr('192.0.2.0/33'));
    assert.throws(() => canonicalCidr('example.com'));
  });

  it('agrees with node:net BlockList on 20,000 random ranges and is fast', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const ip4 = () => [0, 0, 0, 0].map(() => Math.floor(rnd() * 256)).join('.');
    const ip6 = () => ['2001', 'db8', ...[0, 0, 0, 0, 0, 0].map(() => Math.floor(rnd() * 65536).toString(16))].join(':');
    const ranges: string[] = [];
    const ref = new BlockList();
    for (let i = 0; i < 20000; i++) {
      if (i % 2) {
        const p = 16 + Math.floor(rnd() * 17);
        ranges.push(`${ip4()}/${p}`);
      } else {
        const p = 40 + Math.floor(rnd() * 89);
        ranges.push(`${ip6()}/${p}`);
      }
    }
    for (const r of ranges) {
      const [a, p] = r.split('/');
      ref.addSubnet(a, Number(p), a.includes(':') ? 'ipv6' : 'ipv4');
    }
    const set = new CidrSet(ranges);
    const probes = Array.from({ length: 2000 }, (_, i) => (i % 2 ? ip4() : ip6()));
    for (const p of probes) assert.equal(set.has(p), ref.check(p, p.includes(':') ? 'ipv6' : 'ipv4'), p);
    const started = performance.now();
    for (let k = 0; k < 50; k++) for (const p of probes) set.has(p);
    const perLookupUs = ((performance.now() - started) * 1000) / (50 * probes.length);
    assert.ok(perLookupUs < 20, `lookup took ${perLookupUs.toFixed(2)} µs`);
  });
});

describe('blocklist file', () => {
  it('parses comments and blank lines and names a bad line', () => {
    assert.equal(parseCidrList('# scrapers\n192.0.2.0/24  # one\n\n2001:db8::/48\n').length, 2);
    assert.throws(() => parseCidrList('192.0.2.0/24\nbogus\n', 'bl.txt'), /bl\.txt line 2: .*bogus/);
  });

  it('refuses listed clients outright and takes file changes without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-bl-'));
    const file = join(dir, 'blocklist.txt');
    writeFileSync(file, '# test\n192.0.2.0/24\n');
    const clock = new FakeClock();
    const errors: string[] = [];
    const policy = new RddsPolicy(policyConfig({ 'policy.blocklist_file': file }), { state: new MemoryState({ clock: clock.now }), clock: clock.now, log: (l, m) => l === 'error' && errors.push(m) });
    const ask = (address: string) => policy.admit(policy.identify({ door: 'whois', address }));
    try {
      assert.deepEqual(await ask('192.0.2.5'), { admitted: false, reason: 'blocked', message: ['You are not allowed to connect.'] });
      assert.equal((await ask('2001:db8::1')).admitted, true);

      // A watcher on a fresh Blocklist sees the change (polling fast for the test).
      const watched = new Blocklist(file, {}, 20).watch();
      const keepAlive = setInterval(() => {}, 1000); // the watcher does not hold the process open by itself
      const loaded = new Promise<number>((resolve, reject) => {
        (watched as any).events.onLoad = resolve;
        setTimeout(() => reject(new Error('the watcher did not see the change within 5 s')), 5000).unref();
      });
      // fs.watchFile takes its first look asynchronously: change the file only after it has, or the
      // new file would be its starting point and no change would ever be seen.
      await new Promise((resolve) => setTimeout(resolve, 200));
      renameSync((writeFileSync(file + '.new', '2001:db8::/32\n'), file + '.new'), file);
      assert.equal(await loaded, 1);
      clearInterval(keepAlive);
      assert.equal(watched.has('192.0.2.5'), false);
      assert.equal(watched.has('2001:db8:5::1'), true);
      watched.close();

      policy.reload(); // what SIGHUP does
      assert.equal((await ask('192.0.2.5')).admitted, true);
      assert.equal((await ask('2001:db8::1')).admitted, false);

      // A broken file keeps the previous list in force.
      writeFileSync(file, 'nonsense\n');
      policy.reload();
      assert.equal((await ask('2001:db8::1')).admitted, false);
      assert.equal(errors.length, 1);
    } finally {
      await policy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
