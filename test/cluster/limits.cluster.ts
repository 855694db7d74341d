// Proofs that two nodes behind HAProxy, sharing one PostgreSQL and one Redis, behave as one
// service (issue #17, item 2): limits, bans, quotas and budgets are shared; each node logs and
// counts the real client (PROXY v2 on port 43, X-Forwarded-For over HTTPS), never HAProxy; a
// PROXY or forwarded header from anyone else is not believed; an import is served by every node
// within 5 s. Each proof is its own client (a fresh loopback address), so their counts never mix.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proxyV2 } from '../../src/server/proxy-protocol.js';
import { httpGet, whois } from '../harness/clients.js';
import { Cluster, clusterMissing, freshClient, LB_SOURCE, PROBE_CLIENT } from '../harness/cluster.js';
import { waitFor } from '../harness/process.js';
import { rdds } from '../harness/rdds-node.js';
import { BAN_REFUSAL, loggedRecords, RATE_REFUSAL, unique, windowRoom } from './proofs.js';

const skip = clusterMissing();
if (skip) console.log(`# ${skip}`);

const LIMIT = 5;
const REGISTRAR_ID = 5555555; // the demo's fixed registrar
const REGISTRAR_CLIENT = '127.0.5.1';
const AUTHORIZED_CLIENT = '127.0.6.1';
const QUOTA_PERCENT = 10;

describe('cluster: limits, addresses and data shared by every node', { skip }, () => {
  let cluster: Cluster;

  before(async () => {
    cluster = await Cluster.start('limits', {
      settings: {
        policy: {
          rate_limit: { per_minute: LIMIT },
          tiers: { registrars: { [REGISTRAR_ID]: [`${REGISTRAR_CLIENT}/32`] }, authorized: [`${AUTHORIZED_CLIENT}/32`] },
          registrar_quota_percent: QUOTA_PERCENT,
          personal_data_budget: { authorized: 1 },
        },
      },
    });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('refuses the N+1th query of one client whichever node answers it', async () => {
    await windowRoom();
    const client = freshClient();
    const answers = [];
    for (let i = 0; i < LIMIT + 4; i++) answers.push(await cluster.whois('nic.example', client));
    answers.slice(0, LIMIT).forEach((a, i) => assert.match(a.text, /^Domain Name: NIC\.EXAMPLE/m, `query ${i + 1} of ${LIMIT} answered`));
    answers.slice(LIMIT).forEach((a, i) => assert.ok(a.text.startsWith(RATE_REFUSAL), `query ${LIMIT + i + 1} refused, got: ${a.text.slice(0, 80)}`));
    // Round robin sent the queries to both nodes: each answered some and refused some.
    const [one, two] = await loggedRecords(cluster.nodes, (r) => r.address === client, LIMIT + 4);
    for (const [node, records] of [[cluster.nodes[0], one], [cluster.nodes[1], two]] as const) {
      assert.ok(records.some((r) => r.outcome === 'answered'), `${node.name} answered some of the client's queries`);
      assert.ok(records.some((r) => r.outcome === 'refused' && r.reason === 'rate-limited'), `${node.name} refused some of them`);
    }
    assert.equal([...one, ...two].filter((r) => r.outcome === 'answered').length, LIMIT, 'the two nodes together answered exactly the limit');
  });

  it('counts port 43 and RDAP over HTTPS against one limit, and RDAP refuses with 429 and Retry-After', async () => {
    await windowRoom();
    const client = freshClient();
    for (let i = 0; i < LIMIT; i++) {
      if (i % 2 === 0) assert.match((await cluster.whois('nic.example', client)).text, /^Domain Name:/m);
      else assert.equal((await cluster.https('/rdap/domain/nic.example', client)).status, 200);
    }
    for (let i = 0; i < 4; i++) {
      const res = await cluster.https('/rdap/domain/nic.example', client);
      assert.equal(res.status, 429, `RDAP query ${LIMIT + i + 1}: ${res.body.slice(0, 120)}`);
      assert.match(String(res.headers['retry-after']), /^\d+$/);
      assert.equal(JSON.parse(res.body).errorCode, 429);
    }
    const per = await loggedRecords(cluster.nodes, (r) => r.address === client && r.door === 'rdap' && r.outcome === 'refused', 4);
    assert.ok(per.every((records) => records.length > 0), 'both nodes refused RDAP queries of the client');
  });

  it('makes `rdds ban` effective on every node within 1 s, for an address and for a range', async () => {
    const client = freshClient();
    assert.match((await cluster.whois('nic.example', client)).text, /^Domain Name:/m, 'not banned before');
    rdds(['ban', client, '--for', '10m', '--reason', 'cluster proof', '--config', cluster.nodes[0].configFile], cluster.dir);
    const banned = performance.now();
    for (let i = 0; i < 4; i++) {
      const a = await cluster.whois('nic.example', client);
      assert.ok(a.text.startsWith(BAN_REFUSAL), `query ${i + 1} after the ban: ${a.text.slice(0, 80)}`);
    }
    assert.ok(performance.now() - banned < 1000, 'four refusals within 1 s of the ban');
    const per = await loggedRecords(cluster.nodes, (r) => r.address === client && r.reason === 'banned', 4);
    assert.ok(per.every((records) => records.length > 0), 'both nodes refused the banned client');

    // A range is copied from Redis into each node's ban table every second. (A range of its own:
    // the fresh clients of the other proofs must stay outside it.)
    const ranged = '127.9.9.9';
    const range = '127.9.9.0/24';
    rdds(['ban', range, '--for', '10m', '--config', cluster.nodes[1].configFile], cluster.dir);
    const t = performance.now();
    await waitFor(`the ban of ${range} on both nodes`, async () => {
      const both = [await cluster.whois('nic.example', ranged), await cluster.whois('nic.example', ranged)];
      return both.every((a) => a.text.startsWith(BAN_REFUSAL));
    }, { timeoutMs: 3000, everyMs: 50 });
    assert.ok(performance.now() - t < 1500, `range ban effective on both nodes ${Math.round(performance.now() - t)} ms after the command (1 s poll plus the check)`);
    rdds(['unban', range, '--config', cluster.nodes[1].configFile], cluster.dir);
  });

  it('shares the registrar quota: the full lookups of the day end at the same count, alternating nodes', async () => {
    const [{ n }] = await cluster.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM domains WHERE registrar_id = $1', [REGISTRAR_ID]);
    const quota = Math.floor((n * QUOTA_PERCENT) / 100);
    assert.ok(quota >= 2, `demo data gives registrar ${REGISTRAR_ID} a quota to test (${n} domains)`);
    const notice = new RegExp(`daily quota of ${quota} full lookups for registrar ${REGISTRAR_ID} is spent`);
    // Straight to the nodes, alternately (the registrar's own address is the client: no proxy),
    // so which node answered each lookup is known.
    for (let i = 0; i < quota + 4; i++) {
      const node = cluster.nodes[i % 2];
      const a = await whois(node.ports.whois, 'nic.example', { localAddress: REGISTRAR_CLIENT });
      assert.match(a.text, /^Domain Name:/m);
      if (i < quota) assert.doesNotMatch(a.text, notice, `lookup ${i + 1} (${node.name}) within the quota`);
      else assert.match(a.text, notice, `lookup ${i + 1} (${node.name}) past the shared quota of ${quota}`);
    }
  });

  it('shares the personal-data budget of an authorized client', async () => {
    const notice = /daily budget of 1 records with personal data is spent/;
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await whois(cluster.nodes[i % 2].ports.whois, 'nic.example', { localAddress: AUTHORIZED_CLIENT }));
    assert.doesNotMatch(answers[0].text, notice, 'the first answer shows personal data');
    answers.slice(1).forEach((a, i) => assert.match(a.text, notice, `answer ${i + 2} (${cluster.nodes[(i + 1) % 2].name}): budget spent on the other node counts`));
    const per = await loggedRecords(cluster.nodes, (r) => r.address === AUTHORIZED_CLIENT, 5);
    assert.ok(per[0][0].personal > 0, 'the first answer charged personal records');
    assert.deepEqual([...per[0].slice(1), ...per[1]].map((r) => r.personal), [0, 0, 0, 0], 'no personal data after the budget was spent');
  });

  it('logs and limits the real client of every door, never HAProxy, and drops client-sent forwarded headers', async () => {
    const client = freshClient();
    const spoof = { 'x-forwarded-for': '198.51.100.7', forwarded: 'for=198.51.100.8' };
    assert.match((await cluster.whois('nic.example', client)).text, /^Domain Name:/m);
    assert.match((await cluster.whois('nic.example', client)).text, /^Domain Name:/m);
    assert.equal((await cluster.https('/rdap/domain/nic.example', client, spoof)).status, 200);
    assert.equal((await cluster.https('/rdap/domain/nic.example', client, spoof)).status, 200);
    assert.equal((await cluster.https('/whois?q=nic.example', client, spoof)).status, 200);
    const spoofed = (address: string) => address === LB_SOURCE || address.startsWith('198.51.100.');
    const per = await loggedRecords(cluster.nodes, (r) => r.address === client || spoofed(r.address), 5);
    assert.deepEqual(per.flat().filter((r) => spoofed(r.address)), [], "no query logged as HAProxy's address or one the client claimed");
    const doors = per.flat().map((r) => r.door).sort();
    assert.deepEqual(doors, ['rdap', 'rdap', 'web', 'whois', 'whois']);
    assert.ok(per.every((records) => records.length > 0), 'both nodes logged the client');
    for (const node of cluster.nodes) assert.deepEqual(node.queryLog().filter((r) => spoofed(r.address)), [], `nor anything else on ${node.name}`);
  });

  it('refuses a PROXY header from an untrusted peer and ignores its forwarded headers', async () => {
    const client = freshClient();
    const node = cluster.nodes[0];
    const a = await whois(node.ports.whois, 'nic.example', { localAddress: client, prefix: proxyV2('198.51.100.9') });
    assert.equal(a.text, '% PROXY protocol header not accepted from your address.\r\n');
    const res = await httpGet(`http://127.0.0.1:${node.ports.http}/rdap/domain/nic.example`, {
      localAddress: client,
      headers: { 'x-forwarded-for': '198.51.100.10', forwarded: 'for=198.51.100.11' },
    });
    assert.equal(res.status, 200);
    const [records] = await loggedRecords([node], (r) => r.address === client, 1);
    assert.equal(records[0].door, 'rdap', 'the refused PROXY connection never reached the pipeline; the RDAP query counts as the peer');
    assert.ok(!node.queryLog().some((r) => r.address.startsWith('198.51.100.')), 'no record under an address the peer claimed');
    assert.ok(((await node.metric('rdds_connections_refused_total', 'door="whois",reason="proxy-header"')) ?? 0) >= 1, 'the refusal is counted');
  });

  it('serves an import on every node within 5 s', async () => {
    const name = `${unique('imported')}.example`;
    const file = join(cluster.dir, 'import.jsonl');
    writeFileSync(file, JSON.stringify({
      type: 'domain', name, roid: `D${Date.now()}-EXAMPLE`, registrarId: REGISTRAR_ID, nameservers: [], statuses: ['ok'],
      created: '2024-01-01T00:00:00Z', expires: '2030-01-01T00:00:00Z', ds: [],
    }) + '\n');
    for (const node of cluster.nodes) {
      const before = await whois(node.ports.whois, name, { localAddress: PROBE_CLIENT });
      assert.match(before.text, /does not exist/, `${node.name} does not know ${name} yet`);
    }
    rdds(['import', file, '--db', cluster.pg.url], cluster.dir);
    const imported = performance.now();
    const seen = await Promise.all(cluster.nodes.map((node) => waitFor(`${name} on ${node.name}`, async () => {
      const a = await whois(node.ports.whois, name, { localAddress: PROBE_CLIENT });
      return a.text.includes(`Domain Name: ${name.toUpperCase()}`) && performance.now() - imported;
    }, { timeoutMs: 10_000, everyMs: 100 })));
    seen.forEach((ms, i) => assert.ok(ms <= 5000, `${cluster.nodes[i].name} served the import after ${Math.round(ms)} ms`));
    const rdap = await cluster.https(`/rdap/domain/${name}`, freshClient());
    assert.equal(rdap.status, 200, 'and RDAP through HAProxy over HTTPS');
  });

  it('serves RDAP over HTTPS with the certificate HAProxy presents, and redirects plain HTTP', async () => {
    const ok = await cluster.https('/rdap/domain/nic.example', freshClient());
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['content-type']), /^application\/rdap\+json/);
    assert.match(String(ok.headers['strict-transport-security']), /max-age=\d+/);
    const untrusted = await httpGet(`https://127.0.0.1:${cluster.lb.ports.https}/rdap/domain/nic.example`, { localAddress: freshClient() });
    assert.match(untrusted.error ?? '', /SELF_SIGNED|CERT/, 'a client without the certificate refuses it (the test trusts it explicitly)');
    const plain = await httpGet(`http://127.0.0.1:${cluster.lb.ports.http}/rdap/domain/nic.example`, { localAddress: freshClient() });
    assert.equal(plain.status, 301);
    // The same host and path (on port 443 in production; here the tests' free port stays in the Host header).
    assert.match(String(plain.headers.location), /^https:\/\/127\.0\.0\.1(:\d+)?\/rdap\/domain\/nic\.example$/);
  });
});
