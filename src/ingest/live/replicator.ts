// Live mode: rdds's own Store kept a mirror of the registry's database (docs/live-source.md). The
// registry's change log (the `changes` view) says which objects changed; every poll reads those
// objects as the source has them now and applies them to the Store in one transaction, with the
// log position and the time of the latest change, so each commit lists exactly the changed objects
// (the answer cache drops only their answers) and the data never goes back in time. A first start,
// or a position the log no longer reaches, copies everything (a FULL replacement per TLD). With a
// shared PostgreSQL Store one node holds the lease and replicates; every node reports its lag.
import type { DepositEnvelope, RemoveTarget, Store } from '../../store/store.js';
import type { ObjectKind, RegistryObject } from '../../model/types.js';
import { LiveSource, type SourceChange } from './source.js';

export const POSITION_MARK = 'live:seq';
const LEASE = 'live-source';
/** Objects put per copy page. */
const PAGE = 2000;
const PUT_ORDER: readonly ObjectKind[] = ['registrar', 'contact', 'host', 'domain'];
const REMOVE_ORDER: readonly ObjectKind[] = ['domain', 'host', 'contact', 'registrar'];

export interface ReplicatorOptions {
  pollMs: number;
  /** Changes applied per transaction at most. */
  batch: number;
  /** The TLDs served (a full copy replaces each TLD's data set). */
  tlds: readonly string[];
  /** Who this node is, for the lease. */
  holder: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface ReplicationStatus {
  /** The Store holds a copy of the source (it can answer). */
  synced: boolean;
  /** Seconds the served data is behind the source (0 when caught up). */
  lagSeconds: number;
  /** This node replicates (holds the lease); else another node does, into the same Store. */
  replicating: boolean;
  /** Why the source cannot be read, while it cannot. */
  error?: string;
  /** Changes applied since start. */
  applied: number;
}

export class Replicator {
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private status: ReplicationStatus = { synced: false, lagSeconds: 0, replicating: false, applied: 0 };
  private lastContact = Date.now();

  constructor(private readonly source: LiveSource, private readonly store: Store, private readonly options: ReplicatorOptions) {}

  get current(): ReplicationStatus {
    return this.status;
  }

  /** Reads where the Store stands, then polls the source every pollMs. */
  async start(): Promise<void> {
    this.status.synced = (await this.store.mark(POSITION_MARK)) !== undefined;
    const loop = async () => {
      if (this.stopped) return;
      await this.tick();
      if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** One poll: take or keep the lease, copy or catch up, and measure the lag. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const replicating = await this.store.lease(LEASE, this.options.holder, Math.max(10 * this.options.pollMs, 5000));
      if (replicating !== this.status.replicating) this.options.log('info', replicating ? 'live source: this node replicates' : 'live source: another node replicates into the shared store');
      this.status.replicating = replicating;
      let position = Number((await this.store.mark(POSITION_MARK)) ?? -1);
      if (replicating) {
        const bounds = await this.source.logBounds();
        // Never copied, or the log no longer reaches back to where this copy stands.
        if (position < 0 || (bounds.first > position + 1 && bounds.last > position)) position = await this.copyAll(bounds.last);
        for (;;) {
          const changes = await this.source.changesAfter(position, this.options.batch);
          if (changes.length === 0) break;
          await this.apply(changes);
          position = changes[changes.length - 1].seq;
          if (changes.length < this.options.batch) break;
        }
      }
      const next = (await this.source.changesAfter(position, 1))[0];
      this.lastContact = Date.now();
      if (this.status.error) this.options.log('info', 'live source: reachable again; caught up from the change log');
      this.status = { ...this.status, synced: position >= 0, lagSeconds: next ? Math.max(0, (Date.now() - Date.parse(next.changedAt)) / 1000) : 0, error: undefined };
    } catch (err) {
      const message = (err as Error).message;
      if (this.status.error === undefined) this.options.log('error', `live source: ${message}; answering from the copy this node has, retrying`);
      this.status = { ...this.status, error: message, lagSeconds: (Date.now() - this.lastContact) / 1000 };
    } finally {
      this.running = false;
    }
  }

  /** Applies a run of changes: each changed object as the source has it now, put or removed, in one commit. */
  private async apply(changes: SourceChange[]): Promise<void> {
    const keys = new Map<ObjectKind, Set<string>>();
    for (const c of changes) {
      if (!keys.has(c.kind)) keys.set(c.kind, new Set());
      keys.get(c.kind)!.add(c.key);
    }
    const found = new Map<ObjectKind, Map<string, RegistryObject>>();
    for (const [kind, set] of keys) found.set(kind, await this.source.read(kind, [...set]));
    await this.withReferences(found);
    const last = changes[changes.length - 1];
    await this.store.transaction(
      async (w) => {
        for (const kind of PUT_ORDER) for (const [key, obj] of found.get(kind) ?? []) await w.put(obj, `source ${kind} ${key}`);
        for (const kind of REMOVE_ORDER) {
          for (const key of keys.get(kind) ?? []) if (!found.get(kind)?.has(key)) await w.remove(removal(kind, key), `source change of ${kind} ${key}`);
        }
      },
      { updatedAt: last.changedAt, marks: { [POSITION_MARK]: String(last.seq) } },
    );
    this.status.applied += changes.length;
  }

  /**
   * The objects those refer to that the Store does not hold yet (a new contact logged after the
   * domain that uses it): read too, so that the commit has no dangling reference.
   */
  private async withReferences(found: Map<ObjectKind, Map<string, RegistryObject>>): Promise<void> {
    const want = new Map<ObjectKind, Set<string>>();
    const need = (kind: ObjectKind, key: string) => {
      if (found.get(kind)?.has(key)) return;
      if (!want.has(kind)) want.set(kind, new Set());
      want.get(kind)!.add(key);
    };
    for (const objects of found.values()) {
      for (const obj of objects.values()) {
        if (obj.type === 'registrar') continue;
        need('registrar', String(obj.registrarId));
        if (obj.type === 'domain') {
          for (const role of ['registrant', 'admin', 'tech', 'billing'] as const) if (obj[role]) need('contact', obj[role]!);
          for (const ns of obj.nameservers) need('host', ns);
        }
      }
    }
    for (const [kind, set] of want) {
      const missing: string[] = [];
      for (const key of set) if (!(await this.stored(kind, key))) missing.push(key);
      if (missing.length === 0) continue;
      const read = await this.source.read(kind, missing);
      if (!found.has(kind)) found.set(kind, new Map());
      for (const [k, v] of read) found.get(kind)!.set(k, v);
    }
  }

  private async stored(kind: ObjectKind, key: string): Promise<boolean> {
    switch (kind) {
      case 'registrar':
        return (await this.store.getRegistrar(Number(key))) !== undefined;
      case 'contact':
        return (await this.store.getContact(key)) !== undefined;
      case 'host':
        return (await this.store.lookupHost(key)) !== undefined;
      case 'domain':
        return (await this.store.lookupDomain(key)) !== undefined;
    }
  }

  /**
   * Copies the whole source, TLD by TLD, each as a FULL replacement of its data set (objects the
   * copy does not hold are removed); returns the log position the copy stands at.
   */
  private async copyAll(head: number): Promise<number> {
    const started = Date.now();
    this.options.log('info', `live source: copying everything (change log at ${head})`);
    let objects = 0;
    for (const tld of this.options.tlds) {
      const deposit: DepositEnvelope = { tld, type: 'FULL', id: `live${head}`, watermark: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
      await this.store.transaction(
        async (w) => {
          await w.checkDeposit(deposit, true);
          for (const kind of PUT_ORDER) {
            for (let after: string | undefined; ; ) {
              const page = await this.source.page(kind, after, PAGE);
              for (const obj of page.objects) {
                if (obj.type === 'domain' && !obj.name.endsWith(`.${tld}`)) continue;
                await w.put(obj, `source ${kind} ${describe(obj)}`);
                objects++;
              }
              if (page.last === undefined || page.objects.length < PAGE) break;
              after = page.last;
            }
          }
          await w.finishDeposit(deposit, true);
        },
        { deposit: true, marks: { [POSITION_MARK]: String(head) } },
      );
    }
    this.options.log('info', `live source: copied ${objects} objects in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    this.status.synced = true;
    return head;
  }
}

/**
 * The Store as the pipeline reads it in live mode: until the first copy is complete, every read
 * says the data is temporarily unavailable (the doors answer "try again later", not "not found").
 */
export function untilSynced(store: Store, synced: () => boolean): Store {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function' || typeof prop !== 'string' || !/^(lookup|get|search)/.test(prop)) return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        if (!synced()) return Promise.reject(Object.assign(new Error('the first copy of the live source is not complete yet'), { code: NOT_SYNCED }));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The error code of a read before the first copy (src/store/errors.ts takes it as "unavailable"). */
export const NOT_SYNCED = 'RDDS_NOT_SYNCED';

function describe(obj: RegistryObject): string {
  return obj.type === 'registrar' ? String(obj.ianaId) : obj.type === 'contact' ? obj.handle : obj.name;
}

function removal(kind: ObjectKind, key: string): RemoveTarget {
  switch (kind) {
    case 'registrar':
      return { kind, ianaId: Number(key) };
    case 'contact':
      return { kind, handle: key };
    default:
      return { kind, name: key };
  }
}
