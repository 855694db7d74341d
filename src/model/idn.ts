// Domain and host names: UTS-46 processing through tr46 (the library behind Node's own URL parser),
// then LDH syntax checks on the A-label form.
import tr46 from 'tr46';

export interface NameForms {
  aLabel: string; // lower case, no trailing dot
  uLabel?: string; // only when the name has an IDN label
}

const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Normalises a domain or host name given as A-labels or U-labels.
 * Returns undefined for anything that is not a valid host name.
 */
export function normalizeName(input: string): NameForms | undefined {
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.length === 0 || name.length > 253 * 4) return undefined;
  // Fast path: plain lower-case LDH names need no UTS-46 mapping.
  const lower = name.toLowerCase();
  const ascii = /^[a-z0-9.-]+$/.test(lower)
    ? lower
    : tr46.toASCII(name, {
        checkBidi: true,
        checkHyphens: true,
        checkJoiners: true,
        useSTD3ASCIIRules: true,
        transitionalProcessing: false,
        verifyDNSLength: true,
      });
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LDH_LABEL.test(l))) return undefined;
  // A top-level label is never all digits (RFC 3696 §2), so "999.1.1.1" is a bad address, not a name.
  if (/^\d+$/.test(labels[labels.length - 1])) return undefined;
  // Reserved hyphens in positions 3-4 are only allowed for A-labels (xn--), which must decode.
  if (!labels.every((l) => l[2] !== '-' || l[3] !== '-' || l.startsWith('xn--'))) return undefined;
  if (!labels.some((l) => l.startsWith('xn--'))) return { aLabel: ascii };
  const { domain, error } = tr46.toUnicode(ascii, { checkBidi: true, checkHyphens: true, checkJoiners: true, useSTD3ASCIIRules: true });
  if (error) return undefined;
  return { aLabel: ascii, uLabel: domain.normalize('NFC') };
}
