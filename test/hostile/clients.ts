// Raw TCP clients for the attacks: connections from chosen loopback addresses (127.0.0.2 and
// up: not the good client's allowlisted 127.0.0.1), that record what the server sent and when it
// closed. Every wait is bounded.
import net from 'node:net';

/** The n-th hostile source address: 127.0.<n / 250>.<2 + n % 250> (never 127.0.0.1). */
export function attacker(n: number): string {
  return `127.0.${Math.floor(n / 250)}.${2 + (n % 250)}`;
}

export class Conn {
  readonly chunks: Buffer[] = [];
  /** Resolves when the socket is closed (by either side), with how. */
  readonly closed: Promise<'closed' | 'reset'>;
  closedAt?: number;
  error?: Error;
  readonly openedAt = performance.now();

  constructor(readonly socket: net.Socket) {
    socket.on('data', (c) => this.chunks.push(c));
    this.closed = new Promise((resolve) => {
      socket.on('error', (err) => (this.error = err));
      socket.on('close', () => {
        this.closedAt = performance.now();
        resolve(this.error ? 'reset' : 'closed');
      });
    });
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get isClosed(): boolean {
    return this.closedAt !== undefined;
  }

  write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects (from localAddress, if given); resolves once connected, or rejects within timeoutMs. */
export function connect(port: number, localAddress?: string, timeoutMs = 5000, options: { allowHalfOpen?: boolean } = {}): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress, allowHalfOpen: options.allowHalfOpen });
    const conn = new Conn(socket);
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`connect to ${port} from ${localAddress}: timed out`))), timeoutMs);
    socket.once('connect', () => (clearTimeout(timer), resolve(conn)));
    socket.once('error', (err) => (clearTimeout(timer), reject(err)));
  });
}

/** Connections a second that openMany() opens: thousands of idle connections, not a connect-rate flood (docs/reliability.md). */
export const OPEN_RATE = 500;

/**
 * Opens `count` connections at OPEN_RATE a second, in batches of 25, source address chosen by
 * `from(i)`.
 */
export async function openMany(port: number, count: number, from: (i: number) => string | undefined): Promise<{ conns: Conn[]; failed: number }> {
  const batch = 25;
  const conns: Conn[] = [];
  let failed = 0;
  const started = performance.now();
  for (let i = 0; i < count; i += batch) {
    const results = await Promise.allSettled(Array.from({ length: Math.min(batch, count - i) }, (_, j) => connect(port, from(i + j))));
    for (const r of results) r.status === 'fulfilled' ? conns.push(r.value) : failed++;
    const due = ((i + batch) / OPEN_RATE) * 1000 - (performance.now() - started);
    if (due > 0) await sleep(due);
  }
  return { conns, failed };
}

/** Waits until every connection is closed or the time is up; returns how many are still open. */
export async function waitClosed(conns: Conn[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && conns.some((c) => !c.isClosed)) await sleep(50);
  return conns.filter((c) => !c.isClosed).length;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends `data` one byte every `everyMs` ms until it is all sent, the socket closes, or `untilMs` passes. */
export async function trickle(conn: Conn, data: Buffer, everyMs: number, untilMs: number): Promise<number> {
  const deadline = Date.now() + untilMs;
  let sent = 0;
  while (sent < data.length && !conn.isClosed && Date.now() < deadline) {
    conn.write(data.subarray(sent, sent + 1));
    sent++;
    await sleep(everyMs);
  }
  return sent;
}

/** Sends raw bytes on a new connection and reads until the server closes (bounded). */
export async function exchange(port: number, data: string | Buffer, options: { from?: string; timeoutMs?: number } = {}): Promise<{ text: string; bytes: Buffer; how: 'closed' | 'reset' | 'open' }> {
  const conn = await connect(port, options.from);
  conn.write(data);
  const how = await Promise.race([conn.closed, sleep(options.timeoutMs ?? 5000).then(() => 'open' as const)]);
  conn.destroy();
  return { text: conn.text, bytes: conn.bytes, how };
}
