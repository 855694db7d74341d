// The well-behaved client of the hostile suite, in its own process so that the attackers' work
// in the test process does not show up in its timings. From 127.0.0.1 (allowlisted: no rate
// limit) it asks, in turn, port 43 for nic.example (a new connection each time, as whois(1)
// does), RDAP for the same domain and the web page of it (a new HTTP connection each time, the
// worst case for a server whose accept queue is under attack), one query every INTERVAL_MS,
// and checks every answer. On 'stop' it reports each door's latencies and failures.
//
// Usage (from a test): fork(this file, [JSON.stringify({ whois, http })]); send 'stop'; read the message.
import http from 'node:http';
import net from 'node:net';

const INTERVAL_MS = 5;
/** Queries per door before 'ready': a fresh process's first requests time its own start-up. */
const WARM_UP = 10;
/** An answer slower than this is a failure, not a latency sample (the suite asserts p99 < 50 ms). */
const GIVE_UP_MS = 5000;

type Door = 'whois' | 'rdap' | 'web';
export interface DoorReport {
  samples: number;
  failures: number;
  p50: number;
  p99: number;
  max: number;
  /** The first few failures, for the test's message. */
  errors: string[];
}
export type GoodClientReport = Record<Door, DoorReport>;

function whois(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('port 43: no answer in time'))), GIVE_UP_MS);
    socket.on('connect', () => socket.write('nic.example\r\n'));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err) => (clearTimeout(timer), reject(err)));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (/^Domain Name: NIC\.EXAMPLE\r\n/.test(text) && text.endsWith('\r\n')) resolve();
      else reject(new Error(`port 43: unexpected answer ${JSON.stringify(text.slice(0, 120))}`));
    });
  });
}

function get(port: number, path: string, check: (status: number, body: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: GIVE_UP_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (check(res.statusCode ?? 0, body)) resolve();
        else reject(new Error(`${path}: unexpected answer ${res.statusCode} ${JSON.stringify(body.slice(0, 120))}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in time`)));
    req.on('error', reject);
  });
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

async function main(): Promise<void> {
  const { whois: whoisPort, http: httpPort } = JSON.parse(process.argv[2]) as { whois: number; http: number };
  const doors: Record<Door, () => Promise<void>> = {
    whois: () => whois(whoisPort),
    rdap: () => get(httpPort, '/rdap/domain/nic.example', (s, b) => s === 200 && b.includes('"ldhName":"nic.example"')),
    web: () => get(httpPort, '/whois?q=nic.example', (s, b) => s === 200 && b.includes('NIC.EXAMPLE')),
  };
  for (let i = 0; i < WARM_UP; i++) for (const ask of Object.values(doors)) await ask().catch(() => {});
  const samples: Record<Door, number[]> = { whois: [], rdap: [], web: [] };
  const errors: Record<Door, string[]> = { whois: [], rdap: [], web: [] };
  const order: Door[] = ['whois', 'rdap', 'web'];
  let n = 0;
  let inFlight = 0;
  const tick = setInterval(() => {
    const door = order[n++ % order.length];
    const t0 = performance.now();
    inFlight++;
    doors[door]()
      .then(
        () => samples[door].push(performance.now() - t0),
        (err: Error) => errors[door].push(err.message),
      )
      .finally(() => inFlight--);
  }, INTERVAL_MS);

  process.on('message', async (msg) => {
    if (msg !== 'stop') return;
    clearInterval(tick);
    const deadline = Date.now() + GIVE_UP_MS + 500;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const report = {} as GoodClientReport;
    for (const door of order) {
      const sorted = [...samples[door]].sort((a, b) => a - b);
      report[door] = {
        samples: sorted.length,
        failures: errors[door].length,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
        errors: errors[door].slice(0, 5),
      };
    }
    process.send!(report, () => process.exit(0));
  });
  process.send!('ready');
}

await main();
