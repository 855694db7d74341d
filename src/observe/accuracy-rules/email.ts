// E-mail check of the WHOIS accuracy report (2013 RAA WHOIS Accuracy Program Specification §1(b)):
// the whole value is one RFC 5322 addr-spec, parsed by email-addresses (an RFC 5322 grammar), and
// its domain part is a host name by the same rule as every other name in rdds (model/idn.ts).
import emailAddresses from 'email-addresses';
import { normalizeName } from '../../model/idn.js';

export type EmailProblem = { reason: 'email-syntax' | 'email-domain'; detail: string };

// RFC 5321 §4.5.3.1: a local part of at most 64 octets, a path of at most 256 (254 without <>).
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;

/** Why `value` is not a usable e-mail address, or undefined when it is one. */
export function emailProblem(value: string): EmailProblem | undefined {
  // rfc6532: UTF-8 in the local part and domain (internationalised e-mail, which EPP allows);
  // strict: none of RFC 5322's obsolete forms.
  const parsed = emailAddresses.parseOneAddress({ input: value, rfc6532: true, strict: true, startAt: 'mailbox' });
  if (!parsed || parsed.type !== 'mailbox') return { reason: 'email-syntax', detail: 'is not an RFC 5322 addr-spec (local-part@domain)' };
  // A mailbox may also be `Name <addr>` or carry comments and folding white space; a contact's
  // e-mail is the bare address, so its tokens must be the whole value.
  if (parsed.parts.address.tokens !== value || parsed.parts.comments.length > 0) {
    return { reason: 'email-syntax', detail: 'has a display name, angle brackets, comments or white space around the address' };
  }
  if (Buffer.byteLength(parsed.local) > MAX_LOCAL_OCTETS || Buffer.byteLength(value) > MAX_ADDRESS_OCTETS) {
    return { reason: 'email-syntax', detail: `is longer than RFC 5321 allows (local part ${MAX_LOCAL_OCTETS}, address ${MAX_ADDRESS_OCTETS} octets)` };
  }
  if (parsed.domain.startsWith('[')) return { reason: 'email-domain', detail: 'the domain part is an address literal, not a host name' };
  if (normalizeName(parsed.domain) === undefined) return { reason: 'email-domain', detail: `the domain part ${parsed.domain} is not a valid host name` };
  return undefined;
}
