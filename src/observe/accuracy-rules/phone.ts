// Telephone check of the WHOIS accuracy report (2013 RAA WHOIS Accuracy Program Specification
// §1(c)): the EPP form +CC.NUMBER (RFC 5733 e164StringType), a country calling code that exists,
// and a number that is valid in that country's numbering plan. libphonenumber-js with its "max"
// metadata (Google libphonenumber's full per-country patterns; the default "min" metadata checks
// lengths only).
import { parsePhoneNumberWithError, ParseError } from 'libphonenumber-js/max';
import { isE164 } from '../../model/validate.js';

const MAX_LENGTH = 17; // RFC 5733 contact-1.0 schema, e164StringType

export type PhoneProblem = { reason: 'phone-format' | 'phone-country-code' | 'phone-number'; detail: string };

/** Why `value` is not a valid telephone number, or undefined when it is one. */
export function phoneProblem(value: string): PhoneProblem | undefined {
  if (!isE164(value)) return { reason: 'phone-format', detail: 'is not of the form +CC.NUMBER (country code, a dot, up to 14 digits)' };
  // The schema's maxLength: E.164 allows 15 digits in all, country code included.
  if (value.length > MAX_LENGTH) return { reason: 'phone-format', detail: `is longer than the ${MAX_LENGTH} characters of EPP's e164StringType (15 digits in all)` };
  const [cc, number] = value.slice(1).split('.');
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(`+${cc}${number}`);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    if (err.message === 'INVALID_COUNTRY') return { reason: 'phone-country-code', detail: `+${cc} is not a country calling code` };
    return { reason: 'phone-number', detail: `is not a telephone number (${err.message.toLowerCase().replace(/_/g, ' ')})` };
  }
  // "+12.125551234" reads as a valid +1 number once the dot is dropped: the dot must stand
  // right after the calling code.
  if (parsed.countryCallingCode !== cc) {
    return { reason: 'phone-country-code', detail: `+${cc} is not a country calling code (the number reads as +${parsed.countryCallingCode} ${parsed.nationalNumber})` };
  }
  if (!parsed.isValid()) return { reason: 'phone-number', detail: `is not a valid number in the numbering plan of +${cc}` };
  return undefined;
}
