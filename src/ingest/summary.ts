// What an import reports when it ends (the `rdds import` summary, also as JSON with --json).
import type { ObjectKind } from '../model/types.js';
import { emptyCounts, type DepositEnvelope, type ImportCounts, type TransactionSummary } from '../store/store.js';

export interface ImportSummary {
  files: string[];
  format: 'jsonl' | 'rde';
  deposit?: DepositEnvelope;
  dryRun: boolean;
  /** Objects read from the files, per kind. */
  read: ImportCounts;
  /** Of those, written because new or changed (the others equal the stored objects). */
  stored: ImportCounts;
  /** Refused by validation (the import then stores nothing). */
  refused: ImportCounts;
  /** Removed: deletions in the files, and what a FULL deposit no longer has. */
  removed: ImportCounts;
  /** Elements rdds does not use, by qualified name (RDE only). */
  skipped: Record<string, number>;
  /** IANA IDs of registrars this import left without an abuse e-mail or phone. */
  incompleteRegistrars: number[];
  warnings: string[];
  /** The data version after the import (unchanged after a dry run). */
  serial: number;
  seconds: number;
  peakRssBytes: number;
}

export function newSummary(files: string[], format: ImportSummary['format'], dryRun: boolean): ImportSummary {
  return { files, format, dryRun, read: emptyCounts(), stored: emptyCounts(), refused: emptyCounts(), removed: emptyCounts(), skipped: {}, incompleteRegistrars: [], warnings: [], serial: 0, seconds: 0, peakRssBytes: 0 };
}

/** Fills in what the store reports of the committed (or dry-run) transaction. */
export function finishSummary(summary: ImportSummary, tx: TransactionSummary<unknown>, started: number): ImportSummary {
  summary.stored = tx.written;
  summary.removed = tx.removed;
  summary.serial = tx.serial;
  summary.incompleteRegistrars = tx.incompleteRegistrars;
  for (const ianaId of tx.incompleteRegistrars) summary.warnings.push(abuseContactWarning(ianaId));
  summary.seconds = (performance.now() - started) / 1000;
  summary.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return summary;
}

export function abuseContactWarning(ianaId: number, name?: string): string {
  return `registrar ${ianaId}${name ? ` (${name})` : ''} has no abuse contact (e-mail and phone): import them from a JSON Lines registrar line (docs/rde.md)`;
}

const KIND_NAMES: Record<ObjectKind, string> = { registrar: 'registrars', contact: 'contacts', host: 'hosts', domain: 'domains' };

/** The summary as lines for a terminal. */
export function formatSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const what = s.deposit ? `${s.deposit.type} deposit ${s.deposit.id} of .${s.deposit.tld} (watermark ${s.deposit.watermark})` : 'JSON Lines';
  lines.push(`${s.files.join(' + ')}: ${s.dryRun ? 'checked (dry run, nothing stored)' : 'imported'} ${what}`);
  for (const kind of ['registrar', 'contact', 'host', 'domain'] as const) {
    lines.push(`  ${KIND_NAMES[kind].padEnd(10)} read ${s.read[kind]}, stored ${s.stored[kind]}, unchanged ${s.read[kind] - s.stored[kind] - s.refused[kind]}, removed ${s.removed[kind]}, refused ${s.refused[kind]}`);
  }
  const skipped = Object.entries(s.skipped).sort(([a], [b]) => a.localeCompare(b));
  if (skipped.length) lines.push(`  skipped (not used by rdds): ${skipped.map(([name, n]) => `${name} ${n}`).join(', ')}`);
  lines.push(`  ${s.seconds.toFixed(1)} s, peak memory ${(s.peakRssBytes / 1e6).toFixed(0)} MB, data version ${s.serial}`);
  return lines.join('\n');
}
