// Durations in configuration and on the command line: "90s", "15m", "1h", "2d", "500ms", or a
// bare number of seconds.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const DURATION_PATTERN = '^\\d+(ms|s|m|h|d|w)?$';

/** Milliseconds of a duration text or a number of seconds; throws on anything else. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`not a duration: ${value}`);
    return value * 1000;
  }
  const m = /^(\d+)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!m) throw new Error(`not a duration: ${value} (use e.g. 90s, 15m, 1h, 2d)`);
  return Number(m[1]) * UNITS[m[2] ?? 's'];
}

/** A short human form: 1h30m, 45s. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let s = Math.ceil(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('');
}
