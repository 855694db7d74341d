// Proofs for nodes that cannot write to the database they read (issue #17, items 3 and 4): a node
// on a PostgreSQL hot standby (streaming replica of the cluster's primary, made with
// pg_basebackup) serves an import written to the primary within 5 s and reports its replication
// lag; a node connected with a read-only role (what docs/deploy.md recommends for query nodes)
// starts and answers. Both nodes are queried directly (they are not behind HAProxy).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { whois } from '../harness/clients.js';
import { Cluster, clusterMissing, PROBE_CLIENT } from '../harness/cluster.js';
import type { PostgresInstance } from '../harness/postgres.js';
import { waitFor } from '../harness/process.js';
import { merge, rdds, RddsNode } from '../harness/rdds-node.js';
import { unique } from './proofs.js';

const skip = clusterMissing();
if (skip) console.log(`# ${skip}`);

/** Starts the node unless it runs; a start that fails says why (the node's own last lines). */
async function running(node: RddsNode): Promise<void> {
  if (!node.running) await node.start({ timeoutMs: 20_000 });
}

function importFile(cluster: Cluster, name: string): string {
  const file = join(cluster.dir, `${name}.jsonl`);
  writeFileSync(file, JSON.stringify({
    type: 'domain', name, roid: `D${Date.now()}-EXAMPLE`, registrarId: 5555555, nameservers: [], statuses: ['ok'],
    created: '2024-01-01T00:00:00Z', expires: '2030-01-01T00:00:00Z', ds: [],
  }) + '\n');
  return file;
}

describe('cluster: nodes on read-only database access', { skip }, () => {
  let cluster: Cluster;
  let standby: PostgresInstance;
  let onStandby: RddsNode;
  let readOnly: RddsNode;
  let interim: RddsNode;

  before(async () => {
    cluster = await Cluster.start('replica');
    standby = await cluster.pg.standby(cluster.dir);
    await standby.start();
    await waitFor('the standby to replay the primary', () => standby.replayedUpTo(cluster.pg), { timeoutMs: 10_000 });
    onStandby = await RddsNode.create('node-standby', cluster.dir, merge(cluster.settings, { db: standby.url }));
    // The role docs/deploy.md gives query nodes: it may read the tables, nothing else.
    await cluster.pg.query(`CREATE ROLE rdds_reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO rdds_reader`);
    readOnly = await RddsNode.create('node-reader', cluster.dir, merge(cluster.settings, { db: `postgres://rdds_reader@127.0.0.1:${cluster.pg.port}/postgres` }));
    // The stopgap docs/deploy.md gives until then: the same, plus CREATE on the schema.
    await cluster.pg.query(`CREATE ROLE rdds_node LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO rdds_node; GRANT CREATE ON SCHEMA public TO rdds_node`);
    interim = await RddsNode.create('node-interim', cluster.dir, merge(cluster.settings, { db: `postgres://rdds_node@127.0.0.1:${cluster.pg.port}/postgres` }));
  });
  after(async () => {
    await onStandby?.stop();
    await readOnly?.stop();
    await interim?.stop();
    await standby?.destroy();
    await cluster?.stop();
  });

  it('the standby replicates an import (the harness itself works)', async () => {
    const name = `${unique('replicated')}.example`;
    rdds(['import', importFile(cluster, name), '--db', cluster.pg.url], cluster.dir);
    await waitFor(`${name} on the standby`, async () => (await standby.query('SELECT 1 FROM domains WHERE name = $1', [name])).length === 1, { timeoutMs: 5000 });
  });

  it('starts a node on a hot standby', async () => {
    await running(onStandby);
    const a = await whois(onStandby.ports.whois, 'nic.example', { localAddress: PROBE_CLIENT });
    assert.match(a.text, /^Domain Name: NIC\.EXAMPLE/m);
  });

  it('serves an import written to the primary within 5 s from the standby', async () => {
    await running(onStandby);
    const name = `${unique('via-standby')}.example`;
    rdds(['import', importFile(cluster, name), '--db', cluster.pg.url], cluster.dir);
    const imported = performance.now();
    const ms = await waitFor(`${name} on the standby node`, async () => {
      const a = await whois(onStandby.ports.whois, name, { localAddress: PROBE_CLIENT });
      return a.text.includes(`Domain Name: ${name.toUpperCase()}`) && performance.now() - imported;
    }, { timeoutMs: 10_000 });
    assert.ok(ms <= 5000, `served ${Math.round(ms)} ms after the import`);
  });

  it('reports its replication lag in /metrics and /readyz', async () => {
    await running(onStandby);
    const lag = await onStandby.metric('rdds_replication_lag_seconds');
    assert.ok(lag !== undefined && lag >= 0 && lag < 60, `rdds_replication_lag_seconds = ${lag}`);
    const ready = JSON.parse((await onStandby.admin('/readyz')).body);
    assert.equal(ready.checks.replication?.ok, true, JSON.stringify(ready));
    assert.equal(typeof ready.checks.replication.lagSeconds, 'number');
  });

  it('starts a node whose database role may only read', async () => {
    await running(readOnly);
    const a = await whois(readOnly.ports.whois, 'nic.example', { localAddress: PROBE_CLIENT });
    assert.match(a.text, /^Domain Name: NIC\.EXAMPLE/m);
  });

  it('starts a node whose role may read the tables and create in the schema (the stopgap), and it cannot change the data', async () => {
    await running(interim);
    const a = await whois(interim.ports.whois, 'nic.example', { localAddress: PROBE_CLIENT });
    assert.match(a.text, /^Domain Name: NIC\.EXAMPLE/m);
    const asNode = `postgres://rdds_node@127.0.0.1:${cluster.pg.port}/postgres`;
    assert.throws(() => rdds(['import', importFile(cluster, `${unique('denied')}.example`), '--db', asNode], cluster.dir), /permission denied for table/);
  });
});
