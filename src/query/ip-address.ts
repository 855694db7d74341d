// An IP address as every grammar reads one.
import { isIP } from 'node:net';
import { canonicalIp } from '../model/validate.js';

/**
 * An IP address in its canonical form, or undefined. An IPv6 zone ID (`fe80::1%eth0`, which isIP
 * takes) names an interface of the asker's own host, never a name server's address.
 */
export function ipAddress(input: string): string | undefined {
  return isIP(input) && !input.includes('%') ? canonicalIp(input) : undefined;
}
