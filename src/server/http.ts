// The HTTP listener shared by the HTTP doors (RDAP under /rdap/, the web pages elsewhere).
// It only dispatches by path; each door adapts HTTP to the pipeline itself.
import http from 'node:http';
import type net from 'node:net';
import { HTTP_TEXTS } from '../render/texts.js';

export interface HttpRoute {
  /** Whether this route answers the path (the request target before any '?'). */
  owns(path: string): boolean;
  /** Answers the request (path: as owns() saw it): at once when it can (a cached answer), or later. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string): void | Promise<void>;
}

export interface HttpOptions {
  hosts: string[];
  port: number;
  /** Longest request line + headers accepted (bytes). */
  maxHeaderBytes: number;
  /** Time a client has to send its whole request. */
  requestTimeoutMs: number;
  /** Idle time allowed on a keep-alive connection. */
  keepAliveTimeoutMs: number;
  /** Open connections in all, over every address; when full, the oldest idle one makes room. */
  maxConnections: number;
  /** Requests one connection may have waiting for their answers (pipelined); the next gets 503 and the close. */
  maxPipelined: number;
}

/** Requests a connection has in flight (pipelined ones count each); 0: it is idle. */
const BUSY = Symbol('requests in flight');
/** Set once a connection went past maxPipelined: its remaining requests are not answered. */
const CLOSING = Symbol('closing');
type Counted = net.Socket & { [BUSY]?: number; [CLOSING]?: boolean };

export class HttpServer {
  private readonly servers: http.Server[] = [];
  readonly routes: HttpRoute[] = [];
  /** Requests read and not yet answered. */
  private readonly inFlight = new Set<http.ServerResponse>();
  /** Set by close(): answers ask their clients to close the connection. */
  private draining = false;
  /** Open connections, oldest first. */
  private readonly sockets = new Set<Counted>();

  constructor(private readonly options: HttpOptions) {}

  async listen(): Promise<number> {
    let port = this.options.port;
    for (const host of this.options.hosts) {
      const server = http.createServer(
        {
          maxHeaderSize: this.options.maxHeaderBytes,
          requestTimeout: this.options.requestTimeoutMs,
          keepAliveTimeout: this.options.keepAliveTimeoutMs,
          // Node checks the request timeout this often (default 30 s: a slow sender would get twice its time).
          connectionsCheckingInterval: Math.max(100, Math.min(30000, this.options.requestTimeoutMs / 10)),
          noDelay: true,
        },
        (req, res) => this.dispatch(req, res),
      );
      server.headersTimeout = Math.min(this.options.requestTimeoutMs, 60000);
      server.on('connection', (socket: Counted) => this.admit(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      port = (server.address() as net.AddressInfo).port;
      this.servers.push(server);
    }
    return port;
  }

  /**
   * Counts a new connection. A full server makes room by closing its oldest connection that has no
   * request in flight (idle keep-alive, nothing sent yet, or headers still trickling in): Node's own
   * maxConnections would drop the newcomer instead, and a flood of idle connections would lock out
   * everyone. With nothing idle, the newcomer is closed.
   */
  private admit(socket: Counted): void {
    if (this.sockets.size >= this.options.maxConnections) {
      let idle: Counted | undefined;
      for (const s of this.sockets) {
        if (!s[BUSY]) {
          idle = s;
          break;
        }
      }
      if (!idle) {
        socket.destroy();
        return;
      }
      this.sockets.delete(idle);
      idle.destroy();
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Node parses every request of a chunk at once, and each answer waits in memory for the ones
    // before it: past maxPipelined, a client that sends many and reads none (or one byte a
    // second) would have the server render and hold them all.
    const socket = req.socket as Counted;
    if (socket[CLOSING]) return;
    const busy = (socket[BUSY] ?? 0) + 1;
    if (busy > this.options.maxPipelined) {
      socket[CLOSING] = true;
      const body = `${HTTP_TEXTS.tooManyPipelined(this.options.maxPipelined)}\n`;
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', 'retry-after': '1' }).end(body);
      return;
    }
    socket[BUSY] = busy;
    res.once('close', () => socket[BUSY]!--);
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    // While stopping, a keep-alive client (a load balancer) is told not to send more on this connection.
    if (this.draining) res.shouldKeepAlive = false;
    try {
      const path = requestPath(req.url ?? '/');
      const route = this.routes.find((r) => r.owns(path));
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`${HTTP_TEXTS.notFound}\n`);
        return;
      }
      const done = route.handle(req, res, path);
      if (done) done.catch(() => badRequest(res));
    } catch {
      badRequest(res);
    }
  }

  /** Open connections on every listening address. */
  get connections(): number {
    return this.sockets.size;
  }

  /**
   * Stops accepting, answers the requests in flight (each asking its client to close), closes
   * connections as they fall idle, and after `graceMs` cuts what is left. A request in progress
   * is cut only then.
   */
  async close(graceMs = 5000): Promise<void> {
    this.draining = true;
    for (const res of this.inFlight) res.shouldKeepAlive = false;
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    const deadline = Date.now() + graceMs;
    for (;;) {
      for (const s of this.servers) s.closeIdleConnections();
      if (this.inFlight.size === 0 && this.connections === 0) break;
      if (Date.now() >= deadline) {
        for (const s of this.servers) s.closeAllConnections();
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await closed;
  }
}

/** What a route that failed unexpectedly answers (a route answers bad input in its own form). */
function badRequest(res: http.ServerResponse): void {
  if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${HTTP_TEXTS.badRequest}\n`);
}

/**
 * The path of a request target, as a URL parser sees it: dot segments resolved, the absolute form
 * ("GET http://host/whois") and fragments accepted. A plain path, the usual case, is taken as it is
 * without building a URL.
 */
export function requestPath(target: string): string {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (path.charCodeAt(0) === 47 && !/\/\.|\/%2e|\/\/|#/i.test(path)) return path;
  try {
    return withoutDotSegments(new URL(target, 'http://localhost').pathname);
  } catch {
    return path;
  }
}

/**
 * Node 20's URL parser leaves the dot segments after a segment that starts with a dot
 * ("/a/.b/../c", ada-url/ada#935): they are removed here as RFC 3986 §5.2.4 does.
 */
function withoutDotSegments(path: string): string {
  if (!/\/(\.|%2e){1,2}(\/|$)/i.test(path)) return path;
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((segment, i) => {
    const dots = /^(\.|%2e)+$/i.test(segment) ? segment.replace(/%2e/gi, '.') : '';
    if (dots === '..') out.pop();
    if (dots !== '.' && dots !== '..') out.push(segment);
    else if (i === segments.length - 1) out.push('');
  });
  return `/${out.join('/')}`;
}
