// The query log, the reports, metrics and health over a real running node: a scripted mix of
// queries over port 43 (real TCP) and HTTP (RDAP, web, searchable WHOIS), then the
// log records, `rdds report daily` and `rdds report monthly` (the real CLI) must agree with the mix
// exactly; /metrics must parse and move; /readyz must name a failing store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';
import { OpenPolicy } from '../../src/policy/open-policy.js';
import type { AccessDecision, Admission, ClientIdentity, Door, Policy, Remote } from '../../src/policy/policy.js';
import { loadConfig, type Config } from '../../src/config.js';
import { readDay } from '../../src/observe/daily-counts.js';
import { ACTIVITY_FIELDS } from '../../src/observe/reports.js';
import type { PolicyEvents } from '../../src/observe/observability.js';
import type { QuerySink } from '../../src/observe/query-log.js';
import type { QueryRecord } from '../../src/observe/query-record.js';
import { parseWith } from '../../src/query/query.js';
import { parseWhoisLine } from '../../src/query/whois-line.js';
import { ALLOWED } from '../../src/policy/authorize.js';
import { createLogger } from '../../src/observe/log.js';
import { domain } from '../store/fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refuses two test ranges (banned, rate-limited) and reports bans through the observe() hook. */
class ScriptedPolicy implements Policy {
  events?: PolicyEvents;
  private readonly open: OpenPolicy;
  constructor(config: Config) {
    this.open = new OpenPolicy(config);
  }
  identify(remote: Remote): ClientIdentity {
    return this.open.identify(remote);
  }
  access(client: ClientIdentity): Promise<AccessDecision> {
    return this.open.access(client);
  }
  async charge(): Promise<void> {}
  async close(): Promise<void> {}
  authorize() {
    return ALLOWED;
  }
  async admit(client: ClientIdentity): Promise<Admission> {
    if (client.remote.address.startsWith('198.51.100.')) return { admitted: false, reason: 'banned', message: ['You are not allowed to connect.'] };
    if (client.remote.address.startsWith('203.0.113.')) return { admitted: false, reason: 'rate-limited', message: ['You have exceeded allowed connection rate.'] };
    return { admitted: true };
  }
  observe(events: PolicyEvents) {
    this.events = events;
    return { activeBans: () => 2 };
  }
}

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

function sample(families: Family[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `metric ${name} present`);
  const m = family.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  if (!m) return 0;
  return Number(m.value ?? m.count);
}

function rdds(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, RDDS_CONFIG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('a scripted mix of queries through every door', () => {
  let svc: TestService;
  let policy: ScriptedPolicy;
  const logLines: string[] = [];

  before(async () => {
    policy = new ScriptedPolicy(loadConfig(undefined, {}, {}));
    const logger = createLogger({ destination: { write: (l: string) => logLines.push(l) }, format: 'json', level: 'info' });
    svc = await startTestService({ 'log.flush_ms': '10', 'web.search_tiers': ['public'], 'web.captcha.enabled': 'false' }, undefined, { policy, logger });
  });
  after(async () => svc?.stop());

  test('log records, metrics, daily and monthly reports agree with the mix exactly', async () => {
    const metricsBefore = parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body);
    assert.equal(sample(metricsBefore, 'rdds_queries_total', { door: 'whois', outcome: 'answered' }), 0);

    // Port 43 over real TCP, from 127.0.0.1.
    const port43: [string, RegExp][] = [
      ['nic.example', /^Domain Name: NIC\.EXAMPLE/],
      ['domain nic.example', /^Domain Name: NIC\.EXAMPLE/],
      ['NIC.EXAMPLE', /^Domain Name: NIC\.EXAMPLE/],
      ['nameserver ns1.nic.example', /^Server Name: NS1\.NIC\.EXAMPLE/],
      ['registrar 5555555', /^Registrar: Example Registrar/],
      ['nothere.example', /does not exist/],
      ['missing.example', /does not exist/],
      ['foo.invalidtld', /^% /],
    ];
    for (const [q, expect] of port43) assert.match(await whoisRaw(svc.ports.whois, `${q}\r\n`), expect, q);

    // The HTTP doors over real HTTP, from 127.0.0.1 too.
    assert.equal((await get(svc.ports.http, '/rdap/domain/nic.example')).status, 200);
    assert.equal((await get(svc.ports.http, '/rdap/domain/nic.example')).status, 200);
    assert.equal((await get(svc.ports.http, '/rdap/domain/gone.example')).status, 404);
    assert.equal((await get(svc.ports.http, '/whois?q=nic.example')).status, 200);
    assert.equal((await get(svc.ports.http, '/search.json?q=domain:nic*')).status, 200);

    // Clients the policy refuses (their addresses cannot come from this machine: through the pipeline).
    const via = async (door: Door, address: string, query: string) =>
      svc.pipeline.handle<undefined, string>({
        remote: { door, address },
        input: query,
        format: `test-${door}`,
        parse: () => parseWith(undefined, () => parseWhoisLine(query, ['example'])),
        render: (res) => res.outcome,
        size: (t) => t.length,
      });
    assert.equal(await via('whois', '198.51.100.7', 'nic.example'), 'refused');
    assert.equal(await via('whois', '198.51.100.7', 'nic.example'), 'refused');
    assert.equal(await via('whois', '203.0.113.9', 'nic.example'), 'refused');
    policy.events!.banIssued({ target: '198.51.100.7', reason: 'over the limit', by: 'policy' });

    await svc.observe.buffered!.flush();
    const today = new Date().toISOString().slice(0, 10);
    const records: QueryRecord[] = [];
    const day = readDay(svc.config.log.dir, today, (r) => records.push(r));
    assert.equal(records.length, 16);
    assert.equal(day.dropped, 0);
    const count = (f: (r: QueryRecord) => boolean) => records.filter(f).length;
    assert.equal(count((r) => r.door === 'whois' && r.clientKey === '127.0.0.1'), 8);
    assert.equal(count((r) => r.door === 'whois' && r.outcome === 'answered'), 5);
    assert.equal(count((r) => r.door === 'whois' && r.outcome === 'not-found'), 2);
    assert.equal(count((r) => r.door === 'whois' && r.outcome === 'bad-query'), 1);
    assert.equal(count((r) => r.outcome === 'refused' && r.reason === 'banned'), 2);
    const first = records.find((r) => r.door === 'whois' && r.query === 'domain nic.example')!;
    assert.equal(first.kind, 'domain');
    assert.equal(first.tier, 'public');
    assert.equal(first.objects, 1);
    assert.ok(first.bytes > 100 && first.latencyMs >= 0);
    assert.equal(count((r) => r.kind === 'registrar-id' && r.query === 'registrar-id 5555555'), 1);

    // metrics moved by exactly the mix
    const text = (await get(svc.ports.admin, '/metrics')).body;
    const m = parsePrometheusTextFormat(text);
    assert.equal(sample(m, 'rdds_queries_total', { door: 'whois', outcome: 'answered' }), 5);
    assert.equal(sample(m, 'rdds_queries_total', { door: 'whois', outcome: 'refused' }), 3);
    assert.equal(sample(m, 'rdds_queries_total', { door: 'rdap', outcome: 'not-found' }), 1);
    assert.equal(sample(m, 'rdds_refusals_total', { reason: 'banned' }), 2);
    // (this parser keeps a histogram's buckets but not its labels or count: read those lines directly)
    assert.match(text, /^rdds_query_duration_seconds_count\{door="whois"\} 11$/m);
    assert.match(text, /^rdds_query_duration_seconds_bucket\{le="\+Inf",door="rdap"\} 3$/m);
    assert.equal(sample(m, 'rdds_active_bans'), 2);
    assert.equal(sample(m, 'rdds_bans_issued_total'), 1);
    assert.equal(sample(m, 'rdds_query_log_dropped_total'), 0);
    assert.match(text, /^rdds_store_duration_seconds_count\{operation="lookupDomain"\} [1-9]\d*$/m);
    assert.ok(sample(m, 'rdds_data_age_seconds') >= 0);
    assert.equal(m.find((f) => f.name === 'rdds_query_duration_seconds')!.type, 'HISTOGRAM');
    assert.ok(m.some((f) => f.name === 'rdds_open_connections'));

    // rdds report daily (the CLI)
    const daily = rdds(['report', 'daily', '--date', today, '--log-dir', svc.config.log.dir, '--format', 'json']);
    assert.equal(daily.status, 0, daily.stderr);
    const d = JSON.parse(daily.stdout);
    assert.equal(d.total, 16);
    assert.deepEqual(d.doors.whois, { answered: 5, 'not-found': 2, refused: 3, forbidden: 0, 'bad-query': 1, unavailable: 0, error: 0, total: 11 });
    assert.deepEqual(d.doors.rdap, { answered: 2, 'not-found': 1, refused: 0, forbidden: 0, 'bad-query': 0, unavailable: 0, error: 0, total: 3 });
    assert.equal(d.doors.web.total, 1);
    assert.equal(d.doors.search.total, 1);
    assert.deepEqual(d.refusals, { banned: 2, 'rate-limited': 1 });
    const byKey = Object.fromEntries(d.clients.map((c: { clientKey: string }) => [c.clientKey, c]));
    assert.equal(byKey['127.0.0.1'].total, 13);
    assert.equal(byKey['127.0.0.1'].badQuery, 1);
    assert.equal(byKey['198.51.100.7'].banned, 2);
    assert.equal(byKey['203.0.113.9'].refused, 1);
    assert.equal(byKey['203.0.113.9'].banned, 0);
    assert.equal(d.topTalkers[0].clientKey, '127.0.0.1');
    const dailyCsv = rdds(['report', 'daily', '--date', today, '--log-dir', svc.config.log.dir, '--format', 'csv']);
    const rows = parse(dailyCsv.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 3);
    assert.equal(rows.find((r) => r.client_key === '127.0.0.1')!.rdap, '3');
    assert.match(rdds(['report', 'daily', '--date', today, '--log-dir', svc.config.log.dir]).stdout, /top talkers/);

    // rdds report monthly (the CLI): the ICANN file and the operator output
    const out = mkdtempSync(join(tmpdir(), 'rdds-report-'));
    const month = today.slice(0, 7);
    const monthly = rdds(['report', 'monthly', '--month', month, '--tld', 'example', '--log-dir', svc.config.log.dir, '--dir', out, '--format', 'json']);
    assert.equal(monthly.status, 0, monthly.stderr);
    const mj = JSON.parse(monthly.stdout);
    const expected = { 'whois-43-queries': 8, 'web-whois-queries': 1, 'searchable-whois-queries': 1, 'rdap-queries': 3 };
    assert.deepEqual(mj.fields, expected);
    const file = join(out, `example-activity-${month.replace('-', '')}.csv`);
    const csv = readFileSync(file, 'utf8');
    const table = parse(csv, { record_delimiter: '\r\n' }) as string[][];
    const header: string[] = table[0];
    assert.equal(table.length, 2, 'a header line and one line of values');
    assert.deepEqual(table[0], [...ACTIVITY_FIELDS]);
    for (const [field, n] of Object.entries(expected)) assert.equal(table[1][header.indexOf(field)], String(n), field);
    assert.equal(table[1][header.indexOf('operational-registrars')], '');

    // the process log saw the start and the ban
    const msgs = logLines.map((l) => JSON.parse(l));
    const start = msgs.find((o) => o.msg === 'rdds started');
    assert.ok(start && start.doors.whois[0].endsWith(`:${svc.ports.whois}`) && start.tlds[0] === 'example' && start.store.kind === 'sqlite');
    assert.ok(msgs.some((o) => o.msg === 'ban issued: 198.51.100.7' && o.level === 40));
  });

  test('a data change is seen and logged', async () => {
    await svc.store.transaction(async (w) => w.put(domain('new.example')));
    for (let i = 0; i < 40 && !logLines.some((l) => l.includes('"data changed"')); i++) await sleep(100);
    assert.ok(logLines.some((l) => l.includes('"data changed"')));
  });

  test('/healthz and /readyz', async () => {
    const h = await get(svc.ports.admin, '/healthz');
    assert.equal(h.status, 200);
    const r = await get(svc.ports.admin, '/readyz');
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).status, 'ready');
  });
});

describe('a failing store', () => {
  let svc: TestService;
  let broken = false;
  const logLines: string[] = [];

  before(async () => {
    svc = await startTestService({ 'admin.ready_timeout_ms': '200', 'policy.rate_limit.per_minute': '0' }, undefined, {
      logger: createLogger({ destination: { write: (l: string) => logLines.push(l) }, format: 'json' }),
    });
    // Break the store the pipeline and readiness use, below the instrumentation.
    const real = svc.store.dataVersion.bind(svc.store);
    const lookup = svc.store.lookupDomain.bind(svc.store);
    svc.store.dataVersion = () => (broken ? Promise.reject(new Error('database is locked')) : real());
    svc.store.lookupDomain = (name: string) => (broken ? Promise.reject(new Error('database is locked')) : lookup(name));
  });
  after(async () => svc?.stop());

  test('/readyz fails naming the store, /healthz still serves; outage and recovery are logged', async () => {
    broken = true;
    const r = await get(svc.ports.admin, '/readyz');
    assert.equal(r.status, 503);
    const body = JSON.parse(r.body);
    assert.deepEqual(body.failed, ['store']);
    assert.match(body.checks.store.error, /database is locked/);
    assert.equal((await get(svc.ports.admin, '/healthz')).status, 200);
    assert.match(await whoisRaw(svc.ports.whois, 'nic.example\r\n'), /internal error/);
    for (let i = 0; i < 20 && !logLines.some((l) => l.includes('"store outage"')); i++) await sleep(50);
    assert.ok(logLines.some((l) => l.includes('"store outage"')));
    await svc.observe.buffered!.flush();
    const m = parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body);
    assert.equal(sample(m, 'rdds_queries_total', { door: 'whois', outcome: 'error' }), 1);
    assert.ok(sample(m, 'rdds_store_errors_total', { operation: 'lookupDomain' }) >= 1);
    broken = false;
    assert.equal((await get(svc.ports.admin, '/readyz')).status, 200);
    for (let i = 0; i < 80 && !logLines.some((l) => l.includes('"store recovered"')); i++) await sleep(100);
    assert.ok(logLines.some((l) => l.includes('"store recovered"')), 'recovery logged by the store probe');
  });
});

describe('a store out of reach', () => {
  let svc: TestService;
  let down = false;

  before(async () => {
    svc = await startTestService({ 'policy.rate_limit.per_minute': '0', 'web.captcha.enabled': 'false' });
    // As node-postgres reports a refused connection: the data cannot be had just now.
    const lookup = svc.store.lookupDomain.bind(svc.store);
    svc.store.lookupDomain = (name: string) => (down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) : lookup(name));
  });
  after(async () => svc?.stop());

  test('every door answers a temporary failure in its own form: % line, RDAP 503 with Retry-After, a 503 page', async () => {
    down = true;
    assert.equal(await whoisRaw(svc.ports.whois, 'nic.example\r\n'), '% Error: the registration data is temporarily unavailable; please try again later\r\n');
    const rdap = await fetch(`http://127.0.0.1:${svc.ports.http}/rdap/domain/nic.example`);
    assert.equal(rdap.status, 503);
    assert.equal(rdap.headers.get('retry-after'), '10');
    const error = (await rdap.json()) as { errorCode: number; title: string; description: string[] };
    assert.equal(error.errorCode, 503);
    assert.equal(error.title, 'Service Unavailable');
    const page = await fetch(`http://127.0.0.1:${svc.ports.http}/whois?q=nic.example`);
    assert.equal(page.status, 503);
    assert.equal(page.headers.get('retry-after'), '10');
    assert.match(await page.text(), /Temporarily unavailable/);
    await svc.observe.buffered!.flush();
    const m = parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body);
    for (const door of ['whois', 'rdap', 'web']) assert.equal(sample(m, 'rdds_queries_total', { door, outcome: 'unavailable' }), 1, door);
    down = false;
    assert.match(await whoisRaw(svc.ports.whois, 'nic.example\r\n'), /^Domain Name: NIC\.EXAMPLE/);
  });
});

describe('a slow query log sink', () => {
  let svc: TestService;
  const sink = {
    written: 0,
    gaps: 0,
    async write(records: QueryRecord[], dropped: number) {
      await sleep(300);
      this.written += records.length;
      this.gaps += dropped;
    },
    async close() {},
  } satisfies QuerySink & { written: number; gaps: number };

  before(async () => {
    svc = await startTestService({ 'log.buffer': '3', 'log.flush_ms': '5', 'policy.rate_limit.per_minute': '0' }, undefined, { querySink: sink });
  });
  after(async () => svc?.stop());

  test('queries are still answered at full speed; drops are counted in the log, the file and /metrics', async () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) assert.match(await whoisRaw(svc.ports.whois, 'nic.example\r\n'), /^Domain Name: NIC\.EXAMPLE/);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2000, `20 queries took ${elapsed} ms while every sink write takes 300 ms`);
    const stats = svc.observe.buffered!.stats;
    assert.ok(stats.dropped > 0, 'some records dropped');
    assert.equal(stats.recorded + stats.dropped, 20);
    const m = parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body);
    assert.equal(sample(m, 'rdds_query_log_dropped_total'), stats.dropped);
    assert.equal(sample(m, 'rdds_queries_total', { door: 'whois', outcome: 'answered' }), 20, 'metrics see every query');
    await svc.observe.buffered!.flush();
    assert.equal(sink.written + sink.gaps, 20, 'every query is either written or counted as a gap');
  });
});

describe('connections refused before the pipeline', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService({
      'whois.idle_timeout_ms': '200',
      'whois.max_query_bytes': '64',
      // 127.0.0.1 is the load balancer; the clients it passes are capped at one connection each.
      'policy.trusted_proxies': ['127.0.0.1/32'],
      'policy.allowlist': [],
      'policy.max_connections_per_client': '1',
    });
  });
  after(async () => svc?.stop());

  test('are counted by reason in /metrics, since the query log never sees them', async () => {
    const refused = async () => parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body);
    const before = await refused();
    for (const reason of ['too-many-connections', 'proxy-header', 'query-too-long', 'timeout']) {
      assert.equal(sample(before, 'rdds_connections_refused_total', { door: 'whois', reason }), 0, reason);
    }
    const proxied = (client: string, rest: string) => `PROXY TCP4 ${client} 127.0.0.1 40000 43\r\n${rest}`;
    assert.match(await whoisRaw(svc.ports.whois, proxied('198.51.100.1', `${'a'.repeat(100)}.example\r\n`)), /longer than 64 bytes/);
    assert.match(await whoisRaw(svc.ports.whois, proxied('198.51.100.2', '')), /Timeout/);
    assert.match(await whoisRaw(svc.ports.whois, 'PROXY TCP4 not-an-address 127.0.0.1 1 2\r\nnic.example\r\n'), /PROXY/);
    // A second connection from a client that holds one open already.
    const held = whoisRaw(svc.ports.whois, proxied('198.51.100.3', ''));
    await sleep(50);
    assert.match(await whoisRaw(svc.ports.whois, proxied('198.51.100.3', 'nic.example\r\n')), /Too many connections from your address/);
    await held;
    const after = await refused();
    for (const reason of ['too-many-connections', 'proxy-header', 'query-too-long']) {
      assert.equal(sample(after, 'rdds_connections_refused_total', { door: 'whois', reason }), 1, reason);
    }
    assert.equal(sample(after, 'rdds_connections_refused_total', { door: 'whois', reason: 'timeout' }), 2, 'the held connection timed out too');
  });

  test('open connections are shown for port 43 and the HTTP listener', async () => {
    const open = async (door: string) => sample(parsePrometheusTextFormat((await get(svc.ports.admin, '/metrics')).body), 'rdds_open_connections', { door });
    const idleHttp = net.connect({ host: '127.0.0.1', port: svc.ports.http });
    const idleWhois = net.connect({ host: '127.0.0.1', port: svc.ports.whois });
    await Promise.all([once(idleHttp, 'connect'), once(idleWhois, 'connect')]);
    await sleep(20);
    assert.equal(await open('http'), 1);
    assert.equal(await open('whois'), 1);
    idleHttp.destroy();
    idleWhois.destroy();
    await sleep(50);
    assert.equal(await open('http'), 0);
    assert.equal(await open('whois'), 0);
  });
});
