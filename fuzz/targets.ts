// The fuzz targets: every parser a stranger can reach, each fed raw bytes and checked by the same
// checks as the property tests (test/fuzz/checks.ts). A target throws when what must hold does not.
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';
import { proxyV1, proxyV2 } from '../src/server/proxy-protocol.js';
import { checkForwarded, checkProxyHeader, checkRdapRequest, checkRequestPath, checkSearchExpression, checkWebLookup, checkWhoisBytes } from '../test/fuzz/checks.js';
import { onlyThrows } from '../test/fuzz/invariants.js';

export interface FuzzTarget {
  name: string;
  /** Longest input tried (bytes). */
  maxLength: number;
  /** Inputs the run starts from (its corpus grows from these). */
  seeds: (string | Buffer)[];
  /** Tokens the mutator inserts: keywords, fields, signatures the checks compare against. */
  dictionary: string[];
  run(data: Buffer): void;
}

const NAMES = ['nic.example', 'ドメイン.example', 'xn--eckwd4c7c.example', 'ns1.nic.example', '192.0.2.53', '2001:db8::53', '::ffff:1.2.3.4', 'fe80::1%eth0'];
const UNICODE = ['\u202e', '\u2066', '\u0000', '\u0085', '\ufffd', '\u00a0', '\u3000', 'ß', 'İ', '\u0301', '\ud83d\ude00', 'ｎｉｃ', '。'];
const configFile = join(tmpdir(), `rdds-fuzz-config-${process.pid}.yaml`);

export const TARGETS: FuzzTarget[] = [
  {
    name: 'whois-line',
    maxLength: 1200,
    seeds: ['nic.example', 'domain NIC.EXAMPLE.', 'nameserver ns1.nic.example', 'nameserver 2001:DB8:0::53', 'registrar Example Registrar, Inc.', 'registrar 5555555', 'help', 'ドメイン.example', Buffer.from([0x6e, 0xff, 0x2e])],
    dictionary: ['domain ', 'nameserver ', 'registrar ', 'help', ' ', '.example', 'xn--', ...NAMES, ...UNICODE],
    run: (data) => checkWhoisBytes(data),
  },
  {
    name: 'web-lookup',
    maxLength: 600,
    seeds: ['nic.example', '192.0.2.53', '5555555', 'Example Registrar, Inc.', 'ns1.nic.example', 'domain nic.example', 'help'],
    dictionary: ['domain ', 'nameserver ', 'registrar ', 'help', ' ', '.example', ...NAMES, ...UNICODE],
    run: (data) => checkWebLookup(data.toString('utf8')),
  },
  {
    name: 'search-expression',
    maxLength: 700,
    seeds: ['name:tanaka* AND city:tokyo NOT registrar:5555555', 'cc:jp (city:tokyo OR org:"A B")', 'name:"or" OR exam?le*', 'nsip:2001:DB8::53', 'ns:NS1.NIC.EXAMPLE', 'domain:"x\\"y"'],
    dictionary: ['domain:', 'name:', 'org:', 'street:', 'city:', 'sp:', 'pc:', 'cc:', 'registrar:', 'ns:', 'nsip:', ' AND ', ' OR ', ' NOT ', '(', ')', '"', '\\"', '*', '?', ...NAMES, ...UNICODE],
    run: (data) => checkSearchExpression(data.toString('utf8')),
  },
  {
    name: 'rdap-request',
    maxLength: 600,
    seeds: ['domain/nic.example', 'domain/%E3%83%89%E3%83%A1%E3%82%A4%E3%83%B3.example', 'nameserver/ns1.nic.example', 'entity/5555555', 'entity/NIC-REGISTRANT', 'help', 'domains?name=nic*', 'domains?nsIp=192.0.2.53', 'nameservers?name=ns1.nic.ex*', 'entities?fn=Example+Registrar*', 'ip/192.0.2.0'],
    dictionary: ['domain/', 'nameserver/', 'entity/', 'domains?', 'nameservers?', 'entities?', 'name=', 'nsLdhName=', 'nsIp=', 'ip=', 'fn=', 'handle=', '&', '%', '%25', '%2F', '%00', '%C0%AF', '%E2%80%AE', '+', '*', ...NAMES],
    run: (data) => {
      const text = data.toString('latin1');
      const mark = text.indexOf('?');
      checkRdapRequest(mark < 0 ? text : text.slice(0, mark), mark < 0 ? '' : text.slice(mark + 1));
    },
  },
  {
    name: 'proxy-header',
    maxLength: 300,
    seeds: [proxyV1('192.0.2.1'), proxyV1('2001:db8::1', '::1'), proxyV2('192.0.2.1'), proxyV2('2001:db8::1'), 'PROXY UNKNOWN\r\n', 'nic.example\r\n'],
    dictionary: ['PROXY ', 'TCP4 ', 'TCP6 ', 'UNKNOWN', '\r\n', ' 65535', '\r\n\r\n\u0000\r\nQUIT\n', '\u0021\u0011\u0000\u000c', '\u0020\u0000\u0000\u0000', '\u0021\u0021\u0000\u0024', ...NAMES],
    run: (data) => checkProxyHeader(data, Buffer.from('nic.example\r\n')),
  },
  {
    name: 'http-target',
    maxLength: 600,
    // Line 1: the request target; line 2: X-Forwarded-For; line 3: Forwarded (from a trusted proxy).
    seeds: ['/rdap/domain/nic.example\n192.0.2.1\nfor=192.0.2.1', '/whois?q=x\n10.0.0.2, 192.0.2.1\nfor="[2001:db8::1]:4711";proto=https', 'http://h/rdap/../whois\n\n', '/a/./b/%2e%2e/c#f\n10.1.1.1\n'],
    dictionary: ['/', '/rdap/', '..', '.', '%2e', '%2E%2e', '//', '?', '#', 'http://', '[', ']', ':', ', ', 'for=', ';', '"', '10.0.0.1', 'fd00::1', ...NAMES],
    run: (data) => {
      const [target, xff, forwarded] = data.toString('latin1').split('\n');
      checkRequestPath(target);
      checkForwarded('10.0.0.1', { 'x-forwarded-for': xff, forwarded });
      checkForwarded('10.0.0.1', { 'x-forwarded-for': xff });
    },
  },
  {
    name: 'config',
    maxLength: 8000,
    seeds: [readFileSync(new URL('../rdds.example.yaml', import.meta.url)), 'whois: {port: 43}\n', 'policy:\n  allowlist: [127.0.0.1/99]\n', 'a: &x [*x]\n'],
    dictionary: ['db: ', 'state: ', 'registry:\n  ', 'whois:\n  ', 'http:\n  ', 'policy:\n  ', 'rate_limit:\n    ', 'port: ', 'host: ', '[', ']', '{', '}', ': ', '- ', '\n', '&a ', '*a', '!!binary ', '__proto__: ', '"', "'", '~', '0x', '1e400'],
    run: (data) => {
      writeFileSync(configFile, data);
      const r = onlyThrows(() => loadConfig(configFile, {}, {}), (err) => err instanceof ConfigError);
      if (r.error) assert.ok(!r.error.message.includes('\n') && r.error.message.includes(configFile), `a ConfigError not one line naming its file: ${r.error.message}`);
    },
  },
];
