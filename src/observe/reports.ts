// Reports from the query log: the operator's daily report and ICANN's monthly Registry Functions
// Activity Report (registry agreement Specification 3; spec digest ../shared/spec/whois-text.md §11).
import { DOORS, type Door } from '../policy/policy.js';
import { readDay, type CountRow, type DayLog } from './daily-counts.js';
import type { Outcome } from '../resolution.js';

export type OutcomeCounts = Record<Outcome, number> & { total: number };

/**
 * The fields of the Registry Functions Activity Report, in the agreement's order. rdds knows only
 * the four RDDS counters; `rdap-queries` was added as the last column by the 2023 RDAP amendments.
 */
export const ACTIVITY_FIELDS = [
  'operational-registrars',
  'zfa-passwords',
  'whois-43-queries',
  'web-whois-queries',
  'searchable-whois-queries',
  'dns-udp-queries-received',
  'dns-udp-queries-responded',
  'dns-tcp-queries-received',
  'dns-tcp-queries-responded',
  'srs-dom-check',
  'srs-dom-create',
  'srs-dom-delete',
  'srs-dom-info',
  'srs-dom-renew',
  'srs-dom-rgp-restore-report',
  'srs-dom-rgp-restore-request',
  'srs-dom-transfer-approve',
  'srs-dom-transfer-cancel',
  'srs-dom-transfer-query',
  'srs-dom-transfer-reject',
  'srs-dom-transfer-request',
  'srs-dom-update',
  'srs-host-check',
  'srs-host-create',
  'srs-host-delete',
  'srs-host-info',
  'srs-host-update',
  'srs-cont-check',
  'srs-cont-create',
  'srs-cont-delete',
  'srs-cont-info',
  'srs-cont-transfer-approve',
  'srs-cont-transfer-cancel',
  'srs-cont-transfer-query',
  'srs-cont-transfer-reject',
  'srs-cont-transfer-request',
  'srs-cont-update',
  'rdap-queries',
] as const;

/** The RDDS field of the activity report each door's queries count toward. */
export const DOOR_FIELDS: Record<Door, (typeof ACTIVITY_FIELDS)[number]> = {
  whois: 'whois-43-queries',
  web: 'web-whois-queries',
  search: 'searchable-whois-queries',
  rdap: 'rdap-queries',
  // The gateway service is WHOIS over TCP on its own port: its queries are port-43 queries.
  gateway: 'whois-43-queries',
};

/**
 * Which queries the agreement's "queries responded" counts: every query the service answered in
 * its protocol's own form, with data, a "no match", or a "bad query" message. Not counted: queries
 * refused by abuse protection (rate limit, ban, blocklist: the query was not served), queries
 * this client may not run (a search by a tier without search access, a captcha not solved),
 * temporary failures (the store out of reach) and internal errors (no answer to the question was given). The operator reports show every outcome, so the
 * other reading can be recomputed from them.
 */
export const RESPONDED: readonly Outcome[] = ['answered', 'not-found', 'bad-query'];

function zeroOutcomes(): OutcomeCounts {
  return { answered: 0, 'not-found': 0, refused: 0, forbidden: 0, 'bad-query': 0, unavailable: 0, error: 0, total: 0 };
}

// ---------------------------------------------------------------------------------------------
// Daily report

export interface ClientLine {
  clientKey: string;
  total: number;
  answered: number;
  notFound: number;
  badQuery: number;
  refused: number;
  /** Refusals because the client was banned. */
  banned: number;
  /** Queries this client may not run (authorization). */
  forbidden: number;
  /** Queries that met a temporary failure (the store out of reach). */
  unavailable: number;
  error: number;
  /** Unredacted personal records returned. */
  personal: number;
  doors: Record<Door, number>;
}

export interface DailyReport {
  date: string;
  source: DayLog['source'];
  total: number;
  dropped: number;
  malformed: number;
  doors: Record<Door, OutcomeCounts>;
  refusals: Record<string, number>;
  /** Every client key, most queries first (empty once the records are past retention). */
  clients: ClientLine[];
  topTalkers: ClientLine[];
}

function doorTable(rows: CountRow[]): Record<Door, OutcomeCounts> {
  const doors = Object.fromEntries(DOORS.map((d) => [d, zeroOutcomes()])) as Record<Door, OutcomeCounts>;
  for (const row of rows) {
    const counts = (doors[row.door] ??= zeroOutcomes());
    counts[row.outcome] += row.count;
    counts.total += row.count;
  }
  return doors;
}

export function dailyReport(dir: string, date: string, top = 10): DailyReport {
  const clients = new Map<string, ClientLine>();
  const day = readDay(dir, date, (r) => {
    let c = clients.get(r.clientKey);
    if (!c) {
      c = { clientKey: r.clientKey, total: 0, answered: 0, notFound: 0, badQuery: 0, refused: 0, banned: 0, forbidden: 0, unavailable: 0, error: 0, personal: 0, doors: { whois: 0, web: 0, search: 0, rdap: 0, gateway: 0 } };
      clients.set(r.clientKey, c);
    }
    c.total++;
    c.doors[r.door] = (c.doors[r.door] ?? 0) + 1;
    c.personal += r.personal || 0;
    switch (r.outcome) {
      case 'answered': c.answered++; break;
      case 'not-found': c.notFound++; break;
      case 'bad-query': c.badQuery++; break;
      case 'error': c.error++; break;
      case 'forbidden': c.forbidden++; break;
      case 'unavailable': c.unavailable++; break;
      case 'refused':
        c.refused++;
        if (r.reason === 'banned') c.banned++;
        break;
    }
  });
  const doors = doorTable(day.rows);
  const refusals: Record<string, number> = {};
  for (const row of day.rows) if (row.outcome === 'refused') refusals[row.reason || 'unspecified'] = (refusals[row.reason || 'unspecified'] ?? 0) + row.count;
  const sorted = [...clients.values()].sort((a, b) => b.total - a.total || a.clientKey.localeCompare(b.clientKey));
  const total = day.rows.reduce((n, r) => n + r.count, 0);
  return { date, source: day.source, total, dropped: day.dropped, malformed: day.malformed, doors, refusals, clients: sorted, topTalkers: sorted.slice(0, top) };
}

// ---------------------------------------------------------------------------------------------
// Monthly report

export interface MonthlyReport {
  tld: string;
  month: string; // YYYY-MM
  /** The name ICANN expects: <tld>-activity-<yyyymm>.csv (A-label for an IDN TLD). */
  fileName: string;
  /** The four RDDS fields of the activity report. */
  fields: Record<string, number>;
  doors: Record<Door, OutcomeCounts & { responded: number }>;
  dropped: number;
  malformed: number;
  /** Days of the month read from records, from aggregates, and with no query log data at all. */
  days: { records: number; aggregates: number; missing: string[] };
}

export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number);
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/**
 * Counts the month's queries for one TLD. A query that names a domain or host in a TLD counts for
 * that TLD; a query that names no TLD this registry serves (registrar and IP address look-ups,
 * help, bad and refused queries) concerns the whole service and counts for every TLD it serves.
 */
export function monthlyReport(dir: string, month: string, tld: string, servedTlds: readonly string[], today = new Date().toISOString().slice(0, 10)): MonthlyReport {
  const served = new Set(servedTlds);
  const rows: CountRow[] = [];
  const days = { records: 0, aggregates: 0, missing: [] as string[] };
  let dropped = 0;
  let malformed = 0;
  for (const date of daysOfMonth(month)) {
    if (date > today) break;
    const day = readDay(dir, date);
    if (day.source === 'records') days.records++;
    else if (day.source === 'aggregate') days.aggregates++;
    else days.missing.push(date);
    dropped += day.dropped;
    malformed += day.malformed;
    for (const row of day.rows) if (row.tld === tld || !served.has(row.tld)) rows.push(row);
  }
  const base = doorTable(rows);
  const doors = Object.fromEntries(
    DOORS.map((d) => [d, { ...base[d], responded: RESPONDED.reduce((n, o) => n + base[d][o], 0) }]),
  ) as MonthlyReport['doors'];
  const fields: Record<string, number> = {};
  for (const d of DOORS) fields[DOOR_FIELDS[d]] = (fields[DOOR_FIELDS[d]] ?? 0) + doors[d].responded;
  return { tld, month, fileName: `${tld}-activity-${month.replace('-', '')}.csv`, fields, doors, dropped, malformed, days };
}

// ---------------------------------------------------------------------------------------------
// Output

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 text: CRLF after every record, the header first. */
export function csvText(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

/**
 * The activity report file as ICANN expects it: the header line with every field of the report
 * in the agreement's order, then one line of values. rdds fills the RDDS fields; the others (SRS,
 * DNS, registrars, zone file access) are left empty for the registry to fill from its other
 * systems before submission: the agreement asks for one file with all the fields, and an empty
 * field is visibly "not filled" where a 0 would be a false count.
 */
export function activityCsv(report: MonthlyReport): string {
  return csvText(ACTIVITY_FIELDS, [ACTIVITY_FIELDS.map((f) => (f in report.fields ? report.fields[f] : ''))]);
}

export type ReportFormat = 'text' | 'csv' | 'json';

const outcomeHeader = ['answered', 'not-found', 'bad-query', 'refused', 'forbidden', 'unavailable', 'error', 'total'] as const;

export function formatDaily(report: DailyReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'csv') {
    return csvText(
      ['client_key', 'total', 'answered', 'not_found', 'bad_query', 'refused', 'banned', 'forbidden', 'unavailable', 'error', 'personal', ...DOORS],
      report.clients.map((c) => [c.clientKey, c.total, c.answered, c.notFound, c.badQuery, c.refused, c.banned, c.forbidden, c.unavailable, c.error, c.personal, ...DOORS.map((d) => c.doors[d] ?? 0)]),
    );
  }
  const lines: string[] = [];
  lines.push(`rdds daily report for ${report.date} (UTC)`);
  if (report.source === 'none') lines.push('  no query log data for this day');
  if (report.source === 'aggregate') lines.push('  records past retention: daily counts only, no per-client figures');
  if (report.dropped > 0) lines.push(`  WARNING: ${report.dropped} records were dropped by the query log; counts are lower bounds`);
  if (report.malformed > 0) lines.push(`  WARNING: ${report.malformed} unreadable lines skipped`);
  lines.push(`  total queries: ${report.total}`, '', 'per door:');
  lines.push('  ' + ['door'.padEnd(8), ...outcomeHeader.map((h) => h.padStart(10))].join(''));
  for (const d of DOORS) lines.push('  ' + [d.padEnd(8), ...outcomeHeader.map((h) => String(report.doors[d][h]).padStart(10))].join(''));
  lines.push('', 'refusals by reason:');
  const reasons = Object.entries(report.refusals);
  if (reasons.length === 0) lines.push('  none');
  for (const [reason, n] of reasons) lines.push(`  ${reason.padEnd(22)}${String(n).padStart(8)}`);
  if (report.source === 'records') {
    lines.push('', `top talkers (${report.topTalkers.length} of ${report.clients.length} client keys):`);
    lines.push('  ' + ['client key'.padEnd(42), 'total', 'refused', 'banned', 'bad', 'personal'].map((h, i) => (i === 0 ? h : h.padStart(9))).join(''));
    for (const c of report.topTalkers) {
      lines.push('  ' + [c.clientKey.padEnd(42), ...[c.total, c.refused, c.banned, c.badQuery, c.personal].map((n) => String(n).padStart(9))].join(''));
    }
  }
  return lines.join('\n') + '\n';
}

export function formatMonthly(report: MonthlyReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'csv') {
    return csvText(
      ['door', 'field', 'responded', ...outcomeHeader],
      DOORS.map((d) => [d, DOOR_FIELDS[d], report.doors[d].responded, ...outcomeHeader.map((h) => report.doors[d][h])]),
    );
  }
  const lines = [`rdds monthly activity (RDDS fields) for .${report.tld}, ${report.month} (UTC)`, `  ICANN file: ${report.fileName}`, ''];
  for (const d of DOORS) lines.push(`  ${DOOR_FIELDS[d].padEnd(26)}${String(report.doors[d].responded).padStart(10)}`);
  lines.push('', `  "responded" counts ${RESPONDED.join(', ')}; refused and error are not counted.`);
  lines.push(`  days read from records: ${report.days.records}, from daily aggregates: ${report.days.aggregates}, without data: ${report.days.missing.length}`);
  if (report.days.missing.length > 0) lines.push(`  WARNING: no query log data for ${report.days.missing.join(', ')}`);
  if (report.dropped > 0) lines.push(`  WARNING: ${report.dropped} records were dropped by the query log; counts are lower bounds`);
  if (report.malformed > 0) lines.push(`  WARNING: ${report.malformed} unreadable lines skipped`);
  return lines.join('\n') + '\n';
}
