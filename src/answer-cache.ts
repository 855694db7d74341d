// The cache of rendered public answers, invalidated per object: each answer remembers the objects
// it shows (a domain, its registrar, contacts and hosts; the name a not-found answer was asked
// for), as a version cell per object. A data change bumps the cells of the objects it changed
// (Store.changesSince), so a changed domain drops that domain's answers, a changed host or
// registrar every answer that shows it, a new name the cached not-found answer for it — and every
// other answer stays. Checking an answer is a comparison per object it shows, no scan of the cache.
import type { ObjectChange } from './store/store.js';

/** A version per object, shared by every cached answer that shows it. */
interface Cell {
  v: number;
}

interface Entry<A> {
  value: A;
  cells: Cell[];
  versions: number[];
}

/** Object keys: `d:<name>`, `h:<name>`, `r:<IANA ID>`, `c:<handle>`; `h*`/`r*`: any host/registrar; `*`: anything. */
export const ANY = '*';
export const ANY_HOST = 'h*';
export const ANY_REGISTRAR = 'r*';

export function objectKey(kind: ObjectChange['kind'], key: string): string {
  return `${kind[0]}:${key}`;
}

export class AnswerCache<A> {
  // Insertion-ordered Map: a FIFO bound.
  private readonly entries = new Map<string, Entry<A>>();
  private readonly cells = new Map<string, Cell>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached value, when every object it shows is unchanged since it was cached. */
  get(key: string): A | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const { cells, versions } = entry;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i].v !== versions[i]) {
        this.entries.delete(key);
        return undefined;
      }
    }
    return entry.value;
  }

  /** Replaces a cached value whose objects are unchanged (a new stamp of the same answer). */
  update(key: string, value: A): void {
    const entry = this.entries.get(key);
    if (entry) entry.value = value;
  }

  set(key: string, value: A, shows: readonly string[]): void {
    if (this.capacity <= 0) return;
    if (!this.entries.has(key) && this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    // Cells of answers long evicted would pile up: past a bound, start afresh.
    if (this.cells.size > this.capacity * 32) this.clear();
    const cells = shows.map((k) => {
      let cell = this.cells.get(k);
      if (!cell) this.cells.set(k, (cell = { v: 0 }));
      return cell;
    });
    this.entries.delete(key);
    this.entries.set(key, { value, cells, versions: cells.map((c) => c.v) });
  }

  /** Objects changed: their answers are stale. `undefined` (the change list is not known): everything is. */
  changed(changes: readonly ObjectChange[] | undefined): void {
    if (changes === undefined) return this.clear();
    const bump = (k: string) => {
      const cell = this.cells.get(k);
      if (cell) cell.v++;
    };
    for (const c of changes) {
      bump(objectKey(c.kind, c.key));
      if (c.kind === 'host') bump(ANY_HOST);
      if (c.kind === 'registrar') bump(ANY_REGISTRAR);
    }
    if (changes.length > 0) bump(ANY);
  }

  clear(): void {
    this.entries.clear();
    // Answers cached from now on get new cells; any still holding the old ones are gone.
    this.cells.clear();
  }
}
