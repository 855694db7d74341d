// Text that a registry holds for people and organisations, as the answers must show it. Invisible
// characters in a name can make two different names look the same (a zero-width space inside
// "Example Inc." is another organisation): every door shows them escaped, `<U+200B>`. The rule is
// documented in docs/import-format.md ("Invisible characters").

/**
 * Invisible characters shown escaped: format characters (Cf: zero-width space, joiners, word
 * joiner, soft hyphen, bidi marks and isolates, BOM, tag characters, ...), line and paragraph
 * separators, and the characters that render as nothing without being Cf (combining grapheme
 * joiner, Hangul fillers, Mongolian variation selectors and vowel separator).
 */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u034f\u115f\u1160\u3164\uffa0\u180b-\u180d\u180f]/u;
const EVERY_INVISIBLE = new RegExp(INVISIBLE.source, 'gu');

const ZWNJ = 0x200c;
const ZWJ = 0x200d;

/**
 * Scripts whose words need ZWNJ/ZWJ (Persian and other Arabic-script languages, Syriac, the Indic
 * scripts and Sinhala: they choose between joined and separate letter forms, or a conjunct and a
 * visible virama).
 */
const JOINING_SCRIPTS = ['Arabic', 'Syriac', 'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala'].map(
  (script) => ({ script, letter: new RegExp(`^(?=[\\p{L}\\p{M}])\\p{Script_Extensions=${script}}$`, 'u') }),
);
const PICTOGRAPH = /^\p{Extended_Pictographic}$/u;

/** The joining script of a letter or mark, if it has one. */
function scriptOf(ch: string): string | undefined {
  return JOINING_SCRIPTS.find((s) => s.letter.test(ch))?.script;
}

/** The code point before `index` (a UTF-16 offset), as a string, or '' at the start. */
function before(s: string, index: number): string {
  if (index === 0) return '';
  const low = s.charCodeAt(index - 1);
  const start = low >= 0xdc00 && low <= 0xdfff && index >= 2 ? index - 2 : index - 1;
  return String.fromCodePoint(s.codePointAt(start)!);
}

function after(s: string, index: number): string {
  const cp = s.codePointAt(index);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** A joiner between two letters of one script that needs it, or ZWJ inside an emoji sequence. */
function isWordJoiner(s: string, index: number, cp: number): boolean {
  const prev = before(s, index);
  const next = after(s, index + 1);
  if (!prev || !next) return false;
  const script = scriptOf(prev);
  if (script !== undefined && script === scriptOf(next)) return true;
  return cp === ZWJ && PICTOGRAPH.test(prev) && PICTOGRAPH.test(next);
}

/** `s` with every invisible character written as `<U+XXXX>`, joiners inside words that need them kept. */
export function visibleText(s: string): string {
  if (!INVISIBLE.test(s)) return s; // the common case: nothing to escape, no copy
  return s.replace(EVERY_INVISIBLE, (ch: string, index: number) => {
    const cp = ch.codePointAt(0)!;
    if ((cp === ZWNJ || cp === ZWJ) && isWordJoiner(s, index, cp)) return ch;
    return `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}
