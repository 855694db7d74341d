// Clients for the cluster proofs: a port-43 query and an HTTP(S) GET that can leave from a chosen
// loopback address (127.0.0.0/8 is all loopback on Linux, so each proof can be its own "client"
// with its own rate-limit key), and a load generator with a bounded number of workers that
// records every attempt with its start time and outcome.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface WhoisAnswer {
  /** Everything the server sent before it closed. */
  text: string;
  /** Set when the connection failed (reset, refused, timeout) instead of closing normally. */
  error?: string;
}

/** One port-43 query: connects (from `localAddress`), sends `prefix` (a PROXY header) and the line, reads to the close. */
export function whois(port: number, query: string, opts: { localAddress?: string; prefix?: Buffer; timeoutMs?: number; host?: string } = {}): Promise<WhoisAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port, localAddress: opts.localAddress });
    const chunks: Buffer[] = [];
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), error });
    };
    const timer = setTimeout(() => done('timeout'), opts.timeoutMs ?? 10_000);
    socket.on('connect', () => {
      if (opts.prefix) socket.write(opts.prefix);
      socket.write(`${query}\r\n`);
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.on('end', () => done());
    socket.on('close', () => done());
  });
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Set when no complete answer came (reset, refused, timeout). */
  error?: string;
}

/** One GET on a fresh connection (no keep-alive, so `localAddress` is the client address every time). */
export function httpGet(url: string, opts: { localAddress?: string; headers?: Record<string, string>; ca?: string | Buffer; timeoutMs?: number; servername?: string } = {}): Promise<HttpAnswer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: HttpAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    const req = lib.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'GET',
        headers: { connection: 'close', ...opts.headers },
        localAddress: opts.localAddress,
        agent: false,
        ...(u.protocol === 'https:' ? { ca: opts.ca, servername: opts.servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err: NodeJS.ErrnoException) => done({ status: res.statusCode ?? 0, headers: res.headers, body: '', error: err.code ?? err.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, headers: {}, body: '', error: 'timeout' });
    }, opts.timeoutMs ?? 10_000);
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, headers: {}, body: '', error: err.code ?? err.message }));
    req.end();
  });
}

export interface Attempt<T> {
  /** performance.now() when the attempt started and ended. */
  start: number;
  end: number;
  /** The worker's own judgement: an answer the client can use, or not. */
  ok: boolean;
  answer: T;
}

export interface Load<T> {
  attempts: Attempt<T>[];
  /** Stops starting new attempts and waits for the ones in flight. */
  stop(): Promise<Attempt<T>[]>;
}

/**
 * `workers` loops, each sending one query after another (`send(i)` with a global counter), until
 * stopped or `maxMs` has passed (a bound, in case a test forgets to stop it). `judge` decides
 * whether an answer counts as a success for the client.
 */
export function startLoad<T>(workers: number, send: (i: number) => Promise<T>, judge: (answer: T) => boolean, maxMs = 60_000): Load<T> {
  const attempts: Attempt<T>[] = [];
  let stopped = false;
  const stopper = () => {
    stopped = true;
  };
  running.add(stopper);
  let counter = 0;
  const deadline = performance.now() + maxMs;
  const loop = async () => {
    while (!stopped && performance.now() < deadline) {
      const start = performance.now();
      const answer = await send(counter++);
      attempts.push({ start, end: performance.now(), ok: judge(answer), answer });
    }
  };
  const done = Promise.all(Array.from({ length: workers }, loop));
  return {
    attempts,
    async stop() {
      stopped = true;
      running.delete(stopper);
      await done;
      return attempts;
    },
  };
}

const running = new Set<() => void>();

/** Stops every load still running (a test that failed before stopping its own). */
export function stopAllLoads(): void {
  for (const stop of running) stop();
  running.clear();
}

/** A short description of failed attempts for assertion messages. */
export function describeFailures<T>(attempts: Attempt<T>[], show: (a: T) => string, max = 5): string {
  const failed = attempts.filter((a) => !a.ok);
  return `${failed.length} of ${attempts.length} failed${failed.length ? ': ' + failed.slice(0, max).map((a) => show(a.answer)).join(' | ') : ''}`;
}
