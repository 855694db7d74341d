// One `rdds serve` node as a child process, with its own configuration file, ports, query-log
// directory and process log. The node is started exactly as an operator starts it
// (`rdds serve --config FILE`, run from the sources through tsx), so the proofs exercise the real
// command, its configuration checks and its signal handling.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import type { QueryRecord } from '../../src/observe/query-record.js';
import { httpGet } from './clients.js';
import { Child, freePort, run, waitFor } from './process.js';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
// tsx by its resolved location: the nodes run in their own directories, where `--import tsx` would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = ['--import', TSX, join(REPO, 'src/cli/main.ts')];

/** A nested configuration object, written as the node's YAML file. */
export type Settings = Record<string, unknown>;

/** Deep merge of plain objects (arrays and scalars of `over` replace). */
export function merge(base: Settings, over: Settings): Settings {
  const out: Settings = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(v) && isPlain(b) ? merge(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Settings {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Runs an `rdds` command (import, demo, ban ...) to completion in `cwd` (where it may leave files); returns its output. */
export function rdds(args: string[], cwd: string, opts: { timeoutMs?: number } = {}): string {
  return run(process.execPath, [...CLI, ...args], { cwd, timeoutMs: opts.timeoutMs ?? 120_000 });
}

export class RddsNode {
  child?: Child;
  readonly configFile: string;
  readonly logDir: string;
  private starts = 0;

  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly ports: { whois: number; http: number; admin: number },
    readonly settings: Settings,
  ) {
    this.configFile = join(dir, 'rdds.yaml');
    this.logDir = join(dir, 'queries');
  }

  /** Picks free ports and writes the configuration file (`settings` over the harness's defaults). */
  static async create(name: string, baseDir: string, settings: Settings): Promise<RddsNode> {
    const dir = join(baseDir, name);
    mkdirSync(dir, { recursive: true });
    const ports = { whois: await freePort(), http: await freePort(), admin: await freePort() };
    const node = new RddsNode(name, dir, ports, settings);
    const config = merge(
      {
        whois: { host: ['127.0.0.1'], port: ports.whois },
        http: { host: ['127.0.0.1'], port: ports.http },
        admin: { host: ['127.0.0.1'], port: ports.admin },
        log: { dir: node.logDir, level: 'info', format: 'json', flush_ms: 100 },
      },
      settings,
    );
    writeFileSync(node.configFile, `# ${name}: written by test/harness/rdds-node.ts\n${YAML.stringify(config)}`);
    return node;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** Starts `rdds serve --config FILE` and waits (bounded) until /healthz answers and, unless told not to, /readyz says ready. */
  async start(opts: { ready?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.running) return;
    this.starts++;
    this.child = new Child({
      name: `${this.name} (start ${this.starts})`,
      command: process.execPath,
      args: [...CLI, 'serve', '--config', this.configFile],
      cwd: this.dir,
      logFile: join(this.dir, 'process.log'),
    });
    const path = opts.ready === false ? '/healthz' : '/readyz';
    await waitFor(`${this.name} ${path}`, async () => (await this.admin(path)).status === 200, { timeoutMs: opts.timeoutMs ?? 30_000, everyMs: 100, child: this.child });
  }

  /** SIGTERM, waits for the exit (bounded), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000) {
    if (!this.child) return undefined;
    return this.child.stop('SIGTERM', graceMs);
  }

  /** SIGKILL: the node dies with whatever it had in flight. */
  async kill() {
    if (!this.child) return;
    await this.child.stop('SIGKILL', 5_000);
  }

  admin(path: string) {
    return httpGet(`http://127.0.0.1:${this.ports.admin}${path}`, { timeoutMs: 3000 });
  }

  /** One sample of a metric from /metrics (name and exact label set as printed), or undefined. */
  async metric(name: string, labels = ''): Promise<number | undefined> {
    const { body } = await this.admin('/metrics');
    const want = labels ? `${name}{${labels}}` : name;
    const line = body.split('\n').find((l) => l.startsWith(want + ' '));
    return line === undefined ? undefined : Number(line.slice(want.length + 1));
  }

  /** Every query-log record this node has written (all its processes, all files). */
  queryLog(): QueryRecord[] {
    let files: string[];
    try {
      files = readdirSync(this.logDir).filter((f) => f.endsWith('.jsonl')).sort();
    } catch {
      return [];
    }
    return files.flatMap((f) =>
      readFileSync(join(this.logDir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as QueryRecord)
        .filter((r) => r.door !== undefined), // gap lines ({time, dropped}) carry no door
    );
  }

  /** The process log's JSON lines (pino), parsed; other lines (banners) skipped. */
  processLog(): { level: number; msg: string; [k: string]: unknown }[] {
    return (this.child?.lines ?? []).flatMap((l) => {
      if (!l.startsWith('{')) return [];
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
  }

  recent(): string {
    return this.child?.recent() ?? `${this.name} never started`;
  }
}
