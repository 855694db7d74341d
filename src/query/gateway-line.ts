// The gateway door's grammar (WHOIS2, digest whois-text.md §9, Nominet's instructions): one line
//   <end-user host name or "unresolvable"> <end-user IP address> <domain name> CR LF
// naming the end user a registered gateway asks for. Every fault is one of the contract's
// bad-query reasons (BadQuery.gatewayFault), counted per gateway.
import { isIP } from 'node:net';
import { isPublicUnicast } from '../model/addresses.js';
import { normalizeName } from '../model/idn.js';
import { canonicalIp } from '../model/validate.js';
import { BadQuery, quoteForMessage } from './bad-query.js';
import { domainQuery } from './names.js';
import type { Query } from './query.js';

export const UNRESOLVABLE = 'unresolvable';

export interface GatewayLine {
  endUserHost: string;
  /** Canonical form. */
  endUserAddress: string;
  name: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The three fields of a line, when it has them and the second is an address; else undefined. */
export function gatewayFields(line: Uint8Array): GatewayLine | undefined {
  let text: string;
  try {
    text = decoder.decode(line).trim();
  } catch {
    return undefined;
  }
  const fields = text.split(/[ \t]+/);
  if (fields.length !== 3 || !isIP(fields[1])) return undefined;
  return { endUserHost: fields[0], endUserAddress: canonicalIp(fields[1]), name: fields[2] };
}

/**
 * Reads a gateway's line into its domain query, checking the end user's details; `gatewayAddress`
 * is the gateway's own address (an end user cannot be the gateway itself). Throws BadQuery.
 */
export function parseGatewayLine(line: Uint8Array, tlds: readonly string[], gatewayAddress: string): Query {
  const fields = gatewayFields(line);
  if (!fields) {
    let text = '';
    try {
      text = decoder.decode(line).trim();
    } catch {
      throw new BadQuery('the query is not valid UTF-8', { gatewayFault: 'format' });
    }
    if (text !== '' && !/\s/.test(text)) throw new BadQuery('a plain query: send it to port 43; this port takes "<end-user host name or unresolvable> <end-user IP address> <domain>"', { gatewayFault: 'wrong-port' });
    throw new BadQuery('not a gateway query: send "<end-user host name or unresolvable> <end-user IP address> <domain>"', { gatewayFault: 'format' });
  }
  const { endUserHost, endUserAddress, name } = fields;
  if (endUserHost.toLowerCase() !== UNRESOLVABLE && !validHostName(endUserHost)) {
    throw new BadQuery(`"${quoteForMessage(endUserHost)}" is neither a host name nor "${UNRESOLVABLE}"`, { gatewayFault: 'false-details' });
  }
  if (!isPublicUnicast(endUserAddress)) throw new BadQuery(`${endUserAddress} is not a public unicast address: name the end user's own address`, { gatewayFault: 'false-details' });
  if (isIP(gatewayAddress) && canonicalIp(gatewayAddress) === endUserAddress) throw new BadQuery("the end user's address is the gateway's own: name the end user's address", { gatewayFault: 'false-details' });
  if (!normalizeName(name)) throw new BadQuery(`"${quoteForMessage(name)}" is not a valid domain name`, { gatewayFault: 'format' });
  try {
    return domainQuery(name, tlds);
  } catch (err) {
    if (err instanceof BadQuery) throw new BadQuery(err.message, { gatewayFault: 'not-served' });
    throw err;
  }
}

/** A DNS host name as a reverse lookup gives it: LDH labels, a final dot allowed. */
function validHostName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}
