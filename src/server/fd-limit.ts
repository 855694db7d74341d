// The connection caps against the process's file-descriptor limit (RLIMIT_NOFILE). Each open
// connection holds a descriptor; past the limit accept() fails, and libuv then accepts and closes
// every waiting connection, the good ones with the bad, without a word. So the caps must leave
// the limit room for everything else the process opens (database files, the query log, Redis,
// PostgreSQL, the admin listener).
import { readFileSync } from 'node:fs';

/** Descriptors kept free of client connections for the rest of the process. */
export const RESERVED_FDS = 128;

/** The soft limit on open files, from /proc (Linux); undefined where it cannot be read or is unlimited. */
export function openFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limitsFile, 'utf8'));
    return m && m[1] !== 'unlimited' ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The caps as configured when they fit the limit with RESERVED_FDS to spare; else each lowered in
 * proportion to its share, so that together they fit. `lowered` says whether they were.
 */
export function fitConnectionCaps<K extends string>(caps: Record<K, number>, limit: number | undefined): { caps: Record<K, number>; lowered: boolean } {
  const total = Object.values<number>(caps).reduce((a, b) => a + b, 0);
  const room = limit === undefined ? Infinity : Math.max(limit - RESERVED_FDS, Object.keys(caps).length);
  if (total <= room) return { caps, lowered: false };
  const fitted = {} as Record<K, number>;
  for (const key of Object.keys(caps) as K[]) fitted[key] = Math.max(1, Math.floor((caps[key] * room) / total));
  return { caps: fitted, lowered: true };
}
