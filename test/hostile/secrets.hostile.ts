// Secrets never appear in the process log, /metrics, the query log or any answer: a node with a
// captcha key, a PostgreSQL password and a Redis password in its configuration is driven on every
// door, then its database and its Redis fail and come back; start-up failures are tried too.
// Every byte it wrote is searched for the secrets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { seed } from '../store/fixtures.js';
import { exchange, sleep } from './clients.js';
import { REPO, ServerNode } from './node.js';
import { Forwarder, freePort, OwnRedis, reachable, redisServerMissing } from './services.js';

const SECRETS = {
  captcha: 'CaptchaKey-q7Zr2mV9xL',
  postgres: 'PgPass-x91b2eKw7T',
  redis: 'RedisPass-5d6e8fHq2N',
  wrongRedis: 'WrongRedis-k3j2Pz8M',
};
const SHARED_PG = 5432;
const schema = `rdds_secrets_${process.pid}`;

/** Where each secret appears in a text (its plain and URL-encoded forms), for the assertion's message. */
function leaks(where: string, text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, secret]) =>
    [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')].some((form) => text.includes(form)) ? [`${name} secret in ${where}`] : [],
  );
}

function queryLogText(dir: string): string {
  try {
    return readdirSync(join(dir, 'query-log')).map((f) => readFileSync(join(dir, 'query-log', f), 'utf8')).join('\n');
  } catch {
    return '';
  }
}

async function get(port: number, path: string): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    return `${res.status} ${JSON.stringify([...res.headers])}\n${await res.text()}`;
  } catch (err) {
    return `fetch failed: ${(err as Error).message}`;
  }
}

/** One round of every door: port 43, RDAP, the web pages with the captcha, searches, the admin listener. */
async function everyDoor(node: ServerNode): Promise<string[]> {
  const { whois, http, admin } = node.ports;
  const answers: string[] = [];
  for (const q of ['nic.example', 'nameserver ns1.nic.example', 'registrar 5555555', 'no-such.example', 'bad..name', '\xff\xfe']) {
    answers.push((await exchange(whois, `${q}\r\n`, { timeoutMs: 8000 })).text);
  }
  for (const path of ['/rdap/domain/nic.example', '/rdap/nameserver/ns1.nic.example', '/rdap/entity/5555555', '/rdap/domains?name=nic*', '/rdap/domain/%FF', '/rdap/help']) {
    answers.push(await get(http, path));
  }
  for (const path of ['/', '/whois?q=nic.example', '/whois?q=nic.example', '/whois?q=nic.example&format=text', '/captcha/challenge', '/search?q=nic*', '/search.json?q=nic*']) {
    answers.push(await get(http, path));
  }
  for (const path of ['/metrics', '/healthz', '/readyz', '/no-such-admin-path']) answers.push(await get(admin, path));
  return answers;
}

async function postgresUp(): Promise<boolean> {
  if (!(await reachable(SHARED_PG))) return false;
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${SHARED_PG}/test`, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

let pgUp = false;
before(async () => {
  pgUp = await postgresUp();
});
after(async () => {
  if (!pgUp) return;
  const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${SHARED_PG}/test` });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

/** The database URL a node uses through `port`, with the secret password (the shared server trusts loopback and ignores it). */
const pgUrl = (port: number) => `postgres://postgres:${SECRETS.postgres}@127.0.0.1:${port}/test?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

describe('secrets stay out of logs, metrics, the query log and answers', () => {
  test('a node with secrets in its configuration: every door, then its store and its Redis fail and come back', async (t) => {
    const missing = [pgUp ? '' : `PostgreSQL at 127.0.0.1:${SHARED_PG} (the node uses SQLite instead)`, redisServerMissing() ? 'redis-server (the node uses memory state)' : ''].filter(Boolean);
    if (missing.length) t.diagnostic(`not available here, so not tried: ${missing.join('; ')}`);
    let forwarder: Forwarder | undefined;
    let db: string | undefined;
    if (pgUp) {
      const store = await PostgresStore.open(pgUrl(SHARED_PG));
      await seed(store);
      await store.close();
      forwarder = await Forwarder.start(SHARED_PG);
      db = pgUrl(forwarder.port);
    }
    const redis = redisServerMissing() ? undefined : await OwnRedis.start(SECRETS.redis);
    let node: ServerNode | undefined;
    const answers: string[] = [];
    const found: string[] = [];
    try {
      node = await ServerNode.start({
        db,
        config: {
          ...(redis ? { state: `redis://:${SECRETS.redis}@127.0.0.1:${redis.port}` } : {}),
          web: { captcha: { enabled: true, secret: SECRETS.captcha, free_lookups: 1, max_number: 1000 } },
          log: { level: 'debug' },
        },
      });
      answers.push(...(await everyDoor(node)));
      // The store fails: queries get the temporary-failure answer, the node logs the outage.
      await forwarder?.cut();
      await redis?.stop();
      await sleep(1500);
      answers.push(...(await everyDoor(node)));
      await sleep(5500); // the store probe (every 5 s) logs the outage with its error
      answers.push(...(await everyDoor(node)));
      await forwarder?.restore();
      await sleep(5500);
      answers.push(...(await everyDoor(node)));
      answers.push(await node.metrics());
      if (forwarder) assert.ok(node.logLines().some((l) => l.msg === 'store outage'), 'the store outage was logged (so its error was searched)');
      if (redis) assert.ok(node.logLines().some((l) => /redis/.test(l.msg) && l.level >= 40), 'the Redis outage was logged');
    } finally {
      await forwarder?.cut();
      await redis?.stop();
      const queryLog = node ? queryLogText(node.dir) : '';
      const exit = node && (await node.stop());
      if (exit) assert.deepEqual(exit, { code: 0, signal: null });
      found.push(...leaks('the query log', queryLog));
    }
    found.push(...leaks('the process output (log and console)', node!.output.join('\n')), ...leaks('the answers or /metrics', answers.join('\n')));
    assert.deepEqual(found, []);
    t.diagnostic(`${node!.output.length} output lines and ${answers.length} answers searched`);
    if (process.env.HOSTILE_SHOW_LOG) t.diagnostic(node!.output.join('\n'));
  });

  test('start-up failures: an unreachable database, a Redis that refuses the password, a bad value next to a secret', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-secrets-'));
    const closed = await freePort();
    const run = (config: Record<string, unknown>) => {
      const file = join(dir, 'rdds.yaml');
      writeFileSync(file, JSON.stringify({ whois: { port: 0, host: ['127.0.0.1'] }, http: { port: 0, host: ['127.0.0.1'] }, admin: { port: 0, host: ['127.0.0.1'] }, log: { dir: join(dir, 'q') }, ...config }));
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', file], { cwd: REPO, encoding: 'utf8', timeout: 30000 });
      return { status: r.status, text: `${r.stdout}\n${r.stderr}` };
    };
    const unreachable = run({ db: pgUrl(closed) });
    assert.notEqual(unreachable.status, 0, 'serve stops when its database cannot be reached');
    assert.match(unreachable.text, /ECONNREFUSED|connect/);
    const badValue = run({ db: pgUrl(closed), web: { captcha: { secret: SECRETS.captcha, cost: 'high' } } });
    assert.notEqual(badValue.status, 0);
    assert.match(badValue.text, /web\.captcha\.cost/);
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, encoding: 'utf8', timeout: 30000 });
      return { status: r.status, text: `${r.stdout}\n${r.stderr}` };
    };
    const state = `redis://:${SECRETS.redis}@127.0.0.1:${closed}`;
    writeFileSync(join(dir, 'rdds.yaml'), JSON.stringify({ state }));
    const banUnreachable = cli('ban', '192.0.2.1', '--config', join(dir, 'rdds.yaml'));
    assert.notEqual(banUnreachable.status, 0, `rdds ban fails when its Redis cannot be reached: ${banUnreachable.text}`);
    assert.match(banUnreachable.text, /cannot reach redis/);
    const found = [
      ...leaks('an unreachable database error', unreachable.text),
      ...leaks('a configuration error', badValue.text),
      ...leaks('rdds ban with an unreachable Redis', banUnreachable.text),
    ];
    if (!redisServerMissing()) {
      const redis = await OwnRedis.start(SECRETS.redis);
      try {
        const node = await ServerNode.start({ config: { state: `redis://:${SECRETS.wrongRedis}@127.0.0.1:${redis.port}` } });
        await sleep(1500);
        await exchange(node.ports.whois, 'nic.example\r\n');
        assert.ok(node.logLines().some((l) => /redis/.test(l.msg) && l.level >= 40), `the refused password was logged:\n${node.output.join('\n')}`);
        await node.stop();
        found.push(...leaks('the log of a node whose Redis refuses its password', node.output.join('\n')));
      } finally {
        await redis.stop();
      }
    } else {
      t.diagnostic('redis-server is not installed: the refused Redis password is not tried');
    }
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(found, []);
  });
});
