// Objects for the web tests: the standard registry plus a contact whose data holds markup
// characters that validation accepts, and enough domains to page through search results.
import type { RegistryObject } from '../../src/model/types.js';
import { contact, domain, standardObjects } from '../store/fixtures.js';

export const MARKUP_ORG = 'Evil <script>alert(1)</script> & "Co" \'x\' <img src=x onerror=alert(2)>';

export function webObjects(): RegistryObject[] {
  return [
    ...standardObjects(),
    contact('MARKUP-1', { postalInt: { name: 'Tanaka "onerror=alert(3) <b>', org: MARKUP_ORG, street: ['1 <i>Main</i> St'], city: 'Tokyo & Co', sp: '13', pc: '100-0001', cc: 'JP' } }),
    domain('markup.example', { registrant: 'MARKUP-1' }),
    ...Array.from({ length: 25 }, (_, i) => domain(`page${String(i).padStart(2, '0')}.example`, { nameservers: [] })),
  ];
}
