// The query log off the hot path. record() only pushes the record into a bounded in-memory buffer;
// a timer (or a full batch) hands the buffer to the sink in one write. While a write is in flight
// new records wait in the buffer; when the buffer is full (the sink is slow, stuck or failing)
// records are dropped and counted, never waited for. A query is never slowed or failed by its log.
import type { QueryLog, QueryRecord } from './query-record.js';

/** Where batches of records go (JSON Lines files, a test's slow sink ...). */
export interface QuerySink {
  /**
   * Writes a batch. `dropped` is the number of records dropped since the previous batch, so the
   * sink can leave a trace of the gap (reports then say their counts are lower bounds).
   */
  write(records: QueryRecord[], dropped: number): Promise<void>;
  close(): Promise<void>;
}

export interface BufferedQueryLogOptions {
  /** Records held waiting for the sink; more are dropped. */
  buffer: number;
  /** Longest time a record waits before its batch is written. */
  flushMs: number;
  /** A batch is written as soon as this many records wait (default: 256, at most buffer / 4). */
  batch?: number;
  /** Told of records dropped (buffer full, or lost in a failed write). */
  onDrop?: (count: number) => void;
  /** Told of a failed sink write (the records of that batch are counted as dropped). */
  onSinkError?: (err: unknown) => void;
  /** Told when the sink writes again after failing (a full disk freed). */
  onSinkRecovered?: () => void;
}

const DEFAULT_BATCH = 256;
/** Records turned into text and handed to the sink at a time: a pause of well under a millisecond. */
const RECORDS_PER_WRITE = 500;

export class BufferedQueryLog implements QueryLog {
  private pending: QueryRecord[] = [];
  private droppedSinceWrite = 0;
  private draining?: Promise<void>;
  private scheduled = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout;
  private readonly batch: number;
  /** Records accepted, written by the sink, and dropped (buffer full or sink failure). */
  readonly stats = { recorded: 0, written: 0, dropped: 0, sinkErrors: 0 };
  private failing = false;

  constructor(private readonly sink: QuerySink, private readonly options: BufferedQueryLogOptions) {
    // Small batches under load: records held for the timer's whole period (a quarter second at
    // thousands of queries a second) outlived the young generation, and the garbage collector's
    // pauses added milliseconds to the p99 latency of every door.
    this.batch = Math.max(1, options.batch ?? Math.min(DEFAULT_BATCH, Math.floor(options.buffer / 4)));
    this.timer = setInterval(() => this.schedule(), options.flushMs);
    this.timer.unref();
  }

  get dropped(): number {
    return this.stats.dropped;
  }

  record(rec: QueryRecord): void {
    if (this.closed || this.pending.length >= this.options.buffer) {
      this.drop(1);
      return;
    }
    this.pending.push(rec);
    this.stats.recorded++;
    if (this.pending.length >= this.batch) this.schedule();
  }

  /** Writes everything waiting now; resolves when the sink has it (tests and shutdown). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    while (this.pending.length > 0 || this.droppedSinceWrite > 0) {
      const errors = this.stats.sinkErrors;
      await this.drain();
      if (this.stats.sinkErrors > errors) break; // a failing sink is not retried in a tight loop
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.sink.close();
  }

  /** Tells an observer; its failure is not the query's. */
  private notify(observer: (() => void) | undefined): void {
    try {
      observer?.();
    } catch {
      // ignore
    }
  }

  private drop(count: number): void {
    this.stats.dropped += count;
    this.droppedSinceWrite += count;
    this.notify(() => this.options.onDrop?.(count));
  }

  /** Starts a drain on a later turn of the event loop, never inside the query's own call. */
  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.draining && (this.pending.length > 0 || this.droppedSinceWrite > 0)) void this.drain();
    });
  }

  private drain(): Promise<void> {
    this.draining ??= (async () => {
      try {
        // A drain takes everything waiting. Records that arrive meanwhile wait for the next full
        // batch or the next tick of the timer: writing them at once, in a loop, made a stream of
        // tiny writes that cost more CPU per query than everything else in the log.
        if (this.pending.length > 0 || this.droppedSinceWrite > 0) {
          const batch = this.pending;
          this.pending = [];
          const dropped = this.droppedSinceWrite;
          this.droppedSinceWrite = 0;
          let written = 0;
          try {
            // In slices: turning records into text runs on the event loop, and a whole batch of
            // thousands at once held every query in flight for milliseconds (the p99 showed it).
            do {
              const slice = batch.slice(written, written + RECORDS_PER_WRITE);
              await this.sink.write(slice, written === 0 ? dropped : 0);
              written += slice.length;
              this.stats.written += slice.length;
            } while (written < batch.length);
            if (this.failing) {
              this.failing = false;
              this.notify(this.options.onSinkRecovered);
            }
          } catch (err) {
            this.failing = true;
            this.stats.sinkErrors++;
            this.drop(batch.length - written);
            // the gap that was to be reported with the first slice is still a gap
            if (written === 0) this.droppedSinceWrite += dropped;
            this.notify(() => this.options.onSinkError?.(err));
            // A failing sink is not retried at once: the next tick of the timer tries again.
          }
        }
      } finally {
        this.draining = undefined;
      }
    })();
    return this.draining;
  }
}

/** Hands each record to observers (metrics) at once, then to the buffered log. */
export class TeeQueryLog implements QueryLog {
  constructor(private readonly observers: ((rec: QueryRecord) => void)[], private readonly next: QueryLog) {}

  record(rec: QueryRecord): void {
    for (const observe of this.observers) {
      try {
        observe(rec);
      } catch {
        // metrics must never fail a query
      }
    }
    try {
      this.next.record(rec);
    } catch {
      // record() must never throw
    }
  }

  close(): Promise<void> {
    return this.next.close();
  }
}
