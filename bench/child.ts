// Starts a bench server child and asks it for its CPU time and memory.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServerStats {
  cpuMs: number;
  rss: number;
  /** Queries rdds refused so far (rate limits, bans): the load generators cannot tell a refusal from an answer. */
  refused?: number;
}

export class BenchServer {
  private constructor(private readonly child: ChildProcess, readonly ports: Record<string, number>) {}

  /** `script`: the server-child.js of another build (an earlier commit's, for a before/after comparison). */
  static async start(mode: 'rdds' | 'bare-net' | 'bare-http', settings: Record<string, string> = {}, script = fileURLToPath(new URL('./server-child.js', import.meta.url))): Promise<BenchServer> {
    const child = fork(script, [mode, JSON.stringify(settings)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const ports = await new Promise<Record<string, number>>((resolve, reject) => {
      child.once('message', (msg: any) => (msg?.ready ? resolve(msg.ports) : reject(new Error('bad start message'))));
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    return new BenchServer(child, ports);
  }

  stats(): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.child.once('message', (msg: any) => resolve(msg));
      this.child.send('stats');
    });
  }

  async stop(): Promise<void> {
    // A disconnect lets the child exit cleanly (so `node --cpu-prof` can write its profile);
    // SIGTERM if it has not gone within two seconds.
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const kill = setTimeout(() => this.child.kill('SIGTERM'), 2000);
    this.child.disconnect();
    await exited;
    clearTimeout(kill);
  }
}
