// Small builders of valid registry objects for tests. Each takes overrides; `standardObjects()`
// is a consistent little registry (one registrar, its contacts and hosts, nic.example and the IDN
// ドメイン.example) in an order the Store accepts (referenced objects first).
import type { Contact, Domain, Host, Registrar, RegistryObject } from '../../src/model/types.js';
import type { Store } from '../../src/store/store.js';

export const REGISTRAR_ID = 5555555;
export const REGISTRAR_NAME = 'Example Registrar, Inc.';
export const IDN_ULABEL = 'ドメイン.example';
export const IDN_ALABEL = 'xn--eckwd4c7c.example';

export function registrar(overrides: Partial<Registrar> = {}): Registrar {
  return {
    type: 'registrar',
    ianaId: REGISTRAR_ID,
    name: REGISTRAR_NAME,
    postal: { street: ['123 Example Street'], city: 'Anytown', sp: 'AP', pc: 'A1A 1A1', cc: 'CA' },
    voice: '+1.7035555555',
    fax: '+1.7035555556',
    email: 'info@registrar.example',
    whoisServer: 'whois.registrar.example',
    url: 'https://registrar.example',
    rdapBaseUrl: 'https://rdap.registrar.example/',
    abuseEmail: 'abuse@registrar.example',
    abusePhone: '+1.7035555557',
    updated: '2024-01-01T00:00:00Z',
    ...overrides,
  };
}

export function contact(handle: string, overrides: Partial<Contact> = {}): Contact {
  return {
    type: 'contact',
    handle,
    roid: `${handle.replace(/-/g, '_')}-EXAMPLE`,
    registrarId: REGISTRAR_ID,
    postalInt: {
      name: `Contact ${handle}`,
      org: 'Example Organisation',
      street: ['1 Main Street', 'Suite 100'],
      city: 'Dulles',
      sp: 'VA',
      pc: '20166-6503',
      cc: 'US',
    },
    voice: '+1.7035555555',
    voiceExt: '1234',
    fax: '+1.7035555556',
    email: `${handle.toLowerCase()}@example.com`,
    created: '2020-01-01T00:00:00Z',
    updated: '2024-01-01T00:00:00Z',
    ...overrides,
  };
}

export function host(name: string, addresses: string[] = [], overrides: Partial<Host> = {}): Host {
  return {
    type: 'host',
    name,
    roid: `H${Math.abs(hash(name))}-EXAMPLE`,
    registrarId: REGISTRAR_ID,
    addresses,
    statuses: ['linked'],
    created: '2020-01-01T00:00:00Z',
    ...overrides,
  };
}

export function domain(name: string, overrides: Partial<Domain> = {}): Domain {
  return {
    type: 'domain',
    name,
    roid: `D${Math.abs(hash(name))}-EXAMPLE`,
    registrarId: REGISTRAR_ID,
    registrant: 'REG-1',
    admin: 'ADM-1',
    tech: 'TECH-1',
    billing: 'BILL-1',
    nameservers: ['ns1.nic.example', 'ns2.nic.example'],
    statuses: ['clientTransferProhibited', 'serverDeleteProhibited'],
    created: '2020-01-01T00:00:00Z',
    updated: '2024-01-01T00:00:00Z',
    expires: '2030-01-01T00:00:00Z',
    ds: [{ keyTag: 12345, algorithm: 13, digestType: 2, digest: 'abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789' }],
    ...overrides,
  };
}

/** One registrar, four contacts, two hosts (ns1 with IPv4 and IPv6 glue), nic.example and ドメイン.example. */
export function standardObjects(): RegistryObject[] {
  return [
    registrar(),
    contact('REG-1'),
    contact('ADM-1'),
    contact('TECH-1'),
    contact('BILL-1'),
    host('ns1.nic.example', ['192.0.2.53', '2001:db8::53']),
    host('ns2.nic.example', ['198.51.100.53']),
    domain('nic.example'),
    domain(IDN_ULABEL, { admin: undefined, billing: undefined, nameservers: ['ns2.nic.example'] }),
  ];
}

/** Puts objects (the standard set by default) in one transaction. */
export async function seed(store: Store, objects: RegistryObject[] = standardObjects()): Promise<void> {
  await store.transaction(async (w) => {
    for (const obj of objects) await w.put(obj);
  });
}

function hash(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.codePointAt(0)!) | 0;
  return h;
}
