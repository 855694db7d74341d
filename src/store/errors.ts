// Which Store failures mean "the data cannot be had right now" (the database is down, restarting,
// out of connections, or busy) rather than a bug: the doors answer those with a temporary-failure
// message (HTTP 503 with Retry-After, a "try again later" line on port 43).

/** Connection-level errors of the socket and of PostgreSQL (SQLSTATE classes 08, 53, 57P). */
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLite busy or locked; a live-mode node before its first copy of the source (src/ingest/live/).
const SQLITE_TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'RDDS_NOT_SYNCED']);
/** node-postgres says these without a code. */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated unexpectedly)/;

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK.has(code) || SQLITE_TRANSIENT.has(code)) return true;
    if (/^(08|53|57P)[0-9A-Z]{2,3}$/.test(code)) return true;
  }
  return PG_MESSAGES.test(err.message);
}
