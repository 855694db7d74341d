// `rdds import FILE... [--dry-run] [--json] [--force]` and `rdds rollback`: the files sorted into
// imports (JSON Lines files one by one, each RDE deposit with its pieces), progress on a terminal,
// a summary per import (or all of them as JSON), and the registrars left without an abuse contact.
import { ValidationError } from '../model/validate.js';
import { StoreRefusal, type Store } from '../store/store.js';
import { ImportError, importJsonLinesFile, progressReporter } from './jsonl.js';
import { DepositImportError, importDeposit } from './rde/import.js';
import { importGroups, InputError } from './rde/input.js';
import { abuseContactWarning, formatSummary, type ImportSummary } from './summary.js';

/** A failed import or rollback, as one line for the operator. */
export class ImportCommandError extends Error {}

export interface ImportCommandOptions {
  tlds: string[];
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

const KNOWN = [ImportError, DepositImportError, InputError, StoreRefusal, ValidationError];

export async function importCommand(store: Store, files: string[], opts: ImportCommandOptions): Promise<void> {
  const summaries: ImportSummary[] = [];
  try {
    for (const group of await importGroups(files)) {
      const progress = progressReporter(process.stderr, { unit: 'objects', bytes: true });
      try {
        const summary =
          group.format === 'rde'
            ? await importDeposit(store, group.files, { tlds: opts.tlds, force: opts.force, dryRun: opts.dryRun, onProgress: progress })
            : await importJsonLinesFile(store, group.file, { dryRun: opts.dryRun, onProgress: progress });
        summaries.push(summary);
        if (!opts.json) console.log(formatSummary(summary));
      } finally {
        progress.finish();
      }
    }
  } catch (err) {
    if (!KNOWN.some((k) => err instanceof k)) throw err;
    if (opts.json) console.log(JSON.stringify({ ok: false, error: (err as Error).message, imports: summaries }, null, 2));
    throw new ImportCommandError((err as Error).message);
  }
  const warnings = [...emptyImportWarnings(summaries), ...(await abuseContactWarnings(store, summaries, opts.dryRun ?? false))];
  if (opts.json) console.log(JSON.stringify({ ok: true, imports: summaries, warnings }, null, 2));
  else for (const w of warnings) console.error(`rdds: warning: ${w}`);
}

/**
 * A JSON Lines file that held nothing (empty, only blank lines, the wrong file): it changed nothing,
 * and says so. (A deposit without objects is a DIFF of a quiet day: no warning.)
 */
function emptyImportWarnings(summaries: ImportSummary[]): string[] {
  const total = (counts: ImportSummary['read']) => Object.values(counts).reduce((a, b) => a + b, 0);
  return summaries.filter((s) => s.format === 'jsonl' && total(s.read) === 0 && total(s.removed) === 0).map((s) => `${s.files.join(' + ')} holds no objects: nothing was imported`);
}

/**
 * The registrars an import left without an abuse contact, after all the files: a JSON Lines file
 * after a deposit may have given it (after a dry run nothing was stored: each import's own list).
 */
async function abuseContactWarnings(store: Store, summaries: ImportSummary[], dryRun: boolean): Promise<string[]> {
  const ids = [...new Set(summaries.flatMap((s) => s.incompleteRegistrars))].sort((a, b) => a - b);
  const warnings: string[] = [];
  for (const id of ids) {
    if (dryRun) warnings.push(abuseContactWarning(id));
    else {
      const r = await store.getRegistrar(id);
      if (r && (r.abuseEmail === '' || r.abusePhone === '')) warnings.push(abuseContactWarning(id, r.name));
    }
  }
  return warnings;
}

export async function rollbackCommand(store: Store): Promise<string> {
  const restored = await store.rollback();
  if (restored === undefined) throw new ImportCommandError('nothing to roll back: there was no import since the last rollback');
  const v = await store.dataVersion();
  return `restored ${restored} object${restored === 1 ? '' : 's'} to what they were before the last import (data version ${v.serial}, data time ${v.updatedAt})`;
}
