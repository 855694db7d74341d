// The JSON Lines importer: one RegistryObject (or one deletion) per line (docs/import-format.md),
// streamed through one Store transaction so a file lands whole or not at all. The file is read in
// large chunks and split by hand (no readline), so a million-object file costs a few megabytes of
// memory.
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ValidationError } from '../model/validate.js';
import type { RegistryObject } from '../model/types.js';
import { describeObject, missingReferenceMessage, MissingReferenceError } from '../store/references.js';
import { StoreRefusal, type ImportCounts, type RemoveTarget, type Store } from '../store/store.js';
import { finishSummary, newSummary, type ImportSummary } from './summary.js';

/** An import failure; the message reads `FILE:LINE: reason` (or `FILE: reason` when no line is to blame). */
export class ImportError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, readonly reason: string) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'ImportError';
  }
}

/** Called as a file is read: objects (or lines) seen so far, bytes read so far, size of the input. */
export type ProgressCallback = (count: number, bytesRead: number, totalBytes: number) => void;

export interface ImportOptions {
  onProgress?: ProgressCallback;
  /** Check everything, store nothing. */
  dryRun?: boolean;
}

const CHUNK = 1 << 20; // bytes per read
const MAX_LINE = 16 << 20; // a longer line is refused rather than buffered without end

/** The members a deletion line may have, besides `delete`: the key of each kind. */
const DELETION_KEYS = { domain: 'name', host: 'name', contact: 'handle', registrar: 'ianaId' } as const;

/** A deletion line (`{"delete": "domain", "name": "foo.example"}`) as what to remove; throws on a malformed one. */
function deletion(obj: Record<string, unknown>): RemoveTarget {
  const kind = obj.delete;
  if (typeof kind !== 'string' || !(kind in DELETION_KEYS)) {
    throw new ValidationError('delete', `must be domain, host, contact or registrar, not ${JSON.stringify(kind)}`);
  }
  const keyName = DELETION_KEYS[kind as keyof typeof DELETION_KEYS];
  for (const member of Object.keys(obj)) {
    if (member !== 'delete' && member !== keyName) throw new ValidationError(member, `is not a member of a ${kind} deletion (it has "delete" and "${keyName}")`);
  }
  const key = obj[keyName];
  if (kind === 'registrar') {
    if (!Number.isSafeInteger(key) || (key as number) < 1) throw new ValidationError('ianaId', `is not an IANA registrar ID: ${JSON.stringify(key)}`);
    return { kind, ianaId: key as number };
  }
  if (typeof key !== 'string' || key === '') throw new ValidationError(keyName, 'is required');
  return kind === 'contact' ? { kind, handle: key } : { kind: kind as 'domain' | 'host', name: key };
}

/** Imports one JSON Lines file into the store, all or nothing. Throws ImportError naming the line at fault. */
export async function importJsonLinesFile(store: Store, path: string, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = performance.now();
  const summary = newSummary([path], 'jsonl', opts.dryRun ?? false);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ImportError(path, undefined, (err as Error).message);
  }
  try {
    const totalBytes = (await handle.stat()).size;
    const tx = await store.transaction(async (writer) => {
      const decoder = new StringDecoder('utf8');
      const buffer = Buffer.allocUnsafe(CHUNK);
      let rest = ''; // the unfinished line carried over from the previous chunk
      let lineNo = 0;
      let bytesRead = 0;

      const handleLine = async (raw: string): Promise<void> => {
        lineNo++;
        let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // byte order mark
        const trimmed = line.trim();
        if (trimmed === '' || trimmed.startsWith('#')) return;
        let obj: unknown;
        try {
          obj = JSON.parse(trimmed);
        } catch (err) {
          throw new ImportError(path, lineNo, `not valid JSON: ${(err as Error).message}`);
        }
        if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
          throw new ImportError(path, lineNo, 'not a JSON object (each line holds one registrar, contact, host or domain, or one deletion)');
        }
        const record = obj as Record<string, unknown>;
        const at = `${path}:${lineNo}`;
        try {
          if ('delete' in record) await writer.remove(deletion(record), at);
          else {
            await writer.put(record as unknown as RegistryObject, at);
            summary.read[(record as unknown as RegistryObject).type]++;
          }
        } catch (err) {
          const what = describe(record);
          const reason = err instanceof ValidationError ? err.message : `cannot store: ${(err as Error).message}`;
          throw new ImportError(path, lineNo, what ? `${what}: ${reason}` : reason);
        }
      };

      for (;;) {
        const { bytesRead: n } = await handle.read(buffer, 0, CHUNK, null);
        if (n === 0) break;
        bytesRead += n;
        const text = rest + decoder.write(n === CHUNK ? buffer : buffer.subarray(0, n));
        let start = 0;
        for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
          await handleLine(text.slice(start, nl));
          start = nl + 1;
        }
        rest = text.slice(start);
        if (rest.length > MAX_LINE) throw new ImportError(path, lineNo + 1, `line is longer than ${MAX_LINE} characters`);
        opts.onProgress?.(lineNo, bytesRead, totalBytes);
      }
      rest += decoder.end();
      if (rest !== '') await handleLine(rest); // last line without a newline
      opts.onProgress?.(lineNo, bytesRead, totalBytes);
    }, { dryRun: opts.dryRun });
    return finishSummary(summary, tx, started);
  } catch (err) {
    throw asImportError(err, path);
  } finally {
    await handle.close();
  }
}

/** Imports one JSON Lines file; returns the objects read per kind. */
export async function importJsonLines(store: Store, path: string, opts: ImportOptions = {}): Promise<ImportCounts> {
  return (await importJsonLinesFile(store, path, opts)).read;
}

/** An error from the store at the end of the transaction, in the importer's form (FILE:LINE: reason). */
function asImportError(err: unknown, path: string): ImportError {
  if (err instanceof ImportError) return err;
  if (err instanceof MissingReferenceError) {
    const line = err.at?.startsWith(`${path}:`) ? Number(err.at.slice(path.length + 1)) : undefined;
    const more = err.more > 0 ? ` (and ${err.more} more objects with missing references)` : '';
    return new ImportError(path, line, `${describeObject(err.recordType, err.recordKey)}: ${err.field}: ${missingReferenceMessage(err.ref)}${more}`);
  }
  if (err instanceof StoreRefusal || err instanceof ValidationError) return new ImportError(path, undefined, err.message);
  return new ImportError(path, undefined, (err as Error).message);
}

/** Names the record in an error message: `domain "example.example"`, `contact "ABC-1"`, `registrar 1234`. */
function describe(obj: Record<string, unknown>): string | undefined {
  if (typeof obj.delete === 'string') return `deletion of ${obj.delete}`;
  const key = obj.type === 'registrar' ? obj.ianaId : obj.type === 'contact' ? obj.handle : obj.name;
  if (typeof obj.type !== 'string' || !['registrar', 'contact', 'host', 'domain'].includes(obj.type)) return undefined;
  if (key === undefined) return obj.type;
  return `${obj.type} ${typeof key === 'number' ? key : JSON.stringify(key)}`;
}

export interface ProgressReporter extends ProgressCallback {
  /** Draws the final state and ends the status line (does nothing on a non-terminal). */
  finish(): void;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0);
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A progress callback that redraws one status line on a terminal (percent, count, rate; with
 * `bytes`, also megabytes read of the total and the time left), at most five times a second. On
 * anything that is not a terminal it prints nothing, so logs and pipes stay clean.
 */
export function progressReporter(stream: NodeJS.WriteStream, opts: { unit?: string; bytes?: boolean } = {}): ProgressReporter {
  const unit = opts.unit ?? 'lines';
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  let last: [number, number, number] = [0, 0, 0];

  const draw = (now: number) => {
    const [count, done, total] = last;
    const percent = total > 0 ? Math.min(100, (done / total) * 100) : 100;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    let line = `\r${percent.toFixed(1).padStart(5)}%  ${count.toLocaleString('en-US')} ${unit}  ${rate.toLocaleString('en-US')} objects/s`;
    if (opts.bytes) {
      const eta = done > 0 && total > done ? duration((seconds * (total - done)) / done) : '0:00';
      line += `  ${megabytes(done)} of ${megabytes(total)} MB  ETA ${eta}`;
    }
    stream.write(`${line}\x1b[K`);
    drawn = true;
    lastDraw = now;
  };

  const report = ((count: number, done: number, total: number) => {
    if (!stream.isTTY) return;
    last = [count, done, total];
    const now = Date.now();
    if (now - lastDraw >= 200) draw(now);
  }) as ProgressReporter;
  report.finish = () => {
    if (!stream.isTTY) return;
    if (last[0] > 0 || drawn) {
      draw(Date.now());
      stream.write('\n');
    }
  };
  return report;
}
