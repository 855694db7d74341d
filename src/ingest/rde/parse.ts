// A streaming RDE deposit parser on saxes: namespace-aware, one object in memory at a time.
// The envelope (root attributes, watermark) is read as it streams; each child of <rde:contents>
// or <rde:deletes> is collected as a small element tree and handed on whole when it closes, so
// memory stays flat however large the deposit is. Events are returned per chunk, for the caller
// to apply (and await) before it feeds the next chunk.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { NS, qualifiedName } from './namespaces.js';
import type { TextChunk } from './input.js';

/** One element of an object, with its attributes (those without a namespace, by local name) and text. */
export interface XmlNode {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

export type DepositEvent =
  | { type: 'envelope'; depositType: string; id: string; prevId?: string; at: string }
  | { type: 'watermark'; value: string; at: string }
  | { type: 'object'; node: XmlNode; at: string }
  | { type: 'delete'; node: XmlNode; at: string }
  | { type: 'skipped'; name: string };

/** A deposit that is not well-formed XML or not shaped as RFC 8909 says; names the file and line. */
export class DepositParseError extends Error {
  constructor(readonly at: string, readonly reason: string) {
    super(`${at}: ${reason}`);
    this.name = 'DepositParseError';
  }
}

type Frame = 'root' | 'watermark' | 'menu' | 'deletes' | 'contents' | 'skip' | 'object';

export class DepositParser {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly stack: Frame[] = [];
  private events: DepositEvent[] = [];
  /** The element tree being collected (its innermost open element last). */
  private tree: XmlNode[] = [];
  private treeAt = '';
  private treeKind: 'object' | 'delete' = 'object';
  private watermark = '';
  private file = '';
  private firstLine = 1;

  constructor() {
    const p = this.parser;
    p.on('xmldecl', (decl) => {
      if (decl.encoding && decl.encoding.toLowerCase() !== 'utf-8') this.refuse(`is declared as ${decl.encoding}: RDE deposits are UTF-8`);
    });
    p.on('opentag', (tag) => this.open(tag as SaxesTagNS));
    p.on('text', (text) => this.text(text));
    p.on('cdata', (text) => this.text(text));
    p.on('closetag', () => this.close());
  }

  /** FILE:LINE of the parser's position. */
  position(): string {
    return `${this.file}:${this.parser.line - this.firstLine + 1}`;
  }

  private refuse(reason: string): never {
    throw new DepositParseError(this.position(), reason);
  }

  /** Parses one chunk; returns what it completed. */
  write(chunk: TextChunk): DepositEvent[] {
    if (chunk.first) {
      this.file = chunk.file;
      this.firstLine = this.parser.line;
    }
    return this.run(() => this.parser.write(chunk.text));
  }

  /** Ends the input: a deposit cut short (unclosed elements) fails here. */
  end(): DepositEvent[] {
    return this.run(() => this.parser.close());
  }

  private run(fn: () => void): DepositEvent[] {
    try {
      fn();
    } catch (err) {
      if (err instanceof DepositParseError) throw err;
      // saxes says "LINE:COLUMN: message"; the position is ours (file and line within it).
      const reason = (err as Error).message.replace(/^(undefined:)?\d+:\d+: /, '');
      this.refuse(/unclosed tag|document must contain/.test(reason) ? `the deposit ends too early (${reason}): truncated file?` : `not well-formed XML: ${reason}`);
    }
    const events = this.events;
    this.events = [];
    return events;
  }

  private open(tag: SaxesTagNS): void {
    const parent = this.stack[this.stack.length - 1];
    const is = (uri: string, local: string) => tag.uri === uri && tag.local === local;
    let frame: Frame;
    if (parent === undefined) {
      if (!is(NS.rde, 'deposit')) this.refuse(`the root element is ${qualifiedName(tag.uri, tag.local)}, not rde:deposit (${NS.rde})`);
      const attr = (name: string) => (tag.attributes[name]?.uri === '' ? tag.attributes[name].value : undefined);
      this.events.push({ type: 'envelope', depositType: attr('type') ?? '', id: attr('id') ?? '', prevId: attr('prevId'), at: this.position() });
      frame = 'root';
    } else if (parent === 'root') {
      if (is(NS.rde, 'watermark')) frame = 'watermark';
      else if (is(NS.rde, 'rdeMenu')) frame = 'menu';
      else if (is(NS.rde, 'deletes')) frame = 'deletes';
      else if (is(NS.rde, 'contents')) frame = 'contents';
      else {
        this.events.push({ type: 'skipped', name: qualifiedName(tag.uri, tag.local) });
        frame = 'skip';
      }
    } else if (parent === 'deletes' || parent === 'contents') {
      this.treeKind = parent === 'deletes' ? 'delete' : 'object';
      this.treeAt = this.position();
      this.tree = [node(tag)];
      frame = 'object';
    } else if (parent === 'object') {
      const child = node(tag);
      this.tree[this.tree.length - 1].children.push(child);
      this.tree.push(child);
      frame = 'object';
    } else {
      frame = parent === 'menu' ? 'menu' : 'skip';
    }
    this.stack.push(frame);
  }

  private text(text: string): void {
    const frame = this.stack[this.stack.length - 1];
    if (frame === 'object') this.tree[this.tree.length - 1].text += text;
    else if (frame === 'watermark') this.watermark += text;
  }

  private close(): void {
    const frame = this.stack.pop();
    const parent = this.stack[this.stack.length - 1];
    if (frame === 'watermark') this.events.push({ type: 'watermark', value: this.watermark.trim(), at: this.position() });
    if (frame !== 'object') return;
    const done = this.tree.pop()!;
    if (parent !== 'object') this.events.push({ type: this.treeKind, node: done, at: this.treeAt });
  }
}

function node(tag: SaxesTagNS): XmlNode {
  const attrs: Record<string, string> = {};
  for (const a of Object.values(tag.attributes)) if (a.uri === '') attrs[a.local] = a.value;
  return { uri: tag.uri, local: tag.local, attrs, children: [], text: '' };
}
