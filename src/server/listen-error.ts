// A listener that could not be opened, said in one line that names the address, the setting that
// chose it and the reason, for the operator who starts rdds (no stack trace).

const REASONS: Record<string, string> = {
  EADDRINUSE: 'the address is already in use (another rdds, or another server, listens there)',
  EACCES: 'permission denied (ports below 1024 need root, or the CAP_NET_BIND_SERVICE capability)',
  EADDRNOTAVAIL: 'this host has no such address',
};

export class ListenError extends Error {}

/** Opens a listener; a failure becomes a ListenError naming `settings` (the key and flag that chose the address). */
export async function listenOr(settings: string, listen: () => Promise<number>): Promise<number> {
  try {
    return await listen();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    if (!e.code) throw err;
    const where = e.address !== undefined ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}` : 'the configured address';
    throw new ListenError(`cannot listen on ${where} (${settings}): ${REASONS[e.code] ?? e.code}`);
  }
}
