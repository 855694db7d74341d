// The JSON Lines importer: objects land and can be looked up, a bad line anywhere imports nothing
// and is named by its line number, and a re-import updates in place.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { importJsonLines, importJsonLinesFile, ImportError, progressReporter } from '../../src/ingest/jsonl.js';
import { demoJsonLines, writeDemoJsonLines } from '../../src/ingest/demo.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Contact, Domain, Host, Registrar } from '../../src/model/types.js';

const dir = mkdtempSync(join(tmpdir(), 'rdds-jsonl-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(lines: (object | string)[], eol = '\n'): string {
  const path = join(dir, `import-${++n}.jsonl`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join(eol) + eol);
  return path;
}

const registrar: Registrar = {
  type: 'registrar', ianaId: 9999001, name: 'Test Registrar Ltd',
  postal: { street: ['1 Test Street'], city: 'Testville', pc: '12345', cc: 'GB' },
  email: 'info@test-registrar.example', abuseEmail: 'abuse@test-registrar.example', abusePhone: '+44.2075550000',
};
const contact: Contact = {
  type: 'contact', handle: 'TEST-1', roid: 'C1-TEST', registrarId: 9999001,
  postalLoc: { name: 'Иван Петров', street: ['ул. Тверская, д. 1'], city: 'Москва', pc: '125009', cc: 'RU' },
  postalInt: { name: 'Ivan Petrov', street: ['ul. Tverskaya, d. 1'], city: 'Moscow', pc: '125009', cc: 'RU' },
  voice: '+7.4955550000', email: 'ivan@example.com', created: '2020-01-01T00:00:00Z',
};
const host: Host = {
  type: 'host', name: 'ns1.test.example', roid: 'H1-TEST', registrarId: 9999001,
  addresses: ['192.0.2.1', '2001:DB8:0:0::1'], statuses: ['linked'], created: '2020-01-01T00:00:00Z',
};
const domain: Domain = {
  type: 'domain', name: 'test.example', roid: 'D1-TEST', registrarId: 9999001, registrant: 'TEST-1', tech: 'TEST-1',
  nameservers: ['ns1.test.example'], statuses: ['ok'], created: '2020-01-01T00:00:00Z', expires: '2030-01-01T00:00:00Z', ds: [],
};
const idn: Domain = { ...domain, name: 'bücher.example', roid: 'D2-TEST', nameservers: [] , statuses: ['inactive'] };

async function open() {
  return SqliteStore.open(':memory:');
}

async function importError(store: SqliteStore, path: string): Promise<ImportError> {
  try {
    await importJsonLines(store, path);
  } catch (err) {
    assert.ok(err instanceof ImportError, `expected an ImportError, got ${err}`);
    return err;
  }
  assert.fail('the import did not fail');
}

describe('importJsonLines', () => {
  it('imports a small file and the objects can be looked up', async () => {
    const store = await open();
    const path = file(['# a comment', registrar, '', contact, '   ', host, domain, idn], '\r\n');
    const counts = await importJsonLines(store, path);
    assert.deepEqual(counts, { registrar: 1, contact: 1, host: 1, domain: 2 });
    const rec = await store.lookupDomain('TEST.example');
    assert.equal(rec?.domain.roid, 'D1-TEST');
    assert.equal(rec?.registrar.name, 'Test Registrar Ltd');
    assert.equal(rec?.contacts.registrant?.postalLoc?.city, 'Москва');
    assert.deepEqual(rec?.hosts.map((h) => h.addresses), [['192.0.2.1', '2001:db8::1']]);
    const u = await store.lookupDomain('bücher.example');
    assert.equal(u?.domain.name, 'xn--bcher-kva.example');
    assert.equal(u?.domain.unicodeName, 'bücher.example');
    assert.equal((await store.lookupHostsByAddress('2001:db8::1')).length, 1);
    assert.equal((await store.dataVersion()).serial, 1);
    await store.close();
  });

  it('accepts a byte-order mark and a last line without a newline', async () => {
    const store = await open();
    const path = join(dir, 'bom.jsonl');
    writeFileSync(path, '\ufeff' + JSON.stringify(registrar) + '\n' + JSON.stringify(contact));
    assert.deepEqual(await importJsonLines(store, path), { registrar: 1, contact: 1, host: 0, domain: 0 });
    await store.close();
  });

  it('imports nothing when a line in the middle is bad, and names that line', async () => {
    const cases: [string, (object | string)[], RegExp][] = [
      ['bad JSON', [registrar, contact, '{"type": "host", oops}', host, domain], /:3: not valid JSON/],
      ['a validation error', [registrar, contact, host, { ...domain, expires: 'tomorrow' }, idn], /:4: domain "test\.example": expires: is not an ISO 8601/],
      ['a missing reference', [registrar, contact, { ...domain, registrant: 'NOBODY' }, host], /:3: domain "test\.example": registrant: refers to contact "NOBODY", which does not exist/],
      ['a deletion of a host still used', [registrar, contact, host, domain, { delete: 'host', name: 'ns1.test.example' }], /: host "ns1\.test\.example" \(.*:5\) cannot be removed: domain "test\.example" still refers to it/],
      ['a malformed deletion', [registrar, { delete: 'zone', name: 'x' }], /:2: deletion of zone: delete: must be domain, host, contact or registrar/],
      ['a deletion with a wrong key', [registrar, { delete: 'contact', name: 'x' }], /:2: deletion of contact: name: is not a member of a contact deletion/],
      ['an unknown type', [registrar, { type: 'zone', name: 'x' }, contact], /:2: type: must be registrar, contact, host or domain/],
      ['a JSON value that is not an object', [registrar, '[1, 2]', contact], /:2: not a JSON object/],
    ];
    for (const [what, lines, message] of cases) {
      const store = await open();
      const path = file(lines);
      const err = await importError(store, path);
      assert.match(err.message, message, what);
      assert.ok(err.message.startsWith(`${path}:`), what);
      assert.equal(err.file, path);
      assert.equal(await store.getRegistrar(9999001), undefined, `${what}: the registrar from line 1 was rolled back`);
      assert.equal(await store.getContact('TEST-1'), undefined, what);
      assert.equal((await store.dataVersion()).serial, 0, what);
      await store.close();
    }
  });

  it('refuses a lone UTF-16 surrogate and a noncharacter, naming the line and the field (issue #14 item 4)', async () => {
    // The reproduction: JSON "\ud800" in a contact name used to be accepted, then broke
    // every later update of that contact ("database disk image is malformed").
    for (const [escaped, message] of [
      ['\\ud800', /:2: contact "TEST-1": postalInt\.name: contains a lone UTF-16 surrogate \(U\+D800\)/],
      ['\\udfff x', /:2: contact "TEST-1": postalInt\.name: contains a lone UTF-16 surrogate \(U\+DFFF\)/],
      ['\\ufdd0', /:2: contact "TEST-1": postalInt\.name: contains the Unicode noncharacter U\+FDD0/],
      ['\\ud83f\\udffe', /:2: contact "TEST-1": postalInt\.name: contains the Unicode noncharacter U\+1FFFE/],
    ] as const) {
      const store = await open();
      const line = JSON.stringify(contact).replace('"Ivan Petrov"', `"Ivan ${escaped} Petrov"`);
      assert.ok(line.includes(escaped), 'the escape is in the JSON text, as a client would send it');
      const err = await importError(store, file([registrar, line]));
      assert.match(err.message, message);
      assert.equal(await store.getContact('TEST-1'), undefined);
      assert.equal(await store.getRegistrar(9999001), undefined, 'nothing of the file is stored');
      await store.close();
    }
  });

  it('accepts a surrogate pair (an astral character) in a name', async () => {
    const store = await open();
    const line = JSON.stringify(contact).replace('"Иван Петров"', '"Иван \\ud83d\\ude00 Петров"');
    await importJsonLines(store, file([registrar, line]));
    assert.equal((await store.getContact('TEST-1'))?.postalLoc?.name, 'Иван \u{1F600} Петров');
    await store.close();
  });

  it('accepts objects before the objects they refer to (any order in one file)', async () => {
    const store = await open();
    const counts = await importJsonLines(store, file([domain, host, contact, registrar]));
    assert.deepEqual(counts, { registrar: 1, contact: 1, host: 1, domain: 1 });
    assert.equal((await store.lookupDomain('test.example'))?.hosts[0]?.name, 'ns1.test.example');
    await store.close();
  });

  it('removes objects with deletion lines, the domain before the host it used', async () => {
    const store = await open();
    await importJsonLines(store, file([registrar, contact, host, domain, idn]));
    const summary = await importJsonLinesFile(store, file([
      { delete: 'host', name: 'NS1.test.example' },
      { delete: 'domain', name: 'test.example' },
      { delete: 'domain', name: 'bücher.example' },
      { delete: 'contact', handle: 'TEST-1' },
      { delete: 'domain', name: 'never-there.example' },
    ]));
    assert.deepEqual(summary.removed, { registrar: 0, contact: 1, host: 1, domain: 2 });
    assert.equal(await store.lookupDomain('test.example'), undefined);
    assert.equal(await store.lookupHost('ns1.test.example'), undefined);
    assert.equal(await store.getContact('TEST-1'), undefined);
    await importJsonLines(store, file([{ delete: 'registrar', ianaId: 9999001 }]));
    assert.equal(await store.getRegistrar(9999001), undefined);
    await store.close();
  });

  it('a dry run checks the file and stores nothing', async () => {
    const store = await open();
    const summary = await importJsonLinesFile(store, file([registrar, contact, host, domain]), { dryRun: true });
    assert.deepEqual(summary.stored, { registrar: 1, contact: 1, host: 1, domain: 1 });
    assert.equal(summary.dryRun, true);
    assert.equal(await store.getRegistrar(9999001), undefined);
    assert.equal((await store.dataVersion()).serial, 0);
    await assert.rejects(importJsonLinesFile(store, file([registrar, { ...domain, registrant: 'NOBODY' }]), { dryRun: true }), /:2: domain "test\.example": registrant: refers to contact "NOBODY"/);
    await store.close();
  });

  it('warns about a registrar without an abuse contact', async () => {
    const store = await open();
    const summary = await importJsonLinesFile(store, file([{ ...registrar, abuseEmail: '', abusePhone: '' }]));
    assert.deepEqual(summary.warnings, ['registrar 9999001 has no abuse contact (e-mail and phone): import them from a JSON Lines registrar line (docs/rde.md)']);
    await store.close();
  });

  it('counts blank and comment lines in the line number', async () => {
    const store = await open();
    const err = await importError(store, file(['# header', '', registrar, '# contacts', 'not json']));
    assert.equal(err.line, 5);
    await store.close();
  });

  it('reports a missing file as an ImportError', async () => {
    const store = await open();
    const err = await importError(store, join(dir, 'no-such-file.jsonl'));
    assert.equal(err.line, undefined);
    assert.match(err.message, /no-such-file\.jsonl: .*ENOENT/);
    await store.close();
  });

  it('updates in place when a changed file is imported again', async () => {
    const store = await open();
    await importJsonLines(store, file([registrar, contact, host, domain]));
    const changed = file([
      { ...registrar, name: 'Test Registrar Limited' },
      { ...contact, email: 'ivan.petrov@example.com' },
      { ...host, addresses: ['198.51.100.7'] },
      { ...domain, statuses: ['clientTransferProhibited'], updated: '2024-01-01T00:00:00Z' },
    ]);
    assert.deepEqual(await importJsonLines(store, changed), { registrar: 1, contact: 1, host: 1, domain: 1 });
    const rec = await store.lookupDomain('test.example');
    assert.deepEqual(rec?.domain.statuses, ['clientTransferProhibited']);
    assert.equal(rec?.registrar.name, 'Test Registrar Limited');
    assert.equal(rec?.contacts.registrant?.email, 'ivan.petrov@example.com');
    assert.deepEqual(await store.lookupHostsByAddress('192.0.2.1'), []);
    assert.equal((await store.lookupHostsByAddress('198.51.100.7'))[0]?.host.name, 'ns1.test.example');
    assert.equal(await store.countDomains(9999001), 1);
    assert.equal((await store.dataVersion()).serial, 2);
    await store.close();
  });

  it('streams a demo file larger than one read chunk and reports progress', async () => {
    const path = join(dir, 'demo.jsonl');
    const lines = await writeDemoJsonLines(path, { domains: 3000, seed: 7 });
    assert.equal(lines, [...demoJsonLines({ domains: 3000, seed: 7 })].length);
    const store = await open();
    const calls: [number, number, number][] = [];
    const counts = await importJsonLines(store, path, { onProgress: (...args) => calls.push(args) });
    assert.equal(counts.domain, 3000);
    assert.equal(counts.registrar + counts.contact + counts.host + counts.domain, lines);
    const last = calls.at(-1)!;
    assert.equal(last[0], lines);
    assert.equal(last[1], last[2]);
    assert.ok((await store.lookupDomain('ドメイン.example'))?.contacts.registrant?.postalLoc);
    await store.close();
  });
});

describe('progressReporter', () => {
  function sink(isTTY: boolean) {
    let text = '';
    const stream = new Writable({ write(chunk, _enc, done) { text += chunk; done(); } }) as unknown as NodeJS.WriteStream;
    (stream as { isTTY: boolean }).isTTY = isTTY;
    return { stream, text: () => text };
  }

  it('prints nothing on a non-terminal', () => {
    const s = sink(false);
    const p = progressReporter(s.stream);
    p(10, 100, 1000);
    p.finish();
    assert.equal(s.text(), '');
  });

  it('redraws one line on a terminal, at most five times a second', () => {
    const s = sink(true);
    const p = progressReporter(s.stream);
    for (let i = 1; i <= 1000; i++) p(i, i * 10, 10_000);
    p.finish();
    const draws = s.text().split('\r').filter(Boolean);
    assert.ok(draws.length <= 3, `drew ${draws.length} times`);
    assert.match(draws.at(-1)!, /100\.0%\s+1,000 lines\s+[\d,]+ objects\/s\x1b\[K\n$/);
  });

  it('shows megabytes read of the total and the time left when asked', () => {
    const s = sink(true);
    const p = progressReporter(s.stream, { unit: 'objects', bytes: true });
    p(500, 5e6, 20e6);
    p.finish();
    assert.match(s.text(), /25\.0%\s+500 objects\s+[\d,]+ objects\/s\s+5\.0 of 20 MB\s+ETA \d+:\d\d/);
  });
});
