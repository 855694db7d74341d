// Starts a whole rdds node for end-to-end tests: a temporary SQLite file with the standard
// fixtures, every door on an ephemeral loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { loadConfig, type Overrides } from '../../src/config.js';
import { startService, type Service, type ServiceParts } from '../../src/server/service.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RegistryObject } from '../../src/model/types.js';
import { seed, standardObjects } from '../store/fixtures.js';

export interface TestService extends Service {
  stop(): Promise<void>;
}

/** `configFile`: a configuration file under the settings (the test's ports and paths still win). */
export async function startTestService(settings: Overrides = {}, objects: RegistryObject[] = standardObjects(), parts: ServiceParts = {}, configFile?: string): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'rdds-test-'));
  const db = join(dir, 'rdds.sqlite');
  const store = SqliteStore.open(db);
  await seed(store, objects);
  const config = loadConfig(configFile, {
    db,
    'whois.host': '127.0.0.1',
    'whois.port': '0',
    'http.host': '127.0.0.1',
    'http.port': '0',
    'admin.host': '127.0.0.1',
    'admin.port': '0',
    'log.dir': join(dir, 'query-log'),
    'log.level': 'warn',
    // Every test client comes from loopback: exempt it from rate limits, bans and the per-client
    // connection cap unless a test sets its own allowlist (test/policy/ tests the limits).
    'policy.allowlist': ['127.0.0.0/8', '::1'],
    ...settings,
  }, {});
  const service = await startService(config, { store, ...parts });
  return Object.assign(service, {
    async stop() {
      await service.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** Sends raw bytes to a port-43 server and returns everything it answers until it closes. */
/** Sends `data` and reads to the server's close; `halfClose`: then closes the sending side at once (like `nc -N`). */
export function whoisRaw(port: number, data: string | Buffer | null, opts: { host?: string; timeoutMs?: number; halfClose?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer in time'));
    }, opts.timeoutMs ?? 5000);
    socket.on('connect', () => {
      if (opts.halfClose) data === null ? socket.end() : socket.end(data);
      else if (data !== null) socket.write(data);
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}
