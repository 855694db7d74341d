// The port-43 door (RFC 3912): one query line per TCP connection, the answer, then close. The
// gateway door (WHOIS2, its own port) is the same TCP service with the gateway grammar: each line
// names the end user a registered gateway asks for. This module only adapts TCP to the pipeline:
// reading the line safely, timeouts, connection limits and shutdown. What is answered and how it
// looks is decided behind pipeline.handle().
import net from 'node:net';
import type { ConnectionRefusal } from '../observe/query-record.js';
import type { Pipeline } from '../pipeline.js';
import type { ConnectionGuard } from '../policy/policy.js';
import { parseWith } from '../query/query.js';
import { gatewayFields, parseGatewayLine } from '../query/gateway-line.js';
import { parseWhoisBytes } from '../query/whois-line.js';
import { restampWhois } from '../render/restamp.js';
import { PORT43 } from '../render/texts.js';
import type { WhoisRenderer } from '../render/whois.js';
import { readPreamble } from './proxy-protocol.js';

export interface Port43Options {
  /** 'whois': port 43; 'gateway': the gateway door (no per-client connection cap: a gateway holds many). */
  door: 'whois' | 'gateway';
  hosts: string[];
  port: number;
  maxQueryBytes: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  maxConnections: number;
  tlds: readonly string[];
}

const EMPTY = Buffer.alloc(0);
/** A fixed text as the last line of a connection. */
const line = (text: string) => `% ${text}\r\n`;

/** One port-43 connection: the bytes before its query line, its client, and whom it counts against. */
class Connection {
  /** waiting: for its query line; answering: in the pipeline; ending: last bytes written, awaiting the close. */
  phase: 'waiting' | 'answering' | 'ending' = 'waiting';
  buffered: Buffer = EMPTY;
  /** Whether any byte came at all. */
  heard = false;
  /** The client's address; undefined until the PROXY preamble (or its absence) is read. */
  address: string | undefined;
  /** The address counted against the per-client cap, released on close. */
  counted: string | undefined;
  readonly started: number;
  /** Last bytes received (waiting), or when the last bytes were written (ending). */
  lastData: number;

  constructor(readonly socket: net.Socket, readonly peer: string, readonly viaProxy: boolean) {
    this.started = this.lastData = performance.now();
  }
}

export class Port43Server {
  private readonly servers: net.Server[] = [];
  private readonly open = new Set<Connection>();
  private sweeper?: NodeJS.Timeout;
  private inFlight = 0;
  private closing = false;
  /** The policy's connection rules; without one, every peer is the client and nothing is capped. */
  guard?: ConnectionGuard;
  /** Told of each connection closed before its query reached the pipeline (metrics). */
  onRefused?: (reason: ConnectionRefusal) => void;

  constructor(private readonly pipeline: Pipeline, private readonly renderer: WhoisRenderer, private readonly options: Port43Options) {}

  /** Whether each client's connections are capped (policy.max_connections_per_client). */
  private get capped(): boolean {
    return this.options.door === 'whois';
  }

  /** Listens on every configured address; resolves with the bound port. */
  async listen(): Promise<number> {
    const every = Math.max(20, Math.min(1000, Math.min(this.options.idleTimeoutMs, this.options.totalTimeoutMs) / 5));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
    let port = this.options.port;
    for (const host of this.options.hosts) {
      // allowHalfOpen: a client may close its sending side right after its query (nc -N does);
      // Node would otherwise end the socket then, before an answer that takes a lookup is written.
      const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket));
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
    return this.open.size;
  }

  private accept(socket: net.Socket): void {
    const peer = socket.remoteAddress ?? '';
    if (this.closing) return this.refuse(socket, line(PORT43.serverFull));
    if (this.open.size >= this.options.maxConnections && !this.evictOldestWaiting()) return this.refuse(socket, line(PORT43.serverFull));
    // A trusted proxy's own connections are not capped: the client address in its header is.
    const viaProxy = this.guard?.isTrustedProxy(peer) ?? false;
    const conn = new Connection(socket, peer, viaProxy);
    if (this.guard && !viaProxy && this.capped) {
      if (!this.guard.connect(peer)) return this.refuse(socket, line(PORT43.clientFull));
      conn.counted = peer;
    }
    if (!this.guard) conn.address = peer;
    this.open.add(conn);
    const onData = (chunk: Buffer) => {
      if (this.read(conn, chunk)) socket.removeListener('data', onData);
    };
    socket.on('data', onData);
    socket.on('end', () => this.endOfInput(conn));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.open.delete(conn);
      if (conn.counted !== undefined) this.guard?.disconnect(conn.counted);
    });
  }

  /**
   * A full server makes room by closing its oldest connection still waiting for a query line:
   * idle connections (thousands of them, from many addresses) would otherwise lock out every
   * client that sends its query at once. False when none is waiting (all are being answered).
   */
  private evictOldestWaiting(): boolean {
    for (const conn of this.open) {
      if (conn.phase !== 'waiting') continue;
      this.finish(conn, line(PORT43.serverFull), 'too-many-connections');
      // Its slot is free now, not when its client gets round to closing.
      this.open.delete(conn);
      conn.socket.destroySoon();
      return true;
    }
    return false;
  }

  /** Closes a connection refused at accept (too many connections) with a last line. */
  private refuse(socket: net.Socket, text: string): void {
    // A client that resets meanwhile makes the write fail: without a listener that error would
    // end the process (a flood of refused connections did).
    socket.on('error', () => socket.destroy());
    socket.end(text);
    this.onRefused?.('too-many-connections');
    socket.destroySoon();
  }

  /**
   * The client closed its sending side. Still waiting: what it sent is its query, line end or not;
   * a connection that sent nothing at all (a port probe, a health check) is closed without a word.
   */
  private endOfInput(conn: Connection): void {
    if (conn.phase !== 'waiting') return;
    if (conn.heard) this.read(conn, EMPTY, true);
    else this.end(conn, EMPTY);
  }

  /**
   * Takes a chunk of a connection's first bytes (`last`: the client sends no more); true once it
   * is done reading (answered or refused).
   */
  private read(conn: Connection, chunk: Buffer, last = false): boolean {
    if (conn.phase !== 'waiting') return true; // timed out meanwhile
    conn.heard = true;
    conn.lastData = performance.now();
    let buffered = conn.buffered.length ? Buffer.concat([conn.buffered, chunk]) : chunk;
    if (conn.address === undefined) {
      let pre;
      try {
        pre = readPreamble(buffered, conn.peer, conn.viaProxy);
      } catch (err) {
        return this.finish(conn, line((err as Error).message), 'proxy-header');
      }
      // The client sent no more: from a trusted proxy a cut-off header; from anyone else a query
      // line that only looked like the start of one.
      if (!pre && last && !conn.viaProxy) pre = { address: conn.peer, rest: buffered };
      if (!pre) {
        conn.buffered = buffered;
        return (last || buffered.length > 4096) && this.finish(conn, line(PORT43.invalidHeader), 'proxy-header');
      }
      if (conn.viaProxy) {
        if (this.capped && !this.guard!.connect(pre.address)) return this.finish(conn, line(PORT43.clientFull), 'too-many-connections');
        conn.counted = pre.address;
      }
      conn.address = pre.address;
      buffered = pre.rest;
    }
    let eol = buffered.indexOf(10);
    const lineBytes = eol < 0 ? buffered.length : eol;
    if (lineBytes > this.options.maxQueryBytes) return this.finish(conn, line(PORT43.queryTooLong(this.options.maxQueryBytes)), 'query-too-long');
    if (eol < 0) {
      conn.buffered = buffered;
      if (!last) return false;
      // A proxy's header and nothing after it: a health check, not a query to answer or count.
      if (buffered.length === 0) {
        this.end(conn, EMPTY);
        return true;
      }
      eol = buffered.length;
    }
    conn.phase = 'answering';
    this.answer(conn, conn.address, buffered.subarray(0, eol > 0 && buffered[eol - 1] === 13 ? eol - 1 : eol));
    return true;
  }

  /** Ends a connection that is still waiting for its query line, with a last % line. */
  private finish(conn: Connection, text: string, reason: ConnectionRefusal): true {
    if (conn.phase === 'waiting') {
      this.end(conn, text);
      this.onRefused?.(reason);
    }
    return true;
  }

  /** Writes the last bytes; a client that then never closes its side is cut off by the sweep. */
  private end(conn: Connection, data: string | Buffer): void {
    conn.phase = 'ending';
    conn.lastData = performance.now();
    if (!conn.socket.destroyed) conn.socket.end(data);
  }

  /**
   * Idle and total timeouts of connections still waiting for their query line; answers not ready
   * a total timeout after their query (a store that hangs would otherwise hold connection slots
   * until every new client is refused); and connections whose client has not closed its side an
   * idle timeout after the last bytes were written (they would hold their slot forever). One sweep
   * over them, a few times per timeout, is cheaper than timers armed and cleared per connection.
   */
  private sweep(): void {
    const now = performance.now();
    for (const conn of this.open) {
      if (conn.phase === 'ending') {
        if (now - conn.lastData >= this.options.idleTimeoutMs) conn.socket.destroy();
        continue;
      }
      if (conn.phase === 'answering') {
        if (now - conn.lastData >= this.options.totalTimeoutMs) this.end(conn, line(PORT43.slowAnswer));
        continue;
      }
      if (now - conn.started >= this.options.totalTimeoutMs) this.finish(conn, line(PORT43.slowQuery), 'timeout');
      else if (now - conn.lastData >= this.options.idleTimeoutMs) this.finish(conn, line(PORT43.noQuery), 'timeout');
    }
  }

  private answer(conn: Connection, address: string, query: Buffer): void {
    let answer: Buffer | Promise<Buffer>;
    try {
      const { door, tlds } = this.options;
      answer = this.pipeline.handle<undefined, Buffer>({
        // A gateway's line names its end user: the pipeline holds them to their own limits.
        remote: door === 'gateway' ? { door, address, endUser: gatewayFields(query)?.endUserAddress } : { door, address },
        // Bytes as they came (latin1 maps each byte to one character): a repeat is not decoded again.
        input: query.toString('latin1'),
        format: door,
        parse: () => parseWith(undefined, () => (door === 'gateway' ? parseGatewayLine(query, tlds, address) : parseWhoisBytes(query, tlds))),
        // Encoded once here, so a cached answer is written without re-encoding it.
        render: (res) => Buffer.from(this.renderer.render(res), 'utf8'),
        restamp: restampWhois,
        size: (answer) => answer.length,
      });
    } catch {
      answer = Promise.reject();
    }
    if (!(answer instanceof Promise)) {
      this.end(conn, answer);
      return;
    }
    this.inFlight++;
    // Unless the sweep has given up on it meanwhile.
    const ready = (text: string | Buffer) => conn.phase === 'answering' && this.end(conn, text);
    answer
      .then(ready, () => ready(line(PORT43.internalError)))
      .finally(() => this.inFlight--);
  }

  /** Stops accepting, lets queries in flight finish (up to graceMs), then closes what is left. */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const conn of this.open) conn.socket.destroy();
    await closed;
  }
}
