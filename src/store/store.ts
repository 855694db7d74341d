// The Store contract. Everything above it (pipeline, doors, CLI) talks only to this interface;
// sqlite/ and postgres/ implement it and pass the same contract suite (test/store/contract.ts).
import type { DataVersion, DomainRecord, HostRecord } from '../model/records.js';
import type { Contact, Registrar, RegistryObject } from '../model/types.js';
import type { SearchExpr, SearchPage, SearchResult } from '../model/search.js';

/** Writes inside one all-or-nothing transaction. */
export interface StoreWriter {
  /** Validates and upserts one object; throws ValidationError naming the bad field or the missing reference. */
  put(obj: RegistryObject): Promise<void>;
}

export interface ImportCounts {
  registrar: number;
  contact: number;
  host: number;
  domain: number;
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
  dataVersion(): Promise<DataVersion>;
  /**
   * Searches (src/store/search.ts). Patterns take `*` (any run) and `?` (one character); plain text
   * is a substring match on free-text fields (names, organisation, address, domain name) and exact
   * on the others (registrar ID, name server name and address, country code, handle). Results are
   * sorted stably (domain and host names as A-labels, handles, IANA IDs); `truncated` says more exist.
   */
  searchDomains(expr: SearchExpr, page: SearchPage): Promise<SearchResult<string>>;
  /** Hosts by name (A- or U-label pattern) and/or glue address (exact). */
  searchHosts(q: { name?: string; address?: string }, page: SearchPage): Promise<SearchResult<HostRecord>>;
  /** Contacts by name (`fn`, either postal form) and/or handle. */
  searchContacts(q: { fn?: string; handle?: string }, page: SearchPage): Promise<SearchResult<Contact>>;
  /** Registrars by name. */
  searchRegistrars(q: { fn?: string }, page: SearchPage): Promise<SearchResult<Registrar>>;
  /**
   * Runs fn in one transaction: every put lands, or (when fn or a put throws) none does.
   * Objects must come after the objects they refer to, or those must already be stored.
   */
  transaction<T>(fn: (writer: StoreWriter) => Promise<T>): Promise<{ result: T; counts: ImportCounts }>;
  close(): Promise<void>;
}

export function emptyCounts(): ImportCounts {
  return { registrar: 0, contact: 0, host: 0, domain: 0 };
}

/** The key under which a registrar's name is unique and looked up. */
export function registrarNameKey(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
