// Demo data for the registrar-mode tests (docs/registrar.md): one registrar's own database, and
// the whole registry's data with that registrar's objects as its own database holds them (so that
// other registrars' names are in the store too, and must still not be answered).
import { demoObjects } from '../../src/ingest/demo.js';
import type { Domain, RegistryObject } from '../../src/model/types.js';

export const REGISTRAR = 5555555;
/** The configuration of the demo's registrar directory that the README shows. */
export const REGISTRAR_CONFIG = 'docs/registrar-demo.yaml';
export const THIN_CONFIG = 'docs/thin-demo.yaml';

export function registrarDemo(domains: number): RegistryObject[] {
  return [...demoObjects({ domains, mode: 'registrar', registrar: REGISTRAR })];
}

export function registryWithRegistrar(domains: number): RegistryObject[] {
  const key = (o: RegistryObject) => (o.type === 'registrar' ? `r ${o.ianaId}` : o.type === 'contact' ? `c ${o.handle}` : `${o.type} ${o.name}`);
  const own = new Map(registrarDemo(domains).map((o) => [key(o), o]));
  return [...demoObjects({ domains })].map((o) => own.get(key(o)) ?? o);
}

/** A name of another registrar in the data. */
export function otherRegistrarsName(objects: RegistryObject[]): string {
  return objects.find((o): o is Domain => o.type === 'domain' && o.registrarId !== REGISTRAR)!.name;
}
