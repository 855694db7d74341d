// A Redis of the harness's own (redis-server --port N on loopback, no persistence, a memory limit
// as docs/deploy.md recommends), so a test can stop and restart it without touching the shared one.
import { join } from 'node:path';
import net from 'node:net';
import { Child, freePort, waitFor, which } from './process.js';

export function redisMissing(): string | undefined {
  return which('redis-server') ? undefined : 'redis-server not found on PATH (Debian package redis-server)';
}

export class RedisInstance {
  private child?: Child;

  private constructor(readonly port: number, private readonly dir: string) {}

  static async create(dir: string): Promise<RedisInstance> {
    return new RedisInstance(await freePort(), dir);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.child = new Child({
      name: `redis :${this.port}`,
      command: which('redis-server')!,
      args: ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--maxmemory', '64mb', '--maxmemory-policy', 'volatile-ttl'],
      logFile: join(this.dir, `redis-${this.port}.log`),
    });
    await waitFor(`Redis on port ${this.port}`, () => this.ping(), { timeoutMs: 10_000, child: this.child });
  }

  /** PING over a raw socket: true on +PONG. */
  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: this.port });
      let answer = '';
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.on('connect', () => socket.write('PING\r\n'));
      socket.on('data', (d) => {
        answer += d.toString('latin1');
        if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
      });
      socket.on('error', () => done(false));
    });
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 10_000);
  }
}
