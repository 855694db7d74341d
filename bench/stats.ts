// Small statistics helpers for the benchmarks: medians and percentiles of latency samples.
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function sortedCopy(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: number[]): number {
  return percentile(sortedCopy(values), 50);
}

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
