// The RDE deposit generator and writer: deposits validate against the RFC 8909/9022 schemas
// (xmllint), carry exactly the demo data, are the same bytes for the same options, DIFFs change what
// they say they change, hostile values survive an XML parser unchanged, values XML cannot carry are
// refused without leaving a file, and a 100,000-domain FULL streams in flat memory.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { demoCounts, demoObjects, FIXED_REGISTRAR_ID } from '../../src/ingest/demo.js';
import {
  DEMO_WATERMARK, domainNamesAfter, fullDepositObjects, fullEnvelope, HOSTILE_KINDS, HOSTILE_REFUSED, hostileFacts, planChanges,
  writeChangeDeposit, writeDepositFile, writeFullDeposit, type ChangeDepositOptions, type FullDepositOptions,
} from '../../src/ingest/rde/generate.js';
import { DepositWriteError, DepositWriter, OBJECT_URI, registrarRepositoryId, withoutUncarried, type DepositEnvelope } from '../../src/ingest/rde/write.js';
import type { Contact, Domain, RegistryObject } from '../../src/model/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SCHEMA = resolve(ROOT, '../shared/spec/rde-schemas/deposit.xsd');
const xmllintPresent = spawnSync('xmllint', ['--version']).status === 0;
const SKIP_SCHEMA = !existsSync(SCHEMA)
  ? `RDE schemas not found at ${SCHEMA} (CI places shared/ beside the clone)`
  : !xmllintPresent ? 'xmllint not installed (Debian package libxml2-utils)' : undefined;

const dir = mkdtempSync(join(tmpdir(), 'rdds-rde-generate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Collects what a writer produces. */
async function bytesOf(write: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({ write: (chunk: Buffer, _enc, cb) => (chunks.push(chunk), cb()) });
  await write(out);
  return Buffer.concat(chunks);
}
const full = (opts: FullDepositOptions) => bytesOf((out) => writeFullDeposit(out, opts));
const change = (opts: ChangeDepositOptions) => bytesOf((out) => writeChangeDeposit(out, planChanges(opts)));

let files = 0;
function assertSchemaValid(xml: Buffer, t: { skip: (m: string) => void }, name = 'deposit.xml'): void {
  if (SKIP_SCHEMA) return t.skip(SKIP_SCHEMA);
  const path = join(dir, `${++files}-${name}`);
  writeFileSync(path, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, `xmllint refused ${name}:\n${r.stderr.slice(0, 2000)}`);
}

// ---------------------------------------------------------------------------------------------
// A small namespace-aware reader for the tests (the importer is not this test's subject).

interface Element {
  uri: string;
  local: string;
  attrs: Record<string, string>;
  children: Element[];
  text: string;
}
const RDE = 'urn:ietf:params:xml:ns:rde-1.0';

function parse(xml: Buffer | string): Element {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Element[] = [];
  let root: Element | undefined;
  parser.on('opentag', (tag) => {
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) if (typeof a === 'object' && a.prefix !== 'xmlns' && a.local !== 'xmlns') attrs[a.local] = a.value;
    const el: Element = { uri: tag.uri ?? '', local: tag.local ?? tag.name, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('text', (text) => {
    if (stack.length > 0) stack[stack.length - 1].text += text;
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(xml.toString('utf8')).close();
  return root!;
}

const child = (el: Element, local: string) => el.children.find((c) => c.local === local);
const texts = (el: Element, local: string) => el.children.filter((c) => c.local === local).map((c) => c.text);
const all = (el: Element, local: string): Element[] => [...(el.local === local ? [el] : []), ...el.children.flatMap((c) => all(c, local))];

interface Read {
  root: Element;
  watermark: string;
  counts: Record<string, number>;
  objects: Element[]; // the contents after the header, in order
  deletes: Element[];
}
function read(xml: Buffer): Read {
  const root = parse(xml);
  assert.equal(root.uri, RDE);
  assert.equal(root.local, 'deposit');
  const contents = child(root, 'contents')!;
  const [header, ...objects] = contents.children;
  assert.equal(header.local, 'header');
  const counts = Object.fromEntries(header.children.filter((c) => c.local === 'count').map((c) => [c.attrs.uri, Number(c.text)]));
  return { root, watermark: child(root, 'watermark')!.text, counts, objects, deletes: child(root, 'deletes')?.children ?? [] };
}
const keyOf = (el: Element) => (el.local === 'contact' || el.local === 'registrar' ? child(el, 'id')! : child(el, 'name')!).text;
/** An object's key as the deposit writes it (registrars by their repository id). */
const modelKey = (o: RegistryObject) =>
  `${o.type} ${o.type === 'contact' ? o.handle : o.type === 'registrar' ? registrarRepositoryId(o.ianaId) : o.name}`;
const TYPE_OF_URI = Object.fromEntries(Object.entries(OBJECT_URI).map(([type, uri]) => [uri, type]));

// ---------------------------------------------------------------------------------------------

describe('RDE deposits validate against the schemas', () => {
  it('FULL, references first and domains first, plain and gzip', async (t) => {
    assertSchemaValid(await full({ domains: 300 }), t, 'full.xml');
    assertSchemaValid(await full({ domains: 300, seed: 7, order: 'domains-first' }), t, 'full-domains-first.xml');
    // xmllint reads gzip by content: the compressed deposit is the same document.
    assertSchemaValid(await bytesOf((out) => writeFullDeposit(out, { domains: 100 }, { gzip: true })), t, 'full.xml.gz');
  });

  it('DIFF and INCR', async (t) => {
    assertSchemaValid(await change({ full: { domains: 300 }, changes: 40 }), t, 'diff.xml');
    assertSchemaValid(await change({ full: { domains: 300 }, changes: 40, type: 'INCR' }), t, 'incr.xml');
  });

  it('with every kind of hostile value, in both orders', async (t) => {
    assertSchemaValid(await full({ domains: 60, hostile: HOSTILE_KINDS }), t, 'hostile.xml');
    assertSchemaValid(await full({ domains: 60, hostile: HOSTILE_KINDS, order: 'domains-first' }), t, 'hostile-domains-first.xml');
  });
});

describe('determinism', () => {
  it('the same options give the same bytes; another seed other bytes', async () => {
    const a = await full({ domains: 500, seed: 3 });
    assert.ok(a.equals(await full({ domains: 500, seed: 3 })));
    assert.ok(!a.equals(await full({ domains: 500, seed: 4 })));
    const gz = (seed: number) => bytesOf((out) => writeFullDeposit(out, { domains: 200, seed }, { gzip: true }));
    assert.ok((await gz(3)).equals(await gz(3)));
    assert.ok(gunzipSync(await gz(3)).equals(await full({ domains: 200, seed: 3 })));
    const d = await change({ full: { domains: 500, seed: 3 }, changes: 60 });
    assert.ok(d.equals(await change({ full: { domains: 500, seed: 3 }, changes: 60 })));
    assert.ok(!d.equals(await change({ full: { domains: 500, seed: 4 }, changes: 60 })));
  });
});

describe('FULL deposits', () => {
  it('carry the demo data: every object once, header counts as written, the envelope as given', async () => {
    const opts = { domains: 400, seed: 11 };
    const deposit = read(await full(opts));
    const counts = demoCounts(opts);
    for (const type of ['registrar', 'contact', 'host', 'domain'] as const) {
      assert.equal(deposit.counts[OBJECT_URI[type]], counts[type], `header count of ${type}`);
      assert.equal(deposit.objects.filter((o) => TYPE_OF_URI[o.uri] === type).length, counts[type], `${type} objects`);
    }
    assert.deepEqual(deposit.objects.map((o) => `${TYPE_OF_URI[o.uri]} ${keyOf(o)}`), [...demoObjects(opts)].map(modelKey));
    assert.deepEqual(deposit.root.attrs, { type: 'FULL', id: 'FB' });
    assert.equal(deposit.watermark, DEMO_WATERMARK);
  });

  it('carry every value withoutUncarried() keeps, and none of those it drops', async () => {
    const opts = { domains: 400, seed: 2 };
    const objects = read(await full(opts)).objects;
    const valuesIn = (el: Element, into = new Set<string>()): Set<string> => {
      if (el.children.length === 0) into.add(el.text);
      for (const v of Object.values(el.attrs)) into.add(v);
      for (const c of el.children) valuesIn(c, into);
      return into;
    };
    const leaves = (v: unknown, key = ''): string[] => {
      if (v === undefined || typeof v === 'boolean' || key === 'type') return [];
      if (typeof v === 'object' && v !== null) return Object.entries(v).flatMap(([k, x]) => leaves(x, k));
      return [key === 'registrarId' ? registrarRepositoryId(v as number) : String(v)];
    };
    let dropped = 0;
    [...demoObjects(opts)].forEach((o, i) => {
      const seen = valuesIn(objects[i]);
      for (const leaf of leaves(withoutUncarried(o))) assert.ok(seen.has(leaf), `${modelKey(o)} lost ${leaf}`);
      const gone = o.type === 'registrar' ? [o.abuseEmail, o.rdapBaseUrl, o.admin?.email] : o.type === 'contact' ? [o.privacyProxy?.customer.email] : o.type === 'domain' ? [o.reseller] : [];
      for (const value of gone.filter((g) => g !== undefined)) {
        dropped++;
        assert.ok(!seen.has(value), `${modelKey(o)} carries ${value}`);
      }
    });
    assert.ok(dropped > 30, `${dropped} dropped values checked`);
  });

  it('map registrars by a repository id that is not the IANA ID, and every clID names one of them', async () => {
    const deposit = read(await full({ domains: 300 }));
    const registrars = deposit.objects.filter((o) => o.local === 'registrar');
    const ids = new Set(registrars.map((r) => child(r, 'id')!.text));
    for (const r of registrars) {
      const gurid = child(r, 'gurid')!.text;
      assert.equal(child(r, 'id')!.text, `reg-${gurid}`);
    }
    assert.ok(ids.has(`reg-${FIXED_REGISTRAR_ID}`));
    for (const o of deposit.objects.filter((o) => o.local !== 'registrar')) {
      for (const rr of [...texts(o, 'clID'), ...texts(o, 'crRr')]) assert.ok(ids.has(rr), `${o.local} ${keyOf(o)}: ${rr}`);
    }
  });

  it('have no date later than the watermark (the demo data\'s "now")', async () => {
    const deposit = read(await full({ domains: 2000, seed: 5 }));
    const watermark = Date.parse(deposit.watermark);
    let dates = 0;
    for (const o of deposit.objects) {
      for (const el of ['crDate', 'upDate', 'trDate'].flatMap((l) => all(o, l))) {
        dates++;
        assert.ok(Date.parse(el.text) <= watermark, `${o.local} ${keyOf(o)} ${el.local} ${el.text} is after the watermark`);
      }
    }
    assert.ok(dates > 4000);
  });

  it('in domains-first order put every object before the ones it refers to', async () => {
    const objects = read(await full({ domains: 300, order: 'domains-first' })).objects;
    const firstOf = (local: string) => objects.findIndex((o) => o.local === local);
    const lastOf = (local: string) => objects.length - 1 - [...objects].reverse().findIndex((o) => o.local === local);
    assert.equal(firstOf('domain'), 0);
    assert.ok(lastOf('domain') < firstOf('host') && lastOf('host') < firstOf('contact') && lastOf('contact') < firstOf('registrar'));
    assert.equal(objects.length, demoCounts({ domains: 300 }).total);
  });

  it('write statuses, grace periods, contacts by role, name servers, DNSSEC and disclosure as RFC 9022 places them', async () => {
    const objects = read(await full({ domains: 300 })).objects;
    const byKey = new Map(objects.map((o) => [`${o.local} ${keyOf(o)}`, o]));
    const nic = byKey.get('domain nic.example')!;
    assert.deepEqual(nic.children.filter((c) => c.local === 'status').map((c) => c.attrs.s), ['clientDeleteProhibited', 'serverTransferProhibited']);
    assert.equal(child(nic, 'registrant')!.text, 'NIC-REGISTRANT');
    assert.deepEqual(nic.children.filter((c) => c.local === 'contact').map((c) => [c.attrs.type, c.text]), [['admin', 'NIC-ADMIN'], ['tech', 'NIC-TECH']]);
    assert.deepEqual(all(nic, 'hostObj').map((h) => h.text), ['ns1.nic.example', 'ns2.nic.example']);
    assert.deepEqual(all(nic, 'keyTag').map((k) => k.text), ['12345']);
    const idn = byKey.get('domain xn--eckwd4c7c.example')!;
    assert.equal(child(idn, 'uName')!.text, 'ドメイン.example');
    // The demo's fourth status set is addPeriod alone: an EPP "ok" plus the RFC 3915 grace period.
    const addPeriod = objects.find((o) => o.local === 'domain' && o.children.some((c) => c.local === 'rgpStatus' && c.attrs.s === 'addPeriod'))!;
    assert.ok(addPeriod.children.some((c) => c.local === 'status'), 'a domain in addPeriod keeps an EPP status');
    assert.ok(!addPeriod.children.some((c) => c.local === 'status' && c.attrs.s === 'addPeriod'));
    const tech = byKey.get('contact NIC-TECH')!;
    assert.equal(child(tech, 'voice')!.attrs.x, '42');
    const disclose = child(tech, 'disclose')!;
    assert.equal(disclose.attrs.flag, '1');
    assert.deepEqual(disclose.children.map((c) => c.local + (c.attrs.type ? `:${c.attrs.type}` : '')), ['org:int', 'addr:int', 'voice', 'email']);
    const yamada = byKey.get('contact YAMADA-TARO')!;
    assert.deepEqual(yamada.children.filter((c) => c.local === 'postalInfo').map((p) => [p.attrs.type, child(p, 'name')!.text]), [['loc', '山田 太郎'], ['int', 'Taro Yamada']]);
    const ns1 = byKey.get('host ns1.nic.example')!;
    assert.deepEqual(ns1.children.filter((c) => c.local === 'addr').map((a) => [a.attrs.ip, a.text]), [['v4', '192.0.2.53'], ['v6', '2001:db8::53']]);
  });
});

describe('DIFF and INCR deposits', () => {
  const fullOpts = { domains: 1000, seed: 9 };
  const plan = planChanges({ full: fullOpts, changes: 100 });
  const fullNames = [...demoObjects(fullOpts)].filter((o): o is Domain => o.type === 'domain').map((d) => d.name);
  const fullByName = new Map([...demoObjects(fullOpts)].filter((o): o is Domain => o.type === 'domain').map((d) => [d.name, d]));

  it('change half updated, a quarter added, a quarter deleted, never the fixed domains', () => {
    assert.equal(plan.updated.length, 50);
    assert.equal(plan.added.length, 25);
    assert.equal(plan.deleted.length, 25);
    const touched = [...plan.updated.map((d) => d.name), ...plan.deleted];
    assert.equal(new Set(touched).size, 75, 'no domain is both updated and deleted');
    for (const name of touched) assert.ok(fullByName.has(name), `${name} is in the FULL`);
    for (const fixed of ['nic.example', 'xn--eckwd4c7c.example', 'private.example']) assert.ok(!touched.includes(fixed), fixed);
    for (const d of plan.added) assert.ok(!fullByName.has(d.name), `${d.name} is new`);
    for (const d of plan.updated) {
      const before = fullByName.get(d.name)!;
      assert.notDeepEqual(d, before);
      assert.ok(d.updated! > DEMO_WATERMARK && d.updated! < plan.envelope.watermark, `${d.name} updated ${d.updated}`);
    }
    // The same options plan the same changes.
    assert.deepEqual(planChanges({ full: fullOpts, changes: 100 }), plan);
  });

  it('write the deletes, the changed domains and the totals after the changes, following the FULL', async () => {
    const deposit = read(await change({ full: fullOpts, changes: 100 }));
    assert.deepEqual(deposit.root.attrs, { type: 'DIFF', id: 'D9x2S', prevId: 'F9' });
    assert.deepEqual(deposit.deletes.map((d) => [d.local, child(d, 'name')!.text]), plan.deleted.map((n) => ['delete', n]));
    assert.deepEqual(deposit.objects.map(keyOf), [...plan.updated, ...plan.added].map((d) => d.name));
    const before = fullEnvelope(fullOpts).counts;
    assert.equal(deposit.counts[OBJECT_URI.domain], before.domain);
    assert.equal(deposit.counts[OBJECT_URI.contact], before.contact);
    assert.equal(deposit.watermark, '2026-10-02T00:00:00Z');
    const after = [...domainNamesAfter(fullOpts, plan)];
    assert.equal(after.length, deposit.counts[OBJECT_URI.domain], 'the header counts the domains there are after the DIFF');
    const gone = new Set(plan.deleted);
    assert.deepEqual(after, [...fullNames.filter((n) => !gone.has(n)), ...plan.added.map((d) => d.name)]);
  });

  it('as INCR carry the same changes with type INCR, following the FULL', async () => {
    const incr = read(await change({ full: fullOpts, changes: 100, type: 'INCR', id: 'INCR1' }));
    assert.deepEqual(incr.root.attrs, { type: 'INCR', id: 'INCR1', prevId: 'F9' });
    assert.equal(incr.deletes.length, 25);
    assert.equal(incr.objects.length, 75);
  });

  it('refuse to plan more changes than the FULL has domains for', () => {
    assert.throws(() => planChanges({ full: { domains: 10 }, changes: 40 }), /40 changes need at least 33 domains/);
    assert.throws(() => planChanges({ full: { domains: 10 }, changes: 0 }), /changes must be a whole number above 0/);
  });
});

describe('hostile values', () => {
  const opts: FullDepositOptions = { domains: 40, hostile: HOSTILE_KINDS };

  it('are carried exactly: an XML parser reads back every value as it was generated', async () => {
    const objects = read(await full(opts)).objects;
    const facts = hostileFacts(opts);
    assert.deepEqual(new Set(facts.map((f) => f.kind)), new Set(HOSTILE_KINDS));
    for (const f of facts) {
      const carrier = objects.find((o) => o.local === f.carrier.type && keyOf(o) === f.carrier.key);
      assert.ok(carrier, `${f.carrier.type} ${f.carrier.key} is in the deposit`);
      const [part, key] = f.carrier.field.split('.');
      let read: string | undefined;
      if (f.carrier.field === 'name') read = keyOf(carrier);
      else if (f.carrier.field === 'email') read = child(carrier, 'email')!.text;
      else if (f.carrier.field === 'voiceExt') read = child(carrier, 'voice')!.attrs.x;
      else {
        const postal = carrier.children.find((c) => c.local === 'postalInfo' && c.attrs.type === (part === 'postalLoc' ? 'loc' : 'int'))!;
        read = child(postal, key)!.text;
      }
      assert.equal(read, f.value, `${f.kind} in ${f.carrier.type} ${f.carrier.key} ${f.carrier.field}`);
      assert.equal(f.refused, HOSTILE_REFUSED[f.kind]);
      if (f.domain) assert.ok(objects.some((o) => o.local === 'domain' && keyOf(o) === f.domain), `${f.domain} is in the deposit`);
    }
  });

  it('add only the kinds asked for, and count them in the header', async () => {
    const one = { domains: 40, hostile: ['zero-width'] as const };
    const facts = hostileFacts(one);
    assert.ok(facts.length > 0 && facts.every((f) => f.kind === 'zero-width' && !f.refused));
    const deposit = read(await full(one));
    const base = demoCounts({ domains: 40 });
    assert.equal(deposit.counts[OBJECT_URI.contact], base.contact + facts.length);
    assert.equal(deposit.counts[OBJECT_URI.domain], base.domain + facts.length);
    assert.equal(deposit.objects.length, base.total + 2 * facts.length);
    assert.deepEqual(hostileFacts({ domains: 40 }), []);
  });

  it('leave a DIFF on top of a hostile FULL alone, and the DIFF counts them', () => {
    const plan = planChanges({ full: opts, changes: 8 });
    const hostileDomains = new Set(hostileFacts(opts).flatMap((f) => (f.domain ? [f.domain] : [])));
    for (const name of [...plan.deleted, ...plan.updated.map((d) => d.name)]) assert.ok(!hostileDomains.has(name));
    assert.equal(plan.envelope.counts.domain, fullEnvelope(opts).counts.domain + plan.added.length - plan.deleted.length);
  });
});

describe('DepositWriter', () => {
  const envelope = (over: Partial<DepositEnvelope> = {}): DepositEnvelope => ({
    type: 'FULL', id: 'T1', watermark: DEMO_WATERMARK, tld: 'example', counts: { domain: 0, host: 0, contact: 1, registrar: 0 }, ...over,
  });
  const contact = (name: string): Contact => ({
    type: 'contact', handle: 'BAD-1', roid: 'C1-BAD', registrarId: FIXED_REGISTRAR_ID,
    postalInt: { name, street: ['1 Street'], city: 'Amsterdam', cc: 'NL' }, email: 'bad@example.com', created: '2020-01-01T00:00:00Z',
  });

  for (const [what, value, code] of [['a C0 control', 'A\u0001B', '0001'], ['a lone surrogate', 'A\ud800B', 'D800'], ['U+FFFE', 'A\ufffeB', 'FFFE']] as const) {
    it(`refuses ${what}, naming the object and field, and leaves no file behind`, async () => {
      const path = join(dir, `bad-${code}.xml`);
      await assert.rejects(
        writeDepositFile(path, async (out, w) => {
          const writer = new DepositWriter(out, envelope(), w);
          await writer.put(contact(value));
          await writer.end();
          return envelope();
        }),
        (err: Error) => err instanceof DepositWriteError && err.message === `contact BAD-1 postalInt.name: U+${code} at offset 1 cannot be carried by XML 1.0`,
      );
      assert.ok(!existsSync(path) && !existsSync(`${path}.partial`));
    });
  }

  it('writes a file through a temporary one and says how big it is', async () => {
    const path = join(dir, 'small.xml.gz');
    const { envelope: e, bytes } = await writeDepositFile(path, (out, w) => writeFullDeposit(out, { domains: 20 }, w));
    assert.equal(e.id, 'F1');
    assert.ok(existsSync(path) && !existsSync(`${path}.partial`));
    assert.ok(gunzipSync(await import('node:fs/promises').then((fs) => fs.readFile(path))).equals(await full({ domains: 20 })));
    assert.ok(bytes > 1000);
  });

  it('refuses envelopes and calls that would make an invalid deposit', async () => {
    const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
    assert.throws(() => new DepositWriter(sink(), envelope({ id: 'has_underscore' })), /deposit id "has_underscore" must be 1-13 letters or digits/);
    assert.throws(() => new DepositWriter(sink(), envelope({ type: 'DIFF' })), /a DIFF deposit needs a prevId/);
    assert.throws(() => new DepositWriter(sink(), envelope({ prevId: 'F0' })), /a FULL deposit has no prevId/);
    assert.throws(() => new DepositWriter(sink(), envelope({ watermark: '2026-10-01' })), /watermark "2026-10-01" is not an ISO 8601 UTC time/);
    await assert.rejects(new DepositWriter(sink(), envelope()).delete({ type: 'domain', name: 'x.example' }), /a FULL deposit has no <rde:deletes>/);
    const diff = new DepositWriter(sink(), envelope({ type: 'DIFF', prevId: 'F0' }));
    await diff.put(contact('Fine'));
    await assert.rejects(diff.delete({ type: 'domain', name: 'x.example' }), /deletes must come before the objects/);
    const short = new DepositWriter(sink(), envelope({ counts: { domain: 0, host: 0, contact: 2, registrar: 0 } }));
    await short.put(contact('Fine'));
    await assert.rejects(short.end(), /FULL deposit T1: contact 2 in the header, 1 written/);
  });

  it('writes deletes of each type in the RFC 9022 form', async () => {
    const xml = await bytesOf(async (out) => {
      const w = new DepositWriter(out, envelope({ type: 'INCR', prevId: 'F1', counts: { domain: 0, host: 0, contact: 0, registrar: 0 } }));
      await w.delete({ type: 'domain', name: 'gone.example' });
      await w.delete({ type: 'host', name: 'ns1.gone.example' });
      await w.delete({ type: 'host', roid: 'H9-EXAMPLE' });
      await w.delete({ type: 'contact', handle: 'GONE-1' });
      await w.delete({ type: 'registrar', ianaId: 5555009 });
      await w.end();
    });
    const deletes = read(xml).deletes.map((d) => `${TYPE_OF_URI[d.uri]} ${d.children.map((c) => `${c.local}=${c.text}`).join(' ')}`);
    assert.deepEqual(deletes, ['domain name=gone.example', 'host name=ns1.gone.example', 'host roid=H9-EXAMPLE', 'contact id=GONE-1', 'registrar id=reg-5555009']);
  });

  it('waits for a slow Writable: no more than one chunk is ever queued beyond its high-water mark', async () => {
    let maxQueued = 0;
    let bytes = 0;
    const out = new Writable({
      highWaterMark: 16 << 10,
      write(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        setImmediate(cb);
      },
    });
    const origWrite = out.write.bind(out);
    out.write = ((chunk: string) => {
      const ok = origWrite(chunk);
      maxQueued = Math.max(maxQueued, out.writableLength);
      return ok;
    }) as typeof out.write;
    await writeFullDeposit(out, { domains: 3000 });
    const oneChunk = 3 * (1 << 16) + 8192; // 64 Ki characters of at most 3 UTF-8 bytes, plus the object that crossed the mark
    assert.ok(bytes > 10 * oneChunk, `${bytes} bytes written`);
    assert.ok(maxQueued <= (16 << 10) + oneChunk, `${maxQueued} bytes were queued at once`);
  });
});

describe('memory', () => {
  it('a 100,000-domain FULL deposit streams in flat memory (RSS growth measured in a child process)', () => {
    const script = `
      import { Writable } from 'node:stream';
      import { writeFullDeposit } from ${JSON.stringify(resolve(ROOT, 'src/ingest/rde/generate.ts'))};
      let bytes = 0, peak = 0;
      const sink = () => new Writable({ highWaterMark: 1 << 20, write(chunk, _e, cb) { bytes += chunk.length; peak = Math.max(peak, process.memoryUsage.rss()); cb(); } });
      await writeFullDeposit(sink(), { domains: 5000 }); // warm up the code paths
      const base = process.memoryUsage.rss();
      bytes = 0; peak = base;
      const started = Date.now();
      await writeFullDeposit(sink(), { domains: 100000 });
      console.log(JSON.stringify({ base, peak, bytes, ms: Date.now() - started }));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as { base: number; peak: number; bytes: number; ms: number };
    const growth = m.peak - m.base;
    // Measured here: about 30 MiB for 100,000 domains (and 37 MiB for 300,000). The bound is under
    // half the deposit's size, so a writer that held the deposit (or its objects) would fail it.
    const LIMIT = 64 << 20;
    assert.ok(m.bytes > 2 * LIMIT, `the deposit is ${(m.bytes / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(growth < LIMIT, `RSS grew by ${(growth / 2 ** 20).toFixed(0)} MiB writing ${(m.bytes / 2 ** 20).toFixed(0)} MiB in ${m.ms} ms`);
  });
});

// fullDepositObjects is what a test of the importer compares with: it must be the written order.
describe('fullDepositObjects', () => {
  it('lists the objects in the order the deposit holds them, hostile ones included', async () => {
    const opts: FullDepositOptions = { domains: 80, hostile: ['markup', 'invalid-name'], order: 'domains-first' };
    const written = read(await full(opts)).objects.map((o) => `${o.local} ${keyOf(o)}`);
    const listed = [...fullDepositObjects(opts)].map(modelKey);
    assert.deepEqual(written, listed);
  });
});
