// Live mode against real PostgreSQL: the example registry schema of docs/live-source-example.sql
// (its own EPP-shaped tables, the change-log triggers, the views of the source contract and a
// read-only role), two rdds nodes mirroring it, an update, a delete and an insert seen on every
// door of both within 5 s, a view that breaks the contract refused at start, writes through the
// reader role refused, and the source restarted under load (an instance of the test's own).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config.js';
import { LiveSource, SourceError } from '../../src/ingest/live/source.js';
import { startService, type Service } from '../../src/server/service.js';
import { whoisRaw } from '../helpers/service.js';
import { PostgresInstance, postgresMissing } from '../harness/postgres.js';

const SHARED = 'postgres://postgres@127.0.0.1:5432/test';
const EXAMPLE = readFileSync(resolve(import.meta.dirname, '../../docs/live-source-example.sql'), 'utf8');
const reachable = await new Promise<boolean>((ok) => {
  const s = net.connect({ host: '127.0.0.1', port: 5432 }, () => (s.destroy(), ok(true)));
  s.on('error', () => ok(false));
});
const skip = reachable ? undefined : 'no PostgreSQL on 127.0.0.1:5432';

interface Names {
  epp: string;
  source: string;
  role: string;
}

function names(): Names {
  const id = `${process.pid}_${Date.now().toString(36)}`;
  return { epp: `epp_${id}`, source: `src_${id}`, role: `rdds_reader_${id}` };
}

/** Installs the example, under names of this run's own. */
async function install(url: string, n: Names): Promise<void> {
  const sql = EXAMPLE.replace(/\bepp\b/g, n.epp).replace(/\brdds_source\b/g, n.source).replace(/\brdds_reader\b/g, n.role);
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(sql);
    // A registrar, two contacts, two hosts and two domains, as a registry's EPP server writes them.
    await client.query(`
      INSERT INTO ${n.epp}.registrar (iana_number, legal_name, addr_lines, town, region, postcode, country, phone, mail, whois_host, website, abuse_mail, abuse_phone)
        VALUES (5555555, 'Example Registrar, Inc.', '{"1234 Admiralty Way"}', 'Marina del Rey', 'CA', '90292', 'US', '+1.3105551212', 'registrar@registrar.example', 'whois.registrar.example', 'https://www.registrar.example', 'abuse@registrar.example', '+1.5555551234');
      INSERT INTO ${n.epp}.contact (contact_id, repo_id, sponsor, intl_name, intl_org, intl_street1, intl_city, intl_region, intl_postcode, intl_country, phone, mail)
        VALUES ('REG-1', 'C1-EXAMPLE', 1, 'Jan Jansen', 'Example Organisation B.V.', 'Dorpsstraat 1', 'Haarlem', 'NH', '2011 AA', 'NL', '+31.201234567', 'jan@example.nl'),
               ('TECH-1', 'C2-EXAMPLE', 1, 'Tech Person', NULL, 'Main Street 2', 'Amsterdam', NULL, '1011 AA', 'NL', '+31.201234568', 'tech@example.nl');
      INSERT INTO ${n.epp}.host (fqdn, repo_id, sponsor) VALUES ('ns1.nic.example', 'H1-EXAMPLE', 1), ('ns2.nic.example', 'H2-EXAMPLE', 1);
      INSERT INTO ${n.epp}.host_address VALUES (1, '192.0.2.53'), (1, '2001:db8::53'), (2, '192.0.2.54');
      INSERT INTO ${n.epp}.domain (fqdn, repo_id, sponsor, registrant, created_at, expires_at)
        VALUES ('nic.example', 'D1-EXAMPLE', 1, 1, '2000-10-08T00:45:00Z', '2030-10-08T00:44:59Z'), ('shop.example', 'D2-EXAMPLE', 1, 1, '2021-03-01T09:00:00Z', '2027-03-01T09:00:00Z');
      INSERT INTO ${n.epp}.domain_contact VALUES (1, 2, 'tech'), (2, 2, 'tech');
      INSERT INTO ${n.epp}.domain_host VALUES (1, 1, 1), (1, 2, 2), (2, 1, 1);
      INSERT INTO ${n.epp}.domain_status VALUES (1, 'clientTransferProhibited'), (2, 'ok');
      INSERT INTO ${n.epp}.dnssec_ds VALUES (1, 12345, 13, 2, '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB');`);
  } finally {
    await client.end();
  }
}

async function uninstall(url: string, n: Names): Promise<void> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${n.source} CASCADE; DROP SCHEMA IF EXISTS ${n.epp} CASCADE; DROP ROLE IF EXISTS ${n.role}`);
  } finally {
    await client.end();
  }
}

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** A node mirroring the source into a SQLite file of its own. */
async function node(dir: string, i: number, sourceUrl: string, schema: string, more: Record<string, string> = {}): Promise<Service> {
  const config = loadConfig(undefined, {
    db: join(dir, `node${i}.sqlite`),
    'whois.host': '127.0.0.1', 'whois.port': '0', 'http.host': '127.0.0.1', 'http.port': '0', 'admin.host': '127.0.0.1', 'admin.port': '0',
    'log.dir': join(dir, `log${i}`), 'log.level': process.env.RDDS_TEST_LOG ?? 'silent', 'policy.allowlist': ['127.0.0.0/8'], 'web.captcha.enabled': 'false',
    'source.url': sourceUrl, 'source.schema': schema, 'source.poll_ms': '100', ...more,
  }, {});
  return startService(config);
}

/** Polls until `check` holds (every 50 ms, at most `ms`); how long it took. */
async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

const rdap = async (svc: Service, path: string) => {
  const res = await fetch(`http://127.0.0.1:${svc.ports.http}/rdap/${path}`);
  return { status: res.status, json: (await res.json()) as Record<string, any> };
};
const web = async (svc: Service, q: string) => (await fetch(`http://127.0.0.1:${svc.ports.http}/whois?q=${encodeURIComponent(q)}`)).text();

describe('live mode: two nodes mirroring a registry database', { skip }, () => {
  const n = names();
  const readerUrl = `postgres://${n.role}@127.0.0.1:5432/test`;
  const dir = mkdtempSync(join(tmpdir(), 'rdds-live-'));
  let nodes: Service[] = [];

  before(async () => {
    await install(SHARED, n);
    nodes = [await node(dir, 1, readerUrl, n.source), await node(dir, 2, readerUrl, n.source)];
  });
  after(async () => {
    for (const s of nodes) await s.close();
    await uninstall(SHARED, n);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the registry data on every door of both nodes, read through the views', async () => {
    for (const svc of nodes) {
      await within(10_000, async () => /^Domain Name: NIC\.EXAMPLE/.test(await whoisRaw(svc.ports.whois, 'nic.example\r\n')), 'the first copy');
      const text = await whoisRaw(svc.ports.whois, 'nic.example\r\n');
      assert.match(text, /\r\nRegistrant Organization: Example Organisation B\.V\.\r\n/);
      assert.match(text, /\r\nName Server: NS1\.NIC\.EXAMPLE\r\nName Server: NS2\.NIC\.EXAMPLE\r\nDNSSEC: signedDelegation\r\n/);
      assert.match(text, /\r\nDomain Status: clientTransferProhibited /);
      const r = await rdap(svc, 'domain/nic.example');
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.secureDNS.dsData.map((d: { keyTag: number }) => d.keyTag), [12345]);
      assert.match(await web(svc, 'ns1.nic.example'), /2001:db8::53/);
    }
  });

  it('sees an update, a delete and an insert in the registry tables on every door of both nodes within 5 s', async () => {
    // A cached not-found answer for the name about to be registered, on both nodes.
    for (const svc of nodes) assert.match(await whoisRaw(svc.ports.whois, 'new.example\r\n'), /^The queried object does not exist/);
    const started = Date.now();
    await sql(SHARED, `
      UPDATE ${n.epp}.contact SET intl_org = 'Renamed Organisation N.V.' WHERE contact_id = 'REG-1';
      INSERT INTO ${n.epp}.domain_status VALUES (1, 'serverHold');
      DELETE FROM ${n.epp}.domain WHERE fqdn = 'shop.example';
      INSERT INTO ${n.epp}.domain (fqdn, repo_id, sponsor, registrant, expires_at) VALUES ('new.example', 'D3-EXAMPLE', 1, 1, '2031-01-01T00:00:00Z');`);
    const last = (await sql(SHARED, `SELECT max(changed_at) AS at FROM ${n.epp}.rdds_changes`)).rows[0].at as Date;
    for (const svc of nodes) {
      await within(5000, async () => {
        const nic = await whoisRaw(svc.ports.whois, 'nic.example\r\n');
        const shop = await rdap(svc, 'domain/shop.example');
        const fresh = await web(svc, 'new.example');
        return /Registrant Organization: Renamed Organisation N\.V\./.test(nic) && /Domain Status: serverHold /.test(nic) && shop.status === 404 && fresh.includes('D3-EXAMPLE');
      }, 'the changes on port 43, RDAP and the web');
      assert.match(await whoisRaw(svc.ports.whois, 'new.example\r\n'), /^Domain Name: NEW\.EXAMPLE/, 'the cached not-found answer went');
      // The footer shows the time of the latest change the node applied.
      const footer = /Last update of WHOIS database: (\S+) <<</.exec(await whoisRaw(svc.ports.whois, 'nic.example\r\n'))![1];
      assert.equal(footer, last.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    }
    assert.ok(Date.now() - started < 5000 + 2000);
  });

  it('needs no write: the reader role may not change the registry, and rdds reads with read-only sessions', async () => {
    await assert.rejects(sql(readerUrl, `INSERT INTO ${n.epp}.rdds_changes (kind, key) VALUES ('domain', 'x.example')`), /permission denied/);
    await assert.rejects(sql(readerUrl, `DELETE FROM ${n.source}.domains`), /permission denied|cannot delete/);
    const m = await (await fetch(`http://127.0.0.1:${nodes[0].ports.admin}/readyz`)).json() as { checks: { source: { ok: boolean } } };
    assert.equal(m.checks.source.ok, true);
  });
});

describe('live mode: two nodes sharing one PostgreSQL store', { skip }, () => {
  it('lets one node replicate (the lease) and both serve every change', async () => {
    const { freshSchema } = await import('../store/pg-schema.js');
    const n = names();
    await install(SHARED, n);
    const shared = await freshSchema();
    const dir = mkdtempSync(join(tmpdir(), 'rdds-live-shared-'));
    const nodes: Service[] = [];
    try {
      for (const i of [1, 2]) nodes.push(await node(dir, i, `postgres://${n.role}@127.0.0.1:5432/test`, n.source, { db: shared.url }));
      for (const svc of nodes) await within(10_000, async () => /^Domain Name: NIC\.EXAMPLE/.test(await whoisRaw(svc.ports.whois, 'nic.example\r\n')), 'the first copy, on both');
      const roles = await Promise.all(nodes.map(async (svc) => ((await (await fetch(`http://127.0.0.1:${svc.ports.admin}/readyz`)).json()) as { checks: { source: { replicating: boolean } } }).checks.source.replicating));
      assert.deepEqual(roles.sort(), [false, true], 'one node replicates, the other serves what it writes');
      await sql(SHARED, `UPDATE ${n.epp}.domain SET expires_at = '2035-05-05T00:00:00Z' WHERE fqdn = 'nic.example'`);
      for (const svc of nodes) await within(5000, async () => /Registry Expiry Date: 2035-05-05T00:00:00Z/.test(await whoisRaw(svc.ports.whois, 'nic.example\r\n')), 'the change on both nodes');
    } finally {
      for (const svc of nodes) await svc.close();
      await shared.drop();
      await uninstall(SHARED, n);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the source contract, checked at start', { skip }, () => {
  it('names the missing view, the missing column and the column of the wrong type', async () => {
    const n = names();
    await install(SHARED, n);
    const bad = `${n.source}_bad`;
    try {
      await sql(SHARED, `CREATE SCHEMA ${bad};
        CREATE VIEW ${bad}.registrars AS SELECT iana_id, name, city FROM ${n.source}.registrars;
        CREATE VIEW ${bad}.contacts AS SELECT * FROM ${n.source}.contacts;
        CREATE VIEW ${bad}.hosts AS SELECT name, roid, registrar_id, array_to_string(addresses, ',') AS addresses, statuses, created, updated FROM ${n.source}.hosts;
        CREATE VIEW ${bad}.domains AS SELECT * FROM ${n.source}.domains;
        CREATE VIEW ${bad}.changes AS SELECT * FROM ${n.source}.changes;`);
      await assert.rejects(LiveSource.open(SHARED, bad), (err: unknown) => {
        assert.ok(err instanceof SourceError);
        assert.match(err.message, new RegExp(`${bad}\\.registrars\\.street is missing \\(text\\[\\]\\)`));
        assert.match(err.message, new RegExp(`${bad}\\.hosts\\.addresses is text, not text\\[\\]`));
        assert.match(err.message, new RegExp(`view ${bad}\\.domain_ds is missing`));
        assert.doesNotMatch(err.message, /contacts/, 'a view that meets the contract is not named');
        return true;
      });
    } finally {
      await sql(SHARED, `DROP SCHEMA IF EXISTS ${bad} CASCADE`);
      await uninstall(SHARED, n);
    }
  });
});

const own = postgresMissing();
describe('the source restarted under load', { skip: skip ?? own }, () => {
  it('answers from its copy meanwhile, fails /readyz with the lag, recovers by itself and catches up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-live-restart-'));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
    const source = await PostgresInstance.create(dir, 'source');
    await source.start();
    const n = names();
    let svc: Service | undefined;
    try {
      await install(source.url, n);
      svc = await node(dir, 1, source.url.replace('postgres@', `${n.role}@`), n.source, { 'source.max_lag_s': '2' });
      const s = svc;
      await within(10_000, async () => /^Domain Name/.test(await whoisRaw(s.ports.whois, 'nic.example\r\n')), 'the first copy');
      let stop = false;
      const answers: string[] = [];
      const load = (async () => {
        while (!stop) answers.push(await whoisRaw(s.ports.whois, `${answers.length % 2 ? 'nic' : 'gone'}.example\r\n`));
      })();
      await source.stop();
      const ready = async () => ((await fetch(`http://127.0.0.1:${s.ports.admin}/readyz`)).status);
      await within(8000, async () => (await ready()) === 503, '/readyz failing once the lag passes source.max_lag_s');
      const body = (await (await fetch(`http://127.0.0.1:${s.ports.admin}/readyz`)).json()) as { checks: { source: { reason: string } } };
      assert.match(body.checks.source.reason, /behind the source/);
      await source.start();
      await sql(source.url, `UPDATE ${n.epp}.domain SET expires_at = '2040-01-01T00:00:00Z' WHERE fqdn = 'nic.example'`);
      await within(10_000, async () => /Registry Expiry Date: 2040-01-01T00:00:00Z/.test(await whoisRaw(s.ports.whois, 'nic.example\r\n')), 'the change made after the restart');
      await within(5000, async () => (await ready()) === 200, '/readyz again');
      stop = true;
      await load;
      assert.ok(answers.length > 20, `load ran (${answers.length} queries)`);
      assert.deepEqual(answers.filter((a) => !/^(Domain Name|The queried object does not exist)/.test(a)), [], 'every query answered from the copy while the source was away');
      // Nothing older than what was served: once 2040 is seen, never 2030 again.
      const seen = answers.map((a) => /Registry Expiry Date: (\d{4})/.exec(a)?.[1]).filter(Boolean);
      assert.ok(seen.indexOf('2040') < 0 || !seen.slice(seen.indexOf('2040')).includes('2030'));
    } finally {
      await svc?.close();
      await source.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the documentation of the contract', () => {
  it('lists every view and column the start checks, with its type', async () => {
    const { SOURCE_VIEWS } = await import('../../src/ingest/live/source-contract.js');
    const doc = readFileSync(resolve(import.meta.dirname, '../../docs/live-source.md'), 'utf8');
    for (const [view, contract] of Object.entries(SOURCE_VIEWS)) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${view}\` |`));
      assert.ok(row, `docs/live-source.md has a row for ${view}`);
      for (const [column, type] of Object.entries(contract.columns)) assert.ok(row.includes(`\`${column}\` ${type}`), `${view}.${column} ${type}`);
    }
  });
});
