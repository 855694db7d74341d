// Child processes for the cluster harness: each one's output captured to a file (and the last
// lines kept in memory for failure messages), bounded waits, and a stop that always ends with
// the process gone. Every child started here is killed when the test process exits, however it
// exits; and where setpriv(1) exists each child also gets SIGKILL from the kernel if the test
// process dies without running its exit handlers (PR_SET_PDEATHSIG), so nothing outlives a run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import net from 'node:net';

const live = new Set<Child>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const child of live) child.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.killNow();
      process.exit(130);
    });
  }
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface ChildOptions {
  /** Name in messages and the log file name. */
  name: string;
  command: string;
  args: string[];
  /** Output goes here (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** The signal that kills it at once when the test process exits (SIGQUIT for PostgreSQL: immediate shutdown). */
  killSignal?: NodeJS.Signals;
}

export class Child {
  readonly process: ChildProcess;
  private readonly log: WriteStream;
  private tail: string[] = [];
  private partial = '';
  /** Everything it printed, line by line, for tests that look for a log line. */
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(readonly options: ChildOptions) {
    hookExit();
    this.log = createWriteStream(options.logFile, { flags: 'a' });
    const wrapped = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', options.command, ...options.args]] as const : [options.command, options.args] as const;
    this.process = spawn(wrapped[0], wrapped[1], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    const take = (chunk: Buffer) => {
      this.log.write(chunk);
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        this.tail.push(line);
      }
      if (this.tail.length > 40) this.tail = this.tail.slice(-40);
      if (this.lines.length > 200_000) this.lines.splice(0, 100_000);
    };
    this.process.stdout!.on('data', take);
    this.process.stderr!.on('data', take);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        // Let the pipes drain before the log closes.
        setTimeout(() => this.log.end(), 50);
        resolve(this.exitInfo);
      });
      this.process.once('error', (err) => {
        live.delete(this);
        this.lines.push(`spawn failed: ${err.message}`);
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines it printed, for an assertion message. */
  recent(): string {
    return `--- last output of ${this.options.name} ---\n${[...this.tail, this.partial].join('\n')}`;
  }

  /** Sends a signal (no-op once it has exited). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.process.kill(signal);
  }

  /** Synchronous last resort (exit handler). */
  killNow(): void {
    try {
      this.process.kill(this.options.killSignal ?? 'SIGKILL');
    } catch {
      // already gone
    }
  }

  /** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILL. Resolves once it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (!this.running) return { ...this.exitInfo!, killed: false };
    this.signal(signal);
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    const first = await Promise.race([this.exited, timer]);
    if (first !== 'late') return { ...first, killed: false };
    this.signal('SIGKILL');
    return { ...(await this.exited), killed: true };
  }
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs?: number; everyMs?: number; child?: Child } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    if (opts.child && !opts.child.running) throw new Error(`${what}: ${opts.child.options.name} exited (${JSON.stringify(opts.child.exitInfo)})\n${opts.child.recent()}`);
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? ` (last error: ${last.message})` : '';
      throw new Error(`timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${what}${why}${opts.child ? '\n' + opts.child.recent() : ''}`);
    }
    await sleep(opts.everyMs ?? 100);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A TCP port free on 127.0.0.1 right now (the kernel's choice; another process could take it, rarely). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function tcpOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Runs a command to completion (bounded), returning its output; throws with the output when it fails. */
export function run(command: string, args: string[], opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): string {
  const res = spawnSync(command, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 60_000, uid: opts.uid, gid: opts.gid, env: opts.env, cwd: opts.cwd, input: opts.input });
  if (res.error) throw new Error(`${command} ${args.join(' ')}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${res.status ?? res.signal}:\n${res.stdout}${res.stderr}`);
  return res.stdout + res.stderr;
}

/** The path of an executable on PATH (or in one of `extra` directories), or undefined. */
export function which(name: string, extra: string[] = []): string | undefined {
  const dirs = [...extra, ...(process.env.PATH ?? '').split(':')].filter(Boolean);
  return dirs.map((d) => `${d}/${name}`).find((p) => existsSync(p));
}
