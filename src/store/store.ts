// The Store contract. Everything above it (pipeline, doors, CLI) talks only to this interface;
// sqlite/ and postgres/ implement it and pass the same contract suite (test/store/contract.ts).
import type { DataVersion, DomainRecord, HostRecord } from '../model/records.js';
import type { Gateway } from '../model/gateway.js';
import type { Contact, ObjectKind, Registrar, RegistryObject } from '../model/types.js';
import type { SearchExpr, SearchPage, SearchResult } from '../model/search.js';

/** One object to remove, by the key its source names it with. */
export type RemoveTarget =
  | { kind: 'domain' | 'host'; name: string }
  | { kind: 'host'; roid: string } // RDE host deletes may name the repository object ID
  | { kind: 'contact'; handle: string }
  | { kind: 'registrar'; ianaId: number }
  | { kind: 'registrar'; repositoryId: string }; // RDE registrar deletes name the registry's own id

/** The envelope of an RDE deposit (RFC 8909) and the TLD of its header. */
export interface DepositEnvelope {
  tld: string; // A-label, lower case
  type: 'FULL' | 'DIFF' | 'INCR';
  id: string;
  prevId?: string;
  watermark: string; // ISO 8601 UTC
}

/** What the store remembers of a TLD's deposits: what a DIFF or INCR must follow. */
export interface DepositChain {
  lastId: string;
  lastFullId?: string;
  watermark: string;
}

/** Writes inside one all-or-nothing transaction. */
export interface StoreWriter {
  /**
   * Validates and upserts one object (throws ValidationError naming the bad field). References
   * may point to objects put later in the same transaction: the object waits on disk and is
   * stored when they are there; one that still dangles when the transaction ends fails it,
   * named with `at` (its position, e.g. FILE:LINE). An object equal to the stored one is not
   * rewritten.
   */
  put(obj: RegistryObject, at?: string): Promise<void>;
  /**
   * Removes one object if it is stored. Whatever still refers to it when the transaction ends
   * (a domain using a host or contact, objects of a registrar) fails the transaction.
   */
  remove(target: RemoveTarget, at?: string): Promise<void>;
  /** Refuses a deposit that does not follow the last one imported for its TLD (unless `force`). */
  checkDeposit(deposit: DepositEnvelope, force: boolean): Promise<void>;
  /**
   * Deposit transactions only, after the last put and remove. FULL: what the TLD's previous data
   * set had and this deposit does not is removed (see docs/rde.md for the exact rule). Records
   * the deposit as the TLD's last, sets the data's time to its watermark, and returns the number
   * of objects of each kind the TLD has afterwards (what the deposit header counts).
   */
  finishDeposit(deposit: DepositEnvelope, force: boolean): Promise<ImportCounts>;
}

export interface ImportCounts {
  registrar: number;
  contact: number;
  host: number;
  domain: number;
}

export interface TransactionOptions {
  /** The transaction imports an RDE deposit: it ends with finishDeposit. */
  deposit?: boolean;
  /** Check everything, then roll back instead of committing. */
  dryRun?: boolean;
  /** The time the data reflects after the commit (a live source's latest change), instead of the commit time. */
  updatedAt?: string;
  /** Marks written with the data, in the same commit (a live source's position in its change log). */
  marks?: Record<string, string>;
}

export interface TransactionSummary<T> {
  result: T;
  /** Objects put, per kind. */
  counts: ImportCounts;
  /** Of those, the ones written because they were new or changed. */
  written: ImportCounts;
  /** Objects removed (by remove(), or by a FULL deposit). */
  removed: ImportCounts;
  /** The data version's serial after the commit (after a dry run: the unchanged serial). */
  serial: number;
  /** IANA IDs of registrars put in this transaction that have no abuse e-mail or phone. */
  incompleteRegistrars: number[];
}

/** One object changed by a committed transaction (for per-object cache invalidation). */
export interface ObjectChange {
  serial: number;
  kind: ObjectKind;
  key: string; // domain and host: A-label; contact: handle; registrar: IANA ID as text
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Domain by A-label or U-label, exact and case-insensitive. */
  lookupDomain(name: string): Promise<DomainRecord | undefined>;
  lookupHost(name: string): Promise<HostRecord | undefined>;
  /** Every host with this glue address (IPv4 or IPv6 in any valid text form). */
  lookupHostsByAddress(address: string): Promise<HostRecord[]>;
  getRegistrar(ianaId: number): Promise<Registrar | undefined>;
  /** Registrar by name, case-insensitive and ignoring surrounding white space. */
  getRegistrarByName(name: string): Promise<Registrar | undefined>;
  getContact(handle: string): Promise<Contact | undefined>;
  /** Number of domains a registrar sponsors (the registrar tier's daily quota is derived from it). */
  countDomains(ianaId: number): Promise<number>;
  /**
   * Changes whenever the served data changes. updatedAt is the time the data reflects: the
   * watermark of the last deposit imported, or the commit time of another import.
   */
  dataVersion(): Promise<DataVersion>;
  /**
   * The objects changed by the transactions committed after `serial`, oldest first; undefined
   * when the list no longer reaches back that far or holds more than `limit` entries (then
   * everything should be taken as changed).
   */
  changesSince(serial: number, limit: number): Promise<ObjectChange[] | undefined>;
  /** The last deposit imported for a TLD. */
  depositChain(tld: string): Promise<DepositChain | undefined>;
  /**
   * Searches (src/store/search.ts). Patterns take `*` (any run) and `?` (one character); plain text
   * is a substring match on free-text fields (names, organisation, address, domain name) and exact
   * on the others (registrar ID, name server name and address, country code, e-mail, handle).
   * Results are sorted stably (domain and host names as A-labels, handles, IANA IDs; domains also
   * by date and then name), ascending or descending, and paged by offset or by keyset
   * (SearchPage.after); `truncated` says more exist.
   */
  searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>>;
  /** How many domains searchDomains finds for this expression in all (RDAP count=true). */
  countDomainSearch(expr: SearchExpr): Promise<number>;
  /** Hosts by name (A- or U-label pattern) and/or glue address (exact). */
  searchHosts(q: { name?: string; address?: string }, page: SearchPage): Promise<SearchResult<HostRecord>>;
  /** Contacts by name (`fn`, either postal form) and/or handle. */
  searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): Promise<SearchResult<Contact>>;
  /** Registrars by name. */
  searchRegistrars(q: { fn?: string }, page: SearchPage): Promise<SearchResult<Registrar>>;
  /**
   * Runs fn in one transaction: every put and remove lands, or (when fn, a put or a check at the
   * end throws) none does. Readers see the data from before until the commit. The transaction
   * keeps what it replaced (the undo log of the last import), for rollback().
   */
  transaction<T>(fn: (writer: StoreWriter) => Promise<T>, options?: TransactionOptions): Promise<TransactionSummary<T>>;
  /**
   * Restores the data set from before the last transaction, in one transaction, and forgets
   * that undo log. Returns how many objects it restored, or undefined when there is nothing to undo.
   */
  rollback(): Promise<number | undefined>;
  /** On a PostgreSQL read replica: seconds it is behind its primary (0 when caught up); else undefined. */
  replicationLag(): Promise<number | undefined>;
  /** A mark written by a transaction (TransactionOptions.marks), or undefined. */
  mark(name: string): Promise<string | undefined>;
  /**
   * Takes or renews the lease `name` for `holder` until ttlMs from now: true when `holder` has it
   * (it was free, expired, or already its own). One node of many does a job while it holds it.
   */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** The registered gateways of the gateway door, by name (not registration data: no data version moves). */
  gateways(): Promise<Gateway[]>;
  /** Adds a gateway, or replaces the one of the same name. */
  putGateway(gateway: Gateway): Promise<void>;
  /** Removes a gateway; false when there was none of that name. */
  removeGateway(name: string): Promise<boolean>;
  close(): Promise<void>;
}

/** A transaction refused as a whole (deposit chain, referential check): the message says why. */
export class StoreRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreRefusal';
  }
}

export function emptyCounts(): ImportCounts {
  return { registrar: 0, contact: 0, host: 0, domain: 0 };
}

/**
 * The key under which a registrar's name is unique and looked up: without regard to case, repeated
 * white space or a final dot (Debian's whois client strips the final dot of "Example Registrar, Inc.").
 */
export function registrarNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').replace(/\.+$/, '').toLowerCase();
}
