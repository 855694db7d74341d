// The query log's parts on their own: buffering and drops, JSON Lines rotation, retention, the
// report arithmetic and formats, readiness checks and the process log format.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { BufferedQueryLog, type QuerySink } from '../../src/observe/query-log.js';
import { JsonlSink, queryLogFiles } from '../../src/observe/jsonl-sink.js';
import { applyRetention, readDay } from '../../src/observe/daily-counts.js';
import { ACTIVITY_FIELDS, activityCsv, csvText, dailyReport, formatDaily, formatMonthly, monthlyReport } from '../../src/observe/reports.js';
import { checkReadiness } from '../../src/observe/admin.js';
import { createLogger, prettyLine } from '../../src/observe/log.js';
import { recordLine, type QueryRecord } from '../../src/observe/query-record.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'rdds-observe-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rec(overrides: Partial<QueryRecord> = {}): QueryRecord {
  return {
    time: '2024-05-29T10:00:00.000Z',
    door: 'whois',
    clientKey: '192.0.2.1',
    address: '192.0.2.1',
    tier: 'public',
    kind: 'domain',
    query: 'domain nic.example',
    outcome: 'answered',
    objects: 1,
    personal: 0,
    latencyMs: 1.5,
    bytes: 100,
    ...overrides,
  };
}

class MemorySink implements QuerySink {
  batches: { records: QueryRecord[]; dropped: number }[] = [];
  constructor(private readonly delayMs = 0, private readonly fail = false) {}
  async write(records: QueryRecord[], dropped: number) {
    if (this.delayMs) await sleep(this.delayMs);
    if (this.fail) throw new Error('disk full');
    this.batches.push({ records, dropped });
  }
  async close() {}
  get written() {
    return this.batches.reduce((n, b) => n + b.records.length, 0);
  }
  get gaps() {
    return this.batches.reduce((n, b) => n + b.dropped, 0);
  }
}

describe('buffered query log', () => {
  test('record() returns at once; batches reach the sink', async () => {
    const sink = new MemorySink();
    const log = new BufferedQueryLog(sink, { buffer: 100, flushMs: 5 });
    for (let i = 0; i < 10; i++) log.record(rec());
    assert.equal(sink.written, 0, 'nothing written inside record()');
    await log.flush();
    assert.equal(sink.written, 10);
    assert.deepEqual(log.stats, { recorded: 10, written: 10, dropped: 0, sinkErrors: 0 });
    await log.close();
  });

  test('a slow sink: the buffer bound holds, drops are counted and reported as a gap', async () => {
    const sink = new MemorySink(100);
    const drops: number[] = [];
    const log = new BufferedQueryLog(sink, { buffer: 5, flushMs: 1, onDrop: (n) => drops.push(n) });
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      log.record(rec());
      if (i % 10 === 0) await sleep(2); // let a write start
    }
    assert.ok(performance.now() - started < 100, 'recording never waits for the sink');
    await log.close();
    assert.ok(log.stats.dropped > 0);
    assert.equal(log.stats.recorded + log.stats.dropped, 50);
    assert.equal(sink.written, log.stats.written);
    assert.equal(sink.written + sink.gaps, 50, 'every dropped record is accounted for in the file');
    assert.equal(drops.reduce((a, b) => a + b, 0), log.stats.dropped);
  });

  test('a large batch reaches the sink in slices of at most 500 records, in order, the gap once', async () => {
    const sink = new MemorySink();
    const log = new BufferedQueryLog(sink, { buffer: 1234, batch: 1234, flushMs: 60000 });
    for (let i = 0; i < 1241; i++) log.record(rec({ bytes: i })); // in one turn: 1234 wait, 7 are dropped
    await log.flush();
    assert.deepEqual(sink.batches.map((b) => [b.records.length, b.dropped]), [[500, 7], [500, 0], [234, 0]]);
    assert.deepEqual(sink.batches.flatMap((b) => b.records.map((r) => r.bytes)), Array.from({ length: 1234 }, (_, i) => i));
    assert.deepEqual(log.stats, { recorded: 1234, written: 1234, dropped: 7, sinkErrors: 0 });
    await log.close();
  });

  test('a failing sink loses its batch (counted) and never throws into record()', async () => {
    const errors: unknown[] = [];
    const log = new BufferedQueryLog(new MemorySink(0, true), { buffer: 10, flushMs: 1, onSinkError: (e) => errors.push(e) });
    for (let i = 0; i < 5; i++) log.record(rec());
    await log.flush();
    assert.equal(log.stats.dropped, 5);
    assert.equal(log.stats.sinkErrors, 1);
    assert.equal(errors.length, 1);
    await log.close();
    log.record(rec()); // after close: dropped, no throw
    assert.equal(log.stats.dropped, 6);
  });
});

describe('recordLine', () => {
  test('writes exactly what JSON.stringify writes, for every field and any text', () => {
    const full: Required<QueryRecord> = {
      time: '2024-05-29T01:02:03.456Z',
      door: 'rdap',
      clientKey: '2001:db8::/64',
      address: '2001:db8::1',
      endUser: '198.51.100.9',
      gateway: 'web-whois',
      fault: 'repeat',
      tier: 'authorized',
      kind: 'domain',
      query: 'domain xn--eckwd4c7c.example',
      outcome: 'refused',
      reason: 'rate-limited',
      objects: 2,
      personal: 3,
      latencyMs: 0.123,
      bytes: 4567,
    };
    const nasty = ['"quoted"', 'back\\slash', 'new\nline\r\n% forged line', '\u0000\u001f\u007f', 'ドメイン', '\ud800 lone surrogate', '</script>'];
    const records: QueryRecord[] = [full, rec(), rec({ reason: undefined, endUser: undefined }), ...nasty.map((t) => ({ ...full, query: t, reason: t, clientKey: t, address: t, endUser: t, gateway: t }))];
    for (const r of records) {
      assert.equal(recordLine(r), JSON.stringify(r));
      assert.ok(!recordLine(r).includes('\n'), 'one line');
    }
  });
});

describe('JSON Lines sink', () => {
  test('one file a UTC day, size rotation, a gap line for drops, readable back', async () => {
    const dir = tmp();
    const sink = new JsonlSink({ dir, daily: true, maxBytes: 600, node: 'n1' });
    await sink.write([rec({ time: '2024-05-28T23:59:59.999Z' }), rec({ time: '2024-05-29T00:00:00.000Z' })], 0);
    for (let i = 0; i < 6; i++) await sink.write([rec({ time: '2024-05-29T01:00:00.000Z' })], i === 0 ? 3 : 0);
    await sink.close();
    const files = queryLogFiles(dir);
    assert.deepEqual([...new Set(files.map((f) => f.day))], ['2024-05-28', '2024-05-29']);
    assert.ok(files.filter((f) => f.day === '2024-05-29').length > 1, 'rotated by size');
    for (const f of files) assert.ok(readFileSync(f.path).length <= 600 || readFileSync(f.path, 'utf8').split('\n').length === 2);
    const recordsOf = (date: string) => {
      const records: QueryRecord[] = [];
      return { ...readDay(dir, date, (r) => records.push(r)), records };
    };
    const day = recordsOf('2024-05-29');
    assert.equal(day.source, 'records');
    assert.equal(day.records.length, 7);
    assert.equal(day.rows.reduce((n, r) => n + r.count, 0), 7);
    assert.equal(day.dropped, 3);
    assert.equal(recordsOf('2024-05-28').records.length, 1);
    // a restarted writer with the same node name continues after the existing files
    const again = new JsonlSink({ dir, daily: true, maxBytes: 600, node: 'n1' });
    await again.write([rec({ time: '2024-05-29T02:00:00.000Z' })], 0);
    await again.close();
    assert.equal(recordsOf('2024-05-29').records.length, 8);
  });

  test('a day larger than the read buffer is read record by record, multi-byte text intact', async () => {
    const dir = tmp();
    const sink = new JsonlSink({ dir, daily: true, maxBytes: 0, node: 'n1' });
    // ~3 MB of lines full of 3-byte characters: the 1 MB reads end inside lines and characters.
    const queries = Array.from({ length: 3000 }, (_, i) => `domain ${'ドメイン'.repeat(80 + (i % 7))}${i}.example`);
    await sink.write(queries.map((query) => rec({ time: '2024-05-29T03:00:00.000Z', query })), 0);
    await sink.close();
    appendFileSync(queryLogFiles(dir, '2024-05-29')[0].path, '{"time":"2024-05-29T03:00:01.000Z","door":"wh'); // cut short by a crash
    const read: string[] = [];
    const day = readDay(dir, '2024-05-29', (r) => read.push(r.query));
    assert.deepEqual(read, queries);
    assert.equal(day.malformed, 1);
  });

  test('retention: records past the period become daily counts without addresses', async () => {
    const dir = tmp();
    const sink = new JsonlSink({ dir, daily: true, maxBytes: 0, node: 'n1' });
    await sink.write(
      [
        rec({ time: '2024-05-01T10:00:00Z', address: '198.51.100.7', clientKey: '198.51.100.7', endUser: '203.0.113.5' }),
        rec({ time: '2024-05-01T11:00:00Z', outcome: 'refused', reason: 'banned', clientKey: '198.51.100.7' }),
        rec({ time: '2024-05-20T11:00:00Z' }),
      ],
      0,
    );
    await sink.close();
    const before = monthlyReport(dir, '2024-05', 'example', ['example'], '2024-05-31');
    const done = applyRetention(dir, 10, new Date('2024-05-25T00:00:00Z'));
    assert.deepEqual(done, ['2024-05-01']);
    assert.equal(queryLogFiles(dir, '2024-05-01').length, 0, 'records removed');
    const aggregate = readFileSync(join(dir, 'daily', '2024-05-01.json'), 'utf8');
    for (const personal of ['198.51.100.7', '203.0.113.5', 'clientKey', 'address']) assert.ok(!aggregate.includes(personal), personal);
    const day = readDay(dir, '2024-05-01');
    assert.equal(day.source, 'aggregate');
    assert.equal(day.rows.reduce((n, r) => n + r.count, 0), 2);
    const after = monthlyReport(dir, '2024-05', 'example', ['example'], '2024-05-31');
    assert.deepEqual(after.fields, before.fields, 'the monthly counts survive retention');
    assert.equal(dailyReport(dir, '2024-05-01').clients.length, 0);
    assert.equal(dailyReport(dir, '2024-05-01').refusals.banned, 1);
    assert.ok(existsSync(join(dir, 'daily')));
    assert.deepEqual(applyRetention(dir, 10, new Date('2024-05-25T00:00:00Z')), [], 'idempotent');
  });
});

describe('reports', () => {
  test('monthly: responded per door, TLD attribution, the ICANN file', async () => {
    const dir = tmp();
    const sink = new JsonlSink({ dir, daily: true, maxBytes: 0, node: 'n1' });
    await sink.write(
      [
        rec({ time: '2024-05-01T00:00:00Z' }),
        rec({ time: '2024-05-31T23:59:59Z', outcome: 'not-found' }),
        rec({ time: '2024-05-02T00:00:00Z', outcome: 'bad-query', kind: 'unknown', query: 'bad' }),
        rec({ time: '2024-05-02T00:00:00Z', outcome: 'refused', reason: 'rate-limited' }),
        rec({ time: '2024-05-02T00:00:00Z', outcome: 'error' }),
        rec({ time: '2024-05-03T00:00:00Z', door: 'rdap', query: 'domain nic.other' }), // another TLD
        rec({ time: '2024-05-03T00:00:00Z', door: 'rdap', kind: 'registrar-id', query: 'registrar-id 1' }), // no TLD: counts for all
        rec({ time: '2024-05-03T00:00:00Z', door: 'web' }),
        rec({ time: '2024-05-03T00:00:00Z', door: 'search' }),
        rec({ time: '2024-06-01T00:00:00Z' }), // next month
        rec({ time: '2024-04-30T23:59:59Z' }), // previous month
      ],
      0,
    );
    await sink.close();
    const r = monthlyReport(dir, '2024-05', 'example', ['example', 'other'], '2024-06-15');
    assert.deepEqual(r.fields, { 'whois-43-queries': 3, 'web-whois-queries': 1, 'searchable-whois-queries': 1, 'rdap-queries': 1 });
    assert.equal(r.doors.whois.refused, 1);
    assert.equal(r.doors.whois.error, 1);
    assert.equal(r.fileName, 'example-activity-202405.csv');
    assert.equal(monthlyReport(dir, '2024-05', 'other', ['example', 'other'], '2024-06-15').fields['rdap-queries'], 2);
    assert.equal(r.days.missing.length, 31 - 4);

    const csv = activityCsv(r);
    assert.ok(csv.endsWith('\r\n') && !csv.replace(/\r\n/g, '').includes('\n'), 'CRLF line breaks (RFC 4180)');
    const rows = parse(csv, { record_delimiter: '\r\n' }) as string[][];
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0], [...ACTIVITY_FIELDS]);
    assert.equal(rows[0].at(-1), 'rdap-queries');
    const values = Object.fromEntries(rows[0].map((f, i) => [f, rows[1][i]]));
    assert.equal(values['whois-43-queries'], '3');
    assert.equal(values['rdap-queries'], '1');
    assert.equal(values['srs-dom-create'], '', 'fields rdds cannot know are left empty');

    for (const format of ['text', 'csv', 'json'] as const) assert.ok(formatMonthly(r, format).length > 0);
    assert.equal(JSON.parse(formatMonthly(r, 'json')).fields['web-whois-queries'], 1);
  });

  test('daily: per client key, refusals and bans, top talkers, per door; CSV quoting', async () => {
    const dir = tmp();
    const sink = new JsonlSink({ dir, daily: true, maxBytes: 0, node: 'n1' });
    await sink.write(
      [
        rec({ clientKey: 'a' }),
        rec({ clientKey: 'a', outcome: 'refused', reason: 'banned' }),
        rec({ clientKey: 'a', outcome: 'refused', reason: 'rate-limited', door: 'rdap' }),
        rec({ clientKey: 'b', personal: 2, tier: 'authorized' }),
        rec({ clientKey: 'c,"quoted"' }),
      ],
      0,
    );
    await sink.close();
    const r = dailyReport(dir, '2024-05-29', 2);
    assert.equal(r.total, 5);
    assert.deepEqual(r.refusals, { banned: 1, 'rate-limited': 1 });
    assert.equal(r.doors.whois.total, 4);
    assert.equal(r.doors.rdap.refused, 1);
    assert.deepEqual(r.topTalkers.map((c) => c.clientKey), ['a', 'b']);
    const a = r.clients[0];
    assert.deepEqual([a.total, a.answered, a.refused, a.banned, a.doors.whois, a.doors.rdap], [3, 1, 2, 1, 2, 1]);
    assert.equal(r.clients.find((c) => c.clientKey === 'b')!.personal, 2);
    const rows = parse(formatDaily(r, 'csv'), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 3);
    assert.equal(rows[2].client_key, 'c,"quoted"');
    assert.match(formatDaily(r, 'text'), /top talkers \(2 of 3 client keys\)/);
    assert.equal(csvText(['x'], [['a\r\nb']]), 'x\r\n"a\r\nb"\r\n');
  });
});

describe('readiness and the process log', () => {
  test('readiness names the failing part', async () => {
    const seen = () => ({ serial: 1, updatedAt: new Date(Date.now() - 3600_000).toISOString() });
    const serving = () => false;
    const ok = await checkReadiness({ probe: async () => seen(), seen, timeoutMs: 100, maxDataAgeS: 0, draining: serving });
    assert.equal(ok.ready, true);
    const stale = await checkReadiness({ probe: async () => seen(), seen, timeoutMs: 100, maxDataAgeS: 60, draining: serving });
    assert.deepEqual(stale.failed, ['data']);
    const stopping = await checkReadiness({ probe: async () => seen(), seen, timeoutMs: 100, maxDataAgeS: 0, draining: () => true });
    assert.deepEqual(stopping.failed, ['draining'], 'a node shutting down leaves the rotation at once');
    const hung = await checkReadiness({ probe: () => new Promise(() => {}), seen, timeoutMs: 50, maxDataAgeS: 0, draining: serving });
    assert.deepEqual(hung.failed, ['store']);
    assert.match(String(hung.checks.store.error), /no answer within 50 ms/);
  });

  test('JSON by default, pretty lines when asked (or on a terminal)', () => {
    const lines: string[] = [];
    const json = createLogger({ destination: { write: (l: string) => lines.push(l) }, format: 'auto' });
    json.info({ serial: 3 }, 'data changed');
    const obj = JSON.parse(lines[0]);
    assert.equal(obj.msg, 'data changed');
    assert.equal(obj.serial, 3);
    assert.equal(obj.level, 30);
    const pretty = createLogger({ destination: { write: (l: string) => lines.push(l), isTTY: false }, format: 'pretty', level: 'warn' });
    pretty.info('not shown');
    pretty.warn({ target: '192.0.2.1' }, 'ban issued');
    assert.match(lines[1], /^\d\d:\d\d:\d\d\.\d{3} WARN  ban issued  target=192\.0\.2\.1\n$/);
    assert.equal(lines.length, 2);
    assert.match(prettyLine('{"level":50,"time":0,"msg":"x","err":{"message":"boom"}}'), /ERROR x {2}err="boom"/);
    assert.ok(readdirSync(tmpdir()).length > 0);
  });
});
