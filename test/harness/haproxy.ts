// HAProxy from deploy/haproxy.cfg, the file operators copy: the harness only sets the environment
// variables that file reads (addresses, ports, certificate, stats socket), writes them to
// haproxy.env beside the logs for whoever reads a failed run, and runs `haproxy -db` as a child.
// Server states are read from the runtime API (`show stat` on the stats socket).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Child, freePort, run, waitFor, which } from './process.js';
import { REPO, type RddsNode } from './rdds-node.js';

export const HAPROXY_CFG = join(REPO, 'deploy/haproxy.cfg');

export function haproxyMissing(): string | undefined {
  return which('haproxy', ['/usr/sbin']) ? undefined : 'haproxy not found (Debian package haproxy)';
}

/** A self-signed certificate for the HTTPS frontend (openssl), as one PEM with its key; `cert` is the CA clients trust. */
export function selfSignedCertificate(dir: string): { pem: string; cert: string } {
  const key = join(dir, 'lb-key.pem');
  const cert = join(dir, 'lb-cert.pem');
  run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=rdap.nic.example',
    '-addext', 'subjectAltName=DNS:rdap.nic.example,IP:127.0.0.1',
  ]);
  const pem = join(dir, 'lb.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  return { pem, cert };
}

export interface ServerState {
  backend: string;
  server: string;
  /** UP, DOWN, "UP 1/2" (going down), "DOWN 1/2" (coming up), MAINT, no check ... */
  status: string;
}

export class HAProxy {
  private child?: Child;
  readonly socket: string;

  private constructor(
    readonly dir: string,
    readonly ports: { whois: number; https: number; http: number },
    readonly env: Record<string, string>,
  ) {
    this.socket = env.RDDS_LB_STATS_SOCKET;
  }

  /**
   * Sets up HAProxy in front of exactly two nodes (deploy/haproxy.cfg has two), connecting to them
   * from `source` (the address the nodes list in policy.trusted_proxies).
   */
  static async create(dir: string, nodes: [RddsNode, RddsNode], opts: { source: string; certPem: string }): Promise<HAProxy> {
    const ports = { whois: await freePort(), https: await freePort(), http: await freePort() };
    const env: Record<string, string> = {
      RDDS_LB_WHOIS_BIND: `127.0.0.1:${ports.whois}`,
      RDDS_LB_HTTPS_BIND: `127.0.0.1:${ports.https}`,
      RDDS_LB_HTTP_BIND: `127.0.0.1:${ports.http}`,
      RDDS_LB_CERT: opts.certPem,
      RDDS_LB_SOURCE: opts.source,
      RDDS_LB_STATS_SOCKET: join(dir, 'haproxy.sock'),
      RDDS_LB_LOG: 'stdout',
      RDDS_LB_MAXCONN: '2000',
    };
    // deploy/haproxy.cfg switches to the user haproxy in a chroot, as in production, where it can.
    if (process.getuid?.() !== 0 || !existsSync('/var/lib/haproxy') || spawnSync('id', ['haproxy']).status !== 0) env.RDDS_LB_KEEP_USER = '1';
    nodes.forEach((node, i) => {
      env[`RDDS_NODE${i + 1}_ADDR`] = '127.0.0.1';
      env[`RDDS_NODE${i + 1}_WHOIS_PORT`] = String(node.ports.whois);
      env[`RDDS_NODE${i + 1}_HTTP_PORT`] = String(node.ports.http);
      env[`RDDS_NODE${i + 1}_ADMIN_PORT`] = String(node.ports.admin);
    });
    writeFileSync(join(dir, 'haproxy.env'), Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''));
    return new HAProxy(dir, ports, env);
  }

  async start(): Promise<void> {
    const haproxy = which('haproxy', ['/usr/sbin'])!;
    const env = { ...process.env, ...this.env };
    run(haproxy, ['-c', '-q', '-f', HAPROXY_CFG], { env });
    this.child = new Child({ name: 'haproxy', command: haproxy, args: ['-db', '-f', HAPROXY_CFG], env, logFile: join(this.dir, 'haproxy.log') });
    await waitFor('the HAProxy stats socket', async () => (await this.servers()).length > 0, { timeoutMs: 10_000, child: this.child });
  }

  async stop(): Promise<void> {
    await this.child?.stop('SIGTERM', 5_000);
  }

  /** One runtime API command. */
  command(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(this.socket);
      let out = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer to "${cmd}" from the HAProxy socket`));
      }, 3000);
      socket.on('connect', () => socket.end(`${cmd}\n`));
      socket.on('data', (d) => (out += d.toString('utf8')));
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(out);
      });
    });
  }

  async servers(): Promise<ServerState[]> {
    const csv = await this.command('show stat');
    const [header, ...rows] = csv.split('\n').filter((l) => l.trim() !== '');
    const cols = header.replace(/^# /, '').split(',');
    const at = (name: string) => cols.indexOf(name);
    return rows
      .map((r) => r.split(','))
      .filter((f) => f[at('svname')] !== 'FRONTEND' && f[at('svname')] !== 'BACKEND')
      .map((f) => ({ backend: f[at('pxname')], server: f[at('svname')], status: f[at('status')] }));
  }

  /** The state of one server in one backend. */
  async status(backend: string, server: string): Promise<string | undefined> {
    return (await this.servers()).find((s) => s.backend === backend && s.server === server)?.status;
  }

  /** Waits (bounded) until every server of the given backends reports `status` exactly. */
  async waitAll(status: 'UP' | 'DOWN', backends: string[], timeoutMs = 15_000): Promise<void> {
    await waitFor(`every server of ${backends.join(', ')} ${status}`, async () => {
      const s = (await this.servers()).filter((x) => backends.includes(x.backend));
      return s.length > 0 && s.every((x) => x.status === status);
    }, { timeoutMs, everyMs: 100, child: this.child });
  }
}
