// `rdds import DEPOSIT.xml[.gz] ...`: one RDE deposit (RFC 8909 / RFC 9022), possibly in several
// files, streamed into one Store transaction. Everything is checked before the commit: the TLD is
// one the configuration serves, the deposit follows the last one (prevId), every object is valid,
// no reference dangles, the header counts match the TLD's objects once the deposit is applied.
// Any failure rolls everything back (a running server keeps answering the old data) and names
// the reason and the position. docs/rde.md is the operator's guide.
import { validate, ValidationError } from '../../model/validate.js';
import type { ObjectKind, RegistryObject } from '../../model/types.js';
import { describeObject, keyOf, MissingReferenceError } from '../../store/references.js';
import { StoreRefusal, type DepositEnvelope, type ImportCounts, type Store, type StoreWriter } from '../../store/store.js';
import { finishSummary, newSummary, type ImportSummary } from '../summary.js';
import type { ProgressCallback } from '../jsonl.js';
import { DepositInput, InputError } from './input.js';
import { MappingError, mapContact, mapDelete, mapDomain, mapHeader, mapHost, mapRegistrar, utcTime, type Skipped } from './map.js';
import { NS, qualifiedName } from './namespaces.js';
import { DepositParseError, DepositParser, type DepositEvent, type XmlNode } from './parse.js';

export interface DepositImportOptions {
  /** The TLDs the configuration serves (registry.tlds); a deposit for another is refused. */
  tlds: string[];
  /** Apply a DIFF/INCR whose prevId does not follow the last deposit (or an older watermark). */
  force?: boolean;
  dryRun?: boolean;
  onProgress?: ProgressCallback;
}

/** A deposit that cannot be imported; the message names the reason and, where there is one, the position. */
export class DepositImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DepositImportError';
  }
}

/** How many refused objects the error lists (all are counted). */
const LISTED_REFUSALS = 10;

const OBJECT_URIS: Record<ObjectKind, string> = { registrar: NS.registrar, contact: NS.contact, host: NS.host, domain: NS.domain };

const MAPPERS: Record<string, { kind: ObjectKind; local: string; map: (node: XmlNode, skipped: Skipped) => RegistryObject }> = {
  [NS.domain]: { kind: 'domain', local: 'domain', map: mapDomain },
  [NS.host]: { kind: 'host', local: 'host', map: mapHost },
  [NS.contact]: { kind: 'contact', local: 'contact', map: mapContact },
  [NS.registrar]: { kind: 'registrar', local: 'registrar', map: mapRegistrar },
};

/** The key an object's XML gives, for naming a refused object before it could be mapped. */
function xmlKey(node: XmlNode): string {
  const child = node.children.find((c) => c.uri === node.uri && (c.local === 'name' || c.local === 'id'));
  return child?.text.trim() ?? '?';
}

const DEPOSIT_TYPES = new Set(['FULL', 'DIFF', 'INCR']);

/** Imports one deposit from its files (in order), all or nothing. */
export async function importDeposit(store: Store, files: string[], opts: DepositImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary = newSummary(files, 'rde', opts.dryRun ?? false);
  const input = await DepositInput.open(files);
  const parser = new DepositParser();
  const refusals: string[] = [];
  /** Elements of object types rdds does not keep (IDN tables, NNDN, EPP parameters), by namespace. */
  const otherObjects = new Map<string, number>();
  let envelope: { type: DepositEnvelope['type']; id: string; prevId?: string; at: string } | undefined;
  let watermark: string | undefined;
  let header: { tld: string; counts: Map<string, number>; at: string } | undefined;
  let objects = 0;

  const skip = (names: Skipped) => {
    for (const name of names) summary.skipped[name] = (summary.skipped[name] ?? 0) + 1;
  };
  const refuse = (kind: ObjectKind, key: string, at: string, reason: string) => {
    summary.refused[kind]++;
    if (refusals.length < LISTED_REFUSALS) refusals.push(`${describeObject(kind, key, at)}: ${reason}`);
  };
  const deposit = (): DepositEnvelope => ({ tld: header!.tld, type: envelope!.type, id: envelope!.id, prevId: envelope!.prevId, watermark: watermark! });

  const apply = async (w: StoreWriter, e: DepositEvent): Promise<void> => {
    switch (e.type) {
      case 'envelope':
        if (!DEPOSIT_TYPES.has(e.depositType)) throw new DepositImportError(`${e.at}: rde:deposit type is ${JSON.stringify(e.depositType)}, not FULL, DIFF or INCR`);
        if (!/^\w{1,13}$/.test(e.id)) throw new DepositImportError(`${e.at}: rde:deposit id ${JSON.stringify(e.id)} is not a deposit id (1-13 letters, digits or _)`);
        envelope = { type: e.depositType as DepositEnvelope['type'], id: e.id, prevId: e.prevId, at: e.at };
        summary.deposit = { tld: '', type: envelope.type, id: e.id, prevId: e.prevId, watermark: '' };
        return;
      case 'watermark':
        try {
          watermark = utcTime('rde:watermark', e.value);
        } catch (err) {
          throw new DepositImportError(`${e.at}: ${(err as Error).message}`);
        }
        return;
      case 'skipped':
        skip([e.name]);
        return;
      case 'delete': {
        const skipped: Skipped = [];
        try {
          for (const target of mapDelete(e.node, skipped)) await w.remove(target, e.at);
        } catch (err) {
          if (err instanceof ValidationError) throw new DepositImportError(`${e.at}: ${qualifiedName(e.node.uri, e.node.local)}: ${err.message}`);
          throw err;
        }
        skip(skipped);
        return;
      }
      case 'object':
        break;
    }
    const node = e.node;
    if (node.uri === NS.header && node.local === 'header') {
      if (header) throw new DepositImportError(`${e.at}: a second rdeHeader:header (the first is at ${header.at})`);
      const skipped: Skipped = [];
      try {
        header = { ...mapHeader(node, skipped), at: e.at };
      } catch (err) {
        throw new DepositImportError(`${e.at}: ${(err as Error).message}`);
      }
      skip(skipped);
      if (!opts.tlds.includes(header.tld)) {
        throw new DepositImportError(`${e.at}: the deposit is for .${header.tld}, which this configuration does not serve (registry.tlds: ${opts.tlds.join(', ')})`);
      }
      if (!envelope || !watermark) throw new DepositImportError(`${e.at}: rdeHeader:header before the deposit's rde:watermark`);
      summary.deposit = deposit();
      await w.checkDeposit(deposit(), opts.force ?? false);
      return;
    }
    const mapper = MAPPERS[node.uri];
    if (!mapper || mapper.local !== node.local) {
      skip([qualifiedName(node.uri, node.local)]);
      otherObjects.set(node.uri, (otherObjects.get(node.uri) ?? 0) + 1);
      return;
    }
    summary.read[mapper.kind]++;
    const skipped: Skipped = [];
    let obj: RegistryObject;
    try {
      obj = mapper.map(node, skipped);
    } catch (err) {
      if (!(err instanceof MappingError)) throw err;
      refuse(mapper.kind, xmlKey(node), e.at, err.message);
      return;
    }
    skip(skipped);
    try {
      // Once an object is refused the import fails anyway: the rest is only checked, to name every refusal.
      if (refusals.length) validate(obj);
      else await w.put(obj, e.at);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      refuse(mapper.kind, keyOf(obj), e.at, err.message);
    }
  };

  try {
    const tx = await store.transaction(
      async (w) => {
        for await (const chunk of input.chunks()) {
          for (const e of parser.write(chunk)) {
            await apply(w, e);
            if (e.type === 'object') objects++;
          }
          opts.onProgress?.(objects, input.bytesRead, input.totalBytes);
        }
        for (const e of parser.end()) await apply(w, e);
        if (refusals.length) {
          const total = Object.values(summary.refused).reduce((a, b) => a + b, 0);
          const more = total > refusals.length ? `\n  ... and ${total - refusals.length} more` : '';
          throw new DepositImportError(`${total} object${total === 1 ? '' : 's'} refused, nothing imported:\n  ${refusals.join('\n  ')}${more}`);
        }
        if (!envelope) throw new DepositImportError(`${files[0]}: not an RDE deposit`);
        if (!header) throw new DepositImportError(`${files[0]}: the deposit has no rdeHeader:header (it names the TLD and counts the objects)`);
        const totals = await w.finishDeposit(deposit(), opts.force ?? false);
        checkCounts(header, totals, otherObjects, envelope.type);
      },
      { deposit: true, dryRun: opts.dryRun },
    );
    opts.onProgress?.(objects, input.bytesRead, input.totalBytes);
    return finishSummary(summary, tx, started);
  } catch (err) {
    throw asDepositError(err);
  }
}

/**
 * The header counts the objects of each type in the registry at the watermark, whatever the
 * deposit type (RFC 9022): compared with the TLD's objects after the deposit is applied. Types
 * rdds does not keep can only be counted in a FULL deposit, where they are all present.
 */
function checkCounts(header: { tld: string; counts: Map<string, number>; at: string }, totals: ImportCounts, others: Map<string, number>, type: DepositEnvelope['type']): void {
  const wrong: string[] = [];
  for (const [kind, uri] of Object.entries(OBJECT_URIS) as [ObjectKind, string][]) {
    const counted = header.counts.get(uri);
    if (counted !== undefined && counted !== totals[kind]) wrong.push(`${counted} ${kind} objects (${uri}), but .${header.tld} has ${totals[kind]} after the deposit`);
  }
  if (type === 'FULL') {
    for (const [uri, counted] of header.counts) {
      if (Object.values(OBJECT_URIS).includes(uri) || uri === NS.header) continue;
      const read = others.get(uri) ?? 0;
      if (counted !== read) wrong.push(`${counted} objects of ${uri}, but the deposit holds ${read}`);
    }
  }
  if (wrong.length) throw new DepositImportError(`${header.at}: the header counts do not match, nothing imported: it counts ${wrong.join('; ')}`);
}

function asDepositError(err: unknown): Error {
  if (err instanceof DepositImportError || err instanceof InputError) return err;
  if (err instanceof DepositParseError) return new DepositImportError(err.message);
  if (err instanceof MissingReferenceError || err instanceof StoreRefusal || err instanceof ValidationError) return new DepositImportError(`${err.message}; nothing imported`);
  return err as Error;
}
