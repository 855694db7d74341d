// The files of an import: which are RDE deposits (by their root element) and which JSON Lines,
// and a deposit's files read in order as one stream of text, each gunzipped when it is gzip.
//
// A deposit split into several files (docs/rde.md, "Split deposits") is given as its pieces in
// order: the first starts with the <rde:deposit> root, the others continue it.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { NS, qualifiedName } from './namespaces.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const SNIFF_BYTES = 64 * 1024;

export type ImportGroup = { format: 'jsonl'; file: string } | { format: 'rde'; files: string[] };

/** A file that cannot be imported, with the reason (the CLI prints it as one line). */
export class InputError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'InputError';
  }
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/** The first bytes of a file as text (gunzipped when it is gzip). */
async function head(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InputError(path, (err as Error).message);
  }
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    const bytes = buf.subarray(0, bytesRead);
    if (isGzip(bytes)) {
      try {
        return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
      } catch (err) {
        throw new InputError(path, `is not a readable gzip file: ${(err as Error).message}`);
      }
    }
    if (path.endsWith('.gz')) throw new InputError(path, 'is named .gz but is not gzip-compressed');
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

type Sniffed = 'deposit' | 'jsonl' | { other: string };

/** What a file starts with: an RDE deposit's root element, JSON Lines, or something else. */
async function sniff(path: string): Promise<Sniffed> {
  const text = (await head(path)).replace(/^\ufeff/, '');
  const first = text.trimStart()[0];
  if (first === '{' || first === '#' || first === undefined) return 'jsonl';
  if (first !== '<') return { other: 'text that is neither XML nor JSON' };
  let root: { uri: string; local: string } | undefined;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => {
    root ??= { uri: tag.uri, local: tag.local };
  });
  try {
    parser.write(text);
  } catch {
    // A piece that continues a deposit need not be well-formed on its own.
  }
  if (root?.uri === NS.rde && root.local === 'deposit') return 'deposit';
  return { other: root ? `XML whose root element is ${qualifiedName(root.uri, root.local)}` : 'XML without a root element it could read' };
}

/**
 * Sorts the files of one `rdds import` into imports: each JSON Lines file alone, each deposit with
 * the pieces that follow it.
 */
export async function importGroups(files: string[]): Promise<ImportGroup[]> {
  const groups: ImportGroup[] = [];
  for (const file of files) {
    const kind = await sniff(file);
    const last = groups[groups.length - 1];
    if (kind === 'jsonl') groups.push({ format: 'jsonl', file });
    else if (kind === 'deposit') groups.push({ format: 'rde', files: [file] });
    else if (last?.format === 'rde') last.files.push(file);
    else throw new InputError(file, `is neither JSON Lines nor an RDE deposit (${kind.other}; the root element of a deposit is rde:deposit in ${NS.rde})`);
  }
  return groups;
}

/** One decoded piece of a deposit's text, and which file it came from. */
export interface TextChunk {
  file: string;
  text: string;
  /** The first chunk of its file. */
  first: boolean;
}

/** A deposit's files read in order, decoded as UTF-8, with the bytes read for progress. */
export class DepositInput {
  private done = 0;
  private current: { bytesRead: number } | undefined;

  private constructor(
    readonly files: string[],
    readonly totalBytes: number,
  ) {}

  static async open(files: string[]): Promise<DepositInput> {
    let total = 0;
    for (const file of files) {
      try {
        total += (await stat(file)).size;
      } catch (err) {
        throw new InputError(file, (err as Error).message);
      }
    }
    return new DepositInput(files, total);
  }

  /** Bytes read from the files so far (compressed bytes for gzip files). */
  get bytesRead(): number {
    return this.done + (this.current?.bytesRead ?? 0);
  }

  async *chunks(): AsyncGenerator<TextChunk> {
    for (const file of this.files) {
      const gz = await fileIsGzip(file);
      if (!gz && file.endsWith('.gz')) throw new InputError(file, 'is named .gz but is not gzip-compressed');
      const source = createReadStream(file, { highWaterMark: 1 << 20 });
      this.current = source;
      const stream = gz ? source.pipe(createGunzip()) : source;
      source.on('error', (err) => stream.destroy(err));
      const decoder = new StringDecoder('utf8');
      let first = true;
      try {
        for await (const buf of stream as AsyncIterable<Buffer>) {
          let text = decoder.write(buf);
          if (first) text = text.replace(/^\ufeff/, '');
          if (text) yield { file, text, first };
          first = false;
        }
      } catch (err) {
        throw new InputError(file, gz ? `cannot be gunzipped: ${(err as Error).message}` : (err as Error).message);
      }
      const rest = decoder.end();
      if (rest) yield { file, text: rest, first };
      this.done += source.bytesRead;
      this.current = undefined;
    }
  }
}

async function fileIsGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return isGzip(buf.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
