// The blocklist: a file of addresses and CIDR ranges (IPv4 and IPv6, one per line, # comments)
// refused outright. The file is read at start and again whenever it changes (polled with
// fs.watchFile, which also sees a file replaced by rename) or on reload() (SIGHUP). A reload swaps
// one immutable CidrSet for another: connections and queries in flight are not disturbed, and a
// file with an error keeps the previous list in force.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { CidrSet, parseCidr, type Cidr } from './cidr-set.js';

export { CidrSet, parseCidr, canonicalCidr } from './cidr-set.js';

/** Parses blocklist text; throws naming the first bad line. */
export function parseCidrList(text: string, source = 'blocklist'): Cidr[] {
  const out: Cidr[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/#.*/, '').trim();
    if (!line) continue;
    for (const word of line.split(/[\s,]+/)) {
      try {
        out.push(parseCidr(word));
      } catch {
        throw new Error(`${source} line ${i + 1}: not an address or CIDR range: ${word}`);
      }
    }
  }
  return out;
}

export interface BlocklistEvents {
  /** After each successful (re)load: how many ranges the file holds. */
  onLoad?: (ranges: number) => void;
  /** A read or parse error; the previous list stays in force. */
  onError?: (err: Error) => void;
}

export class Blocklist {
  private set = new CidrSet();
  private watching = false;
  private readonly listener = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload();
  };

  constructor(readonly file: string, private readonly events: BlocklistEvents = {}, private readonly pollMs = 1000) {
    this.reload();
  }

  /** Starts watching the file for changes. */
  watch(): this {
    if (!this.watching) {
      watchFile(this.file, { interval: this.pollMs, persistent: false }, this.listener);
      this.watching = true;
    }
    return this;
  }

  /** Reads the file again; returns false (and keeps the old list) when it cannot be read or parsed. */
  reload(): boolean {
    let ranges: Cidr[];
    try {
      ranges = parseCidrList(readFileSync(this.file, 'utf8'), this.file);
    } catch (err) {
      this.events.onError?.(err as Error);
      return false;
    }
    this.set = new CidrSet(ranges);
    this.events.onLoad?.(ranges.length);
    return true;
  }

  has(address: string): boolean {
    return this.set.has(address);
  }

  close(): void {
    if (this.watching) unwatchFile(this.file, this.listener);
    this.watching = false;
  }
}
