// A server under test, in its own process so that its CPU time and memory are its own.
// Modes: `rdds` (the real service on a database), `bare-net` (a node:net server answering every
// query with a fixed 2 KB text) and `bare-http` (a node:http server answering a fixed 2 KB JSON).
// It tells the parent its ports, then answers 'stats' messages with its CPU time and RSS.
import http from 'node:http';
import net from 'node:net';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/server/service.js';

const [mode, settingsJson] = process.argv.slice(2);
const FIXED_TEXT = Buffer.from(('Domain Name: BARE.EXAMPLE\r\n' + 'Registrar: Fixed Answer Registrar\r\n'.repeat(60)).slice(0, 2046) + '\r\n');
const settings = JSON.parse(settingsJson ?? '{}') as Record<string, string>;
/** The bare HTTP server's JSON body: 2 KB, or as many bytes as settings.bytes says. */
const jsonBytes = Number(settings.bytes ?? 2048);
const FIXED_JSON = Buffer.from(JSON.stringify({ objectClassName: 'domain', ldhName: 'bare.example', pad: 'x'.repeat(Math.max(0, jsonBytes - 64)) }));

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function start(): Promise<Record<string, number>> {
  if (mode === 'bare-net') {
    const server = net.createServer({ noDelay: true }, (socket) => {
      socket.once('data', () => socket.end(FIXED_TEXT));
      socket.on('error', () => {});
    });
    return { whois: await listen(server) };
  }
  if (mode === 'bare-http') {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rdap+json', 'content-length': FIXED_JSON.length });
      res.end(FIXED_JSON);
    });
    return { http: await listen(server) };
  }
  const config = loadConfig(undefined, { 'whois.host': '127.0.0.1', 'whois.port': '0', 'http.host': '127.0.0.1', 'http.port': '0', 'admin.host': '127.0.0.1', 'admin.port': '0', ...settings }, {});
  const service = await startService(config);
  refusedSoFar = async () => {
    const text = await service.observe.metrics.text();
    return [...text.matchAll(/^rdds_queries_total\{[^}]*outcome="refused"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  return { ...service.ports };
}

/** rdds only: its count of refused queries, from its own metrics. */
let refusedSoFar: (() => Promise<number>) | undefined;

const ports = await start();
process.on('message', async (msg) => {
  if (msg === 'stats') {
    const refused = await refusedSoFar?.();
    const cpu = process.cpuUsage();
    process.send!({ cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss, refused });
  }
});
// Exit with the parent (and let --cpu-prof write its profile on a clean exit).
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true, ports });
