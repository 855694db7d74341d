// The port-43 door (RFC 3912): one query line per TCP connection, the answer, then close.
// This module only adapts TCP to the pipeline: reading the line safely, timeouts, connection
// limits and shutdown. What is answered and how it looks is decided behind pipeline.handle().
import net from 'node:net';
import type { Pipeline } from '../pipeline.js';
import { parseWhoisQuery } from '../query/whois-query.js';
import { BadQuery } from '../query/query.js';
import type { WhoisRenderer } from '../render/whois.js';

export interface Port43Options {
  hosts: string[];
  port: number;
  maxQueryBytes: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  maxConnections: number;
  tlds: readonly string[];
}

/**
 * Reads what comes before the query line (a PROXY protocol header from a trusted load balancer).
 * Returns the client address to use and the bytes left over, or undefined when more bytes are needed.
 * Throws to refuse the connection.
 */
export type Preamble = (socket: net.Socket, buffered: Buffer) => { address: string; rest: Buffer } | undefined;

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A connection that has not yet sent its whole query line. */
interface Waiting {
  started: number;
  lastData: number;
  finish(text: string): void;
}

export class Port43Server {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly waiting = new Set<Waiting>();
  private sweeper?: NodeJS.Timeout;
  private inFlight = 0;
  private closing = false;
  /** Optional hook for the PROXY protocol. */
  preamble?: Preamble;
  /** Called for each accepted connection: false refuses it (per-client connection cap). */
  onConnect?: (address: string) => boolean;
  onDisconnect?: (address: string) => void;

  constructor(private readonly pipeline: Pipeline, private readonly renderer: WhoisRenderer, private readonly options: Port43Options) {}

  /** Listens on every configured address; resolves with the bound port. */
  async listen(): Promise<number> {
    const every = Math.max(20, Math.min(1000, Math.min(this.options.idleTimeoutMs, this.options.totalTimeoutMs) / 5));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
    let port = this.options.port;
    for (const host of this.options.hosts) {
      const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as net.AddressInfo).port; // an ephemeral port (0) is shared by every address
      this.servers.push(server);
    }
    return port;
  }

  get connections(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    const peer = socket.remoteAddress ?? '';
    if (this.closing || this.sockets.size >= this.options.maxConnections) {
      socket.end('% Too many connections; please try again later.\r\n');
      socket.destroySoon?.();
      return;
    }
    if (this.onConnect && !this.onConnect(peer)) {
      socket.end('% Too many connections from your address; please try again later.\r\n');
      return;
    }
    this.sockets.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    let address: string | undefined = this.preamble ? undefined : peer;
    const now = performance.now();
    const waiting: Waiting = { started: now, lastData: now, finish: (text) => finish(text) };
    this.waiting.add(waiting);

    const finish = (text?: string) => {
      if (!this.waiting.delete(waiting)) return;
      socket.removeListener('data', onData);
      if (text !== undefined) socket.end(text);
      else socket.end();
    };

    const onData = (chunk: Buffer) => {
      waiting.lastData = performance.now();
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      if (address === undefined) {
        let pre;
        try {
          pre = this.preamble!(socket, buffered);
        } catch (err) {
          return finish(`% ${(err as Error).message}\r\n`);
        }
        if (!pre) {
          if (buffered.length > 4096) finish('% Invalid PROXY protocol header.\r\n');
          return;
        }
        address = pre.address;
        buffered = pre.rest;
      }
      const eol = buffered.indexOf(10);
      const lineBytes = eol < 0 ? buffered.length : eol;
      if (lineBytes > this.options.maxQueryBytes) return finish(`% Invalid query: longer than ${this.options.maxQueryBytes} bytes.\r\n`);
      if (eol < 0) return;
      this.waiting.delete(waiting);
      socket.removeListener('data', onData);
      const line = buffered.subarray(0, eol > 0 && buffered[eol - 1] === 13 ? eol - 1 : eol);
      this.answer(socket, address, line);
    };

    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.waiting.delete(waiting);
      this.sockets.delete(socket);
      this.onDisconnect?.(peer);
    });
  }

  /**
   * Idle and total timeouts of connections still waiting for their query line. One sweep over
   * them, a few times per timeout, is cheaper than two timers armed and cleared per connection.
   */
  private sweep(): void {
    const now = performance.now();
    for (const w of this.waiting) {
      if (now - w.started >= this.options.totalTimeoutMs) w.finish('% Timeout: the query took too long to arrive.\r\n');
      else if (now - w.lastData >= this.options.idleTimeoutMs) w.finish('% Timeout: no query received.\r\n');
    }
  }

  private answer(socket: net.Socket, address: string, line: Buffer): void {
    let answer: Buffer | Promise<Buffer>;
    try {
      answer = this.pipeline.handle({
        remote: { door: 'whois', address },
        // Bytes as they came (latin1 maps each byte to one character): a repeat is not decoded again.
        input: line.toString('latin1'),
        parse: () => {
          let query: string;
          try {
            query = decoder.decode(line);
          } catch {
            throw new BadQuery('the query is not valid UTF-8');
          }
          return parseWhoisQuery(query, this.options.tlds);
        },
        // Encoded once here, so a cached answer is written without re-encoding it.
        render: (res) => Buffer.from(this.renderer.render(res), 'utf8'),
        size: (answer) => answer.length,
        format: 'whois',
      });
    } catch {
      answer = Promise.reject();
    }
    if (!(answer instanceof Promise)) {
      if (!socket.destroyed) socket.end(answer);
      return;
    }
    this.inFlight++;
    answer
      .then(
        (text) => !socket.destroyed && socket.end(text),
        () => !socket.destroyed && socket.end('% Error: internal error; please try again later.\r\n'),
      )
      .finally(() => this.inFlight--);
  }

  /** Stops accepting, lets queries in flight finish (up to graceMs), then closes what is left. */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
