// What both stores share about references, keys and the rules of an import: which stored objects
// a record refers to, the text key of each object, how a registrar put merges with the stored
// one, and which deposits may follow which.
import { ValidationError } from '../model/validate.js';
import type { ObjectKind, Registrar, RegistryObject } from '../model/types.js';
import { CONTACT_ROLES, SPONSOR_BY_CLIENT_ID } from '../model/types.js';
import type { DepositChain, DepositEnvelope } from './store.js';

export interface Reference {
  kind: 'registrar' | 'contact' | 'host';
  /** IANA ID, handle or host name; for a registrar named by the registry's own id, that id. */
  key: string | number;
  byRepositoryId?: true;
  field: string;
}

/** The kinds in the order references point: an object refers only to kinds before its own. */
export const KINDS: readonly ObjectKind[] = ['registrar', 'contact', 'host', 'domain'];

export function referencesOf(obj: RegistryObject): Reference[] {
  if (obj.type === 'registrar') return [];
  const refs: Reference[] = [
    obj.registrarId === SPONSOR_BY_CLIENT_ID
      ? { kind: 'registrar', key: obj.clientId!, byRepositoryId: true, field: 'clientId' }
      : { kind: 'registrar', key: obj.registrarId, field: 'registrarId' },
  ];
  if (obj.type === 'domain') {
    for (const role of CONTACT_ROLES) {
      const handle = obj[role];
      if (handle !== undefined) refs.push({ kind: 'contact', key: handle, field: role });
    }
    obj.nameservers.forEach((ns, i) => refs.push({ kind: 'host', key: ns, field: `nameservers[${i}]` }));
  }
  return refs;
}

export function missingReferenceMessage(ref: Reference): string {
  const what = ref.byRepositoryId ? `registrar with id ${JSON.stringify(ref.key)} in the registry` : `${ref.kind} ${JSON.stringify(ref.key)}`;
  return `refers to ${what}, which does not exist (not stored, and not in this import)`;
}

/** The text key of an object, as the undo log, the change list and the error messages name it. */
export function keyOf(obj: RegistryObject): string {
  return obj.type === 'registrar' ? String(obj.ianaId) : obj.type === 'contact' ? obj.handle : obj.name;
}

/** `domain "foo.example"`, `registrar 1234`, with the position when known. */
export function describeObject(kind: ObjectKind, key: string, at?: string): string {
  const name = kind === 'registrar' ? `registrar ${key}` : `${kind} ${JSON.stringify(key)}`;
  return at ? `${name} (${at})` : name;
}

/**
 * A reference still missing when the transaction ends; the message names the record, its
 * position and how many more dangle.
 */
export class MissingReferenceError extends ValidationError {
  constructor(
    readonly recordType: ObjectKind,
    readonly recordKey: string,
    readonly at: string | undefined,
    readonly ref: Reference,
    readonly more = 0,
  ) {
    super(ref.field, missingReferenceMessage(ref));
    this.message = `${describeObject(recordType, recordKey, at)}: ${ref.field} ${missingReferenceMessage(ref)}${more > 0 ? ` (and ${more} more objects with missing references)` : ''}`;
  }
}

/**
 * A registrar put keeps what the stored one has and the new one does not carry: a deposit has no
 * abuse contact, RDAP base URL or admin/tech persons (they come from JSON Lines), JSON Lines
 * usually no repository id (it comes from the deposit).
 */
export function mergeRegistrar(incoming: Registrar, stored: Registrar | undefined): Registrar {
  if (!stored) return incoming;
  return {
    ...incoming,
    repositoryId: incoming.repositoryId ?? stored.repositoryId,
    rdapBaseUrl: incoming.rdapBaseUrl ?? stored.rdapBaseUrl,
    abuseEmail: incoming.abuseEmail || stored.abuseEmail,
    abusePhone: incoming.abusePhone || stored.abusePhone,
    admin: incoming.admin ?? stored.admin,
    tech: incoming.tech ?? stored.tech,
  };
}

export function lacksAbuseContact(r: Registrar): boolean {
  return r.abuseEmail === '' || r.abusePhone === '';
}

/**
 * Why a deposit may not be applied on top of the TLD's last one (RFC 8909: a DIFF follows the
 * previous deposit of any type, an INCR the last FULL; prevId names it), or undefined.
 */
export function chainRefusal(d: DepositEnvelope, last: DepositChain | undefined): string | undefined {
  const what = `${d.type} deposit ${d.id} of .${d.tld}`;
  if (last && Date.parse(d.watermark) < Date.parse(last.watermark)) {
    return `${what} has watermark ${d.watermark}, older than the last deposit imported (${last.lastId}, ${last.watermark})`;
  }
  if (d.type === 'FULL') return undefined;
  if (d.prevId === undefined) return `${what} has no prevId: it cannot say which deposit it follows`;
  const wanted = d.type === 'DIFF' ? last?.lastId : last?.lastFullId;
  if (wanted === undefined) {
    return `${what} follows ${d.prevId}, but no ${d.type === 'DIFF' ? 'deposit' : 'FULL deposit'} of .${d.tld} has been imported`;
  }
  if (d.prevId !== wanted) {
    return `${what} follows ${d.prevId}, but the last ${d.type === 'DIFF' ? 'deposit' : 'FULL deposit'} imported for .${d.tld} is ${wanted}`;
  }
  return undefined;
}

/** The chain after a deposit is applied. */
export function nextChain(d: DepositEnvelope, last: DepositChain | undefined): DepositChain {
  return { lastId: d.id, lastFullId: d.type === 'FULL' ? d.id : last?.lastFullId, watermark: d.watermark };
}

/** Whether a name is the TLD or under it. */
export function underTld(name: string, tld: string): boolean {
  return name.endsWith(`.${tld}`);
}

/** How many committed transactions the change list keeps, and the most changes it lists for one. */
export const CHANGE_HISTORY = 64;
export const MAX_CHANGES_PER_TRANSACTION = 100_000;
