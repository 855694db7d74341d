// The shared pipeline's cache of public answers: keyed by what the client sent, answered
// synchronously when admission needs no I/O, never shared with other tiers, dropped when the
// data changes, and logged like any other answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { Pipeline, type DoorRequest } from '../src/pipeline.js';
import type { Resolution } from '../src/resolution.js';
import type { QueryLog, QueryRecord } from '../src/observe/query-record.js';
import { OpenPolicy } from '../src/policy/open-policy.js';
import type { Admission } from '../src/policy/policy.js';
import { RddsPolicy } from '../src/policy/rdds-policy.js';
import { MemoryState } from '../src/policy/state.js';
import { parseWith } from '../src/query/query.js';
import { parseWhoisLine } from '../src/query/whois-line.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { domain, registrar, seed, standardObjects } from './store/fixtures.js';

const AUTHORIZED = '192.0.2.10';
const PUBLIC = '198.51.100.7';

class RecordingLog implements QueryLog {
  readonly records: QueryRecord[] = [];
  record(rec: QueryRecord): void {
    this.records.push(rec);
  }
  async close(): Promise<void> {}
}

/** A policy that answers admission later, as the Redis state does. */
class AsyncAdmissionPolicy extends OpenPolicy {
  admit(): Promise<Admission> {
    return Promise.resolve({ admitted: true });
  }
}

async function setup(policyOf: (config: ReturnType<typeof loadConfig>) => ConstructorParameters<typeof Pipeline>[1] = (c) => new OpenPolicy(c)) {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-pipeline-'));
  const store = SqliteStore.open(join(dir, 'rdds.sqlite'));
  await seed(store, standardObjects());
  const config = loadConfig(undefined, { db: join(dir, 'rdds.sqlite'), 'policy.tiers.authorized': [`${AUTHORIZED}/32`] }, {});
  const log = new RecordingLog();
  const pipeline = new Pipeline(store, policyOf(config), log, config);
  await pipeline.refreshData();
  let parses = 0;
  /** A port-43-like request whose answer is the resolution itself. */
  const request = (address: string, line: string): DoorRequest<undefined, Resolution> => ({
    remote: { door: 'whois', address },
    input: line,
    format: 'test',
    parse: () => {
      parses++;
      return parseWith(undefined, () => parseWhoisLine(line, config.registry.tlds));
    },
    render: (res) => res,
    // As the doors do (src/render/restamp.ts): the same answer with the data's new time.
    restamp: (res, updatedAt) => ({ ...res, data: { ...res.data, updatedAt } }),
    size: () => 1,
  });
  return {
    store,
    pipeline,
    log,
    request,
    parses: () => parses,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a public repeat is answered at once from the cache, without parsing, and logged like the first', async () => {
  const t = await setup();
  try {
    const first = await t.pipeline.handle(t.request(PUBLIC, 'NIC.example'));
    assert.equal(first.outcome, 'answered');
    assert.equal(t.parses(), 1);

    const repeat = t.pipeline.handle(t.request(PUBLIC, 'NIC.example'));
    assert.ok(!(repeat instanceof Promise), 'a cached public answer is not deferred to a promise');
    assert.equal(repeat, first, 'the same rendered answer');
    assert.equal(t.parses(), 1, 'the repeat is not parsed again');

    // Another spelling of the same query is another input: parsed once, then cached too.
    await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    assert.equal(t.parses(), 2);

    const [a, b, c] = t.log.records;
    for (const rec of [a, b, c]) {
      assert.equal(rec.kind, 'domain');
      assert.equal(rec.query, 'domain nic.example', 'the log holds the normalised query, hit or miss');
      assert.equal(rec.outcome, 'answered');
      assert.equal(rec.objects, 1);
      assert.equal(rec.clientKey, PUBLIC);
    }
  } finally {
    await t.close();
  }
});

test('not-found answers are cached; bad queries and refusals are not', async () => {
  const t = await setup((config) => new RddsPolicy({ ...config, policy: { ...config.policy, rate_limit: { ...config.policy.rate_limit, per_minute: 2, ban_after: 0 } } }, { state: new MemoryState() }));
  try {
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'nothere.example'))).outcome, 'not-found');
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'nothere.example'))).outcome, 'not-found');
    assert.equal(t.parses(), 1);
    // The third query in the minute is refused, though its answer is in the cache.
    const refused = t.pipeline.handle(t.request(PUBLIC, 'nothere.example'));
    assert.equal((await refused).outcome, 'refused');
    assert.equal(t.log.records.at(-1)!.reason, 'rate-limited');

    const other = '203.0.113.5';
    assert.equal((await t.pipeline.handle(t.request(other, 'foo bar'))).outcome, 'bad-query');
    assert.equal((await t.pipeline.handle(t.request(other, 'foo bar'))).outcome, 'bad-query');
    assert.equal(t.parses(), 3, 'a bad query is parsed each time');
  } finally {
    await t.close();
  }
});

test('an authorized client never gets the cached public answer, nor fills the cache', async () => {
  const t = await setup();
  try {
    const pub = await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    const full = await t.pipeline.handle(t.request(AUTHORIZED, 'nic.example'));
    assert.notEqual(full, pub);
    assert.equal(full.client.tier, 'authorized');
    assert.ok(full.view?.kind === 'domain' && full.view.personalRecords > 0, 'the authorized view carries personal data');
    assert.equal(t.parses(), 2);
    assert.ok((await t.pipeline.handle(t.request(AUTHORIZED, 'nic.example'))) !== full, 'looked up again, not cached');
    assert.equal(t.parses(), 3);
    assert.equal(await t.pipeline.handle(t.request(PUBLIC, 'nic.example')), pub, 'the public answer is still the cached one');
  } finally {
    await t.close();
  }
});

test('with admission that needs I/O, repeats still come from the cache (as a promise)', async () => {
  const t = await setup((config) => new AsyncAdmissionPolicy(config));
  try {
    const first = await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    const repeat = t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    assert.ok(repeat instanceof Promise);
    assert.equal(await repeat, first);
    assert.equal(t.parses(), 1);
  } finally {
    await t.close();
  }
});

test('a data change drops the cache', async () => {
  const t = await setup();
  try {
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'new.example'))).outcome, 'not-found');
    await seed(t.store, [domain('new.example')]);
    await t.pipeline.refreshData();
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'new.example'))).outcome, 'answered');
    assert.equal(t.parses(), 2);
  } finally {
    await t.close();
  }
});

test('a data change drops only the answers that show a changed object, and restamps the rest', async () => {
  const t = await setup();
  try {
    const nic = await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    const idn = await t.pipeline.handle(t.request(PUBLIC, 'xn--eckwd4c7c.example'));
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'd042.example'))).outcome, 'not-found');
    assert.equal(t.parses(), 3);

    // An import of 100 domains that none of these answers shows (one of them the name asked for above).
    const before = t.pipeline.dataVersion;
    await seed(t.store, Array.from({ length: 100 }, (_, i) => domain(`d${String(i).padStart(3, '0')}.example`)));
    await t.pipeline.refreshData();
    assert.ok(t.pipeline.dataVersion.serial > before.serial);
    const again = await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    assert.equal(t.parses(), 3, 'nic.example: still the cached answer');
    assert.deepEqual(again.view, nic.view);
    assert.equal(again.data.updatedAt, t.pipeline.dataVersion.updatedAt, 'with the new data time');
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'd042.example'))).outcome, 'answered', 'the cached not-found went: the name came');
    assert.equal(t.parses(), 4);

    // A change to the registrar every answer shows drops them all.
    await seed(t.store, [registrar({ name: 'Renamed Registrar, Inc.' })]);
    await t.pipeline.refreshData();
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'nic.example'))).view?.kind === 'domain' && t.parses(), 5, 'looked up again');
    assert.notDeepEqual((await t.pipeline.handle(t.request(PUBLIC, 'xn--eckwd4c7c.example'))).view, idn.view);
    assert.equal(t.parses(), 6);
  } finally {
    await t.close();
  }
});

test('an answer looked up while the data changed is not cached', async () => {
  const t = await setup();
  try {
    // The lookup is held until the data has changed and the pipeline has seen it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const lookup = t.store.lookupDomain.bind(t.store);
    t.store.lookupDomain = async (name: string) => {
      const found = await lookup(name);
      await held;
      return found;
    };
    const stale = t.pipeline.handle(t.request(PUBLIC, 'late.example'));
    await new Promise((r) => setTimeout(r, 20));
    await seed(t.store, [domain('late.example')]);
    await t.pipeline.refreshData();
    release();
    assert.equal((await stale).outcome, 'not-found', 'answered from the data it started with');
    t.store.lookupDomain = lookup;
    assert.equal((await t.pipeline.handle(t.request(PUBLIC, 'late.example'))).outcome, 'answered', 'not the stale answer from the cache');
  } finally {
    await t.close();
  }
});

test('a failing admission is an internal error for the client, never a crash', async () => {
  const t = await setup((config) => Object.assign(new OpenPolicy(config), { admit: () => { throw new Error('state broken'); } }));
  const errors: unknown[] = [];
  t.pipeline.onError = (err) => errors.push(err);
  try {
    const res = await t.pipeline.handle(t.request(PUBLIC, 'nic.example'));
    assert.equal(res.outcome, 'error');
    assert.equal(res.error, 'internal error; please try again later');
    assert.equal((errors[0] as Error).message, 'state broken');
    assert.equal(t.log.records[0].outcome, 'error');
  } finally {
    await t.close();
  }
});
