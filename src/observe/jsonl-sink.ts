// The query log on disk: JSON Lines files, one record a line, rotated by UTC day and by size.
//
//   <dir>/queries-<YYYY-MM-DD>.<node>.<seq>.jsonl
//
// <node> is host name and process id, so several processes (or several hosts on a shared
// directory) never write into the same file; <seq> counts this writer's files of the day (size
// rotations, and a return to a day after the clock stepped back across midnight).
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
  private scratch = Buffer.allocUnsafe(256 * 1024);

  constructor(private readonly options: JsonlSinkOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.node = (options.node ?? `${hostname()}-${process.pid}`).replace(/[^A-Za-z0-9_-]/g, '_');
  }

  /** One call at a time (the buffered query log's drain awaits each): they share the scratch buffer. */
  async write(records: QueryRecord[], dropped: number): Promise<void> {
    // Runs of records of one file, in order: usually one run (a batch rarely spans midnight). The
    // gap line goes in the first run's write, so that a failed write (a full disk) leaves out both
    // or neither. (A batch across midnight that fails on its second run is counted dropped whole,
    // the first run's records though on disk: at worst a few records counted twice.)
    const gap = dropped > 0 ? JSON.stringify({ time: records[0]?.time ?? new Date().toISOString(), dropped }) : undefined;
    if (records.length === 0) {
      if (gap) await this.append(this.fileKey(JSON.parse(gap).time), this.encode([gap]));
      return;
    }
    let start = 0;
    while (start < records.length) {
      const key = this.fileKey(records[start].time);
      let end = start + 1;
      while (end < records.length && (key === 'all' || records[end].time.startsWith(key))) end++;
      const lines = records.slice(start, end).map(recordLine);
      if (start === 0 && gap) lines.unshift(gap);
      await this.append(key, this.encode(lines));
      start = end;
    }
  }

  private fileKey(time: string): string {
    return this.options.daily ? time.slice(0, 10) : 'all';
  }

  /**
   * The lines as UTF-8, newline after each, in the sink's one scratch buffer (grown when a batch
   * needs more, and kept at that size: at most a few hundred records' worth): no joined string,
   * and one pass over the text. The bytes are valid until the next call; append() has written
   * them by then (writes run one at a time).
   */
  private encode(lines: string[]): Buffer {
    let bytes = 0;
    for (const line of lines) {
      // A UTF-16 code unit is at most 3 bytes of UTF-8.
      const room = line.length * 3 + 1;
      if (this.scratch.length - bytes < room) {
        const bigger = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, bytes + room));
        this.scratch.copy(bigger, 0, 0, bytes);
        this.scratch = bigger;
      }
      bytes += this.scratch.write(line, bytes);
      this.scratch[bytes++] = 0x0a;
    }
    return this.scratch.subarray(0, bytes);
  }

  private async append(key: string, data: Buffer): Promise<void> {
    const bytes = data.length;
    let file = this.current;
    if (!file || file.key !== key || (this.options.maxBytes > 0 && file.size > 0 && file.size + bytes > this.options.maxBytes)) {
      const seq = file && file.key === key ? file.seq + 1 : this.nextSeq(key);
      await file?.handle.close();
      this.current = undefined;
      const handle = await open(join(this.options.dir, `queries-${key}.${this.node}.${seq}.jsonl`), 'a');
      const size = (await handle.stat()).size;
      file = this.current = { key, handle, seq, size };
    }
    // A full disk takes part of a write (a short count) or none of it (ENOSPC). Either way the file
    // is cut back to its last whole line, and the failure counts the batch as dropped (query-log.ts):
    // a torn line would glue the next record onto half of this one.
    let written = 0;
    try {
      written = (await file.handle.write(data)).bytesWritten;
    } finally {
      if (written !== bytes) await file.handle.truncate(file.size).catch(() => undefined);
    }
    if (written !== bytes) throw new Error(`query log: wrote ${written} of ${bytes} bytes to ${join(this.options.dir, `queries-${key}.${this.node}.${file.seq}.jsonl`)} (disk full?)`);
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
