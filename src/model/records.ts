// What an answer shows, read from the Store in one call: an object with the objects it refers to,
// and the version of the data it came from.
import type { Contact, ContactRole, Domain, Host, Registrar } from './types.js';

/** A domain with everything an answer about it shows, fetched in one call. */
export interface DomainRecord {
  domain: Domain;
  registrar: Registrar;
  contacts: Partial<Record<ContactRole, Contact>>;
  hosts: Host[]; // in the order of domain.nameservers
}

export interface HostRecord {
  host: Host;
  registrar: Registrar;
}

/** Changes whenever the served data changes; cheap to read, so servers poll it for cache invalidation. */
export interface DataVersion {
  serial: number;
  updatedAt: string; // ISO 8601 UTC time of the last committed change (the WHOIS footer time)
}


/**
 * Where a domain name that a registrar's directory does not answer for is answered: its
 * registry's WHOIS server and the name at the registry's RDAP service (docs/registrar.md).
 */
export interface Referral {
  /** The queried name, A-label. */
  name: string;
  whoisServer: string;
  /** The domain's RDAP URL at the registry. */
  rdapUrl: string;
}
