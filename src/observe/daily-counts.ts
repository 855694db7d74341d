// Reading the query log back, one UTC day at a time, and the retention rule.
//
// A day is read from its JSON Lines files while they exist. After the retention period the
// files, which hold personal data (client addresses, end-user addresses, client keys), are
// replaced by one aggregate file, <dir>/daily/<YYYY-MM-DD>.json, of counts without any address:
// by door, outcome, refusal reason, tier, query kind, TLD and gateway. The monthly ICANN counts can be
// produced from either; per-client figures only while the records are kept.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Door } from '../policy/policy.js';
import { queryLogFiles } from './jsonl-sink.js';
import type { Outcome } from '../resolution.js';
import type { GatewayBadReason, QueryRecord } from './query-record.js';

export interface CountRow {
  door: Door;
  outcome: Outcome;
  reason: string;
  tier: string;
  kind: string;
  /** The TLD the query named ('' for queries that name none: registrar, IP address, help, bad). */
  tld: string;
  /** The registered gateway, and why its query was a bad one (absent for other clients). */
  gateway?: string;
  fault?: GatewayBadReason;
  count: number;
  bytes: number;
  personal: number;
}

export interface DayLog {
  date: string;
  /** records: the full records were read; aggregate: only counts remain (past retention); none: no data. */
  source: 'records' | 'aggregate' | 'none';
  rows: CountRow[];
  /** Records the writers reported dropped on this day: the counts are lower bounds when > 0. */
  dropped: number;
  /** Lines that could not be read (a line cut short by a crash). */
  malformed: number;
}

/** The TLD a normalised query names, from its text form (queryKey). */
export function queryTld(rec: Pick<QueryRecord, 'kind' | 'query'>): string {
  if (rec.kind !== 'domain' && rec.kind !== 'nameserver') return '';
  const name = rec.query.slice(rec.query.indexOf(' ') + 1);
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1);
}

/** Counts records by door, outcome, reason, tier, kind, TLD and gateway, one record at a time. */
export class RowCounter {
  private readonly byKey = new Map<string, CountRow>();

  add(r: QueryRecord): void {
    const tld = queryTld(r);
    const reason = r.outcome === 'refused' || r.outcome === 'forbidden' ? r.reason ?? '' : '';
    const key = `${r.door}\0${r.outcome}\0${reason}\0${r.tier}\0${r.kind}\0${tld}\0${r.gateway ?? ''}\0${r.fault ?? ''}`;
    let row = this.byKey.get(key);
    if (!row) {
      row = { door: r.door, outcome: r.outcome, reason, tier: r.tier, kind: r.kind, tld, count: 0, bytes: 0, personal: 0 };
      if (r.gateway !== undefined) row.gateway = r.gateway;
      if (r.fault !== undefined) row.fault = r.fault;
      this.byKey.set(key, row);
    }
    row.count++;
    row.bytes += r.bytes || 0;
    row.personal += r.personal || 0;
  }

  rows(): CountRow[] {
    return [...this.byKey.values()];
  }
}

/**
 * The lines of a file, read a megabyte at a time: a day of a busy registry's log is larger than
 * memory (and than the longest string V8 can hold). Nothing when the file has gone.
 */
function* fileLines(path: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // removed between the listing and the read (retention on another node)
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let carry = Buffer.alloc(0);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      const bytes = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
        yield bytes.toString('utf8', start, nl);
        start = nl + 1;
      }
      carry = Buffer.from(bytes.subarray(start)); // a copy: chunk is reused
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function aggregatePath(dir: string, date: string): string {
  return join(dir, 'daily', `${date}.json`);
}

/**
 * Reads one UTC day (YYYY-MM-DD) of the query log in dir: its counts, and each record handed to
 * onRecord as it is read (records are not kept: a day can be larger than memory).
 */
export function readDay(dir: string, date: string, onRecord?: (rec: QueryRecord) => void): DayLog {
  const files = queryLogFiles(dir, date);
  if (files.length > 0) {
    const counter = new RowCounter();
    let dropped = 0;
    let malformed = 0;
    for (const file of files) {
      for (const line of fileLines(file.path)) {
        if (line.length === 0) continue;
        let obj: any;
        try {
          obj = JSON.parse(line);
        } catch {
          malformed++;
          continue;
        }
        if (typeof obj?.time !== 'string' || !obj.time.startsWith(date)) continue;
        if (typeof obj.dropped === 'number' && obj.door === undefined) dropped += obj.dropped;
        else if (typeof obj.door === 'string' && typeof obj.outcome === 'string') {
          counter.add(obj as QueryRecord);
          onRecord?.(obj as QueryRecord);
        } else malformed++;
      }
    }
    return { date, source: 'records', rows: counter.rows(), dropped, malformed };
  }
  const path = aggregatePath(dir, date);
  if (existsSync(path)) {
    const agg = JSON.parse(readFileSync(path, 'utf8')) as { rows: CountRow[]; dropped?: number; malformed?: number };
    return { date, source: 'aggregate', rows: agg.rows, dropped: agg.dropped ?? 0, malformed: agg.malformed ?? 0 };
  }
  return { date, source: 'none', rows: [], dropped: 0, malformed: 0 };
}

/**
 * The retention rule: for every day whose records are older than retentionDays (counted in whole
 * UTC days before `now`), write the day's counts to its aggregate file, then delete the day's
 * record files. Returns the days compacted. Safe to run on several nodes sharing the directory
 * (the aggregate is written to a temporary file and renamed; a file already gone is skipped).
 */
export function applyRetention(dir: string, retentionDays: number, now = new Date()): string[] {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - retentionDays)).toISOString().slice(0, 10);
  const days = [...new Set(queryLogFiles(dir).map((f) => f.day))].filter((d) => d !== 'all' && d < cutoff);
  const done: string[] = [];
  for (const day of days) {
    const files = queryLogFiles(dir, day).filter((f) => f.day === day);
    const log = readDay(dir, day);
    if (log.source !== 'records') continue;
    mkdirSync(join(dir, 'daily'), { recursive: true });
    const path = aggregatePath(dir, day);
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ date: day, rows: log.rows, dropped: log.dropped, malformed: log.malformed }) + '\n');
    renameSync(tmp, path);
    for (const f of files) {
      try {
        unlinkSync(f.path);
      } catch {
        // already removed by another node
      }
    }
    done.push(day);
  }
  return done;
}
