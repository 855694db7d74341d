// Helpers of the security tests: a Redis of the test's own (with a password), a TCP forwarder
// that can cut a node off from its database, and free loopback ports.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { sleep } from './clients.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port (within timeoutMs). */
export function reachable(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const redisServerMissing = (): string | undefined =>
  spawnSync('redis-server', ['--version']).status === 0 ? undefined : 'redis-server is not installed';

/** A redis-server of the test's own on a free port, with a password; nothing written to disk. */
export class OwnRedis {
  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  static async start(password: string): Promise<OwnRedis> {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const redis = new OwnRedis(child, port);
    const deadline = Date.now() + 10000;
    while (!(await reachable(port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
      await sleep(50);
    }
    return redis;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Forwards a loopback port to a target port; cut() drops every connection and refuses new ones until restore(). */
export class Forwarder {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(readonly port: number, private readonly target: number) {}

  static async start(target: number): Promise<Forwarder> {
    const f = new Forwarder(await freePort(), target);
    await f.restore();
    return f;
  }

  restore(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect({ host: '127.0.0.1', port: this.target });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => (client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async cut(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    this.server = undefined;
  }
}
