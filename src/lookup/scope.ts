// Which objects this directory answers for (docs/registrar.md). A registry answers for every
// object it holds. A registrar (registry.mode registrar) answers only for the objects it
// sponsors: any other name gets the not-found answer or a referral to its registry. A thin
// registry (registry.thin in registry mode) holds no contact data: no contact is shown or found.
// The lookups apply it, after the Store and before the view: whether a name is this registrar's
// is a fact of the data, the same for every client, so these answers stay cacheable.
import type { Config } from '../config.js';
import type { Referral } from '../model/records.js';

export interface DirectoryScope {
  /** Registrar mode: the IANA ID whose objects are answered for. */
  sponsor?: number;
  /** A thin registry: domains are shown without contacts, and contacts are never found. */
  noContacts: boolean;
  /** Registrar mode with other_names referral: the registry of each TLD. */
  referrals?: Config['registry']['referrals'];
}

export const REGISTRY_SCOPE: DirectoryScope = Object.freeze({ noContacts: false });

export function directoryScope(config: Config): DirectoryScope {
  const r = config.registry;
  if (r.mode === 'registry') return { noContacts: r.thin };
  return { sponsor: r.registrar_iana_id ?? undefined, noContacts: false, referrals: r.other_names === 'referral' ? r.referrals : undefined };
}

/** Whether an object sponsored by `registrarId` is answered for. */
export function inScope(scope: DirectoryScope, registrarId: number): boolean {
  return scope.sponsor === undefined || scope.sponsor === registrarId;
}

/** The referral for a domain name outside the scope, where one is configured for its TLD. */
export function referralFor(scope: DirectoryScope, name: string): Referral | undefined {
  const registry = scope.referrals?.[name.slice(name.lastIndexOf('.') + 1)];
  if (!registry) return undefined;
  const base = registry.rdap_base_url;
  return { name, whoisServer: registry.whois_server, rdapUrl: `${base}domain/${name}` };
}
