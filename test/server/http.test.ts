// The HTTP listener's shutdown: requests in flight are answered (asking their clients to close the
// connection), idle keep-alive connections are closed, and nothing is cut before the grace ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpServer } from '../../src/server/http.js';

test('close() answers the requests in flight with Connection: close and cuts nothing early', async () => {
  const server = new HttpServer({ hosts: ['127.0.0.1'], port: 0, maxHeaderBytes: 8192, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 60_000, maxConnections: 100, maxPipelined: 16 });
  server.routes.push({
    owns: () => true,
    handle: (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late but whole'), 400);
    },
  });
  const port = await server.listen();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const get = () =>
    new Promise<{ status?: number; connection?: string; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection, body }));
      }).on('error', reject);
    });
  try {
    // One connection left idle in the agent's pool, one request in flight when close() starts.
    assert.equal((await get()).status, 200);
    const inFlight = get();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const closing = server.close(5000);
    const answer = await inFlight;
    assert.deepEqual(answer, { status: 200, connection: 'close', body: 'late but whole' }, 'answered whole, and told to close');
    await closing;
    assert.ok(Date.now() - started < 2000, `closed as soon as the last answer went out (${Date.now() - started} ms), not at the end of the grace`);
    assert.equal(server.connections, 0);
  } finally {
    agent.destroy();
  }
});
