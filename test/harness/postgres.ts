// A PostgreSQL instance of the harness's own: initdb into a temporary directory, the postmaster
// as a child process on a free loopback port (trust authentication, user postgres), so a test can
// stop, restart or kill it without touching the shared server on 5432. A hot standby of it is
// made with pg_basebackup -R (streaming replication from the primary).
//
// The postmaster runs as a direct child rather than under `pg_ctl start` (which detaches it): the
// harness then holds its pid and kills it on exit even when a test fails. Stops use the signals
// pg_ctl sends: SIGINT is a fast shutdown, SIGQUIT an immediate one.
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Child, freePort, run, waitFor, which } from './process.js';

interface Binaries {
  initdb: string;
  postgres: string;
  pg_basebackup: string;
}

/** The newest Debian PostgreSQL bin directory, else PATH. */
function binaries(): Binaries | undefined {
  let dirs: string[] = [];
  try {
    dirs = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a))
      .map((v) => `/usr/lib/postgresql/${v}/bin`);
  } catch {
    // not Debian's layout
  }
  const find = (name: string) => which(name, dirs);
  const initdb = find('initdb');
  const postgres = find('postgres');
  const pg_basebackup = find('pg_basebackup');
  return initdb && postgres && pg_basebackup ? { initdb, postgres, pg_basebackup } : undefined;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the system user postgres (Debian's package makes it). */
function runAs(): { uid?: number; gid?: number } | undefined {
  if (process.getuid?.() !== 0) return {};
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'))?.split(':');
  return line ? { uid: Number(line[2]), gid: Number(line[3]) } : undefined;
}

export function postgresMissing(): string | undefined {
  if (!binaries()) return 'PostgreSQL server binaries (initdb, postgres, pg_basebackup) not found under /usr/lib/postgresql/*/bin or on PATH';
  if (!runAs()) return 'running as root and there is no user postgres to run PostgreSQL as';
  return undefined;
}

export class PostgresInstance {
  private child?: Child;
  private readonly bin: Binaries;
  private readonly owner: { uid?: number; gid?: number };
  private starts = 0;

  private constructor(readonly dataDir: string, readonly socketDir: string, readonly port: number, private readonly logDir: string) {
    this.bin = binaries()!;
    this.owner = runAs()!;
  }

  /** initdb into a fresh directory under `baseDir`; not started yet. */
  static async create(baseDir: string, name = 'postgres'): Promise<PostgresInstance> {
    const inst = await PostgresInstance.prepare(baseDir, name);
    run(inst.bin.initdb, ['-D', inst.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...inst.owner, timeoutMs: 60_000 });
    return inst;
  }

  private static async prepare(baseDir: string, name: string): Promise<PostgresInstance> {
    const dataDir = mkdtempSync(join(baseDir, `${name}-data-`));
    const socketDir = join(baseDir, `${name}-socket`);
    mkdirSync(socketDir, { recursive: true });
    const inst = new PostgresInstance(dataDir, socketDir, await freePort(), baseDir);
    if (inst.owner.uid !== undefined) {
      for (const dir of [dataDir, socketDir]) chownSync(dir, inst.owner.uid, inst.owner.gid!);
    }
    return inst;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get running(): boolean {
    return this.child?.running ?? false;
  }

  /** Starts the postmaster and waits (bounded) until it accepts queries. */
  async start(): Promise<void> {
    if (this.running) return;
    this.starts++;
    this.child = new Child({
      name: `postgres :${this.port}`,
      command: this.bin.postgres,
      args: [
        '-D', this.dataDir,
        '-p', String(this.port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${this.socketDir}`,
        // A test database: durability is not what is tested, speed on a shared machine is.
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
        '-c', 'max_connections=100',
        '-c', 'wal_level=replica',
      ],
      logFile: join(this.logDir, `postgres-${this.port}.log`),
      ...this.owner,
      killSignal: 'SIGQUIT',
    });
    await waitFor(`PostgreSQL on port ${this.port} (start ${this.starts})`, () => this.ping(), { timeoutMs: 30_000, everyMs: 100, child: this.child });
  }

  /** One SELECT 1 on a fresh connection: true when it answers. */
  async ping(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /** Fast shutdown (SIGINT, like pg_ctl stop -m fast): sessions are ended, the server exits. */
  async stop(): Promise<void> {
    if (!this.child) return;
    await this.child.stop('SIGINT', 20_000);
  }

  /** Runs SQL statements on a fresh connection and returns the last result's rows. */
  async query<T extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 3000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /**
   * A hot standby of this (running) instance: pg_basebackup -R writes standby.signal and the
   * primary's connection info, so the copy starts as a streaming replica. Not started yet.
   */
  async standby(baseDir: string): Promise<PostgresInstance> {
    const replica = await PostgresInstance.prepare(baseDir, 'standby');
    run(this.bin.pg_basebackup, ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', replica.dataDir, '-R', '-X', 'stream', '-c', 'fast'], {
      ...this.owner,
      timeoutMs: 60_000,
    });
    return replica;
  }

  /** The primary's current WAL position is replayed here (for waits in tests). */
  async replayedUpTo(primary: PostgresInstance): Promise<boolean> {
    const [{ lsn }] = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const [{ ok }] = await this.query<{ ok: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]);
    return ok;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
