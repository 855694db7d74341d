// The server under test of the hostile suite: `rdds serve` as a child process, with a
// configuration file of the test's own, on ephemeral loopback ports, optionally under a low
// file-descriptor limit (`ulimit -n`), so that its limits, its file descriptors and its crashes
// are real. It reads the ports from the process log's "rdds started" line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryObject } from '../../src/model/types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { seed, standardObjects } from '../store/fixtures.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 30000;

export interface NodeOptions {
  /** Configuration keys, merged over the suite's defaults (written as the YAML file). */
  config?: Record<string, unknown>;
  /** Soft and hard RLIMIT_NOFILE of the child (ulimit -n). */
  openFiles?: number;
  /** The SQLite file to serve (default: a new one with the standard fixtures). */
  db?: string;
  objects?: RegistryObject[];
  /** Extra environment for the child. */
  env?: Record<string, string>;
  /** Extra node flags (--cpu-prof, --max-old-space-size ...). */
  nodeArgs?: string[];
  /** Called with the node's directory (database, configuration, query log) before it starts. */
  prepare?: (dir: string) => void;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Deep merge of plain objects (arrays and scalars replace). */
function merge(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && base[k] && typeof base[k] === 'object' ? merge(base[k], v) : v;
  }
  return out;
}

export class ServerNode {
  /** Every line the child wrote (stdout and stderr), in order. */
  readonly output: string[] = [];
  readonly exited: Promise<Exit>;
  private exit?: Exit;

  private constructor(readonly child: ChildProcess, readonly dir: string, readonly configFile: string) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        this.output.push(...lines);
      });
    }
  }

  ports = { whois: 0, http: 0, admin: 0 };

  static async start(options: NodeOptions = {}): Promise<ServerNode> {
    const dir = mkdtempSync(join(tmpdir(), 'rdds-hostile-'));
    let db = options.db;
    if (!db) {
      db = join(dir, 'rdds.sqlite');
      const store = SqliteStore.open(db);
      await seed(store, options.objects ?? standardObjects());
      await store.close();
    }
    const config = merge(
      {
        db,
        whois: { host: ['127.0.0.1'], port: 0 },
        http: { host: ['127.0.0.1'], port: 0 },
        admin: { host: ['127.0.0.1'], port: 0 },
        log: { dir: join(dir, 'query-log'), level: 'info', format: 'json' },
        web: { captcha: { enabled: false } },
        // The well-behaved client comes from 127.0.0.1; the hostile ones from other loopback addresses.
        policy: { allowlist: ['127.0.0.1/32'] },
      },
      options.config ?? {},
    );
    const configFile = join(dir, 'rdds.yaml');
    writeFileSync(configFile, JSON.stringify(config, null, 2)); // JSON is YAML
    options.prepare?.(dir);
    const argv = [process.execPath, ...(options.nodeArgs ?? []), '--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', configFile];
    // `exec` keeps one process: the pid is the server's, and so are its limits.
    const script = options.openFiles ? `ulimit -n ${options.openFiles} && exec "$@"` : 'exec "$@"';
    const child = spawn('sh', ['-c', script, 'sh', ...argv], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const node = new ServerNode(child, dir, configFile);
    await node.waitForStart();
    return node;
  }

  private async waitForStart(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`rdds serve exited (${JSON.stringify(this.exit)}) before it started:\n${this.output.join('\n')}`);
      const started = this.logLines().find((l) => l.msg === 'rdds started');
      if (started) {
        const port = (addrs: string[]) => Number(addrs[0].slice(addrs[0].lastIndexOf(':') + 1));
        const doors = started.doors as Record<string, string[]>;
        this.ports = { whois: port(doors.whois), http: port(doors.http), admin: port(doors.admin) };
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.child.kill('SIGKILL');
    throw new Error(`rdds serve did not start within ${START_TIMEOUT_MS} ms:\n${this.output.join('\n')}`);
  }

  /** The process log's JSON lines, parsed. */
  logLines(): Record<string, any>[] {
    return this.output.filter((l) => l.startsWith('{')).flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, any>];
      } catch {
        return [];
      }
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Open file descriptors of the server process (Linux /proc). */
  openFds(): number {
    return readdirSync(`/proc/${this.pid}/fd`).length;
  }

  async metrics(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.ports.admin}/metrics`);
    return res.text();
  }

  /** A counter or gauge's value summed over the series whose labels match. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
    }
    return sum;
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves with how it ended. */
  async stop(graceMs = 10000): Promise<Exit> {
    if (this.alive) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
    return this.exit!;
  }
}
