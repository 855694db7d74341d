// A TCP forwarder between one node and a server it depends on (its database), so a test can cut
// that one node's connection — a node-local fault — while every other node keeps its own, or
// slow its answers down (so that the node has queries in flight when a test signals it).
import net from 'node:net';

export class TcpForwarder {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  /** Milliseconds each chunk from the server is held back (0: none). */
  delayMs = 0;

  private constructor(private readonly server: net.Server, readonly port: number) {}

  /** Listens on a free loopback port and forwards each connection to 127.0.0.1:`target`. */
  static async start(target: number): Promise<TcpForwarder> {
    let forwarder!: TcpForwarder;
    const server = net.createServer((client) => forwarder.accept(client, target));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as net.AddressInfo).port));
    });
    forwarder = new TcpForwarder(server, port);
    return forwarder;
  }

  private accept(client: net.Socket, target: number): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: target });
    // Equal delays keep the chunks in order (timers of one duration fire in the order set).
    const later = (fn: () => void) => (this.delayMs > 0 ? setTimeout(fn, this.delayMs) : fn());
    const both = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', both);
      s.on('close', () => this.sockets.delete(s));
    }
    client.on('close', both);
    upstream.on('close', () => later(both)); // after the held-back chunks
    client.pipe(upstream);
    upstream.on('data', (chunk) => later(() => client.destroyed || client.write(chunk)));
    upstream.on('end', () => later(() => client.end()));
  }

  /** Drops every forwarded connection and closes new ones at once, until restore(). */
  sever(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async close(): Promise<void> {
    this.sever();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
