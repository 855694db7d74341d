// The composition root: assembles one rdds node from its configuration (Store, policy, query log,
// pipeline, doors and listeners). `rdds serve` and the end-to-end tests both start the service
// through here; it is the one module of the doors' side that may open the Store.
import type { Config } from '../config.js';
import type { Logger } from '../observe/log.js';
import { Observability } from '../observe/observability.js';
import type { QuerySink } from '../observe/query-log.js';
import type { QueryLog } from '../observe/query-record.js';
import { Pipeline } from '../pipeline.js';
import { Captcha } from '../policy/captcha.js';
import type { Policy } from '../policy/policy.js';
import { RddsPolicy } from '../policy/rdds-policy.js';
import { RdapCursors } from '../query/rdap-cursor.js';
import { RdapRenderer, rdapOptions } from '../render/rdap.js';
import { WhoisRenderer, whoisOptions } from '../render/whois.js';
import { hostname } from 'node:os';
import { Replicator, untilSynced } from '../ingest/live/replicator.js';
import { LiveSource } from '../ingest/live/source.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { fitConnectionCaps, openFileLimit, RESERVED_FDS } from './fd-limit.js';
import { HttpServer } from './http.js';
import { listenOr } from './listen-error.js';
import { Port43Server } from './port43.js';
import { RdapDoor, rdapDoorOptions } from './rdap-door.js';
import { WebDoor } from './web-door.js';

export interface Service {
  config: Config;
  store: Store;
  pipeline: Pipeline;
  whois: Port43Server;
  /** The gateway door, when gateway.enabled. */
  gateway?: Port43Server;
  http: HttpServer;
  /** The admin listener: /metrics, /healthz, /readyz; other modules may add operator routes. */
  admin: HttpServer;
  /** Process log, metrics and query log (src/observe/). */
  observe: Observability;
  ports: { whois: number; http: number; admin: number; gateway?: number };
  close(): Promise<void>;
}

export interface ServiceParts {
  store?: Store;
  policy?: Policy;
  queryLog?: QueryLog;
  /** Replaces the query log's JSON Lines sink (tests). */
  querySink?: QuerySink;
  logger?: Logger;
}

export async function startService(config: Config, parts: ServiceParts = {}): Promise<Service> {
  const store = parts.store ?? (await openStore(config.db));
  const observe = new Observability(config, { logger: parts.logger, queryLog: parts.queryLog, querySink: parts.querySink });
  const policyLogger = observe.logger.child({ module: 'policy' });
  // One captcha: the web door serves its challenges, the policy's authorization stage checks the solutions.
  const captcha = new Captcha(config.web.captcha);
  const policy = parts.policy ?? new RddsPolicy(config, { store, gateways: store, captcha, log: (level, msg, fields) => policyLogger[level](fields ?? {}, msg) });
  if (policy instanceof RddsPolicy) await policy.start();
  // Live mode: the registry's database mirrored into the Store (src/ingest/live/, docs/live-source.md).
  let replicator: Replicator | undefined;
  let source: LiveSource | undefined;
  if (config.source.url) {
    const liveLogger = observe.logger.child({ module: 'live-source' });
    source = await LiveSource.open(config.source.url, config.source.schema, (err) => liveLogger.warn({ err }, 'live source connection lost'));
    replicator = new Replicator(source, store, {
      pollMs: config.source.poll_ms,
      batch: config.source.batch,
      tlds: config.registry.tlds,
      holder: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      log: (level, msg) => liveLogger[level](msg),
    });
    await replicator.start();
  }
  const live = replicator;
  const served = live ? untilSynced(store, () => live.current.synced) : store;
  const pipeline = new Pipeline(observe.instrumentStore(served), policy, observe.queryLog, config, {
    cacheEntries: 10000,
    // In live mode a change is seen as soon as it is applied.
    dataPollMs: live ? Math.min(1000, config.source.poll_ms) : 1000,
  });
  await pipeline.start();

  // Both doors' connection caps within the file-descriptor limit (src/server/fd-limit.ts).
  const limit = openFileLimit();
  // The gateway door, when on, has whois.max_connections of its own.
  const wanted: Record<string, number> = { whois: config.whois.max_connections, http: config.http.max_connections };
  if (config.gateway.enabled) wanted.gateway = config.whois.max_connections;
  const { caps, lowered } = fitConnectionCaps(wanted, limit);
  if (lowered) {
    const fitted = Object.entries(caps).map(([door, n]) => `${door} ${n}`).join(', ');
    observe.logger.warn(
      { limit, reserved: RESERVED_FDS, caps },
      `connection caps (whois.max_connections, http.max_connections) lowered to ${fitted} to fit the file-descriptor limit of ${limit} (raise it with ulimit -n or LimitNOFILE=)`,
    );
  }

  const whoisRenderer = new WhoisRenderer(whoisOptions(config));
  const tcp = { maxQueryBytes: config.whois.max_query_bytes, idleTimeoutMs: config.whois.idle_timeout_ms, totalTimeoutMs: config.whois.total_timeout_ms, tlds: config.registry.tlds };
  const whois = new Port43Server(pipeline, whoisRenderer, { door: 'whois', hosts: config.whois.host, port: config.whois.port, maxConnections: caps.whois, ...tcp });
  // The WHOIS2 gateway door: the same TCP service, the gateway grammar (docs/gateway.md).
  const gateway = config.gateway.enabled ? new Port43Server(pipeline, whoisRenderer, { door: 'gateway', hosts: config.gateway.host, port: config.gateway.port, maxConnections: caps.gateway ?? 1, ...tcp }) : undefined;
  // The PROXY protocol from trusted load balancers, the per-client connection cap, and SIGHUP
  // re-reading the blocklist (src/policy/, docs/policy.md).
  const reload = () => (policy as RddsPolicy).reload();
  if (policy instanceof RddsPolicy) {
    whois.guard = policy;
    if (gateway) gateway.guard = policy;
    process.on('SIGHUP', reload);
  }
  const http = new HttpServer({
    hosts: config.http.host,
    port: config.http.port,
    maxHeaderBytes: 8192,
    requestTimeoutMs: config.http.request_timeout_ms,
    keepAliveTimeoutMs: 5000,
    maxConnections: caps.http,
    maxPipelined: config.http.max_pipelined,
  });
  // One cursor key for the grammar that checks cursors and the renderer that issues them.
  const cursors = new RdapCursors(config.rdap.cursor_secret);
  http.routes.push(new RdapDoor(pipeline, new RdapRenderer(rdapOptions(config, cursors)), rdapDoorOptions(config, cursors)));
  // Web WHOIS and searchable WHOIS pages (src/server/web-door.ts, docs/web.md).
  if (config.web.enabled) http.routes.push(WebDoor.create(pipeline, whoisRenderer, captcha, config));

  observe.attach({ pipeline, whois, http, policy, live: live && { status: () => live.current, maxLagS: config.source.max_lag_s } });
  // Scrapers and probes only, on a private address: a few connections, within RESERVED_FDS.
  const admin = new HttpServer({ hosts: config.admin.host, port: config.admin.port, maxHeaderBytes: 8192, requestTimeoutMs: 10000, keepAliveTimeoutMs: 5000, maxConnections: 64, maxPipelined: 16 });
  admin.routes.push(...observe.routes());
  const stopAll = async () => {
    process.off('SIGHUP', reload);
    observe.drain();
    await Promise.all([whois.close(), http.close(), gateway?.close()]);
    await pipeline.stop();
    await replicator?.stop();
    await source?.close();
    await admin.close();
    await observe.close();
    await policy.close();
    if (!parts.store) await store.close();
  };
  let ports: Service['ports'];
  try {
    ports = {
      whois: await listenOr('whois.host / whois.port, --host / --whois-port', () => whois.listen()),
      http: await listenOr('http.host / http.port, --host / --http-port', () => http.listen()),
      admin: await listenOr('admin.host / admin.port, --host / --admin-port', () => admin.listen()),
    };
    if (gateway) ports.gateway = await listenOr('gateway.host / gateway.port', () => gateway.listen());
  } catch (err) {
    await stopAll(); // a listener that could not be opened: nothing half-started stays behind
    throw err;
  }
  observe.started({ ports, storeKind: store.kind });
  return {
    config,
    store,
    pipeline,
    whois,
    gateway,
    http,
    admin,
    observe,
    ports,
    close: stopAll,
  };
}
