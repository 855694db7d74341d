// Real clients against a real server: Debian's `whois` command sends the query, and whoiser's
// domain parser (a widely used WHOIS parser from npm) reads the answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const { parseDomainWhois } = require('whoiser/src/parsers.js') as { parseDomainWhois: (domain: string, text: string, ignorePrivacy: boolean) => Record<string, unknown> };

const whoisClient = await run('whois', ['--version']).then(() => true, () => false);
const skip = whoisClient ? false : 'the Debian whois client is not installed (apt-get install whois; .ci/run installs it)';

let svc: TestService;
before(async () => {
  svc = await startTestService();
});
after(async () => svc.stop());

async function whois(query: string): Promise<string> {
  const { stdout } = await run('whois', ['-h', '127.0.0.1', '-p', String(svc.ports.whois), query], { encoding: 'utf8' });
  return stdout;
}

test('an ASCII domain through whois(1), parsed by whoiser', { skip }, async () => {
  const parsed = parseDomainWhois('nic.example', await whois('nic.example'), false);
  assert.equal(parsed['Domain Name'], 'NIC.EXAMPLE');
  assert.equal(parsed.Registrar, 'Example Registrar, Inc.');
  assert.equal(parsed['Registrar IANA ID'], '5555555');
  assert.equal(parsed['Created Date'], '2020-01-01T00:00:00Z');
  assert.equal(parsed['Expiry Date'], '2030-01-01T00:00:00Z');
  assert.equal(parsed['Updated Date'], '2024-01-01T00:00:00Z');
  // whoiser keeps each status line whole: the EPP code, then its ICANN URL
  assert.deepEqual(parsed['Domain Status'], [
    'clientTransferProhibited https://icann.org/epp#clientTransferProhibited',
    'serverDeleteProhibited https://icann.org/epp#serverDeleteProhibited',
  ]);
  assert.deepEqual(parsed['Name Server'], ['NS1.NIC.EXAMPLE', 'NS2.NIC.EXAMPLE']);
  assert.equal(parsed.DNSSEC, 'signedDelegation');
});

test('an IDN domain by U-label through whois(1), parsed by whoiser', { skip }, async () => {
  const text = await whois('ドメイン.example');
  const parsed = parseDomainWhois('xn--eckwd4c7c.example', text, false);
  assert.equal(parsed['Domain Name'], 'XN--ECKWD4C7C.EXAMPLE');
  assert.equal(parsed.IDN, 'ドメイン.example'); // whoiser's name for the Internationalized Domain Name line
  assert.equal(parsed['Registrar IANA ID'], '5555555');
  assert.deepEqual(parsed['Name Server'], ['NS2.NIC.EXAMPLE']);
  assert.equal(parsed.DNSSEC, 'signedDelegation');
});

test('the public answer parsed by whoiser carries no personal data', { skip }, async () => {
  const text = await whois('nic.example');
  for (const secret of ['Contact REG-1', '1 Main Street', 'Dulles', '20166-6503', '+1.7035555555', 'reg-1@example.com']) {
    assert.equal(text.includes(secret), false, secret);
  }
});

test('whois(1) with a bare name server name or address gets the name server answer', { skip }, async () => {
  const byName = await whois('ns1.nic.example');
  assert.match(byName, /^Server Name: NS1\.NIC\.EXAMPLE\r?\n/);
  assert.match(byName, /\nIP Address: 192\.0\.2\.53\r?\n/);
  const byAddress = await whois('192.0.2.53');
  assert.match(byAddress, /^Server Name: NS1\.NIC\.EXAMPLE\r?\n/);
});

test('whois(1) finds a registrar by name though it strips the final dot, whatever the case and spacing', { skip }, async () => {
  for (const query of ['registrar Example Registrar, Inc.', 'registrar example  registrar, INC']) {
    assert.match(await whois(query), /^Registrar: Example Registrar, Inc\.\r?\n/, query);
  }
});
