// `rdds report daily|monthly`: the operator's reports and ICANN's monthly activity report, read
// from the query log directory (log.dir, or --log-dir).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Config } from '../config.js';
import { normalizeName } from '../model/idn.js';
import { activityCsv, dailyReport, formatDaily, formatMonthly, monthlyReport, type ReportFormat } from './reports.js';

export class ReportError extends Error {}

function output(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

/** Adds the `report` command; `config` loads the configuration from the command's options. */
export function reportCommand(config: (opts: { config?: string; db?: string }) => Config): Command {
  const report = new Command('report').description('reports from the query log: the daily operator report, the ICANN monthly activity report');
  const common = (cmd: Command) =>
    cmd
      .addOption(new Option('--config <file>', 'YAML configuration file (RDDS_CONFIG)').env('RDDS_CONFIG'))
      .option('--log-dir <dir>', 'query log directory (default: log.dir of the configuration)')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'csv', 'json']).default('text'))
      .option('--out <file>', 'write the report to this file instead of standard output');

  common(
    report
      .command('daily')
      .description('queries of one UTC day: per door, refusals, per client key with refusals and bans, top talkers')
      .requiredOption('--date <YYYY-MM-DD>', 'the UTC day')
      .option('--top <n>', 'number of top talkers', '10'),
  ).action((opts) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || Number.isNaN(Date.parse(opts.date))) throw new ReportError(`--date must be YYYY-MM-DD, not ${opts.date}`);
    const top = Number(opts.top);
    if (!Number.isSafeInteger(top) || top < 0) throw new ReportError(`--top must be a whole number, not ${opts.top}`);
    const cfg = config(opts);
    output(formatDaily(dailyReport(opts.logDir ?? cfg.log.dir, opts.date, top), opts.format as ReportFormat), opts.out);
  });

  common(
    report
      .command('monthly')
      .description(`the RDDS fields of ICANN's monthly Registry Functions Activity Report; writes <tld>-activity-<yyyymm>.csv`)
      .requiredOption('--month <YYYY-MM>', 'the UTC month')
      .requiredOption('--tld <tld>', 'the TLD (U-label or A-label; the file is named with the A-label)')
      .option('--dir <dir>', 'directory for the ICANN CSV file', '.')
      .option('--no-icann-file', 'do not write the ICANN CSV file, only the operator output'),
  ).action((opts) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(opts.month)) throw new ReportError(`--month must be YYYY-MM, not ${opts.month}`);
    // normalizeName wants a host name: give the label a first label to stand under.
    const tld = normalizeName('x.' + String(opts.tld).replace(/^\./, ''))?.aLabel.slice(2);
    if (!tld || tld.includes('.')) throw new ReportError(`--tld must be one top-level domain label, not ${opts.tld}`);
    const cfg = config(opts);
    if (!cfg.registry.tlds.includes(tld)) process.stderr.write(`rdds: warning: .${tld} is not among the configured TLDs (${cfg.registry.tlds.join(', ')})\n`);
    const rep = monthlyReport(opts.logDir ?? cfg.log.dir, opts.month, tld, cfg.registry.tlds);
    if (opts.icannFile !== false) {
      const path = join(opts.dir, rep.fileName);
      writeFileSync(path, activityCsv(rep));
      process.stderr.write(`rdds: wrote ${path}\n`);
    }
    output(formatMonthly(rep, opts.format as ReportFormat), opts.out);
  });
  return report;
}
