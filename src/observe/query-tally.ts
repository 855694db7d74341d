// Query counts and latencies for /metrics, kept in plain arrays. prom-client hashes a label set
// and validates it on every inc() and observe(): about a microsecond a query (measured), more
// than the rest of a cached answer's bookkeeping. Here a query costs a few additions; the arrays
// become prom-client metric values only when /metrics is scraped.
import { DOORS, type Door } from '../policy/policy.js';
import { OUTCOMES, type Outcome } from '../resolution.js';

export interface TallyValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

const DOOR_INDEX = new Map<string, number>(DOORS.map((d, i) => [d, i]));
const OUTCOME_INDEX = new Map<string, number>(OUTCOMES.map((o, i) => [o, i]));

export class QueryTally {
  /** Queries by door and outcome: counts[door * OUTCOMES.length + outcome]. */
  private readonly counts = new Float64Array(DOORS.length * OUTCOMES.length);
  /** Latencies by door and bucket (not cumulative; the last bucket is +Inf). */
  private readonly buckets: Float64Array;
  private readonly sums = new Float64Array(DOORS.length);

  /** bounds: the histogram's upper bounds in seconds, ascending. */
  constructor(private readonly bounds: readonly number[]) {
    this.buckets = new Float64Array(DOORS.length * (bounds.length + 1));
  }

  add(door: Door, outcome: Outcome, seconds: number): void {
    const d = DOOR_INDEX.get(door);
    const o = OUTCOME_INDEX.get(outcome);
    if (d === undefined || o === undefined) return;
    this.counts[d * OUTCOMES.length + o]++;
    if (!Number.isFinite(seconds)) return; // counted, but a NaN would spoil the sum for good
    let b = 0;
    while (b < this.bounds.length && seconds > this.bounds[b]) b++;
    this.buckets[d * (this.bounds.length + 1) + b]++;
    this.sums[d] += seconds;
  }

  reset(): void {
    this.counts.fill(0);
    this.buckets.fill(0);
    this.sums.fill(0);
  }

  /** Every door and outcome, zeros included (a 0 is information; a missing series is not). */
  counterValues(): TallyValue[] {
    return DOORS.flatMap((door, d) => OUTCOMES.map((outcome, o) => ({ labels: { door, outcome }, value: this.counts[d * OUTCOMES.length + o] })));
  }

  /** The histogram's series as prom-client writes them: cumulative buckets, +Inf, sum, count, per door. */
  histogramValues(name: string): TallyValue[] {
    const width = this.bounds.length + 1;
    return DOORS.flatMap((door, d) => {
      let total = 0;
      const values: TallyValue[] = this.bounds.map((le, b) => {
        total += this.buckets[d * width + b];
        return { labels: { le, door }, value: total, metricName: `${name}_bucket` };
      });
      total += this.buckets[d * width + this.bounds.length];
      values.push(
        { labels: { le: '+Inf', door }, value: total, metricName: `${name}_bucket` },
        { labels: { door }, value: this.sums[d], metricName: `${name}_sum` },
        { labels: { door }, value: total, metricName: `${name}_count` },
      );
      return values;
    });
  }
}
