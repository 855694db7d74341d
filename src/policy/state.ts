// Rate-limit counters, ban escalation, daily counters and the ban list, behind one small interface
// with two backends: MemoryState (one node; the default) and RedisState (many nodes sharing one
// Redis; redis-state.ts). Every time comes from the caller's clock, so both backends follow an
// injected test clock and windows line up across nodes (nodes need synchronised clocks, as NTP gives).
//
// Rate windows are fixed: window number floor(now / windowMs) per client key. A client that goes
// over its limit gets one "strike" per window it overflows; `banAfter` strikes inside the sliding
// ban window bans its key for `banMs`.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { addressValue, CidrSet, parseCidr, type Cidr } from './cidr-set.js';

/** The `until` of a ban without expiry (until rdds unban): the latest time a JavaScript Date holds, JSON- and Redis-safe. */
export const FOREVER = 8.64e15;

export function isPermanent(ban: Pick<Ban, 'until'>): boolean {
  return ban.until >= FOREVER;
}

export interface Ban {
  /** Canonical range (canonicalCidr): a client key for automatic bans. */
  target: string;
  /** Epoch milliseconds when the ban lifts by itself; FOREVER for a permanent ban. */
  until: number;
  reason: string;
  created: number;
  source: 'auto' | 'operator';
}

export interface HitRequest {
  key: string;
  /** Queries admitted per window. */
  limit: number;
  windowMs: number;
  /** Strikes within banWindowMs that ban the key; 0 never bans. */
  banAfter: number;
  banWindowMs: number;
  banMs: number;
  /** Automatic bans within permanentWindowMs that make the next one permanent (0 = never). */
  permanentAfter?: number;
  permanentWindowMs?: number;
  now: number;
}

export interface HitResult {
  /** Queries counted in this window, this one included (0 when the key is banned). */
  count: number;
  /** Milliseconds until the window ends (or the ban lifts). */
  resetInMs: number;
  /** Set when the key is banned (already, or by this very hit). */
  ban?: Ban;
  /** True when this very hit banned the key. */
  fresh?: boolean;
}

export interface PolicyState {
  readonly kind: 'memory' | 'redis';
  /** Counts one query against the key's window, escalating to a ban when it overflows repeatedly. */
  /** A result at once on memory; a promise on Redis. */
  hit(req: HitRequest): HitResult | Promise<HitResult>;
  /** Adds n to a named counter that lives ttlMs; returns the new total. */
  add(counter: string, n: number, ttlMs: number): Promise<number>;
  get(counter: string): Promise<number>;
  /** Bans known on this node: a hash lookup by client key, then the CIDR bans. No I/O. */
  matchBan(key: string, address: string, now: number): Ban | undefined;
  ban(ban: Ban): Promise<void>;
  /** Removes the ban on exactly this canonical target; true when there was one. */
  unban(target: string): Promise<boolean>;
  /** Every ban in force at `now`. */
  bans(now: number): Promise<Ban[]>;
  close(): Promise<void>;
}

/** Bans in memory: a Map by target, plus a CidrSet over the targets that are real ranges. */
export class BanTable {
  private readonly byTarget = new Map<string, Ban>();
  private ranges?: CidrSet;
  private rangeBans: [Ban, Cidr][] = [];

  constructor(bans: Iterable<Ban> = []) {
    for (const b of bans) this.byTarget.set(b.target, b);
    this.reindex();
  }

  get size(): number {
    return this.byTarget.size;
  }

  all(now: number): Ban[] {
    return [...this.byTarget.values()].filter((b) => b.until > now);
  }

  set(ban: Ban): void {
    this.byTarget.set(ban.target, ban);
    this.reindex();
  }

  delete(target: string): boolean {
    const had = this.byTarget.delete(target);
    if (had) this.reindex();
    return had;
  }

  replace(bans: Iterable<Ban>): void {
    this.byTarget.clear();
    for (const b of bans) this.byTarget.set(b.target, b);
    this.reindex();
  }

  match(key: string, address: string, now: number): Ban | undefined {
    if (this.byTarget.size === 0) return undefined;
    const exact = this.byTarget.get(key);
    if (exact && exact.until > now) return exact;
    if (this.ranges && this.ranges.has(address)) {
      const a = addressValue(address)!;
      for (const [b, c] of this.rangeBans) if (b.until > now && c.family === a.family && a.value >= c.first && a.value <= c.last) return b;
    }
    return undefined;
  }

  private reindex(): void {
    // Bans that a client key cannot hit exactly (an IPv4 range, an IPv6 address or /48 ...) need
    // the range lookup; automatic bans, the usual case, never do.
    this.rangeBans = [];
    for (const b of this.byTarget.values()) {
      if (!b.target.includes('/') && !b.target.includes(':')) continue; // a bare IPv4 address: exact lookup
      try {
        this.rangeBans.push([b, parseCidr(b.target)]);
      } catch {} // a hand-edited file with a bad entry: that entry matches nothing
    }
    this.ranges = this.rangeBans.length ? new CidrSet(this.rangeBans.map(([, c]) => c)) : undefined;
  }
}

/**
 * Operator and automatic bans of a node without Redis, in a small JSON file next to the database
 * ({ "bans": [Ban...] }). `rdds ban` and the running service both write it (under a lock file,
 * by write-then-rename, so a reader never sees half a file); the service watches it and takes
 * every change within its poll interval.
 */
export class BanFile {
  constructor(readonly path: string) {}

  read(): Ban[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const data = JSON.parse(text) as { bans?: Ban[] };
    return Array.isArray(data.bans) ? data.bans : [];
  }

  /** Read-modify-write under a lock; expired bans are dropped on the way. */
  update(now: number, fn: (bans: Ban[]) => Ban[]): Ban[] {
    mkdirSync(dirname(this.path), { recursive: true });
    const lock = `${this.path}.lock`;
    const deadline = Date.now() + 2000;
    let fd: number | undefined;
    while (fd === undefined) {
      try {
        fd = openSync(lock, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // A lock older than 10 s was left by a process that died.
        try {
          if (Date.now() - statSync(lock).mtimeMs > 10_000) rmSync(lock, { force: true });
        } catch {}
        if (Date.now() > deadline) throw new Error(`ban file ${this.path} is locked (${lock})`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
    try {
      const bans = fn(this.read().filter((b) => b.until > now));
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ bans }, null, 1) + '\n');
      renameSync(tmp, this.path);
      return bans;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

interface Counter {
  window: number;
  count: number;
  ends: number;
}

export interface MemoryStateOptions {
  /** Persist bans here and take bans that others (rdds ban) write into it. */
  banFile?: BanFile;
  /** How often to look at the ban file for changes. */
  banPollMs?: number;
  clock?: () => number;
  onError?: (err: Error) => void;
}

/** One node's state: counters in Maps (admission is a hash lookup), bans in a BanTable. */
export class MemoryState implements PolicyState {
  readonly kind = 'memory' as const;
  private readonly counters = new Map<string, Counter>();
  private readonly strikes = new Map<string, number[]>();
  /** Times of each key's automatic bans within the permanent window (ban escalation). */
  private readonly banHistory = new Map<string, number[]>();
  private readonly named = new Map<string, { value: number; expires: number }>();
  readonly table = new BanTable();
  private sweeper?: NodeJS.Timeout;
  private banPoller?: NodeJS.Timeout;
  /** The ban file's identity when last read (inode, size, mtime): a change means read it again. */
  private banFileSeen = '';
  private readonly clock: () => number;

  constructor(private readonly options: MemoryStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    if (options.banFile) {
      this.loadBanFile();
      // A timer and a stat, not fs.watchFile: its poller, on a busy machine, was seen to miss a
      // change for seconds (a flaky test), and a stat a second costs nothing.
      this.banPoller = setInterval(() => {
        if (this.banFileStamp() !== this.banFileSeen) this.loadBanFile();
      }, options.banPollMs ?? 1000);
      this.banPoller.unref();
    }
    // Drop finished windows now and then so that a scan of many addresses cannot grow the maps forever.
    this.sweeper = setInterval(() => this.sweep(this.clock()), 60_000);
    this.sweeper.unref();
  }

  private banFileStamp(): string {
    try {
      const st = statSync(this.options.banFile!.path);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'none';
    }
  }

  /** Takes the ban file's current content (also called when the file changes). */
  loadBanFile(): void {
    if (!this.options.banFile) return;
    this.banFileSeen = this.banFileStamp();
    try {
      this.table.replace(this.options.banFile.read());
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }

  hit(req: HitRequest): HitResult {
    const { key, now, windowMs } = req;
    const window = Math.floor(now / windowMs);
    const resetInMs = (window + 1) * windowMs - now;
    let c = this.counters.get(key);
    if (!c || c.window !== window) {
      c = { window, count: 0, ends: now + resetInMs };
      this.counters.set(key, c);
    }
    c.count++;
    if (c.count === req.limit + 1 && req.banAfter > 0) {
      const since = now - req.banWindowMs;
      const list = (this.strikes.get(key) ?? []).filter((t) => t > since);
      list.push(now);
      if (list.length >= req.banAfter) {
        this.strikes.delete(key);
        let reason = `over the rate limit ${list.length} times within ${Math.round(req.banWindowMs / 60000)} minutes`;
        let until = now + req.banMs;
        const previous = this.escalate(key, now, req);
        if (previous !== undefined) {
          until = FOREVER;
          reason += `; made permanent: ${previous} automatic bans before it within ${formatWindow(req.permanentWindowMs!)}`;
        }
        const ban: Ban = { target: key, until, reason, created: now, source: 'auto' };
        this.banSync(ban);
        return { count: c.count, resetInMs: req.banMs, ban, fresh: true };
      }
      this.strikes.set(key, list);
    }
    return { count: c.count, resetInMs };
  }

  /**
   * Records an automatic ban of `key`; the number of those before it within the permanent window
   * when they are enough to make this one permanent, else undefined.
   */
  private escalate(key: string, now: number, req: HitRequest): number | undefined {
    if (!req.permanentAfter || !req.permanentWindowMs) return undefined;
    const history = (this.banHistory.get(key) ?? []).filter((t) => t > now - req.permanentWindowMs!);
    const previous = history.length;
    history.push(now);
    this.banHistory.set(key, history);
    return previous >= req.permanentAfter ? previous : undefined;
  }

  async add(counter: string, n: number, ttlMs: number): Promise<number> {
    return this.addSync(counter, n, ttlMs);
  }

  addSync(counter: string, n: number, ttlMs: number): number {
    const now = this.clock();
    let c = this.named.get(counter);
    if (!c || c.expires <= now) this.named.set(counter, (c = { value: 0, expires: now + ttlMs }));
    c.value += n;
    return c.value;
  }

  async get(counter: string): Promise<number> {
    const c = this.named.get(counter);
    return c && c.expires > this.clock() ? c.value : 0;
  }

  matchBan(key: string, address: string, now: number): Ban | undefined {
    return this.table.match(key, address, now);
  }

  async ban(ban: Ban): Promise<void> {
    this.banSync(ban);
  }

  private banSync(ban: Ban): void {
    this.table.set(ban);
    const file = this.options.banFile;
    if (!file) return;
    try {
      file.update(this.clock(), (bans) => [...bans.filter((b) => b.target !== ban.target), ban]);
    } catch (err) {
      this.options.onError?.(err as Error);
    }
  }

  async unban(target: string): Promise<boolean> {
    let had = this.table.delete(target);
    this.strikes.delete(target);
    const file = this.options.banFile;
    if (file) {
      file.update(this.clock(), (bans) => {
        had ||= bans.some((b) => b.target === target);
        return bans.filter((b) => b.target !== target);
      });
    }
    return had;
  }

  async bans(now: number): Promise<Ban[]> {
    return this.table.all(now);
  }

  sweep(now: number): void {
    for (const [key, c] of this.counters) if (c.ends <= now) this.counters.delete(key);
    for (const [key, list] of this.strikes) if (list[list.length - 1] < now - 86_400_000) this.strikes.delete(key);
    for (const [key, c] of this.named) if (c.expires <= now) this.named.delete(key);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.banPoller);
  }
}

/** A window of days or hours, for a ban's reason ("30 days"). */
export function formatWindow(ms: number): string {
  return ms % 86_400_000 === 0 ? `${ms / 86_400_000} days` : `${Math.round(ms / 3_600_000)} hours`;
}
