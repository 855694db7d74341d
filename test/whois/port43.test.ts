// The port-43 door over real TCP: the query grammar, the answers, and every kind of bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { startTestService, whoisRaw, type TestService } from '../helpers/service.js';

let svc: TestService;
let port: number;

before(async () => {
  svc = await startTestService({ 'whois.idle_timeout_ms': '300', 'whois.total_timeout_ms': '800', 'whois.max_query_bytes': '1024' });
  port = svc.ports.whois;
});
after(async () => svc.stop());

describe('query grammar', () => {
  test('a bare domain, the domain keyword, any case, U-label', async () => {
    for (const q of ['nic.example', 'domain nic.example', 'DOMAIN NIC.EXAMPLE', 'Domain Nic.Example.']) {
      const text = await whoisRaw(port, `${q}\r\n`);
      assert.match(text, /^Domain Name: NIC\.EXAMPLE\r\n/, q);
    }
    const idn = await whoisRaw(port, 'ドメイン.example\r\n');
    assert.match(idn, /^Domain Name: XN--ECKWD4C7C\.EXAMPLE\r\nInternationalized Domain Name: ドメイン\.example\r\n/);
  });

  test('LF alone ends a query too', async () => {
    assert.match(await whoisRaw(port, 'nic.example\n'), /^Domain Name: NIC\.EXAMPLE\r\n/);
  });

  test('name server by name, by IPv4 and by IPv6 in any form', async () => {
    assert.match(await whoisRaw(port, 'nameserver ns1.nic.example\r\n'), /^Server Name: NS1\.NIC\.EXAMPLE\r\nIP Address: 192\.0\.2\.53\r\nIP Address: 2001:db8::53\r\n/);
    assert.match(await whoisRaw(port, 'nameserver 192.0.2.53\r\n'), /^Server Name: NS1\.NIC\.EXAMPLE\r\n/);
    assert.match(await whoisRaw(port, 'NAMESERVER 2001:DB8:0:0::53\r\n'), /^Server Name: NS1\.NIC\.EXAMPLE\r\n/);
  });

  test('registrar by name and by IANA ID', async () => {
    assert.match(await whoisRaw(port, 'registrar example registrar, inc.\r\n'), /^Registrar: Example Registrar, Inc\.\r\n/);
    assert.match(await whoisRaw(port, 'registrar 5555555\r\n'), /^Registrar: Example Registrar, Inc\.\r\n/);
  });

  test('help', async () => {
    assert.match(await whoisRaw(port, 'help\r\n'), /^% Queries/);
  });

  test('not found answers with the ICANN key, footer and terms', async () => {
    const text = await whoisRaw(port, 'no-such-name.example\r\n');
    assert.match(text, /^The queried object does not exist: no-such-name\.example\r\n>>> Last update of WHOIS database: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ <<<\r\n\r\n/);
    assert.match(text, /By submitting a query you agree to these terms\.\r\n$/);
  });

  test('answers use CRLF line endings only', async () => {
    const text = await whoisRaw(port, 'nic.example\r\n');
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false);
  });
});

describe('bad input gets a short % line and the connection closes', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty line', '\r\n', /^% Invalid query: empty query/],
    ['unknown keyword', 'frobnicate nic.example\r\n', /^% Invalid query: unknown keyword "frobnicate"/],
    ['malformed name', 'nic..example\r\n', /^% Invalid query: "nic\.\.example" is not a valid domain name/],
    ['wrong TLD', 'example.com\r\n', /^% Invalid query: this server answers only for \.example/],
    ['malformed address', 'nameserver 999.1.1.1\r\n', /^% Invalid query: "999\.1\.1\.1" is not a valid host name or IP address/],
    ['keyword without argument', 'domain\r\n', /^% Invalid query: "domain" needs an argument/],
    ['control bytes', 'nic\x01.example\r\n', /^% Invalid query: the query contains control characters/],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x41, 0x0d, 0x0a]), /^% Invalid query: the query is not valid UTF-8/],
    ['over-long line', 'a'.repeat(5000) + '\r\n', /^% Invalid query: longer than 1024 bytes/],
    ['over-long line without end', 'a'.repeat(2000), /^% Invalid query: longer than 1024 bytes/],
  ];
  for (const [name, input, expected] of cases) {
    test(name, async () => {
      const text = await whoisRaw(port, input);
      assert.match(text, expected);
      assert.equal(text.split('\r\n').filter(Boolean).length, 1, `one line only: ${text}`);
    });
  }

  test('a client that sends nothing is timed out', async () => {
    assert.match(await whoisRaw(port, null), /^% Timeout: no query received/);
  });

  test('a client that dribbles bytes is cut off by the total timeout', async () => {
    const started = Date.now();
    const text = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let out = '';
      const drip = setInterval(() => socket.write('a'), 100);
      socket.on('data', (c) => (out += c));
      socket.on('error', reject);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(out);
      });
    });
    assert.match(text, /^% Timeout: the query took too long to arrive/);
    assert.ok(Date.now() - started < 3000);
  });

  test('other clients are answered while slow ones hang on', async () => {
    const idle = Array.from({ length: 50 }, () => net.connect({ host: '127.0.0.1', port }).on('error', () => {}));
    const text = await whoisRaw(port, 'nic.example\r\n');
    assert.match(text, /^Domain Name: NIC\.EXAMPLE/);
    idle.forEach((s) => s.destroy());
  });
});

describe('a client that closes its sending side after the query (nc -N) is answered', () => {
  test('also when the answer comes later than the close (a throttled query)', async () => {
    const slow = await startTestService({ 'policy.allowlist': [], 'policy.rate_limit.per_minute': '1', 'policy.rate_limit.mode': 'throttle', 'policy.rate_limit.throttle_delay': '200ms' });
    try {
      for (let i = 0; i < 2; i++) assert.match(await whoisRaw(slow.ports.whois, 'nic.example\r\n', { halfClose: true }), /^Domain Name: NIC\.EXAMPLE\r\n/, `query ${i + 1}`);
    } finally {
      await slow.stop();
    }
  });

  test('the bytes before the close are the query, line end or not', async () => {
    assert.match(await whoisRaw(port, 'nic.example', { halfClose: true }), /^Domain Name: NIC\.EXAMPLE\r\n/);
    assert.match(await whoisRaw(port, 'frobnicate nic.example', { halfClose: true }), /^% Invalid query: unknown keyword "frobnicate"/);
    assert.match(await whoisRaw(port, 'a'.repeat(2000), { halfClose: true }), /^% Invalid query: longer than 1024 bytes/);
  });

  test('a connection closed without a byte (a port probe) is closed at once without an answer', async () => {
    const started = Date.now();
    assert.equal(await whoisRaw(port, null, { halfClose: true }), '');
    assert.ok(Date.now() - started < 250, 'not left to the idle timeout');
  });
});

test('too many connections: the oldest idle one is told so and closed, the new one is answered', async () => {
  const small = await startTestService({ 'whois.max_connections': '2', 'whois.idle_timeout_ms': '2000' });
  try {
    const held: net.Socket[] = [];
    const oldestTold = new Promise<string>((resolve) => {
      let text = '';
      const oldest = net.connect({ host: '127.0.0.1', port: small.ports.whois }).on('error', () => {});
      oldest.on('data', (d) => (text += d)).once('close', () => resolve(text));
      held.push(oldest);
    });
    await once(held[0], 'connect');
    await new Promise((r) => setTimeout(r, 20));
    held.push(net.connect({ host: '127.0.0.1', port: small.ports.whois }).on('error', () => {}));
    await once(held[1], 'connect');
    await new Promise((r) => setTimeout(r, 50));
    assert.match(await whoisRaw(small.ports.whois, 'nic.example\r\n'), /^Domain Name: NIC\.EXAMPLE\r\n/);
    assert.equal(await oldestTold, '% Too many connections; please try again later.\r\n');
    held.forEach((s) => s.destroy());
  } finally {
    await small.stop();
  }
});

test('refused connections that their clients reset at once do not bring the server down', async () => {
  const small = await startTestService({ 'whois.max_connections': '1', 'whois.idle_timeout_ms': '2000' });
  try {
    const held = net.connect({ host: '127.0.0.1', port: small.ports.whois }).on('error', () => {});
    await new Promise((r) => held.once('connect', r));
    // Each is refused with a last line while its client has already reset it: the write fails.
    await Promise.all(
      Array.from({ length: 300 }, () => new Promise<void>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port: small.ports.whois });
        s.on('error', () => {});
        s.once('connect', () => s.resetAndDestroy());
        s.once('close', () => resolve());
      })),
    );
    await new Promise((r) => setTimeout(r, 100));
    held.destroy();
    // The server is still up and answers once its only slot is free. Under load a reset connection
    // still in the accept backlog can take the slot for a moment after the count reads 0: ask again then.
    const deadline = Date.now() + 5000;
    let answer = '';
    while (Date.now() < deadline) {
      answer = await whoisRaw(small.ports.whois, 'nic.example\r\n');
      if (!answer.startsWith('% Too many connections')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(answer, /^Domain Name: NIC\.EXAMPLE/);
  } finally {
    await small.stop();
  }
});

test('an answer not ready a total timeout after its query is given up with a % line, and the slot is freed', async () => {
  // A throttle longer than the total timeout stands in for a store that hangs.
  const slow = await startTestService({ 'policy.allowlist': [], 'policy.rate_limit.per_minute': '1', 'policy.rate_limit.mode': 'throttle', 'policy.rate_limit.throttle_delay': '1500ms', 'whois.total_timeout_ms': '300', 'whois.idle_timeout_ms': '300' });
  try {
    assert.match(await whoisRaw(slow.ports.whois, 'nic.example\r\n'), /^Domain Name: NIC\.EXAMPLE/);
    const started = Date.now();
    assert.equal(await whoisRaw(slow.ports.whois, 'nic.example\r\n'), '% Error: the answer took too long; please try again later.\r\n');
    assert.ok(Date.now() - started < 1200, 'not held until the throttled answer');
    const deadline = Date.now() + 1000;
    while (slow.whois.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(slow.whois.connections, 0);
  } finally {
    await slow.stop();
  }
});

test('clients that never close their side after the answer or a timeout lose their slot after the idle timeout', async () => {
  const small = await startTestService({ 'whois.max_connections': '2', 'whois.idle_timeout_ms': '200', 'whois.total_timeout_ms': '400' });
  try {
    // allowHalfOpen: these clients read the server's end and keep their own side open.
    const answered = net.connect({ host: '127.0.0.1', port: small.ports.whois, allowHalfOpen: true }).on('error', () => {});
    const silent = net.connect({ host: '127.0.0.1', port: small.ports.whois, allowHalfOpen: true }).on('error', () => {});
    const got = { answered: '', silent: '' };
    answered.on('data', (c) => (got.answered += c));
    silent.on('data', (c) => (got.silent += c));
    await Promise.all([answered, silent].map((s) => new Promise((r) => s.once('connect', r))));
    answered.write('nic.example\r\n');
    await new Promise((r) => setTimeout(r, 150));
    assert.match(got.answered, /^Domain Name: NIC\.EXAMPLE/);
    assert.equal(small.whois.connections, 2, 'the answered client still holds its slot');
    // The server closes both: one an idle timeout after its answer, one an idle timeout after its timeout line.
    const deadline = Date.now() + 3000;
    while (small.whois.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(small.whois.connections, 0);
    assert.match(got.silent, /^% Timeout/);
    assert.match(await whoisRaw(small.ports.whois, 'nic.example\r\n'), /^Domain Name: NIC\.EXAMPLE/, 'the slots are free again');
    answered.destroy();
    silent.destroy();
  } finally {
    await small.stop();
  }
});

test('many concurrent queries are all answered', async () => {
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => whoisRaw(port, i % 2 ? 'nic.example\r\n' : 'nameserver ns1.nic.example\r\n')));
  answers.forEach((text, i) => assert.match(text, i % 2 ? /^Domain Name: NIC\.EXAMPLE/ : /^Server Name: NS1\.NIC\.EXAMPLE/));
});

test('graceful shutdown finishes queries in flight', async () => {
  const s = await startTestService();
  const pending = whoisRaw(s.ports.whois, 'nic.example\r\n');
  await new Promise((r) => setTimeout(r, 20));
  await s.stop();
  assert.match(await pending, /^Domain Name: NIC\.EXAMPLE/);
});

test('listens on IPv4 and IPv6 loopback, and an IPv6 client is answered', async () => {
  const dual = await startTestService({ 'whois.host': ['127.0.0.1', '::1'] });
  try {
    assert.match(await whoisRaw(dual.ports.whois, 'nic.example\r\n', { host: '::1' }), /^Domain Name: NIC\.EXAMPLE\r\n/);
    assert.match(await whoisRaw(dual.ports.whois, 'nic.example\r\n', { host: '127.0.0.1' }), /^Domain Name: NIC\.EXAMPLE\r\n/);
  } finally {
    await dual.stop();
  }
});

test('a thousand connections at once, half of them idle, do not stall the others', async () => {
  const idle = Array.from({ length: 500 }, () => net.connect({ host: '127.0.0.1', port }).on('error', () => {}));
  const answers = await Promise.all(Array.from({ length: 500 }, () => whoisRaw(port, 'nic.example\r\n')));
  assert.equal(answers.filter((a) => a.startsWith('Domain Name: NIC.EXAMPLE\r\n')).length, 500);
  idle.forEach((s) => s.destroy());
});
