// `rdds report gateways --date YYYY-MM-DD`: per registered gateway, the queries of one UTC day
// answered and the bad ones by reason (the WHOIS2 contract's list), so the operator can ask a
// gateway's operator to mend its client. Read from the query log (records, or the day's counts
// once the records are past retention).
import { readDay } from './daily-counts.js';
import { GATEWAY_FAULTS, type GatewayBadReason } from './query-record.js';
import { csvText } from './reports.js';

export interface GatewayLine {
  gateway: string;
  /** Every query of the gateway that day (the gateway door, and its lines sent to port 43). */
  queries: number;
  /** Answered with data or "not found". */
  answered: number;
  bad: Record<GatewayBadReason, number>;
  badTotal: number;
}

export interface GatewayReport {
  date: string;
  source: 'records' | 'aggregate' | 'none';
  gateways: GatewayLine[];
}

export function gatewayReport(dir: string, date: string): GatewayReport {
  const day = readDay(dir, date);
  const byName = new Map<string, GatewayLine>();
  for (const row of day.rows) {
    if (row.gateway === undefined) continue;
    let line = byName.get(row.gateway);
    if (!line) {
      line = { gateway: row.gateway, queries: 0, answered: 0, bad: Object.fromEntries(GATEWAY_FAULTS.map((f) => [f, 0])) as Record<GatewayBadReason, number>, badTotal: 0 };
      byName.set(row.gateway, line);
    }
    line.queries += row.count;
    if (row.outcome === 'answered' || row.outcome === 'not-found') line.answered += row.count;
    if (row.fault !== undefined) {
      line.bad[row.fault] += row.count;
      line.badTotal += row.count;
    }
  }
  return { date, source: day.source, gateways: [...byName.values()].sort((a, b) => a.gateway.localeCompare(b.gateway)) };
}

export function gatewayReportCsv(report: GatewayReport): string {
  return csvText(
    ['gateway', 'queries', 'answered', 'bad', ...GATEWAY_FAULTS],
    report.gateways.map((g) => [g.gateway, g.queries, g.answered, g.badTotal, ...GATEWAY_FAULTS.map((f) => g.bad[f])]),
  );
}

export function gatewayReportText(report: GatewayReport): string {
  const lines = [`Gateway queries on ${report.date} (${report.source === 'none' ? 'no query log data for this day' : `from the query log ${report.source}`})`, ''];
  if (report.gateways.length === 0) return `${lines.join('\n')}no gateway queries\n`;
  const head = ['gateway', 'queries', 'answered', 'bad'];
  const width = Math.max(7, ...report.gateways.map((g) => g.gateway.length));
  lines.push(`  ${head[0].padEnd(width)}${head.slice(1).map((h) => h.padStart(10)).join('')}`);
  for (const g of report.gateways) {
    lines.push(`  ${g.gateway.padEnd(width)}${[g.queries, g.answered, g.badTotal].map((n) => String(n).padStart(10)).join('')}`);
    for (const f of GATEWAY_FAULTS) if (g.bad[f] > 0) lines.push(`  ${''.padEnd(width)}   ${f.padEnd(18)}${String(g.bad[f]).padStart(9)}`);
  }
  return `${lines.join('\n')}\n`;
}
