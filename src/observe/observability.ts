// Everything a running node tells its operator, assembled in one place for startService():
// the process log, the query log (metrics + JSON Lines files), the admin listener (/metrics,
// /healthz, /readyz), outage tracking and the retention timer.
//
// Hooks for other modules:
//   - the policy may implement `observe(events: PolicyEvents)` (duck-typed, see ObservablePolicy):
//     it is called once at start with callbacks for bans issued and Redis outages/recoveries, and
//     may return `{ activeBans }` to feed the rdds_active_bans gauge;
//   - `service.observe.logger.child({ module: 'x' })` gives any module the process logger;
//   - `routes()` gives the admin listener's routes; the service (src/server/service.ts) serves them
//     beside any operator API routes of other modules.
// It knows the running parts only through the small interfaces below, not the doors' modules.
import type { Config } from '../config.js';
import type { DataVersion } from '../model/records.js';
import type { Policy } from '../policy/policy.js';
import type { ConnectionRefusal } from './query-record.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { Store } from '../store/store.js';
import { adminRoutes, type AdminRoute } from './admin.js';
import { applyRetention } from './daily-counts.js';
import { JsonlSink } from './jsonl-sink.js';
import { createLogger, redactSecret, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { BufferedQueryLog, TeeQueryLog, type QuerySink } from './query-log.js';
import { NO_QUERY_LOG, type QueryLog } from './query-record.js';

export interface BanEvent {
  /** The banned address, prefix or CIDR. */
  target: string;
  reason?: string;
  /** ISO time the ban ends (absent: until lifted by hand). */
  until?: string;
  /** 'policy' (automatic) or 'operator'. */
  by?: string;
}

/** What a policy can report to the operator. */
export interface PolicyEvents {
  banIssued(ban: BanEvent): void;
  banLifted(target: string, by?: string): void;
  /** A component the policy depends on (redis) failed; repeated calls while down are counted, not logged. */
  outage(component: string, err: unknown): void;
  recovered(component: string): void;
  /** A gateway was suspended automatically (the policy logs it itself). */
  gatewaySuspended(gateway: string, reason: string): void;
}

export interface ObservablePolicy {
  observe(events: PolicyEvents): { activeBans?: () => number | Promise<number> } | void;
}

export interface ObservabilityParts {
  logger?: Logger;
  /** Replaces the JSON Lines sink (tests: a slow sink). */
  querySink?: QuerySink;
  /** Replaces the buffered query log entirely (metrics still see every record). */
  queryLog?: QueryLog;
}

/** What observe needs of the pipeline: its data version, and hooks for data changes and errors. */
export interface ObservedPipeline {
  readonly store: Store;
  readonly dataVersion: DataVersion;
  onDataChange?: (data: DataVersion) => void;
  onError?: (err: unknown) => void;
}

/** A live source's replication as observe reports it (src/ingest/live/replicator.ts). */
export interface ObservedReplication {
  status(): { synced: boolean; lagSeconds: number; replicating: boolean; error?: string; applied: number };
  maxLagS: number;
}

/** A listener whose open connections are counted (each door counts its own). */
export interface ObservedListener {
  readonly connections: number;
  /** Told of each connection closed before its query reached the pipeline. */
  onRefused?: (reason: ConnectionRefusal) => void;
}

const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
const STORE_PROBE_MS = 5000;

export class Observability implements PolicyEvents {
  readonly logger: Logger;
  readonly metrics = new Metrics();
  /** The log the pipeline writes to: metrics first, then the buffered sink. */
  readonly queryLog: QueryLog;
  /** The buffered file log (absent when log.enabled is false or a queryLog part replaced it). */
  readonly buffered?: BufferedQueryLog;
  private readonly admin: AdminRoute[] = [];
  private readonly down = new Map<string, { since: number; errors: number }>();
  private timers: NodeJS.Timeout[] = [];
  private store?: Store;
  private pipeline?: ObservedPipeline;
  private lastErrorLog = 0;
  private stopping = false;
  private suppressedErrors = 0;

  constructor(private readonly config: Config, parts: ObservabilityParts = {}) {
    this.logger = parts.logger ?? createLogger({ level: config.log.level, format: config.log.format });
    let next: QueryLog = NO_QUERY_LOG;
    if (parts.queryLog) next = parts.queryLog;
    else if (config.log.enabled || parts.querySink) {
      const sink = parts.querySink ?? new JsonlSink({ dir: config.log.dir, daily: config.log.rotate.daily, maxBytes: config.log.rotate.max_mb * 1024 * 1024 });
      let lastSinkError = 0;
      this.buffered = new BufferedQueryLog(sink, {
        buffer: config.log.buffer,
        flushMs: config.log.flush_ms,
        onDrop: (n) => this.metrics.logDropped.inc(n),
        onSinkError: (err) => {
          if (Date.now() - lastSinkError < 60000) return;
          lastSinkError = Date.now();
          this.logger.error({ err, dir: config.log.dir }, 'query log write failed; records are being dropped (counted in rdds_query_log_dropped_total)');
        },
        onSinkRecovered: () => {
          lastSinkError = 0;
          this.logger.warn({ dir: config.log.dir }, 'query log writing again; the gap is marked in the log with a "dropped" line');
        },
      });
      next = this.buffered;
    }
    this.queryLog = new TeeQueryLog([this.metrics.observeQuery], next);
  }

  /** The admin listener's routes: /metrics, /healthz, /readyz (once attached). */
  routes(): readonly AdminRoute[] {
    return this.admin;
  }

  /** The store as the pipeline should see it: every call timed for rdds_store_duration_seconds. */
  instrumentStore<S extends Store>(store: S): S {
    this.store = store;
    return this.metrics.instrumentStore(store);
  }

  /** Connects to the running parts: data changes, errors, connection counts, the policy's hooks. */
  attach(parts: { pipeline: ObservedPipeline; whois?: ObservedListener; http?: ObservedListener; policy?: Policy; live?: ObservedReplication }): void {
    const { pipeline, whois, http, policy, live } = parts;
    if (live) this.metrics.sources.live = () => live.status();
    this.metrics.sources.replicationLag = () => this.replicationLag;
    if (http) this.metrics.sources.httpConnections = () => http.connections;
    this.pipeline = pipeline;
    this.store ??= pipeline.store;
    this.metrics.sources.dataVersion = () => pipeline.dataVersion;
    if (whois) {
      this.metrics.sources.whoisConnections = () => whois.connections;
      whois.onRefused = (reason) => this.metrics.connectionsRefused.inc({ door: 'whois', reason });
    }

    // Attached after pipeline.start(): every change from here on is a change while serving.
    const prevChange = pipeline.onDataChange;
    pipeline.onDataChange = (data: DataVersion) => {
      prevChange?.(data);
      this.logger.info({ serial: data.serial, updatedAt: data.updatedAt }, 'data changed');
    };
    const prevError = pipeline.onError;
    pipeline.onError = (err: unknown) => {
      prevError?.(err);
      this.queryError(err);
    };

    // A policy with a state that lists bans (RddsPolicy) feeds the active-bans gauge by itself.
    const state = (policy as { state?: { bans?: (now: number) => Promise<unknown[]> } } | undefined)?.state;
    if (state && typeof state.bans === 'function') {
      this.metrics.sources.activeBans ??= async () => (await state.bans!(Date.now())).length;
    }
    const observable = policy as Partial<ObservablePolicy> | undefined;
    if (observable && typeof observable.observe === 'function') {
      const provided = observable.observe(this);
      if (provided && provided.activeBans) this.metrics.sources.activeBans = provided.activeBans;
    }

    this.admin.push(
      adminRoutes(this.metrics, {
        probe: () => this.store!.dataVersion(),
        seen: () => pipeline.dataVersion,
        timeoutMs: this.config.admin.ready_timeout_ms,
        maxDataAgeS: this.config.admin.ready_max_data_age_s,
        draining: () => this.stopping,
        checks: {
          ...(live ? { source: () => sourceCheck(live) } : {}),
          replication: () => replicationCheck(this.replicationLag, this.config.admin.ready_max_replication_lag_s),
        },
      }),
    );

    void this.probeStore();
    const probe = setInterval(() => void this.probeStore(), STORE_PROBE_MS);
    probe.unref();
    this.timers.push(probe);
    if (this.buffered && this.config.log.enabled && this.config.log.rotate.daily) {
      const retain = () => this.retain();
      setImmediate(retain);
      const t = setInterval(retain, RETENTION_INTERVAL_MS);
      t.unref();
      this.timers.push(t);
    }
  }

  /** For RddsPolicy's `log` option: the policy's operator lines go to the process log. */
  readonly policyLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void => {
    this.logger[level]({ module: 'policy', ...fields }, message);
  };

  /** For RddsPolicy's `onEvent` option: bans issued are logged and counted; other events logged. */
  readonly policyEvent = (event: { type: string; ban?: { target: string; until: number; reason: string; source: string } }): void => {
    if (event.type === 'banned' && event.ban) {
      const b = event.ban;
      this.banIssued({ target: b.target, reason: b.reason, until: Number.isFinite(b.until) ? new Date(b.until).toISOString() : undefined, by: b.source });
    } else {
      this.logger.info({ module: 'policy', event }, event.type);
    }
  };

  /** Feeds the active-bans gauge (for a policy that does not implement observe()). */
  setActiveBans(source: () => number | Promise<number>): void {
    this.metrics.sources.activeBans = source;
  }

  /** The start-up summary: doors, addresses, store, TLDs, data age, query log. */
  started(info: { ports: Record<string, number>; storeKind: string }): void {
    const c = this.config;
    const at = (hosts: string[], port: number) => hosts.map((h) => (h.includes(':') ? `[${h}]:${port}` : `${h}:${port}`));
    const data = this.pipeline?.dataVersion;
    this.logger.info(
      {
        doors: {
          whois: at(c.whois.host, info.ports.whois),
          http: at(c.http.host, info.ports.http),
          admin: at(c.admin.host, info.ports.admin),
        },
        store: { kind: info.storeKind, db: redactSecret(c.db) },
        state: redactSecret(c.state),
        tlds: c.registry.tlds,
        data: data && { serial: data.serial, updatedAt: data.updatedAt, ageSeconds: Math.round((Date.now() - Date.parse(data.updatedAt)) / 1000) },
        queryLog: this.buffered ? { dir: c.log.dir, retentionDays: c.log.retention_days } : 'off',
      },
      'rdds started',
    );
  }

  /** The node is stopping: /readyz fails from now on, so a load balancer stops sending it queries. */
  drain(): void {
    this.stopping = true;
  }

  // --- PolicyEvents ---------------------------------------------------------------------------

  banIssued(ban: BanEvent): void {
    this.metrics.bansIssued.inc();
    this.logger.warn({ ban }, `ban issued: ${ban.target}`);
  }

  banLifted(target: string, by?: string): void {
    this.logger.info({ target, by }, `ban lifted: ${target}`);
  }

  outage(component: string, err: unknown): void {
    const state = this.down.get(component);
    if (state) {
      state.errors++;
      return;
    }
    this.down.set(component, { since: Date.now(), errors: 1 });
    this.metrics.outages.inc({ component });
    this.logger.error({ component, err }, `${component} outage`);
  }

  gatewaySuspended(gateway: string): void {
    this.metrics.gatewaySuspensions.inc({ gateway });
  }

  recovered(component: string): void {
    const state = this.down.get(component);
    if (!state) return;
    this.down.delete(component);
    this.logger.info({ component, downSeconds: Math.round((Date.now() - state.since) / 1000), errors: state.errors }, `${component} recovered`);
  }

  // ---------------------------------------------------------------------------------------------

  private queryError(err: unknown): void {
    // A query failed inside the pipeline: most often the store. Check it now; log the error itself
    // at most every 10 seconds (a storm of failing queries must not become a storm of log lines).
    void this.probeStore();
    const now = Date.now();
    if (now - this.lastErrorLog < 10000) {
      this.suppressedErrors++;
      return;
    }
    if (isStoreUnavailable(err)) this.logger.warn({ error: (err as Error).message, suppressed: this.suppressedErrors }, 'query answered "temporarily unavailable": the data cannot be read');
    else this.logger.error({ err, suppressed: this.suppressedErrors }, 'query failed with an internal error');
    this.lastErrorLog = now;
    this.suppressedErrors = 0;
  }

  private probing = false;
  /** On a read replica: seconds behind its primary, as the store probe last read it. */
  private replicationLag?: number;

  private async probeStore(): Promise<void> {
    if (!this.store || this.probing) return;
    this.probing = true;
    try {
      await this.store.dataVersion();
      this.replicationLag = await this.store.replicationLag();
      this.recovered('store');
    } catch (err) {
      this.outage('store', err);
    } finally {
      this.probing = false;
    }
  }

  private retain(): void {
    try {
      const days = applyRetention(this.config.log.dir, this.config.log.retention_days);
      if (days.length > 0) this.logger.info({ days }, 'query log past retention: records replaced by daily counts');
    } catch (err) {
      this.logger.error({ err, dir: this.config.log.dir }, 'query log retention failed');
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.queryLog.close();
  }
}


/** /readyz's view of a read replica: no further behind its primary than admin.ready_max_replication_lag_s. */
function replicationCheck(lag: number | undefined, max: number): { ok: boolean; [detail: string]: unknown } {
  if (lag === undefined) return { ok: true, replica: false };
  const seconds = Math.round(lag * 10) / 10;
  const ok = max <= 0 || lag <= max;
  return { ok, replica: true, lagSeconds: seconds, ...(max > 0 ? { maxLagSeconds: max } : {}), ...(ok ? {} : { reason: `the replica is ${seconds} s behind its primary` }) };
}

/** /readyz's view of a live source: a first copy made, and no further behind than source.max_lag_s. */
function sourceCheck(live: ObservedReplication): { ok: boolean; [detail: string]: unknown } {
  const s = live.status();
  const lagSeconds = Math.round(s.lagSeconds);
  const ok = s.synced && lagSeconds <= live.maxLagS;
  const reason = !s.synced ? 'the first copy of the source is not complete' : !ok ? `the served data is ${lagSeconds} s behind the source (source.max_lag_s ${live.maxLagS})` : undefined;
  return { ok, lagSeconds, maxLagSeconds: live.maxLagS, replicating: s.replicating, ...(reason ? { reason } : {}), ...(s.error ? { error: s.error } : {}) };
}
