// The arguments every line grammar shares: a domain name, a name server (by name or address), a
// registrar (by IANA ID or name) and a contact handle, each read into its Query.
import { normalizeName } from '../model/idn.js';
import { BadQuery, quoteForMessage } from './bad-query.js';
import { ipAddress } from './ip-address.js';
import type { Query } from './query.js';

export function domainQuery(input: string, tlds: readonly string[]): Query {
  const forms = normalizeName(input);
  if (!forms) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid domain name`);
  const tld = forms.aLabel.slice(forms.aLabel.lastIndexOf('.') + 1);
  if (!tlds.includes(tld)) throw new BadQuery(`this server answers only for ${tlds.map((t) => '.' + t).join(', ')}`);
  return { kind: 'domain', name: forms.aLabel, uName: forms.uLabel };
}

export function nameserverQuery(input: string): Query {
  const address = ipAddress(input);
  if (address) return { kind: 'nameserver-ip', address };
  const forms = normalizeName(input);
  if (!forms) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid host name or IP address`);
  return { kind: 'nameserver', name: forms.aLabel };
}

export function registrarQuery(input: string): Query {
  const text = input.trim();
  if (/^\d{1,10}$/.test(text)) return { kind: 'registrar-id', ianaId: Number(text) };
  if (text.length === 0 || text.length > 255) throw new BadQuery('a registrar query needs a name or an IANA ID');
  return { kind: 'registrar-name', name: text.replace(/\s+/g, ' ') };
}

/** A contact by its EPP handle (RFC 5730 clIDType: 3 to 16 characters, case-sensitive). */
export function contactQuery(input: string): Query {
  if (!/^[\x21-\x7e]{3,16}$/.test(input)) throw new BadQuery(`"${quoteForMessage(input)}" is not a valid contact handle`);
  return { kind: 'contact', handle: input };
}
