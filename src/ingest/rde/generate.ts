// Deterministic RDE deposits for tests and the benchmark, built on the demo generator
// (src/ingest/demo.ts): a FULL deposit holds exactly the objects a `rdds demo` database holds,
// and a DIFF (or INCR) deposit changes M of its domains on top of it: half updated, a quarter
// added, a quarter deleted. Everything follows from the options: the same options give the same
// bytes. Options for tests of the importer: objects in a hostile order (domains before what they
// refer to) and hostile values XML can carry (C1 controls, bidi overrides, zero-width
// characters, noncharacters, over-long values, invalid names, markup), with the facts a test
// needs to check the result (which names exist after a DIFF, which were deleted, where each
// hostile value sits and whether rdds must refuse it).
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { demoCounts, demoObjects, FIXED_REGISTRAR_ID, type DemoOptions } from '../demo.js';
import type { Contact, Domain, Host, RegistryObject } from '../../model/types.js';
import { DepositWriter, type DepositEnvelope, type DepositWriterOptions, type ObjectCounts, type ObjectType } from './write.js';

/** The demo data's "now" (NOW in demo.ts): no date in the demo data is later, so it is the FULL's watermark. */
export const DEMO_WATERMARK = '2026-10-01T00:00:00Z';
const DAY = 86_400_000;

/** references-first: registrars, contacts, hosts, domains. domains-first: the reverse, so every reference points forward. */
export type DepositOrder = 'references-first' | 'domains-first';

export interface FullDepositOptions extends DemoOptions {
  /** Deposit id (default F + the seed in base 36, e.g. F1). */
  id?: string;
  watermark?: string;
  order?: DepositOrder;
  /** Add objects carrying hostile values of these kinds (see HOSTILE_KINDS). */
  hostile?: readonly HostileKind[];
}

const base36 = (n: number) => n.toString(36).toUpperCase();
const seedOf = (opts: DemoOptions) => (opts.seed ?? 1) >>> 0; // demo.ts's default seed
const tldOf = (opts: DemoOptions) => opts.tld ?? 'example';

export function fullDepositId(opts: FullDepositOptions): string {
  return opts.id ?? `F${base36(seedOf(opts))}`;
}

// ---------------------------------------------------------------------------------------------
// Hostile values

export type HostileKind =
  | 'c1-control' | 'bidi-override' | 'noncharacter' | 'over-long' | 'invalid-name' // refused at import
  | 'zero-width' | 'joiner-in-word' | 'markup'; // kept as data

/**
 * What rdds must do with each kind (issue #14, item 4): refuse the import, naming the object, or
 * keep the value as data (zero-width characters shown escaped, e.g. <U+200B>; ZWJ/ZWNJ inside a
 * word of a script that needs them shown as they are; markup escaped by each door).
 */
export const HOSTILE_REFUSED: Readonly<Record<HostileKind, boolean>> = {
  'c1-control': true,
  'bidi-override': true,
  noncharacter: true,
  'over-long': true,
  'invalid-name': true,
  'zero-width': false,
  'joiner-in-word': false,
  markup: false,
};
export const HOSTILE_KINDS = Object.keys(HOSTILE_REFUSED) as HostileKind[];

type ContactField = 'postalLoc.name' | 'postalLoc.org' | 'postalInt.name' | 'postalInt.org' | 'email' | 'voiceExt';
interface Variant {
  kind: HostileKind;
  field: ContactField | 'domain label' | 'host label';
  value: string;
}
// Every value is one XML 1.0 can carry and the schemas accept (over-long means longer than rdds
// allows, not longer than the schema does); non-ASCII goes to the loc postal info, which may hold it.
const VARIANTS: Variant[] = [
  { kind: 'c1-control', field: 'postalLoc.name', value: 'Jan\u0085de Vries' }, // NEL
  { kind: 'c1-control', field: 'postalLoc.org', value: 'Acme\u009b31m Holdings' }, // CSI
  { kind: 'bidi-override', field: 'postalLoc.name', value: 'Ali \u202eecnarF' }, // RLO
  { kind: 'bidi-override', field: 'postalLoc.org', value: '\u2066Isolate\u2069 Trading' }, // LRI .. PDI
  { kind: 'noncharacter', field: 'postalLoc.name', value: 'Non\ufdd0character' },
  { kind: 'noncharacter', field: 'postalLoc.org', value: 'Plane\u{1fffe}Noncharacter' },
  { kind: 'over-long', field: 'email', value: `${'x'.repeat(300)}@example.com` },
  { kind: 'over-long', field: 'voiceExt', value: '1'.repeat(40) },
  { kind: 'invalid-name', field: 'domain label', value: '-leading-hyphen' },
  { kind: 'invalid-name', field: 'domain label', value: 'under_score' },
  { kind: 'invalid-name', field: 'domain label', value: 'a'.repeat(64) },
  { kind: 'invalid-name', field: 'host label', value: 'ns1.bad_host' },
  { kind: 'zero-width', field: 'postalLoc.name', value: 'Zero\u200bWidth Space' },
  { kind: 'zero-width', field: 'postalLoc.org', value: 'Word\u2060Joiner \ufeffInside Ltd' },
  { kind: 'joiner-in-word', field: 'postalLoc.name', value: 'می\u200cخواهم' }, // Persian, ZWNJ
  { kind: 'joiner-in-word', field: 'postalLoc.org', value: 'क्\u200dष Traders' }, // Devanagari, ZWJ
  { kind: 'markup', field: 'postalInt.org', value: '<script>alert("x")</script> & ]]> Co' },
  { kind: 'markup', field: 'postalInt.name', value: "O'Brien & <b>Sons</b>" },
];

/** Where one hostile value sits, and what rdds must do with it. */
export interface HostileFact {
  kind: HostileKind;
  value: string;
  refused: boolean;
  /** The object that carries the value and the rdds field that holds it. */
  carrier: { type: 'contact' | 'domain' | 'host'; key: string; field: string };
  /** A domain whose answers show the value (absent for the standalone host). */
  domain?: string;
}

interface Hostile {
  facts: HostileFact[];
  objects: RegistryObject[];
}

const HOSTILE_CREATED = '2020-01-01T00:00:00Z';
const HOSTILE_EXPIRES = '2027-01-01T00:00:00Z';

function hostile(opts: FullDepositOptions): Hostile {
  const kinds = new Set(opts.hostile ?? []);
  const tld = tldOf(opts);
  const facts: HostileFact[] = [];
  const objects: RegistryObject[] = [];
  VARIANTS.forEach((v, i) => {
    if (!kinds.has(v.kind)) return;
    const n = i + 1;
    const base = { kind: v.kind, value: v.value, refused: HOSTILE_REFUSED[v.kind] };
    const domain = (name: string, registrant: string): Domain => ({
      type: 'domain', name, roid: `D${n}-HOSTILE`, registrarId: FIXED_REGISTRAR_ID, registrant,
      nameservers: [], statuses: ['inactive'], created: HOSTILE_CREATED, expires: HOSTILE_EXPIRES, ds: [],
    });
    if (v.field === 'domain label') {
      const name = `${v.value}.${tld}`;
      objects.push(domain(name, 'NIC-REGISTRANT'));
      facts.push({ ...base, value: name, carrier: { type: 'domain', key: name, field: 'name' }, domain: name });
    } else if (v.field === 'host label') {
      const name = `${v.value}.${tld}`;
      const host: Host = { type: 'host', name, roid: `H${n}-HOSTILE`, registrarId: FIXED_REGISTRAR_ID, addresses: ['192.0.2.99'], statuses: ['ok'], created: HOSTILE_CREATED };
      objects.push(host);
      facts.push({ ...base, value: name, carrier: { type: 'host', key: name, field: 'name' } });
    } else {
      const handle = `HOSTILE-${n}`;
      const postal = { name: 'Hostile Value Test', street: ['1 Test Street'], city: 'Amsterdam', pc: '1011 AA', cc: 'NL' };
      const contact: Contact = {
        type: 'contact', handle, roid: `C${n}-HOSTILE`, registrarId: FIXED_REGISTRAR_ID,
        postalInt: { ...postal }, voice: '+31.201234567', email: `hostile-${n}@example.com`, created: HOSTILE_CREATED,
      };
      const [part, key] = v.field.split('.') as ['postalLoc' | 'postalInt', 'name' | 'org'] | ['email' | 'voiceExt'];
      if (key === undefined) contact[part as 'email' | 'voiceExt'] = v.value;
      else contact[part as 'postalLoc' | 'postalInt'] = { ...postal, [key]: v.value };
      const name = `hostile-${n}.${tld}`;
      objects.push(contact, domain(name, handle));
      facts.push({ ...base, carrier: { type: 'contact', key: handle, field: v.field }, domain: name });
    }
  });
  return { facts, objects };
}

/** Where the hostile values of these options sit (empty without `hostile`). */
export function hostileFacts(opts: FullDepositOptions): HostileFact[] {
  return hostile(opts).facts;
}

// ---------------------------------------------------------------------------------------------
// FULL

const REFERENCES_FIRST: ObjectType[] = ['registrar', 'contact', 'host', 'domain'];

function countsOf(objs: Iterable<RegistryObject>, into: ObjectCounts): ObjectCounts {
  for (const o of objs) into[o.type]++;
  return into;
}

/** The envelope of the FULL deposit for these options (counts included). */
export function fullEnvelope(opts: FullDepositOptions): DepositEnvelope {
  const { registrar, contact, host, domain } = demoCounts(opts);
  return {
    type: 'FULL', id: fullDepositId(opts), watermark: opts.watermark ?? DEMO_WATERMARK, tld: tldOf(opts),
    counts: countsOf(hostile(opts).objects, { registrar, contact, host, domain }),
  };
}

/**
 * Every object of the FULL deposit in the order it is written: the facts a test compares an import
 * with. references-first streams the demo data once (hostile objects at the end, after what they
 * refer to); domains-first streams it once per object type.
 */
export function* fullDepositObjects(opts: FullDepositOptions): Generator<RegistryObject> {
  const extra = hostile(opts).objects;
  if ((opts.order ?? 'references-first') === 'references-first') {
    yield* demoObjects(opts);
    for (const type of REFERENCES_FIRST) yield* extra.filter((o) => o.type === type);
    return;
  }
  for (const type of [...REFERENCES_FIRST].reverse()) {
    for (const o of demoObjects(opts)) if (o.type === type) yield o;
    yield* extra.filter((o) => o.type === type);
  }
}

/** Writes the FULL deposit for these options; returns its envelope. */
export async function writeFullDeposit(out: Writable, opts: FullDepositOptions, writerOpts: DepositWriterOptions = {}): Promise<DepositEnvelope> {
  const envelope = fullEnvelope(opts);
  const writer = new DepositWriter(out, envelope, writerOpts);
  for (const obj of fullDepositObjects(opts)) await writer.put(obj);
  await writer.end();
  return envelope;
}

// ---------------------------------------------------------------------------------------------
// DIFF and INCR

export interface ChangeDepositOptions {
  /** The FULL deposit this one changes (regenerated from its options, not read). */
  full: FullDepositOptions;
  /** Number of domain changes: half updates, a quarter adds, the rest deletes. */
  changes: number;
  /** DIFF (prevId: the previous deposit) or INCR (prevId: the last FULL); the same changes either way. */
  type?: 'DIFF' | 'INCR';
  /** Default D (or I) + the FULL's seed, x, the number of changes, both in base 36 (e.g. D1x7PS). */
  id?: string;
  /** Default: the FULL's id. */
  prevId?: string;
  /** Default: a day after the FULL's watermark. */
  watermark?: string;
}

/** The changes of a DIFF/INCR deposit: what a test expects after it is applied on top of the FULL. */
export interface ChangePlan {
  envelope: DepositEnvelope;
  /** Names of the deleted domains. */
  deleted: string[];
  /** Updated domains, as they are after the deposit. */
  updated: Domain[];
  /** Added domains. */
  added: Domain[];
}

/** A small hash for the change plan's choices (murmur3's finaliser over seed and index). */
function hash(seed: number, index: number, salt: number): number {
  let h = (seed ^ Math.imul(salt + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19) + 'Z';
const FIXED_DOMAINS = 3; // demo.ts yields its three fixed domains first; changes leave them alone
const SALT = { offset: 1, stride: 2, update: 3, add: 4 } as const;

/** Domains with hosts under them are not deleted: EPP refuses that while the hosts exist. */
const hasSubordinateHosts = (d: Domain) => d.nameservers.some((ns) => ns.endsWith(`.${d.name}`));

/**
 * Plans the changes: one pass over the FULL's domains, memory in proportion to the changes.
 * Domains are picked in a seeded permutation of the generated ones (never the three fixed ones):
 * the first go to updates, the next to deletes (skipping those with subordinate hosts); each
 * added domain copies the registrar, contacts and name servers of one picked domain.
 */
export function planChanges(opts: ChangeDepositOptions): ChangePlan {
  const { full, changes } = opts;
  if (!Number.isSafeInteger(changes) || changes < 1) throw new RangeError(`changes must be a whole number above 0, not ${changes}`);
  const seed = seedOf(full);
  const updates = Math.floor(changes / 2);
  const adds = Math.floor(changes / 4);
  const deletes = changes - updates - adds;
  const n = full.domains - FIXED_DOMAINS;
  // Twice the deletes plus a margin are candidates, so domains with subordinate hosts can be skipped.
  const candidates = Math.min(n, updates + 2 * deletes + 16);
  if (n < updates + deletes) throw new RangeError(`${changes} changes need at least ${updates + deletes + FIXED_DOMAINS} domains in the FULL deposit, not ${full.domains}`);

  // Position p (0-based among the generated domains) is the k-th pick when p = offset + k * stride (mod n).
  const offset = hash(seed, 0, SALT.offset) % n;
  let stride = (hash(seed, 0, SALT.stride) % n) || 1;
  while (gcd(stride, n) !== 1) stride++;
  const rank = new Map<number, number>();
  for (let k = 0; k < candidates; k++) rank.set((offset + k * stride) % n, k);

  const picked: Domain[] = new Array(candidates);
  let position = -FIXED_DOMAINS - 1;
  for (const o of demoObjects(full)) {
    if (o.type !== 'domain') continue;
    const k = rank.get(++position);
    if (k !== undefined) picked[k] = o;
  }

  const fullWatermark = Date.parse(full.watermark ?? DEMO_WATERMARK);
  const watermark = opts.watermark ?? iso(fullWatermark + DAY);
  const within = (h: number) => iso(fullWatermark + 1000 + (h % (DAY / 1000 - 1)) * 1000); // after the FULL, before this one
  const updated = picked.slice(0, updates).map((d, k) => updateOf(d, k, within(hash(seed, k, SALT.update))));
  const deletable = picked.slice(updates).filter((d) => !hasSubordinateHosts(d));
  if (deletable.length < deletes) throw new RangeError(`found only ${deletable.length} deletable domains for ${deletes} deletes; use more domains`);
  const deleted = deletable.slice(0, deletes).map((d) => d.name);
  const added = Array.from({ length: adds }, (_, k) => addedDomain(full, k, picked[k % picked.length], within(hash(seed, k, SALT.add))));

  const fullCounts = fullEnvelope(full).counts;
  const type = opts.type ?? 'DIFF';
  const envelope: DepositEnvelope = {
    type, id: opts.id ?? `${type[0]}${base36(seed)}x${base36(changes)}`, prevId: opts.prevId ?? fullDepositId(full),
    watermark, tld: tldOf(full), counts: { ...fullCounts, domain: fullCounts.domain + adds - deletes },
  };
  return { envelope, deleted, updated, added };
}

/** The k-th update: a renewal, a transfer lock toggled, or DNSSEC added or removed; always a new upDate. */
function updateOf(d: Domain, k: number, updated: string): Domain {
  const next: Domain = { ...d, statuses: [...d.statuses], ds: [...d.ds], updated };
  switch (k % 3) {
    case 0: {
      const expires = new Date(d.expires);
      expires.setUTCFullYear(expires.getUTCFullYear() + 1);
      next.expires = iso(expires.getTime());
      break;
    }
    case 1: {
      const lock = 'clientTransferProhibited';
      const rest = d.statuses.filter((s) => s !== lock && s !== 'ok');
      next.statuses = d.statuses.includes(lock) ? (rest.length > 0 ? rest : ['ok']) : [...rest, lock].sort();
      break;
    }
    case 2:
      next.ds = d.ds.length > 0 || d.nameservers.length === 0 ? [] : [{ keyTag: 10000 + k, algorithm: 13, digestType: 2, digest: sha256Like(k) }];
      break;
  }
  return next;
}

function sha256Like(k: number): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += hash(k, i, 9).toString(16).padStart(8, '0');
  return s.toUpperCase();
}

function addedDomain(full: FullDepositOptions, k: number, template: Domain, created: string): Domain {
  const expires = new Date(created);
  expires.setUTCFullYear(expires.getUTCFullYear() + 1);
  // Demo names never hold a hyphen outside an xn-- A-label, so these cannot collide with the FULL's.
  return {
    type: 'domain', name: `added-${k + 1}.${tldOf(full)}`, roid: `D${full.domains + 1 + k}-EXAMPLE`,
    registrarId: template.registrarId,
    ...(template.registrant && { registrant: template.registrant }), ...(template.admin && { admin: template.admin }),
    ...(template.tech && { tech: template.tech }), ...(template.billing && { billing: template.billing }),
    nameservers: [...template.nameservers], statuses: ['addPeriod'], created, expires: iso(expires.getTime() - 1000), ds: [],
  };
}

/** Writes the DIFF/INCR deposit of a plan: the deletes, then the updated and added domains. */
export async function writeChangeDeposit(out: Writable, plan: ChangePlan, writerOpts: DepositWriterOptions = {}): Promise<DepositEnvelope> {
  const writer = new DepositWriter(out, plan.envelope, writerOpts);
  for (const name of plan.deleted) await writer.delete({ type: 'domain', name });
  for (const d of plan.updated) await writer.put(d);
  for (const d of plan.added) await writer.put(d);
  await writer.end();
  return plan.envelope;
}

/** The domain names that exist once the plan is applied on top of its FULL deposit, in FULL order then the added ones. */
export function* domainNamesAfter(full: FullDepositOptions, plan: ChangePlan): Generator<string> {
  const gone = new Set(plan.deleted);
  for (const o of fullDepositObjects({ ...full, order: 'references-first' })) if (o.type === 'domain' && !gone.has(o.name)) yield o.name;
  for (const d of plan.added) yield d.name;
}

// ---------------------------------------------------------------------------------------------
// Files

/**
 * Writes a deposit to a file (gzip-compressed when the name ends in .gz) through a temporary
 * file beside it, renamed into place once complete, so a failure never leaves half a deposit.
 */
export async function writeDepositFile(path: string, write: (out: Writable, opts: DepositWriterOptions) => Promise<DepositEnvelope>): Promise<{ envelope: DepositEnvelope; bytes: number }> {
  const partial = `${path}.partial`;
  try {
    const envelope = await write(createWriteStream(partial, { highWaterMark: 1 << 20 }), { gzip: path.endsWith('.gz') });
    const { size } = await stat(partial);
    await rename(partial, path);
    return { envelope, bytes: size };
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
