// `rdds report daily|monthly`: the operator's reports and ICANN's monthly activity report, read
// from the query log directory (log.dir, or --log-dir); `rdds report accuracy`: the WHOIS
// accuracy report, read from the registration data (src/observe/accuracy.ts).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, type Config } from '../config.js';
import { normalizeName } from '../model/idn.js';
import { openStore } from '../store/open.js';
import { AccuracyError, accuracyCsv, accuracyReport, accuracySummary, accuracyText } from './accuracy.js';
import { gatewayReport, gatewayReportCsv, gatewayReportText } from './gateway-report.js';
import { activityCsv, dailyReport, formatDaily, formatMonthly, monthlyReport, type ReportFormat } from './reports.js';

export class ReportError extends Error {}

function output(text: string, out: string | undefined): void {
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

/** Adds the `report` command; `config` loads the configuration from the command's options. */
export function reportCommand(config: (opts: { config?: string; db?: string }) => Config): Command {
  const report = new Command('report').description('reports: the daily operator report and the ICANN monthly activity report (query log), the WHOIS accuracy report (registration data)');
  const common = (cmd: Command) =>
    cmd
      .addOption(new Option('--config <file>', 'YAML configuration file').env('RDDS_CONFIG'))
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
      .command('gateways')
      .description('per registered gateway, the queries of one UTC day answered and the bad ones by reason')
      .requiredOption('--date <YYYY-MM-DD>', 'the UTC day')
      .option('--csv', 'CSV (RFC 4180) instead of a table (the same as --format csv)'),
  ).action((opts) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || Number.isNaN(Date.parse(opts.date))) throw new ReportError(`--date must be YYYY-MM-DD, not ${opts.date}`);
    const cfg = config(opts);
    const rep = gatewayReport(opts.logDir ?? cfg.log.dir, opts.date);
    const format = opts.csv ? 'csv' : opts.format;
    output(format === 'csv' ? gatewayReportCsv(rep) : format === 'json' ? `${JSON.stringify(rep)}\n` : gatewayReportText(rep), opts.out);
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
  report
    .command('accuracy')
    .description('WHOIS accuracy report: checks the format of every contact\'s e-mail, telephone and postal address (2013 RAA WHOIS Accuracy Program Specification)')
    .addOption(new Option('--config <file>', 'YAML configuration file (RDDS_CONFIG)').env('RDDS_CONFIG'))
    .option('--db <path|url>', 'SQLite file path or postgres:// URL (default: db of the configuration)')
    .option('--domain <name>', 'check only the contacts of this domain (A-label or U-label)')
    .option('--csv', 'write the failures as RFC 4180 CSV (the summary goes to standard error)')
    .option('--out <file>', 'write the report to this file instead of standard output')
    .addHelpText('after', ACCURACY_HELP)
    // Bad flags are bad usage: exit status 2, not commander's 1 (which here means "some contacts fail").
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .action(async (opts) => {
      try {
        process.exitCode = await accuracyCommand(config(opts), opts);
      } catch (err) {
        if (!(err instanceof AccuracyError || err instanceof ConfigError)) throw err;
        process.stderr.write(`rdds: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
  return report;
}

const ACCURACY_HELP = `
Checks (docs/accuracy.md has the rules and their sources): e-mail per RFC 5322 with a valid host
name after the @; telephone and fax as +CC.NUMBER with a real country calling code and a number
valid in that country's numbering plan; postal address complete for its country (required fields
and postal code pattern from Google's address metadata) with an ISO 3166-1 country code.

Exit status: 0 when every contact checked passes, 1 when some fail, 2 for bad usage (an unknown
flag, a bad configuration, a --db that does not exist, a --domain that is not in the database).`;

/** Runs the accuracy report; returns the exit status (0 all pass, 1 some fail). */
async function accuracyCommand(cfg: Config, opts: { domain?: string; csv?: boolean; out?: string }): Promise<number> {
  // Opening a SQLite path that does not exist would create an empty database and report it clean.
  if (!/^postgres(ql)?:\/\//.test(cfg.db) && !existsSync(cfg.db)) throw new AccuracyError(`--db: no database at ${cfg.db}`);
  const store = await openStore(cfg.db, { migrate: false }); // a report only reads
  try {
    const report = await accuracyReport(store, { domain: opts.domain });
    output(opts.csv ? accuracyCsv(report) : accuracyText(report), opts.out);
    if (opts.csv || opts.out) process.stderr.write(`rdds: ${accuracySummary(report)}\n`);
    return report.failing > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
