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
import { RdapRenderer, rdapOptions } from '../render/rdap.js';
import { WhoisRenderer, whoisOptions } from '../render/whois.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { fitConnectionCaps, openFileLimit, RESERVED_FDS } from './fd-limit.js';
import { HttpServer } from './http.js';
import { Port43Server } from './port43.js';
import { RdapDoor, rdapDoorOptions } from './rdap-door.js';
import { WebDoor } from './web-door.js';

export interface Service {
  config: Config;
  store: Store;
  pipeline: Pipeline;
  whois: Port43Server;
  http: HttpServer;
  /** The admin listener: /metrics, /healthz, /readyz; other modules may add operator routes. */
  admin: HttpServer;
  /** Process log, metrics and query log (src/observe/). */
  observe: Observability;
  ports: { whois: number; http: number; admin: number };
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
  const policy = parts.policy ?? new RddsPolicy(config, { store, captcha, log: (level, msg, fields) => policyLogger[level](fields ?? {}, msg) });
  const pipeline = new Pipeline(observe.instrumentStore(store), policy, observe.queryLog, config);
  await pipeline.start();

  // Both doors' connection caps within the file-descriptor limit (src/server/fd-limit.ts).
  const limit = openFileLimit();
  const { caps, lowered } = fitConnectionCaps({ whois: config.whois.max_connections, http: config.http.max_connections }, limit);
  if (lowered) {
    observe.logger.warn(
      { limit, reserved: RESERVED_FDS, 'whois.max_connections': caps.whois, 'http.max_connections': caps.http },
      `whois.max_connections and http.max_connections lowered to ${caps.whois} and ${caps.http} to fit the file-descriptor limit of ${limit} (raise it with ulimit -n or LimitNOFILE=)`,
    );
  }

  const whoisRenderer = new WhoisRenderer(whoisOptions(config));
  const whois = new Port43Server(pipeline, whoisRenderer, {
    hosts: config.whois.host,
    port: config.whois.port,
    maxQueryBytes: config.whois.max_query_bytes,
    idleTimeoutMs: config.whois.idle_timeout_ms,
    totalTimeoutMs: config.whois.total_timeout_ms,
    maxConnections: caps.whois,
    tlds: config.registry.tlds,
  });
  // The PROXY protocol from trusted load balancers, the per-client connection cap, and SIGHUP
  // re-reading the blocklist (src/policy/, docs/policy.md).
  const reload = () => (policy as RddsPolicy).reload();
  if (policy instanceof RddsPolicy) {
    whois.guard = policy;
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
  http.routes.push(new RdapDoor(pipeline, new RdapRenderer(rdapOptions(config)), rdapDoorOptions(config)));
  // Web WHOIS and searchable WHOIS pages (src/server/web-door.ts, docs/web.md).
  if (config.web.enabled) http.routes.push(WebDoor.create(pipeline, whoisRenderer, captcha, config));

  observe.attach({ pipeline, whois, http, policy });
  // Scrapers and probes only, on a private address: a few connections, within RESERVED_FDS.
  const admin = new HttpServer({ hosts: config.admin.host, port: config.admin.port, maxHeaderBytes: 8192, requestTimeoutMs: 10000, keepAliveTimeoutMs: 5000, maxConnections: 64, maxPipelined: 16 });
  admin.routes.push(...observe.routes());
  const ports = { whois: await whois.listen(), http: await http.listen(), admin: await admin.listen() };
  observe.started({ ports, storeKind: store.kind });
  return {
    config,
    store,
    pipeline,
    whois,
    http,
    admin,
    observe,
    ports,
    async close() {
      process.off('SIGHUP', reload);
      await Promise.all([whois.close(), http.close()]);
      await pipeline.stop();
      await admin.close();
      await observe.close();
      await policy.close();
      if (!parts.store) await store.close();
    },
  };
}
