// The source contract: the SQL views a registry writes over its own EPP tables, in a schema of its
// choosing (source.schema), for rdds to read live (docs/live-source.md). One table here, used to
// check the registry's views at start (a missing view or column, or a column of the wrong type,
// stops the start naming it) and by the tests that hold the documentation to it.

/** What a column must be: text, a whole number, a time, a list of texts, or a yes/no. */
export type ColumnType = 'text' | 'integer' | 'time' | 'text[]' | 'boolean';

export interface ViewContract {
  /** The object it keys (the change log names objects by kind and key). */
  kind: 'registrar' | 'contact' | 'host' | 'domain' | 'ds' | 'changes';
  /** The column that keys it. */
  key: string;
  columns: Record<string, ColumnType>;
}

export const SOURCE_VIEWS: Record<string, ViewContract> = {
  registrars: {
    kind: 'registrar',
    key: 'iana_id',
    columns: {
      iana_id: 'integer', name: 'text', street: 'text[]', city: 'text', sp: 'text', pc: 'text', cc: 'text',
      voice: 'text', fax: 'text', email: 'text', whois_server: 'text', url: 'text', rdap_base_url: 'text',
      abuse_email: 'text', abuse_phone: 'text', updated: 'time',
    },
  },
  contacts: {
    kind: 'contact',
    key: 'handle',
    columns: {
      handle: 'text', roid: 'text', registrar_id: 'integer',
      int_name: 'text', int_org: 'text', int_street: 'text[]', int_city: 'text', int_sp: 'text', int_pc: 'text', int_cc: 'text',
      loc_name: 'text', loc_org: 'text', loc_street: 'text[]', loc_city: 'text', loc_sp: 'text', loc_pc: 'text', loc_cc: 'text',
      voice: 'text', voice_ext: 'text', fax: 'text', fax_ext: 'text', email: 'text', disclose: 'text[]', created: 'time', updated: 'time',
    },
  },
  hosts: {
    kind: 'host',
    key: 'name',
    columns: { name: 'text', roid: 'text', registrar_id: 'integer', addresses: 'text[]', statuses: 'text[]', created: 'time', updated: 'time' },
  },
  domains: {
    kind: 'domain',
    key: 'name',
    columns: {
      name: 'text', roid: 'text', registrar_id: 'integer', registrant: 'text', admin: 'text', tech: 'text', billing: 'text',
      nameservers: 'text[]', statuses: 'text[]', created: 'time', updated: 'time', expires: 'time', transferred: 'time', reseller: 'text',
    },
  },
  domain_ds: {
    kind: 'ds',
    key: 'domain',
    columns: { domain: 'text', key_tag: 'integer', algorithm: 'integer', digest_type: 'integer', digest: 'text' },
  },
  changes: {
    kind: 'changes',
    key: 'seq',
    columns: { seq: 'integer', kind: 'text', key: 'text', changed_at: 'time' },
  },
};

/** The PostgreSQL types (information_schema data_type, and udt_name for arrays) each type accepts. */
const ACCEPTED: Record<ColumnType, (dataType: string, udt: string) => boolean> = {
  text: (t) => t === 'text' || t === 'character varying' || t === 'character',
  integer: (t) => t === 'bigint' || t === 'integer' || t === 'smallint',
  time: (t) => t === 'timestamp with time zone' || t === 'timestamp without time zone',
  'text[]': (t, udt) => t === 'ARRAY' && (udt === '_text' || udt === '_varchar'),
  boolean: (t) => t === 'boolean',
};

/**
 * What is wrong with the views the registry provides (`found`: view -> column -> [data_type,
 * udt_name]), one line each; empty when they meet the contract.
 */
export function contractFaults(schema: string, found: Map<string, Map<string, [string, string]>>): string[] {
  const faults: string[] = [];
  for (const [view, contract] of Object.entries(SOURCE_VIEWS)) {
    const columns = found.get(view);
    if (!columns) {
      faults.push(`view ${schema}.${view} is missing (or not readable by this role)`);
      continue;
    }
    for (const [column, type] of Object.entries(contract.columns)) {
      const have = columns.get(column);
      if (!have) faults.push(`${schema}.${view}.${column} is missing (${type})`);
      else if (!ACCEPTED[type](have[0], have[1])) faults.push(`${schema}.${view}.${column} is ${have[0] === 'ARRAY' ? `${have[1].slice(1)}[]` : have[0]}, not ${type}`);
    }
  }
  return faults;
}
