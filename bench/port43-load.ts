// A port-43 load generator: keeps `concurrency` queries in flight from one process with
// non-blocking sockets (connect, send one line, read to close, repeat), for a fixed time.
// It reports its own CPU so that a reader can see it was not the bottleneck.
import net from 'node:net';
import { percentile, Samples } from './stats.js';

export interface LoadResult {
  queries: number;
  errors: number;
  seconds: number;
  qps: number;
  p50ms: number;
  p99ms: number;
  loadCpuMs: number;
}

export interface LoadOptions {
  port: number;
  host?: string;
  concurrency: number;
  durationMs: number;
  /** Lines to send, used round-robin (each must end in CRLF). */
  queries: Buffer[];
  /** Optional bytes sent before each query (a PROXY protocol header), by query number. */
  preamble?: (n: number) => Buffer;
}

export function runPort43Load(opts: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve) => {
    const latencies = new Samples();
    let sent = 0;
    let errors = 0;
    let active = 0;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const deadline = started + opts.durationMs;

    const one = () => {
      if (performance.now() >= deadline) {
        if (--active === 0) finish();
        return;
      }
      const n = sent++;
      const t0 = performance.now();
      const socket = net.connect({ host: opts.host ?? '127.0.0.1', port: opts.port, noDelay: true });
      let bytes = 0;
      socket.on('connect', () => {
        const query = opts.queries[n % opts.queries.length];
        socket.end(opts.preamble ? Buffer.concat([opts.preamble(n), query]) : query);
      });
      socket.on('data', (chunk) => (bytes += chunk.length));
      socket.on('error', () => {});
      socket.on('close', (hadError) => {
        if (hadError || bytes === 0) errors++;
        else latencies.add(performance.now() - t0);
        one();
      });
    };

    const finish = () => {
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const sorted = latencies.sorted();
      resolve({
        queries: latencies.length,
        errors,
        seconds,
        qps: latencies.length / seconds,
        p50ms: percentile(sorted, 50),
        p99ms: percentile(sorted, 99),
        loadCpuMs: (cpu.user + cpu.system) / 1000,
      });
    };

    active = opts.concurrency;
    for (let i = 0; i < opts.concurrency; i++) one();
  });
}
