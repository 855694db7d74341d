// Prometheus metrics (prom-client), one registry per service so that several services in one
// process (tests) do not share counters. Query metrics are fed from the query record stream
// (observeQuery), so the pipeline needs to know nothing about them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import type { DataVersion } from '../model/records.js';
import type { Store } from '../store/store.js';
import { CONNECTION_REFUSALS, type QueryRecord } from './query-record.js';
import { QueryTally } from './query-tally.js';

export interface MetricSources {
  /** The data version the service has seen (pipeline.dataVersion). */
  dataVersion?: () => DataVersion;
  /** Open port-43 connections (Port43Server.connections). */
  whoisConnections?: () => number;
  /** Open HTTP connections (HttpServer.connections). */
  httpConnections?: () => number;
  /** On a PostgreSQL read replica: seconds behind its primary. */
  replicationLag?: () => number | undefined;
  /** A live source's replication (lag, changes applied). */
  live?: () => { lagSeconds: number; applied: number };
  /** Active bans: a number the policy provides (see Observability.setActiveBans). */
  activeBans?: () => number | Promise<number>;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

export class Metrics {
  readonly registry = new Registry();
  /** rdds_queries_total and rdds_query_duration_seconds, counted per query and read when scraped. */
  private readonly tally = new QueryTally(LATENCY_BUCKETS);
  readonly refusals: Counter<'door' | 'reason'>;
  readonly forbidden: Counter<'door' | 'reason'>;
  readonly gatewayQueries: Counter<'gateway' | 'outcome'>;
  readonly gatewayFaults: Counter<'gateway' | 'fault'>;
  readonly gatewaySuspensions: Counter<'gateway'>;
  readonly connectionsRefused: Counter<'door' | 'reason'>;
  readonly storeLatency: Histogram<'operation'>;
  readonly storeErrors: Counter<'operation'>;
  readonly logDropped: Counter;
  readonly bansIssued: Counter;
  readonly outages: Counter<'component'>;
  readonly sources: MetricSources;

  constructor(sources: MetricSources = {}, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.sources = { ...sources };
    const src = this.sources;
    const tally = this.tally;
    new Counter({
      name: 'rdds_queries_total',
      help: 'Queries by door and outcome',
      labelNames: ['door', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const { labels, value } of tally.counterValues()) this.inc(labels, value);
      },
    });
    // A histogram prom-client cannot be handed counts for: a metric object of the registry's own
    // shape (name, help, type, get), registered like any other.
    const latency = {
      name: 'rdds_query_duration_seconds',
      help: 'Time from the query to its answer, by door',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ name: latency.name, help: latency.help, type: latency.type, aggregator: latency.aggregator, values: tally.histogramValues(latency.name) }),
      // registry.resetMetrics(): the counts behind both query metrics start again
      reset: () => tally.reset(),
    };
    this.registry.registerMetric(latency as unknown as Metric);
    this.refusals = new Counter({ name: 'rdds_refusals_total', help: 'Queries refused by admission, by door and reason', labelNames: ['door', 'reason'], registers });
    this.gatewayQueries = new Counter({ name: 'rdds_gateway_queries_total', help: 'Queries of each registered gateway, by outcome', labelNames: ['gateway', 'outcome'], registers });
    this.gatewayFaults = new Counter({ name: 'rdds_gateway_faults_total', help: 'Bad queries of each registered gateway, by reason (the WHOIS2 contract list)', labelNames: ['gateway', 'fault'], registers });
    this.gatewaySuspensions = new Counter({ name: 'rdds_gateway_suspensions_total', help: 'Gateways suspended automatically after recurring excess over their limit', labelNames: ['gateway'], registers });
    this.forbidden = new Counter({ name: 'rdds_forbidden_total', help: 'Queries the client may not run (authorization: searches, captcha), by door and reason', labelNames: ['door', 'reason'], registers });
    this.connectionsRefused = new Counter({
      name: 'rdds_connections_refused_total',
      help: 'Connections closed before their query reached the pipeline (so not in the query log), by door and reason',
      labelNames: ['door', 'reason'],
      registers,
    });
    this.storeLatency = new Histogram({ name: 'rdds_store_duration_seconds', help: 'Store call latency by operation', labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers });
    this.storeErrors = new Counter({ name: 'rdds_store_errors_total', help: 'Failed store calls by operation', labelNames: ['operation'], registers });
    this.logDropped = new Counter({ name: 'rdds_query_log_dropped_total', help: 'Query log records dropped (buffer full or sink failure)', registers });
    this.bansIssued = new Counter({ name: 'rdds_bans_issued_total', help: 'Bans issued by the policy', registers });
    this.outages = new Counter({ name: 'rdds_outages_total', help: 'Outages seen, by component (store, redis)', labelNames: ['component'], registers });
    new Gauge({
      name: 'rdds_active_bans',
      help: 'Bans in force (from the policy; 0 when it does not report them)',
      registers,
      async collect() {
        this.set(src.activeBans ? await src.activeBans() : 0);
      },
    });
    new Gauge({
      name: 'rdds_open_connections',
      help: 'Open connections: port 43 (door whois) and the HTTP listener shared by RDAP and the web pages (door http)',
      labelNames: ['door'],
      registers,
      async collect() {
        this.set({ door: 'whois' }, src.whoisConnections?.() ?? 0);
        this.set({ door: 'http' }, src.httpConnections?.() ?? 0);
      },
    });
    new Gauge({
      name: 'rdds_data_age_seconds',
      help: 'Time since the last data update the service has seen',
      registers,
      collect() {
        const v = src.dataVersion?.();
        if (v) this.set(Math.max(0, (Date.now() - Date.parse(v.updatedAt)) / 1000));
      },
    });
    new Gauge({
      name: 'rdds_replication_lag_seconds',
      help: 'How far the store, a PostgreSQL read replica, is behind its primary (0 on a primary or SQLite)',
      registers,
      collect() {
        this.set(src.replicationLag?.() ?? 0);
      },
    });
    new Gauge({
      name: 'rdds_source_lag_seconds',
      help: 'Live mode: how far the served data is behind the registry database (0 without a live source)',
      registers,
      collect() {
        this.set(src.live?.().lagSeconds ?? 0);
      },
    });
    new Gauge({
      name: 'rdds_source_changes_applied',
      help: 'Live mode: changes of the registry database applied by this node since it started',
      registers,
      collect() {
        this.set(src.live?.().applied ?? 0);
      },
    });
    new Gauge({
      name: 'rdds_data_serial',
      help: 'Serial of the data version the service has seen',
      registers,
      collect() {
        const v = src.dataVersion?.();
        if (v) this.set(v.serial);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'rdds_' });
    // Every reason shows from the start (a 0 is information; a missing series is not).
    for (const reason of CONNECTION_REFUSALS) this.connectionsRefused.inc({ door: 'whois', reason }, 0);
  }

  /** The query record observer: counts, latency, refusals and forbidden queries. */
  readonly observeQuery = (rec: QueryRecord): void => {
    this.tally.add(rec.door, rec.outcome, rec.latencyMs / 1000);
    if (rec.outcome === 'refused') this.refusals.inc({ door: rec.door, reason: rec.reason ?? 'unspecified' });
    else if (rec.outcome === 'forbidden') this.forbidden.inc({ door: rec.door, reason: rec.reason ?? 'unspecified' });
    if (rec.gateway !== undefined) {
      this.gatewayQueries.inc({ gateway: rec.gateway, outcome: rec.outcome });
      if (rec.fault !== undefined) this.gatewayFaults.inc({ gateway: rec.gateway, fault: rec.fault });
    }
  };

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Store with every call timed (and failures counted); everything else passes through. */
  instrumentStore<S extends Store>(store: S): S {
    const timed = new Map<PropertyKey, unknown>();
    const metrics = this;
    return new Proxy(store, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function' || typeof prop !== 'string' || !TIMED_CALLS.has(prop)) {
          return typeof value === 'function' ? value.bind(target) : value;
        }
        let wrapped = timed.get(prop);
        if (!wrapped) {
          const end = (started: number, ok: boolean) => {
            metrics.storeLatency.observe({ operation: prop }, (performance.now() - started) / 1000);
            if (!ok) metrics.storeErrors.inc({ operation: prop });
          };
          wrapped = async (...args: unknown[]) => {
            const started = performance.now();
            try {
              const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              end(started, true);
              return result;
            } catch (err) {
              end(started, false);
              throw err;
            }
          };
          timed.set(prop, wrapped);
        }
        return wrapped;
      },
    });
  }
}

/** The Store's read calls (writes are not on the serving path). Others pass through untimed. */
const TIMED_CALLS = new Set(['lookupDomain', 'lookupHost', 'lookupHostsByAddress', 'getRegistrar', 'getRegistrarByName', 'getContact', 'countDomains', 'dataVersion', 'searchDomains', 'search']);
