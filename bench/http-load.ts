// An HTTP/1.1 load generator over raw sockets (node's http client would cost more CPU than the
// servers it measures): `concurrency` loops, each sending GET requests one after another, on one
// keep-alive connection per loop, or on a new connection per request.
import net from 'node:net';
import { percentile, Samples } from './stats.js';
import type { LoadResult } from './port43-load.js';

export interface HttpLoadOptions {
  port: number;
  concurrency: number;
  durationMs: number;
  paths: string[];
  keepAlive: boolean;
}

export function runHttpLoad(opts: HttpLoadOptions): Promise<LoadResult & { statuses: Record<string, number> }> {
  return new Promise((resolve) => {
    const latencies = new Samples();
    const statuses: Record<string, number> = {};
    let n = 0;
    let errors = 0;
    let active = opts.concurrency;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const deadline = started + opts.durationMs;
    const requests = opts.paths.map((p) => Buffer.from(`GET ${encodeURI(p)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/rdap+json\r\n${opts.keepAlive ? '' : 'Connection: close\r\n'}\r\n`));

    const loop = () => {
      let socket: net.Socket | undefined;
      let buf = Buffer.alloc(0);
      let t0 = 0;
      let expected = -1;

      const send = () => {
        if (performance.now() >= deadline) {
          // Not an error, and this loop is done: its socket's 'close' must not send again.
          socket?.removeAllListeners('close');
          socket?.destroy();
          if (--active === 0) finish();
          return;
        }
        if (!socket || socket.destroyed) connect();
        t0 = performance.now();
        buf = Buffer.alloc(0);
        expected = -1;
        socket!.write(requests[n++ % requests.length]);
      };

      const connect = () => {
        socket = net.connect({ host: '127.0.0.1', port: opts.port, noDelay: true });
        const mine = socket;
        mine.on('data', (chunk) => {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          if (expected < 0) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = buf.subarray(0, end).toString('latin1');
            const status = head.slice(9, 12);
            statuses[status] = (statuses[status] ?? 0) + 1;
            const length = /\r\ncontent-length: *(\d+)/i.exec(head);
            expected = end + 4 + (length ? Number(length[1]) : 0);
          }
          if (buf.length >= expected) {
            latencies.add(performance.now() - t0);
            if (!opts.keepAlive) {
              mine.removeAllListeners('close');
              mine.destroy();
            }
            send();
          }
        });
        mine.on('error', () => {});
        mine.on('close', () => {
          if (mine !== socket) return;
          errors++;
          send();
        });
      };

      send();
    };

    const finish = () => {
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const sorted = latencies.sorted();
      resolve({ queries: latencies.length, errors, seconds, qps: latencies.length / seconds, p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99), loadCpuMs: (cpu.user + cpu.system) / 1000, statuses });
    };

    for (let i = 0; i < opts.concurrency; i++) loop();
  });
}
