// RDAP benchmark: rdds domain lookups against a bare node:http server answering a fixed 2 KB
// JSON, with keep-alive connections and with a new connection per request, in the same run.
import net from 'node:net';
import { BenchServer } from './child.js';
import { interleaved, medianSample, warmUp, type Subject } from './rounds.js';
import { runHttpLoad } from './http-load.js';
import type { Port43Row } from './port43.js';
import { fmt, median } from './stats.js';

export interface HttpRow extends Port43Row {
  keepAlive: boolean;
  statuses: Record<string, number>;
}

/** Every subject in both connection modes at every concurrency, `rounds` times in turn; the rows hold the medians. */
export async function benchHttp(subjects: Subject[], paths: string[], concurrencies: number[], durationMs: number, rounds: number, log: (msg: string) => void): Promise<HttpRow[]> {
  const cases = [true, false].flatMap((keepAlive) => concurrencies.map((concurrency) => ({ keepAlive, concurrency })));
  const results = await interleaved(
    subjects,
    cases,
    rounds,
    (server) => warmUp(paths.length, (ms) => runHttpLoad({ port: server.ports.http, concurrency: 16, durationMs: ms, paths, keepAlive: true })),
    (server, c) => runHttpLoad({ port: server.ports.http, durationMs, paths, ...c }),
    (msg) => log(`rdap: ${msg}`),
  );
  return results.map(({ subject, c, samples }) => {
    // Statuses: every answer of every round.
    const statuses: Record<string, number> = {};
    for (const s of samples) for (const [status, n] of Object.entries(s.load.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
    return { server: subject.label, ...c, ...medianSample(samples), statuses };
  });
}

export function httpTable(rows: HttpRow[]): string {
  const lines = rows.map((r) =>
    `| ${r.server} | ${r.keepAlive ? 'keep-alive' : 'new connection'} | ${r.concurrency} | ${Math.round(r.load.qps).toLocaleString('en-US')} | ${fmt(r.load.p50ms)} / ${fmt(r.load.p99ms)} ms | ${fmt(r.cpuPerQueryUs, 0)} µs | ${fmt(r.rssMb, 0)} MB | ${Object.entries(r.statuses).map(([s, n]) => `${s}: ${n}`).join(', ')} | ${fmt(r.load.loadCpuMs / 1000, 1)} s |`,
  );
  return ['| server | connections | concurrency | requests/s | p50 / p99 | server CPU per request | server RSS | statuses | load generator CPU |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |', ...lines].join('\n');
}

/** The median size in bytes of rdds's answers to these paths. */
export async function rdapAnswerBytes(settings: Record<string, string>, paths: string[]): Promise<number> {
  const server = await BenchServer.start('rdds', settings);
  try {
    const sizes: number[] = [];
    for (const path of paths) sizes.push(await bodyBytes(server.ports.http, path));
    return Math.round(median(sizes));
  } finally {
    await server.stop();
  }
}

/**
 * The body size of one answer, read over a raw socket like the load's. Not fetch(): the load
 * generator runs in this process, and after a fetch (undici) its p99 at 64 connections came out
 * twice as high, for the bare servers as for rdds (measured: 6.5-9.4 against 2.3-4.8 ms).
 */
function bodyBytes(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.end(`GET ${encodeURI(path)} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/rdap+json\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const answer = Buffer.concat(chunks);
      const head = answer.indexOf('\r\n\r\n');
      if (head < 0) reject(new Error(`no HTTP answer for ${path}`));
      else resolve(answer.length - head - 4);
    });
  });
}

/** rdds requests/s as a share of the bare server's, per mode and concurrency. */
export function throughputRatios(bare: HttpRow[], rdds: HttpRow[]): string {
  return rdds
    .map((r) => {
      const b = bare.find((x) => x.concurrency === r.concurrency && x.keepAlive === r.keepAlive)!;
      return `${r.keepAlive ? 'keep-alive' : 'new connection'} × ${r.concurrency}: ${fmt(r.load.qps / b.load.qps)}`;
    })
    .join('; ');
}
