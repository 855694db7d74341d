// The query log on disk: JSON Lines files, one record a line, rotated by UTC day and by size.
//
//   <dir>/queries-<YYYY-MM-DD>.<node>.<seq>.jsonl
//
// <node> is host name and process id, so several processes (or several hosts on a shared
// directory) never write into the same file; <seq> counts size rotations within a day.
// A gap left by dropped records is written as a line {"time":..,"dropped":N} (no "door" member);
// readers count such lines and skip them.
//
// Why the reports read these files rather than a `query_log` table in the registry's database:
// the query servers only ever read registration data (DESIGN.md), and in a scaled-out deployment
// their PostgreSQL role may well be read-only; a write per query into the shared database would also
// put the log's load on the one component every node depends on. Files cost nothing on the hot
// path, work the same whatever the Store is, and are what log shippers collect. Reports are run
// where the files are (one node, or a directory the nodes share or ship to).
import { mkdirSync, readdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { QuerySink } from './query-log.js';
import { recordLine, type QueryRecord } from './query-record.js';

export interface JsonlSinkOptions {
  dir: string;
  /** A new file each UTC day (the day of the record's time). */
  daily: boolean;
  /** A new file when the current one would grow past this size (0: no size limit). */
  maxBytes: number;
  /** Distinguishes this writer's files from other processes' (default: host name and pid). */
  node?: string;
}

const FILE_RE = /^queries-(\d{4}-\d{2}-\d{2}|all)\.([^/]+)\.(\d+)\.jsonl$/;

/** The files of the query log in dir, for one UTC day or all days, oldest rotation first. */
export function queryLogFiles(dir: string, day?: string): { path: string; day: string; node: string; seq: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, m: FILE_RE.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null && (day === undefined || x.m[1] === day || x.m[1] === 'all'))
    .map(({ name, m }) => ({ path: join(dir, name), day: m[1], node: m[2], seq: Number(m[3]) }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.node.localeCompare(b.node) || a.seq - b.seq);
}

interface OpenFile {
  key: string; // day or 'all'
  handle: FileHandle;
  seq: number;
  size: number;
}

export class JsonlSink implements QuerySink {
  private current?: OpenFile;
  private readonly node: string;

  constructor(private readonly options: JsonlSinkOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.node = (options.node ?? `${hostname()}-${process.pid}`).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  async write(records: QueryRecord[], dropped: number): Promise<void> {
    // Group by file key, keeping order; usually one group (a batch rarely spans midnight).
    const groups = new Map<string, string[]>();
    const add = (key: string, line: string) => {
      let lines = groups.get(key);
      if (!lines) groups.set(key, (lines = []));
      lines.push(line);
    };
    const keyOf = (time: string) => (this.options.daily ? time.slice(0, 10) : 'all');
    if (dropped > 0) {
      const time = records[0]?.time ?? new Date().toISOString();
      add(keyOf(time), JSON.stringify({ time, dropped }));
    }
    for (const rec of records) add(keyOf(rec.time), recordLine(rec));
    for (const [key, lines] of groups) await this.append(key, lines.join('\n') + '\n');
  }

  private async append(key: string, text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    let file = this.current;
    if (!file || file.key !== key || (this.options.maxBytes > 0 && file.size > 0 && file.size + bytes > this.options.maxBytes)) {
      const seq = file && file.key === key ? file.seq + 1 : this.nextSeq(key);
      await file?.handle.close();
      this.current = undefined;
      const handle = await open(join(this.options.dir, `queries-${key}.${this.node}.${seq}.jsonl`), 'a');
      const size = (await handle.stat()).size;
      file = this.current = { key, handle, seq, size };
    }
    await file.handle.write(text);
    file.size += bytes;
  }

  /** After a restart with the same node name, continue after the files already there. */
  private nextSeq(key: string): number {
    const mine = queryLogFiles(this.options.dir, key === 'all' ? undefined : key).filter((f) => f.node === this.node && f.day === key);
    return mine.length ? Math.max(...mine.map((f) => f.seq)) + 1 : 0;
  }

  async close(): Promise<void> {
    await this.current?.handle.close();
    this.current = undefined;
  }
}
