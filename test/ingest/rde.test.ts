// The RDE deposit importer on a real SQLite store: the spec's example deposit reads back exactly
// as its XML says; FULL, DIFF and INCR in sequence with deletes; every failure leaves the data
// byte-identical and names the reason and the position; a reader during a failing import sees
// only the old data; rollback; gzip and split files; namespaces by URI, not prefix.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { importDeposit, DepositImportError } from '../../src/ingest/rde/import.js';
import { importGroups, InputError } from '../../src/ingest/rde/input.js';
import { importJsonLinesFile } from '../../src/ingest/jsonl.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dumpSqlite } from '../store/dump.js';
import { bigDepositXml, contactXml, deleteContact, deleteDomain, deleteHost, deleteHostByRoid, depositXml, domainXml, hostXml, registrarXml, writeDeposit } from './rde-fixtures.js';

// The spec's example deposit, beside the clone (as test/rdap/schemas.ts finds the RDAP schemas).
const EXAMPLE = resolve(import.meta.dirname, '../../../shared/spec/rde-example.xml');
const EXAMPLE_XML = readFileSync(EXAMPLE, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rdds-rde-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const open = () => SqliteStore.open(join(dir, `store-${++n}.db`));
const tlds = ['example'];

async function failsUnchanged(store: SqliteStore, files: string[], reason: RegExp, opts: { force?: boolean } = {}): Promise<Error> {
  const before = dumpSqlite(store.database);
  let error: Error | undefined;
  try {
    await importDeposit(store, files, { tlds, ...opts });
  } catch (err) {
    error = err as Error;
  }
  assert.ok(error, 'the import failed');
  assert.ok(error instanceof DepositImportError || error instanceof InputError, `a clear import error, not ${error}`);
  assert.match(error.message, reason);
  assert.equal(dumpSqlite(store.database), before, 'the data is byte-identical');
  return error;
}

describe('importDeposit: the example deposit of the spec', () => {
  it('imports every object exactly as its XML says', async () => {
    const store = open();
    const summary = await importDeposit(store, [EXAMPLE], { tlds });
    assert.deepEqual(summary.read, { registrar: 1, contact: 2, host: 2, domain: 2 });
    assert.deepEqual(summary.stored, summary.read);
    assert.deepEqual(summary.deposit, { tld: 'example', type: 'FULL', id: '20261124001', prevId: undefined, watermark: '2026-11-24T00:00:00Z' });
    assert.deepEqual(summary.skipped, { 'rdeContact:crRr': 2, 'rdeDomain:crRr': 2, 'rdeHost:crRr': 2, 'rdeRegistrar:crDate': 1, 'rdeRegistrar:status': 1, 'rdeRegistrar:whoisInfo/url': 1 });
    assert.deepEqual(summary.incompleteRegistrars, [5555555], 'a deposit carries no abuse contact');

    const shop = await store.lookupDomain('shop.example');
    assert.deepEqual(shop?.domain, {
      type: 'domain', name: 'shop.example', roid: 'D100-EXAMPLE', registrarId: 5555555, clientId: 'reg-1',
      registrant: 'JP-0001', tech: 'NL-0002', nameservers: ['ns1.shop.example', 'ns2.shop.example'], statuses: ['clientTransferProhibited'],
      created: '2021-03-01T09:00:00Z', updated: '2026-10-01T12:00:00Z', expires: '2027-03-01T09:00:00Z',
      ds: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: '49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB' }],
    });
    assert.deepEqual(shop?.registrar, {
      type: 'registrar', ianaId: 5555555, repositoryId: 'reg-1', name: 'Example Registrar, Inc.',
      postal: { street: ['123 Example Street'], city: 'Anytown', sp: 'CA', pc: '90292', cc: 'US' },
      voice: '+1.5555551212', email: 'info@registrar.example', whoisServer: 'whois.registrar.example', url: 'https://www.registrar.example',
      abuseEmail: '', abusePhone: '',
    });
    assert.deepEqual(shop?.contacts.registrant, {
      type: 'contact', handle: 'JP-0001', roid: 'C300-EXAMPLE', registrarId: 5555555, clientId: 'reg-1', statuses: ['linked'],
      postalInt: { name: 'Taro Yamada', org: 'Sample K.K.', street: ['1-1 Chiyoda'], city: 'Chiyoda-ku', sp: 'Tokyo', pc: '100-0001', cc: 'JP' },
      postalLoc: { name: '山田 太郎', org: '株式会社サンプル', street: ['千代田1-1'], city: '千代田区', sp: '東京都', pc: '100-0001', cc: 'JP' },
      voice: '+81.312345678', voiceExt: '123', email: 'taro@sample.example', disclose: { voice: false, email: false }, created: '2021-03-01T09:00:00Z',
    });
    assert.deepEqual(shop?.contacts.tech, {
      type: 'contact', handle: 'NL-0002', roid: 'C301-EXAMPLE', registrarId: 5555555, clientId: 'reg-1', statuses: ['ok'],
      postalInt: { name: 'Pieter de Vries', street: ['Keizersgracht 1'], city: 'Amsterdam', pc: '1015 CJ', cc: 'NL' },
      voice: '+31.201234567', email: 'pieter@tech.example', created: '2022-05-05T05:05:05Z',
    });
    assert.deepEqual(shop?.hosts, [
      { type: 'host', name: 'ns1.shop.example', roid: 'H200-EXAMPLE', registrarId: 5555555, clientId: 'reg-1', addresses: ['192.0.2.10', '2001:db8::10'], statuses: ['linked'], created: '2021-03-01T09:00:00Z' },
      { type: 'host', name: 'ns2.shop.example', roid: 'H201-EXAMPLE', registrarId: 5555555, clientId: 'reg-1', addresses: ['2001:db8::11'], statuses: ['linked'], created: '2021-03-01T09:00:00Z' },
    ]);
    const idn = await store.lookupDomain('ドメイン.example');
    assert.deepEqual(idn?.domain, {
      type: 'domain', name: 'xn--eckwd4c7c.example', unicodeName: 'ドメイン.example', roid: 'D101-EXAMPLE', registrarId: 5555555, clientId: 'reg-1',
      registrant: 'JP-0001', nameservers: ['ns1.shop.example'], statuses: ['ok'], created: '2024-01-15T00:00:00Z', expires: '2026-01-15T00:00:00Z', ds: [],
    });
    assert.equal((await store.dataVersion()).updatedAt, '2026-11-24T00:00:00Z', 'the data time is the watermark');
    assert.deepEqual(await store.depositChain('example'), { lastId: '20261124001', lastFullId: '20261124001', watermark: '2026-11-24T00:00:00Z' });
  });

  it('matches elements by namespace, whatever prefixes the deposit binds (also a default namespace)', async () => {
    const reference = open();
    await importDeposit(reference, [EXAMPLE], { tlds });
    const renamed = EXAMPLE_XML.replace(/rdeDomain:/g, 'd:').replace(/xmlns:rdeDomain=/, 'xmlns:d=').replace(/<(\/?)rde:/g, '<$1').replace(/xmlns:rde="([^"]+)"/, 'xmlns="$1"').replace(/contact:/g, 'c:').replace(/xmlns:c=/, 'xmlns:contact=').replace(/xmlns:contact="urn:ietf:params:xml:ns:contact-1.0"/, 'xmlns:c="urn:ietf:params:xml:ns:contact-1.0"');
    assert.ok(renamed.includes('<d:domain>') && renamed.includes('<deposit ') && renamed.includes('<c:name>'), 'the prefixes did change');
    const store = open();
    await importDeposit(store, [writeDeposit(dir, renamed)], { tlds });
    assert.deepEqual(await store.lookupDomain('shop.example'), await reference.lookupDomain('shop.example'));
    assert.deepEqual(await store.lookupDomain('ドメイン.example'), await reference.lookupDomain('ドメイン.example'));
  });

  it('reads .xml.gz (by content, whatever the name) and a deposit split into pieces given in order', async () => {
    const reference = open();
    await importDeposit(reference, [EXAMPLE], { tlds });
    const gz = join(dir, 'example.xml.gz');
    writeFileSync(gz, gzipSync(EXAMPLE_XML));
    const gzNoName = join(dir, 'example-compressed');
    writeFileSync(gzNoName, gzipSync(EXAMPLE_XML));
    const bytes = Buffer.from(EXAMPLE_XML);
    const cut = [0, 1234, 2999, bytes.length];
    const pieces = cut.slice(1).map((end, i) => {
      const path = join(dir, `example_S${i + 1}.xml`);
      writeFileSync(path, bytes.subarray(cut[i], end));
      return path;
    });
    for (const files of [[gz], [gzNoName], pieces]) {
      const groups = await importGroups(files);
      assert.deepEqual(groups, [{ format: 'rde', files }]);
      const store = open();
      await importDeposit(store, files, { tlds });
      assert.equal(dumpSqlite(store.database).replace(/updated_at[^\n]*/g, ''), dumpSqlite(reference.database).replace(/updated_at[^\n]*/g, ''), files.join(' '));
    }
  });
});

describe('importDeposit: FULL, DIFF and INCR in sequence', () => {
  const full = () =>
    depositXml({
      type: 'FULL', id: '1', counts: [3, 2, 2, 1],
      objects: [
        // references before the objects they name: order is not guaranteed
        domainXml('a.example', { registrant: 'C-1', ns: ['ns1.a.example'] }),
        domainXml('b.example', { registrant: 'C-2', ns: ['ns1.a.example', 'ns.b.example'] }),
        domainXml('c.example', { registrant: 'C-1' }),
        hostXml('ns1.a.example', ['192.0.2.1']),
        hostXml('ns.b.example', ['192.0.2.2']),
        contactXml('C-1'),
        contactXml('C-2'),
        registrarXml(),
      ],
    });

  it('applies deletes and changes, follows the chain, and counts after applying', async () => {
    const store = open();
    await importDeposit(store, [writeDeposit(dir, full())], { tlds });
    assert.equal(await store.countDomains(5555555), 3);

    // DIFF 2: b.example goes with its own host, c.example changes, d.example arrives.
    const diff = depositXml({
      type: 'DIFF', id: '2', prevId: '1', counts: [3, 1, 3, 1],
      deletes: [deleteDomain('b.example'), deleteHost('ns.b.example')],
      objects: [domainXml('c.example', { registrant: 'C-3', status: 'clientHold' }), contactXml('C-3'), domainXml('d.example', { registrant: 'C-2' })],
    });
    const s2 = await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
    assert.deepEqual(s2.removed, { registrar: 0, contact: 0, host: 1, domain: 1 });
    assert.deepEqual(s2.stored, { registrar: 0, contact: 1, host: 0, domain: 2 });
    assert.equal(await store.lookupDomain('b.example'), undefined);
    assert.equal(await store.lookupHost('ns.b.example'), undefined);
    assert.deepEqual((await store.lookupDomain('c.example'))?.domain.statuses, ['clientHold']);
    assert.equal((await store.lookupDomain('d.example'))?.contacts.registrant?.handle, 'C-2');
    assert.equal((await store.dataVersion()).updatedAt, '2026-12-02T00:00:00Z');

    // INCR 3 follows the FULL (1): everything since then, including what DIFF 2 already did.
    const incr = depositXml({
      type: 'INCR', id: '3', prevId: '1', counts: [2, 1, 2, 1],
      deletes: [deleteDomain('b.example'), deleteHost('ns.b.example'), deleteDomain('a.example'), deleteContact('C-3')],
      objects: [domainXml('c.example', { registrant: 'C-1' }), domainXml('d.example', { registrant: 'C-2', ns: ['ns1.a.example'] })],
    });
    const s3 = await importDeposit(store, [writeDeposit(dir, incr)], { tlds });
    assert.deepEqual(s3.removed, { registrar: 0, contact: 1, host: 0, domain: 1 });
    assert.equal(await store.lookupDomain('a.example'), undefined);
    assert.deepEqual((await store.lookupDomain('d.example'))?.hosts.map((h) => h.name), ['ns1.a.example']);
    assert.deepEqual(await store.depositChain('example'), { lastId: '3', lastFullId: '1', watermark: '2026-12-03T00:00:00Z' });

    // A new FULL replaces the TLD's data set: what it does not hold is gone.
    const full4 = depositXml({ type: 'FULL', id: '4', counts: [1, 0, 1, 1], objects: [registrarXml(), contactXml('C-2'), domainXml('d.example', { registrant: 'C-2' })] });
    const s4 = await importDeposit(store, [writeDeposit(dir, full4)], { tlds });
    assert.deepEqual(s4.removed, { registrar: 0, contact: 1, host: 1, domain: 1 });
    assert.equal(await store.lookupDomain('c.example'), undefined);
    assert.equal(await store.lookupHost('ns1.a.example'), undefined);
    assert.equal(await store.getContact('C-1'), undefined);
    assert.deepEqual(s4.stored.domain, 1, 'd.example lost its name server');

    // A repeat of the same FULL rewrites nothing.
    const again = await importDeposit(store, [writeDeposit(dir, full4.replace('id="4"', 'id="5"').replace('2026-12-04', '2026-12-05'))], { tlds });
    assert.deepEqual(again.stored, { registrar: 0, contact: 0, host: 0, domain: 0 });
    assert.deepEqual(again.removed, { registrar: 0, contact: 0, host: 0, domain: 0 });
  });

  it('deletes a host by repository ID', async () => {
    const store = open();
    await importDeposit(store, [writeDeposit(dir, full())], { tlds });
    const diff = depositXml({ type: 'DIFF', id: '2', prevId: '1', counts: [3, 1, 2, 1], deletes: [deleteHostByRoid('Hnsbexample-EXAMPLE')], objects: [domainXml('b.example', { registrant: 'C-2', ns: ['ns1.a.example'] })] });
    await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
    assert.equal(await store.lookupHost('ns.b.example'), undefined);
  });

  it('rollback restores the data from before the last deposit exactly', async () => {
    const store = open();
    await importDeposit(store, [writeDeposit(dir, full())], { tlds });
    const before = dumpSqlite(store.database);
    const diff = depositXml({ type: 'DIFF', id: '2', prevId: '1', counts: [2, 1, 2, 1], deletes: [deleteDomain('b.example'), deleteHost('ns.b.example')], objects: [domainXml('c.example', { registrant: 'C-2' })] });
    await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
    assert.ok(await store.rollback());
    const strip = (d: string) => d.split('\n').filter((l) => !/^(meta|changes|undo)\t/.test(l)).join('\n');
    assert.equal(strip(dumpSqlite(store.database)), strip(before));
    assert.equal((await store.dataVersion()).updatedAt, '2026-12-01T00:00:00Z');
    // The chain is back at 1: the same DIFF applies again.
    await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
  });
});

describe('importDeposit: failures change nothing and say why and where', () => {
  const base = async () => {
    const store = open();
    await importDeposit(store, [EXAMPLE], { tlds });
    return store;
  };

  it('a truncated file', async () => {
    const store = await base();
    const cut = writeDeposit(dir, EXAMPLE_XML.slice(0, 4000));
    await failsUnchanged(store, [cut], new RegExp(`^${cut}:\\d+: the deposit ends too early .*truncated file\\?`));
    const gz = join(dir, 'cut.xml.gz');
    writeFileSync(gz, gzipSync(EXAMPLE_XML).subarray(0, 700));
    await failsUnchanged(store, [gz], /cut\.xml\.gz: cannot be gunzipped|ends too early/);
  });

  it('XML that is not well-formed', async () => {
    const store = await base();
    const bad = writeDeposit(dir, EXAMPLE_XML.replace('<rdeDomain:roid>D100-EXAMPLE</rdeDomain:roid>', '<rdeDomain:roid>D100-EXAMPLE</rdeDomain:roidd>'));
    await failsUnchanged(store, [bad], new RegExp(`^${bad}:\\d+: not well-formed XML`));
  });

  it('an invalid object: every refused one is named with its type, key, file and line', async () => {
    const store = await base();
    const xml = EXAMPLE_XML.replace('<rdeContact:email>pieter@tech.example</rdeContact:email>', '<rdeContact:email>not-an-email</rdeContact:email>')
      .replace('<rdeDomain:exDate>2026-01-15T00:00:00Z</rdeDomain:exDate>', '')
      .replace('<rdeHost:addr ip="v6">2001:db8::11</rdeHost:addr>', '<rdeHost:addr ip="v6">2001:db8::zz</rdeHost:addr>');
    const file = writeDeposit(dir, xml);
    const err = await failsUnchanged(store, [file], /^3 objects refused, nothing imported:/);
    assert.match(err.message, new RegExp(`domain "xn--eckwd4c7c\\.example" \\(${file}:\\d+\\): rdeDomain:exDate is missing`));
    assert.match(err.message, new RegExp(`host "ns2\\.shop\\.example" \\(${file}:\\d+\\): addresses\\[0\\]: is not an IP address`));
    assert.match(err.message, new RegExp(`contact "NL-0002" \\(${file}:\\d+\\): email: is not an e-mail address`));
  });

  it('hostile values: a noncharacter is refused, a character reference to a lone surrogate is not XML', async () => {
    const store = await base();
    const non = writeDeposit(dir, EXAMPLE_XML.replace('<contact:name>Pieter de Vries</contact:name>', '<contact:name>Pieter &#xFDD0;de Vries</contact:name>'));
    await failsUnchanged(store, [non], /contact "NL-0002" \(.*:\d+\): postalInt\.name: contains the Unicode noncharacter U\+FDD0/);
    const lone = writeDeposit(dir, EXAMPLE_XML.replace('<contact:name>Pieter de Vries</contact:name>', '<contact:name>Pieter &#xD800; de Vries</contact:name>'));
    await failsUnchanged(store, [lone], /not well-formed XML/);
    const control = writeDeposit(dir, EXAMPLE_XML.replace('<contact:org>Sample K.K.</contact:org>', '<contact:org>Sample&#x202E;K.K.</contact:org>'));
    await failsUnchanged(store, [control], /contact "JP-0001" \(.*\): postalInt\.org: contains control or bidi-override characters/);
  });

  it('a dangling reference', async () => {
    const store = await base();
    const file = writeDeposit(dir, EXAMPLE_XML.replace('<rdeDomain:contact type="tech">NL-0002</rdeDomain:contact>', '<rdeDomain:contact type="tech">NOBODY-1</rdeDomain:contact>'));
    await failsUnchanged(store, [file], new RegExp(`^domain "shop\\.example" \\(${file}:\\d+\\): tech refers to contact "NOBODY-1", which does not exist.*nothing imported`));
  });

  it('header counts that are off', async () => {
    const store = await base();
    const file = writeDeposit(dir, EXAMPLE_XML.replace('<rdeHeader:count uri="urn:ietf:params:xml:ns:rdeHost-1.0">2</rdeHeader:count>', '<rdeHeader:count uri="urn:ietf:params:xml:ns:rdeHost-1.0">3</rdeHeader:count>'));
    await failsUnchanged(store, [file], new RegExp(`^${file}:\\d+: the header counts do not match, nothing imported: it counts 3 host objects .*but \\.example has 2 after the deposit`));
  });

  it('a TLD the configuration does not serve', async () => {
    const store = await base();
    const file = writeDeposit(dir, EXAMPLE_XML.replace('<rdeHeader:tld>example</rdeHeader:tld>', '<rdeHeader:tld>other</rdeHeader:tld>'));
    await failsUnchanged(store, [file], new RegExp(`^${file}:\\d+: the deposit is for \\.other, which this configuration does not serve \\(registry\\.tlds: example\\)`));
  });

  it('a DIFF whose prevId is not the last deposit, unless forced', async () => {
    const store = await base();
    const diff = writeDeposit(dir, depositXml({ type: 'DIFF', id: '20261125001', prevId: '20261123001', watermark: '2026-11-25T00:00:00Z', counts: [2, 2, 2, 1], objects: [] }));
    await failsUnchanged(store, [diff], /^DIFF deposit 20261125001 of \.example follows 20261123001, but the last deposit imported for \.example is 20261124001 \(--force imports it anyway\)/);
    await importDeposit(store, [diff], { tlds, force: true });
    assert.equal((await store.depositChain('example'))?.lastId, '20261125001');
  });

  it('a file that is not a deposit, or not gzip though named .gz', async () => {
    const other = writeDeposit(dir, '<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"/>', 'epp.xml');
    await assert.rejects(importGroups([other]), /epp\.xml: is neither JSON Lines nor an RDE deposit \(XML whose root element is \{urn:ietf:params:xml:ns:epp-1\.0\}epp/);
    const fake = writeDeposit(dir, EXAMPLE_XML, 'fake.xml.gz');
    await assert.rejects(importGroups([fake]), /fake\.xml\.gz: is named \.gz but is not gzip-compressed/);
  });

  it('a reader during a failing import sees the old data, never a mixed or empty state', async () => {
    const path = join(dir, `store-${++n}.db`);
    const store = SqliteStore.open(path);
    await importDeposit(store, [writeDeposit(dir, bigDepositXml(3000))], { tlds });
    const reader = SqliteStore.open(path); // a second connection, as another node or door would have
    // The second FULL changes every domain to clientHold and fails at its last object.
    const changed = bigDepositXml(3000, '2', 'FULL', [domainXml('broken.example', { registrant: 'NOBODY-1' })]).replace(/s="ok"\/>\n\s*<rdeDomain:registrant>/g, 's="clientHold"/>\n      <rdeDomain:registrant>');
    const file = writeDeposit(dir, changed);
    assert.ok(readFileSync(file).length > 2 << 20, 'more than one read chunk');
    let stop = false;
    let reads = 0;
    const readerLoop = (async () => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const rec = await reader.lookupDomain(`big${i % 3000}.example`);
        assert.ok(rec, 'never an empty state');
        assert.deepEqual(rec.domain.statuses, ['ok'], 'never a half-applied import');
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    await assert.rejects(importDeposit(store, [file], { tlds }), /broken\.example.*registrant refers to contact "NOBODY-1"/);
    stop = true;
    await readerLoop;
    assert.ok(reads > 10, `the reader ran during the import (${reads} lookups)`);
    await reader.close();
  });
});

describe('registrar data a deposit does not carry', () => {
  it('comes from a JSON Lines registrar line beside the deposit, and the deposit does not wipe it', async () => {
    const store = open();
    const line = { type: 'registrar', ianaId: 5555555, name: 'Example Registrar, Inc.', postal: { street: ['123 Example Street'], city: 'Anytown', cc: 'US' }, email: 'info@registrar.example', rdapBaseUrl: 'https://rdap.registrar.example/', abuseEmail: 'abuse@registrar.example', abusePhone: '+1.5555550000' };
    const jsonl = join(dir, 'registrars.jsonl');
    writeFileSync(jsonl, JSON.stringify(line) + '\n');
    await importJsonLinesFile(store, jsonl);
    const summary = await importDeposit(store, [EXAMPLE], { tlds });
    assert.deepEqual(summary.incompleteRegistrars, []);
    const r = await store.getRegistrar(5555555);
    assert.equal(r?.abuseEmail, 'abuse@registrar.example');
    assert.equal(r?.rdapBaseUrl, 'https://rdap.registrar.example/');
    assert.equal(r?.voice, '+1.5555551212', 'the deposit updated what it carries');
    assert.equal(r?.repositoryId, 'reg-1');
    // The registrar line again, after the deposit: the repository id stays for the next DIFF.
    await importJsonLinesFile(store, jsonl);
    assert.equal((await store.getRegistrar(5555555))?.repositoryId, 'reg-1');
    const diff = depositXml({ type: 'DIFF', id: '20261125001', prevId: '20261124001', watermark: '2026-11-25T00:00:00Z', counts: [3, 2, 2, 1], objects: [domainXml('new.example', { registrant: 'JP-0001' })] });
    await importDeposit(store, [writeDeposit(dir, diff)], { tlds });
    assert.equal((await store.lookupDomain('new.example'))?.registrar.ianaId, 5555555);
  });
});
