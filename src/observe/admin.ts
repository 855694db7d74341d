// The admin listener's own routes: /metrics (Prometheus text), /healthz (the process serves) and
// /readyz (the store answers in time and the data is fresh enough). The service serves them on the
// admin listener (an HttpServer of src/server/, which takes any route of this shape).
import type http from 'node:http';
import type { DataVersion } from '../model/records.js';
import type { Metrics } from './metrics.js';

/** A route of the admin listener: whether it answers a path, and the answer. */
export interface AdminRoute {
  owns(path: string): boolean;
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): void | Promise<void>;
}

export interface ReadinessOptions {
  /** Asks the store for its data version (the cheapest call that proves it answers). */
  probe: () => Promise<DataVersion>;
  /** The data version the service last saw. */
  seen: () => DataVersion;
  timeoutMs: number;
  /** Seconds; 0 = no limit. */
  maxDataAgeS: number;
  /** True once the node is stopping: it must leave the load balancer's rotation at once. */
  draining: () => boolean;
  /** More checks by name (the live source's lag). */
  checks?: Record<string, () => CheckResult>;
}

export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

export interface Readiness {
  ready: boolean;
  failed: string[];
  checks: Record<string, CheckResult>;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(o: ReadinessOptions): Promise<Readiness> {
  const checks: Record<string, CheckResult> = {};
  const started = performance.now();
  let version: DataVersion | undefined;
  try {
    version = await withTimeout(o.probe(), o.timeoutMs);
    checks.store = { ok: true, ms: Math.round(performance.now() - started) };
  } catch (err) {
    checks.store = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const updatedAt = version?.updatedAt ?? o.seen().updatedAt;
  const ageS = Math.max(0, Math.round((Date.now() - Date.parse(updatedAt)) / 1000));
  const dataOk = o.maxDataAgeS <= 0 || ageS <= o.maxDataAgeS;
  checks.data = { ok: dataOk, updatedAt, ageSeconds: ageS, ...(o.maxDataAgeS > 0 ? { maxAgeSeconds: o.maxDataAgeS } : {}) };
  for (const [name, check] of Object.entries(o.checks ?? {})) checks[name] = check();
  if (o.draining()) checks.draining = { ok: false, reason: 'the node is shutting down' };
  const failed = Object.entries(checks).filter(([, c]) => !c.ok).map(([name]) => name);
  return { ready: failed.length === 0, failed, checks };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body) + '\n');
}

export function adminRoutes(metrics: Metrics, readiness: ReadinessOptions): AdminRoute {
  return {
    owns: (path) => path === '/metrics' || path === '/healthz' || path === '/readyz',
    async handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
        return;
      }
      switch (path) {
        case '/metrics': {
          const text = await metrics.text();
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text);
          return;
        }
        case '/healthz':
          json(res, 200, { status: 'ok' });
          return;
        case '/readyz': {
          const r = await checkReadiness(readiness);
          json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', failed: r.failed, checks: r.checks });
          return;
        }
      }
    },
  };
}
