// The WHOIS accuracy report (`rdds report accuracy`): a data set that plants every kind of broken
// value, beside clean contacts from many countries, goes into a real SQLite store; the report must
// find each planted value with the right reason and nothing else, through the library and through
// the real command (table, RFC 4180 CSV read back with csv-parse, --domain, exit statuses).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { importJsonLines } from '../../src/ingest/jsonl.js';
import { writeDemo } from '../../src/ingest/demo.js';
import type { Contact, ContactData, Domain, PostalInfo, Registrar } from '../../src/model/types.js';
import { accuracyReport, accuracyText, checkContact, CSV_HEADER, REASONS, type Reason } from '../../src/observe/accuracy.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'rdds-accuracy-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const REGISTRAR_ID = 9999001;
const registrar: Registrar = {
  type: 'registrar', ianaId: REGISTRAR_ID, name: 'Accuracy Test Registrar',
  postal: { street: ['1 Test Street'], city: 'London', pc: 'EC3A 8BF', cc: 'GB' },
  email: 'info@registrar.example', abuseEmail: 'abuse@registrar.example', abusePhone: '+44.2075550123',
};

const US: PostalInfo = { name: 'Mary Smith', org: 'Example LLC', street: ['1 Main Street', 'Suite 100'], city: 'Dulles', sp: 'VA', pc: '20166-6503', cc: 'US' };

function contact(handle: string, data: Partial<ContactData> & { privacyProxy?: Contact['privacyProxy'] } = {}): Contact {
  return { type: 'contact', handle, roid: `${handle.replace(/-/g, '_')}-ACC`, registrarId: REGISTRAR_ID, postalInt: US, voice: '+1.7035555555', email: `${handle.toLowerCase()}@example.com`, created: '2020-01-01T00:00:00Z', ...data };
}

// Clean contacts from every kind of country the rules know: each must pass.
const CLEAN: Contact[] = [
  contact('CLEAN-US', { voiceExt: '42', fax: '+1.7035555556' }),
  contact('CLEAN-JP', {
    postalLoc: { name: '山田 太郎', street: ['丸の内1丁目1番1号'], city: '千代田区', sp: '東京都', pc: '100-0005', cc: 'JP' },
    postalInt: { name: 'Taro Yamada', street: ['1-1-1 Marunouchi'], city: 'Chiyoda-ku', sp: 'Tokyo', pc: '100-0005', cc: 'JP' },
    voice: '+81.355550100', email: 'taro.yamada@example.com',
  }),
  contact('CLEAN-DE', { postalInt: { name: 'Jurgen Muller', street: ['Friedrichstrasse 68'], city: 'Berlin', pc: '10117', cc: 'DE' }, voice: '+49.3055501234', email: 'müller@bücher.example' }),
  contact('CLEAN-GB', { postalInt: { name: 'Olivia Hughes', street: ['30 St Mary Axe'], city: 'London', pc: 'EC3A 8BF', cc: 'GB' }, voice: '+44.2075550123', email: 'olivia@xn--bcher-kva.example' }),
  contact('CLEAN-NL', { postalInt: { name: 'Jan de Vries', street: ['Keizersgracht 123'], city: 'Amsterdam', pc: '1015 CJ', cc: 'NL' }, voice: '+31.205550123' }),
  contact('CLEAN-RU', {
    postalLoc: { name: 'Иван Петров', street: ['ул. Тверская, д. 9'], city: 'Москва', sp: 'Москва', pc: '125009', cc: 'RU' },
    postalInt: { name: 'Ivan Petrov', street: ['ul. Tverskaya, d. 9'], city: 'Moscow', sp: 'MOW', pc: '125009', cc: 'RU' },
    voice: '+7.4955550123',
  }),
  contact('CLEAN-BR', { postalInt: { name: 'Joao Silva', street: ['Avenida Paulista, 1000'], city: 'Sao Paulo', sp: 'SP', pc: '01310-100', cc: 'BR' }, voice: '+55.1132345678' }),
  contact('CLEAN-AE', { postalInt: { name: 'Omar Haddad', street: ['Sheikh Zayed Road 1'], city: 'Dubai', sp: 'Dubai', cc: 'AE' }, voice: '+971.43123456' }),
  contact('CLEAN-IE', { postalInt: { name: 'Aoife Byrne', street: ['1 Grafton Street'], city: 'Dublin', sp: 'Co. Dublin', pc: 'D02 X285', cc: 'IE' }, voice: '+353.16123456' }),
  contact('CLEAN-PP', {
    postalInt: { name: 'Privacy Administrator', org: 'Example Privacy Service', street: ['1 Main Street'], city: 'Dulles', sp: 'VA', pc: '20166', cc: 'US' },
    privacyProxy: { customer: { postalInt: { name: 'Emily Johnson', street: ['42 Elm Street'], city: 'Springfield', sp: 'IL', pc: '62701', cc: 'US' }, voice: '+1.2175550123', email: 'emily.johnson@example.com' } },
  }),
];

interface Plant {
  contact: Contact;
  field: string;
  reason: Reason;
  /** Written straight into the database, past the import's validation (as a registry's own database could hold it). */
  raw?: true;
}
const pc = (p: Partial<PostalInfo>): PostalInfo => ({ ...US, ...p });
// One planted problem per contact, so that "nothing else" can be checked exactly.
const PLANTS: Plant[] = [
  { contact: contact('BAD-PHONE-PLAN', { voice: '+1.5555551000' }), field: 'voice', reason: 'phone-number' },
  { contact: contact('BAD-PHONE-CC', { voice: '+999.1234567' }), field: 'voice', reason: 'phone-country-code' },
  { contact: contact('BAD-PHONE-DOT', { voice: '+12.125551234' }), field: 'voice', reason: 'phone-country-code' },
  { contact: contact('BAD-PHONE-LONG', { voice: '+353.12345678901234' }), field: 'voice', reason: 'phone-format' },
  { contact: contact('BAD-FAX', { fax: '+44.2012' }), field: 'fax', reason: 'phone-number' },
  { contact: contact('NO-VOICE', { voice: undefined }), field: 'voice', reason: 'phone-missing' },
  { contact: contact('BAD-EMAIL-LEN', { email: `${'é'.repeat(40)}@example.com` }), field: 'email', reason: 'email-syntax' },
  { contact: contact('NO-SP-ES', { postalInt: { name: 'Jose Garcia', street: ['Calle Mayor, 1'], city: 'Madrid', pc: '28013', cc: 'ES' }, voice: '+34.915550123' }), field: 'postalInt.sp', reason: 'field-missing' },
  { contact: contact('NO-PC-DE', { postalInt: { name: 'Anna Weber', street: ['Hauptstrasse 1'], city: 'Berlin', cc: 'DE' }, voice: '+49.3055501234' }), field: 'postalInt.pc', reason: 'field-missing' },
  { contact: contact('BAD-PC-NL', { postalInt: { name: 'Sanne Jansen', street: ['Damrak 1'], city: 'Amsterdam', pc: '1015', cc: 'NL' }, voice: '+31.205550123' }), field: 'postalInt.pc', reason: 'postal-code' },
  { contact: contact('BAD-STATE-US', { postalInt: pc({ sp: 'XX' }) }), field: 'postalInt.sp', reason: 'state-unknown' },
  { contact: contact('BAD-PC-STATE', { postalInt: pc({ sp: 'CA', pc: '10001' }) }), field: 'postalInt.pc', reason: 'postal-code-state' },
  {
    contact: contact('BAD-LOC-PC', {
      postalLoc: { name: '山田 花子', street: ['銀座1丁目1番1号'], city: '中央区', sp: '東京都', pc: '104-00051', cc: 'JP' },
      postalInt: { name: 'Hanako Yamada', street: ['1-1-1 Ginza'], city: 'Chuo-ku', sp: 'Tokyo', pc: '104-0061', cc: 'JP' },
      voice: '+81.355550100',
    }),
    field: 'postalLoc.pc', reason: 'postal-code',
  },
  {
    contact: contact('BAD-PP-CUST', { privacyProxy: { customer: { postalInt: pc({ name: 'Real Customer' }), voice: '+1.5555550000', email: 'customer@example.com' } } }),
    field: 'privacyProxy.customer.voice', reason: 'phone-number',
  },
  { contact: contact('RAW-PHONE-FMT', { voice: '+1 703 555 5555' }), field: 'voice', reason: 'phone-format', raw: true },
  { contact: contact('RAW-EMAIL-DOTS', { email: 'john..doe@example.com' }), field: 'email', reason: 'email-syntax', raw: true },
  { contact: contact('RAW-EMAIL-NAME', { email: 'John Doe <john@example.com>' }), field: 'email', reason: 'email-syntax', raw: true },
  { contact: contact('RAW-EMAIL-HOST', { email: 'john@exa_mple.com' }), field: 'email', reason: 'email-domain', raw: true },
  { contact: contact('RAW-EMAIL-LIT', { email: 'john@[192.0.2.1]' }), field: 'email', reason: 'email-domain', raw: true },
  { contact: contact('RAW-NO-EMAIL', { email: '' }), field: 'email', reason: 'email-missing', raw: true },
  { contact: contact('RAW-CC', { postalInt: pc({ cc: 'UK', sp: undefined, pc: 'EC3A 8BF', city: 'London' }), voice: '+44.2075550123' }), field: 'postalInt.cc', reason: 'country-code', raw: true },
  { contact: contact('RAW-NO-STREET', { postalInt: pc({ street: [' '] }) }), field: 'postalInt.street', reason: 'field-missing', raw: true },
  { contact: contact('RAW-NO-CITY', { postalInt: pc({ city: '' }) }), field: 'postalInt.city', reason: 'field-missing', raw: true },
  { contact: contact('RAW-NO-NAME', { postalInt: pc({ name: '' }) }), field: 'postalInt.name', reason: 'field-missing', raw: true },
  { contact: contact('RAW-NO-POSTAL', { postalInt: undefined }), field: 'postalInfo', reason: 'postal-missing', raw: true },
];
// A value RFC 5322 allows that the import's simpler check refuses: it must pass the report.
const CLEAN_RAW: Contact[] = [contact('CLEAN-QUOTED', { email: '"john doe"@example.com' })];

const domain = (name: string, roles: Partial<Domain>): Domain => ({
  type: 'domain', name, roid: `${name.split('.')[0].toUpperCase()}-ACC`, registrarId: REGISTRAR_ID, nameservers: [], statuses: ['ok'],
  created: '2020-01-01T00:00:00Z', expires: '2030-01-01T00:00:00Z', ds: [], ...roles,
});
const DOMAINS = [
  domain('clean.example', { registrant: 'CLEAN-US', admin: 'CLEAN-JP', tech: 'CLEAN-JP' }),
  domain('dirty.example', { registrant: 'BAD-PHONE-PLAN', admin: 'CLEAN-US', tech: 'BAD-PP-CUST', billing: 'RAW-NO-EMAIL' }),
];

const key = (f: { handle: string; field: string; reason: string }) => `${f.handle} ${f.field} ${f.reason}`;
const expected = (plants: Plant[]) => plants.map((p) => key({ handle: p.contact.handle, field: p.field, reason: p.reason })).sort();

const dbPath = join(dir, 'accuracy.sqlite');

before(async () => {
  // Every object the import accepts goes through the real import; the rest are planted over
  // placeholders with SQL, as data from a registry's own database would arrive.
  const placeholder = (c: Contact) => contact(c.handle);
  const objects = [registrar, ...CLEAN, ...PLANTS.map((p) => (p.raw ? placeholder(p.contact) : p.contact)), ...CLEAN_RAW.map(placeholder), ...DOMAINS];
  const file = join(dir, 'accuracy.jsonl');
  writeFileSync(file, objects.map((o) => JSON.stringify(o)).join('\n') + '\n');
  const store = SqliteStore.open(dbPath);
  try {
    await importJsonLines(store, file);
    const plant = store.database.prepare('UPDATE contacts SET data = ? WHERE handle = ?');
    for (const c of [...PLANTS.filter((p) => p.raw).map((p) => p.contact), ...CLEAN_RAW]) assert.equal(plant.run(JSON.stringify(c), c.handle).changes, 1);
  } finally {
    await store.close();
  }
});

describe('the accuracy checks', () => {
  test('every planted value is found with its reason, and nothing else', async () => {
    const store = SqliteStore.open(dbPath);
    try {
      const report = await accuracyReport(store);
      assert.equal(report.checked, CLEAN.length + PLANTS.length + CLEAN_RAW.length);
      assert.deepEqual(report.failures.map(key).sort(), expected(PLANTS));
      assert.equal(report.failing, PLANTS.length);
      const counts: Partial<Record<Reason, number>> = {};
      for (const p of PLANTS) counts[p.reason] = (counts[p.reason] ?? 0) + 1;
      assert.deepEqual(report.counts, counts);
      // The data set plants every reason the report knows.
      assert.deepEqual(Object.keys(counts).sort(), Object.keys(REASONS).sort());
      // Each failure carries the value it is about.
      const fax = report.failures.find((f) => f.handle === 'BAD-FAX')!;
      assert.equal(fax.value, '+44.2012');
      assert.match(report.failures.find((f) => f.handle === 'BAD-PC-NL')!.detail, /postal code of NL \(e\.g\. /);
    } finally {
      await store.close();
    }
  });

  test('--domain checks the contacts of that domain only, each once', async () => {
    const store = SqliteStore.open(dbPath);
    try {
      const dirty = await accuracyReport(store, { domain: 'DIRTY.example' });
      assert.equal(dirty.checked, 4);
      assert.deepEqual(dirty.domain, { name: 'dirty.example', roles: { registrant: 'BAD-PHONE-PLAN', admin: 'CLEAN-US', tech: 'BAD-PP-CUST', billing: 'RAW-NO-EMAIL' } });
      assert.deepEqual(dirty.failures.map(key).sort(), expected(PLANTS.filter((p) => ['BAD-PHONE-PLAN', 'BAD-PP-CUST', 'RAW-NO-EMAIL'].includes(p.contact.handle))));
      const clean = await accuracyReport(store, { domain: 'clean.example' });
      assert.equal(clean.checked, 2); // CLEAN-JP is admin and tech
      assert.deepEqual(clean.failures, []);
      await assert.rejects(accuracyReport(store, { domain: 'nowhere.example' }), /--domain: no domain nowhere\.example in the database/);
      await assert.rejects(accuracyReport(store, { domain: 'not a name' }), /--domain: not a name is not a valid domain name/);
    } finally {
      await store.close();
    }
  });

  test('the table lists each failure on its own line and the counts per reason with their meaning', async () => {
    const store = SqliteStore.open(dbPath);
    try {
      const text = accuracyText(await accuracyReport(store));
      for (const p of PLANTS) assert.match(text, new RegExp(`^${p.contact.handle} +${p.field.replace(/\./g, '\\.')} +${p.reason} `, 'm'));
      assert.match(text, new RegExp(`^${CLEAN.length + PLANTS.length + CLEAN_RAW.length} contacts checked: ${PLANTS.length} fail \\(${PLANTS.length} problems: `, 'm'));
      assert.match(text, /^ {2}field-missing +5 {2}a field the country's addresses need is empty$/m);
      assert.equal(text.split('\n').filter((l) => /^[A-Z][A-Z0-9-]* {2}/.test(l)).length, PLANTS.length); // one row per failure, no more
    } finally {
      await store.close();
    }
  });

  test('a contact with several problems reports each of them', () => {
    const failures = checkContact(contact('MANY', { voice: '+1.5555551000', email: 'x@-bad.example', postalInt: pc({ sp: 'XX', pc: '1234' }) }));
    assert.deepEqual(failures.map(key).sort(), ['MANY email email-domain', 'MANY postalInt.pc postal-code', 'MANY postalInt.sp state-unknown', 'MANY voice phone-number']);
  });

  // The demo data is clean (docs/accuracy.md, "The demo data"): numbers valid in their plans,
  // postal codes of their countries' patterns and regions, the regions the address data requires.
  // 3000 domains give about 1000 pool contacts from every country of the generator.
  test('the demo data passes', async () => {
    const store = SqliteStore.open(join(dir, 'demo.sqlite'));
    try {
      await writeDemo(store, { domains: 3000 });
      const report = await accuracyReport(store);
      assert.ok(report.checked > 100);
      const sample = report.failures.slice(0, 10).map((f) => `${f.handle} ${f.field} ${f.reason} ${f.value}`);
      assert.equal(report.failures.length, 0, `demo contacts that fail:\n${sample.join('\n')}`);
    } finally {
      await store.close();
    }
  });
});

describe('rdds report accuracy', () => {
  const rdds = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', 'accuracy', ...args], { encoding: 'utf8', env: { ...process.env, RDDS_CONFIG: '' } }).then(
      (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ status: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  test('CSV, --domain and exit statuses', async () => {
    const [csv, clean, badFlag, noDb] = await Promise.all([
      rdds(['--db', dbPath, '--csv']),
      rdds(['--db', dbPath, '--domain', 'clean.example']),
      rdds(['--db', dbPath, '--bogus']),
      rdds(['--db', join(dir, 'missing.sqlite')]),
    ]);

    assert.equal(csv.status, 1, csv.stderr);
    const rows = parse(csv.stdout, { columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]), [...CSV_HEADER]);
    assert.deepEqual(rows.map((r) => key({ handle: r.handle, field: r.field, reason: r.reason })).sort(), expected(PLANTS));
    // Values with commas, quotes, angle brackets or only a space come back whole.
    assert.equal(rows.find((r) => r.handle === 'RAW-EMAIL-NAME')!.value, 'John Doe <john@example.com>');
    assert.equal(rows.find((r) => r.handle === 'RAW-NO-STREET')!.value, ' ');
    assert.equal(rows.find((r) => r.handle === 'RAW-NO-STREET')!.detail, 'United States of America (US) addresses need a street');
    assert.match(csv.stderr, new RegExp(`^rdds: ${CLEAN.length + PLANTS.length + CLEAN_RAW.length} contacts checked: ${PLANTS.length} fail `));

    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, /^domain clean\.example: registrant CLEAN-US, admin CLEAN-JP, tech CLEAN-JP$/m);
    assert.match(clean.stdout, /^the 2 contacts of clean\.example checked: all pass$/m);

    for (const [r, flag] of [[badFlag, '--bogus'], [noDb, '--db']] as const) {
      assert.equal(r.status, 2, `${flag}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.includes(flag), r.stderr);
    }
  });
});
