// The whole deployment on loopback: a PostgreSQL and a Redis of its own, demo data loaded once
// with `rdds demo`, two `rdds serve` nodes sharing both, and HAProxy from deploy/haproxy.cfg in
// front (port 43 with PROXY v2, HTTPS terminated with a self-signed certificate). Everything
// started is stopped by stop(), and killed by the process-exit hooks of ./process.ts if a test
// crashes first. Set RDDS_CLUSTER_KEEP=1 to keep the run's directory (configs, every log).
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpGet, stopAllLoads, whois, type HttpAnswer, type WhoisAnswer } from './clients.js';
import { HAProxy, haproxyMissing, selfSignedCertificate } from './haproxy.js';
import { PostgresInstance, postgresMissing } from './postgres.js';
import { which } from './process.js';
import { RddsNode, rdds, merge, type Settings } from './rdds-node.js';
import { RedisInstance, redisMissing } from './redis.js';

/** The address HAProxy connects to the nodes from: the only trusted proxy. */
export const LB_SOURCE = '127.0.0.2';
/** Allowlisted clients (never limited): the load generators and the per-node probes. */
export const LOAD_CLIENT = '127.0.0.3';
export const PROBE_CLIENT = '127.0.0.4';

/** Why the cluster cannot run here, or undefined. */
export function clusterMissing(): string | undefined {
  const missing = [haproxyMissing(), postgresMissing(), redisMissing(), which('openssl') ? undefined : 'openssl not found'].filter(Boolean);
  return missing.length ? `cluster proofs skipped: ${missing.join('; ')}` : undefined;
}

let nextClient = 0;
/** A loopback address no earlier proof of this process has used: a client with fresh limits. */
export function freshClient(): string {
  nextClient++;
  return `127.1.${Math.floor(nextClient / 250)}.${(nextClient % 250) + 1}`;
}

export interface ClusterOptions {
  /** Settings for both nodes, over the cluster's own (db, state, trusted proxy, allowlist). */
  settings?: Settings;
  /** Settings of one node (0 or 1) over those, made once PostgreSQL and Redis run (e.g. its own db URL). */
  nodeSettings?: (index: number, parts: { pg: PostgresInstance; redis: RedisInstance }) => Settings | Promise<Settings>;
  demoDomains?: number;
}

export class Cluster {
  private constructor(
    readonly dir: string,
    readonly pg: PostgresInstance,
    readonly redis: RedisInstance,
    readonly nodes: [RddsNode, RddsNode],
    readonly lb: HAProxy,
    /** The certificate HTTPS clients trust. */
    readonly ca: string,
    /** The settings both nodes share (for more nodes of the same deployment). */
    readonly settings: Settings,
  ) {}

  static async start(name: string, opts: ClusterOptions = {}): Promise<Cluster> {
    const dir = mkdtempSync(join(tmpdir(), `rdds-cluster-${name}-`));
    chmodSync(dir, 0o755); // PostgreSQL runs as its own user when the tests run as root
    console.log(`# cluster ${name}: ${dir}`);
    // What is running so far, stopped in reverse order if the start fails half-way (the directory stays, with the logs).
    const started: { stop(): Promise<unknown> }[] = [];
    try {
      const pg = await PostgresInstance.create(dir);
      started.push(pg);
      await pg.start();
      const redis = await RedisInstance.create(dir);
      started.push(redis);
      await redis.start();
      rdds(['demo', '--domains', String(opts.demoDomains ?? 200), '--db', pg.url], dir);
      const settings = merge(
        {
          db: pg.url,
          state: redis.url,
          admin: { ready_timeout_ms: 1000 },
          // Captcha state is per node (README, "Not done yet"); the proofs are about the pipeline.
          web: { captcha: { enabled: false } },
          policy: {
            trusted_proxies: [`${LB_SOURCE}/32`],
            allowlist: [`${LOAD_CLIENT}/32`, `${PROBE_CLIENT}/32`],
            rate_limit: { per_minute: 5 },
          },
        },
        opts.settings ?? {},
      );
      const own = (i: number) => opts.nodeSettings?.(i, { pg, redis }) ?? {};
      const nodes = [
        await RddsNode.create('node1', dir, merge(settings, await own(0))),
        await RddsNode.create('node2', dir, merge(settings, await own(1))),
      ] as [RddsNode, RddsNode];
      started.push(...nodes);
      await Promise.all(nodes.map((n) => n.start()));
      const cert = selfSignedCertificate(dir);
      const lb = await HAProxy.create(dir, nodes, { source: LB_SOURCE, certPem: cert.pem });
      started.push(lb);
      await lb.start();
      await lb.waitAll('UP', ['whois_nodes', 'http_nodes']);
      return new Cluster(dir, pg, redis, nodes, lb, readFileSync(cert.cert, 'utf8'), settings);
    } catch (err) {
      for (const part of started.reverse()) await part.stop().catch(() => {});
      console.log(`# cluster ${name} did not start; its logs are in ${dir}`);
      throw err;
    }
  }

  /** A port-43 query through HAProxy from `client`. */
  whois(query: string, client: string, timeoutMs = 10_000): Promise<WhoisAnswer> {
    return whois(this.lb.ports.whois, query, { localAddress: client, timeoutMs });
  }

  /** An HTTPS GET through HAProxy from `client` (the certificate checked against the harness's own). */
  https(path: string, client: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpAnswer> {
    return httpGet(`https://127.0.0.1:${this.lb.ports.https}${path}`, { localAddress: client, headers, ca: this.ca, timeoutMs });
  }

  /** Both nodes running and every server of the main backends UP (the state each proof starts from). */
  async healthy(timeoutMs = 30_000): Promise<void> {
    for (const node of this.nodes) if (!node.running) await node.start();
    await this.lb.waitAll('UP', ['whois_nodes', 'http_nodes'], timeoutMs);
  }

  async stop(): Promise<void> {
    stopAllLoads();
    await this.lb.stop();
    await Promise.all(this.nodes.map((n) => n.stop()));
    await this.redis.stop();
    await this.pg.stop();
    if (process.env.RDDS_CLUSTER_KEEP) console.log(`# cluster kept: ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
