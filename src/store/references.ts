// Which stored objects a record refers to: both stores refuse a record whose references are missing.
import type { RegistryObject } from '../model/types.js';
import { CONTACT_ROLES } from '../model/types.js';

export interface Reference {
  kind: 'registrar' | 'contact' | 'host';
  key: string | number;
  field: string;
}

export function referencesOf(obj: RegistryObject): Reference[] {
  if (obj.type === 'registrar') return [];
  const refs: Reference[] = [{ kind: 'registrar', key: obj.registrarId, field: 'registrarId' }];
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
  return `refers to ${ref.kind} ${JSON.stringify(ref.key)}, which does not exist (put it earlier in the file or import it first)`;
}
