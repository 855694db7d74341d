// The searchable-WHOIS expression grammar (digest whois-text.md §10):
//
//   expr    := and ( OR and )*
//   and     := unary ( [AND] unary | NOT unary )*       adjacent terms are joined by AND; "A NOT B" = A AND NOT B
//   unary   := NOT unary | '(' expr ')' | term
//   term    := field ':' value | value                   a value without a field searches domain names
//   value   := word | '"' chars '"'                      a quoted value may hold spaces; \" and \\ escape
//
// Fields: domain, name, org, street, city, sp, pc, cc, email, registrar, ns, nsip. Operators are
// case-insensitive. Values take `*` (any run) and `?` (one character); plain text is a partial
// (substring) match on the free-text fields and an exact match on registrar ID, ns, nsip, cc and
// email (case-insensitive: `email:jane@example.com`, `email:jane*`, `email:*@example.com`).
// A parse error is a BadQuery whose message names the position (1-based) of the offending token.
import { normalizeName } from '../model/idn.js';
import type { DomainSearchField, SearchExpr } from '../model/search.js';
import { BadQuery, CONTROL_CHARACTERS, quoteForMessage } from './bad-query.js';
import { ipAddress } from './ip-address.js';

export const SEARCH_FIELDS: readonly DomainSearchField[] = ['domain', 'name', 'org', 'street', 'city', 'sp', 'pc', 'cc', 'email', 'registrar', 'ns', 'nsip'];

export interface SearchLimits {
  /** Longest expression accepted (characters). */
  maxLength: number;
  /** Most terms in one expression. */
  maxTerms: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { maxLength: 512, maxTerms: 16 };

type Token =
  | { t: 'word'; text: string; pos: number; quoted: boolean; /** Length of the text before its first quote. */ plain: number }
  | { t: 'op'; op: 'AND' | 'OR' | 'NOT'; pos: number }
  | { t: '('; pos: number }
  | { t: ')'; pos: number }
  | { t: 'end'; pos: number };

function describe(tok: Token): string {
  switch (tok.t) {
    case 'word':
      return `"${quoteForMessage(tok.text, 32)}"`;
    case 'op':
      return tok.op;
    case 'end':
      return 'end of expression';
    default:
      return `"${tok.t}"`;
  }
}

function fail(message: string, pos: number): never {
  throw new BadQuery(`${message} at position ${pos}`);
}

/** Splits the expression into tokens; positions are 1-based character offsets. */
function tokenize(input: string): Token[] {
  const out: Token[] = [];
  const chars = [...input]; // code points, so positions count characters as people see them
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    if (c === '(' || c === ')') {
      out.push({ t: c, pos });
      i++;
      continue;
    }
    // A word: a field prefix (field:) may be followed by a quoted value.
    let text = '';
    let quoted = false;
    let plain = -1;
    while (i < chars.length && !/[\s()]/.test(chars[i])) {
      if (chars[i] === '"') {
        if (plain < 0) plain = text.length;
        const start = i + 1;
        i++;
        let closed = false;
        while (i < chars.length) {
          if (chars[i] === '\\' && i + 1 < chars.length && (chars[i + 1] === '"' || chars[i + 1] === '\\')) {
            text += chars[i + 1];
            i += 2;
            continue;
          }
          if (chars[i] === '"') {
            closed = true;
            i++;
            break;
          }
          text += chars[i++];
        }
        if (!closed) fail('unterminated quoted value starting', start);
        quoted = true;
        continue;
      }
      text += chars[i++];
    }
    const upper = text.toUpperCase();
    if (!quoted && (upper === 'AND' || upper === 'OR' || upper === 'NOT')) out.push({ t: 'op', op: upper, pos });
    else out.push({ t: 'word', text, pos, quoted, plain: plain < 0 ? text.length : plain });
  }
  out.push({ t: 'end', pos: chars.length + 1 });
  return out;
}

class Parser {
  private i = 0;
  terms = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly limits: SearchLimits,
  ) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  parse(): SearchExpr {
    if (this.peek().t === 'end') throw new BadQuery('empty search expression');
    const expr = this.or();
    const tok = this.peek();
    if (tok.t !== 'end') fail(`unexpected ${describe(tok)}`, tok.pos);
    return expr;
  }

  private or(): SearchExpr {
    const args = [this.and()];
    while (this.peek().t === 'op' && (this.peek() as { op: string }).op === 'OR') {
      this.next();
      args.push(this.and());
    }
    return args.length === 1 ? args[0] : { op: 'or', args };
  }

  private and(): SearchExpr {
    const args = [this.unary()];
    for (;;) {
      const tok = this.peek();
      if (tok.t === 'op' && tok.op === 'AND') {
        this.next();
        args.push(this.unary());
      } else if (tok.t === 'op' && tok.op === 'NOT') {
        this.next();
        args.push({ op: 'not', arg: this.unary() });
      } else if (tok.t === 'word' || tok.t === '(') {
        args.push(this.unary()); // implicit AND
      } else break;
    }
    return args.length === 1 ? args[0] : { op: 'and', args };
  }

  private unary(): SearchExpr {
    const tok = this.next();
    switch (tok.t) {
      case 'op':
        if (tok.op === 'NOT') return { op: 'not', arg: this.unary() };
        return fail(`unexpected ${tok.op}`, tok.pos);
      case '(': {
        const inner = this.or();
        const close = this.next();
        if (close.t !== ')') fail(`expected ")" but found ${describe(close)}`, close.pos);
        return inner;
      }
      case 'word':
        if (++this.terms > this.limits.maxTerms) fail(`too many terms (at most ${this.limits.maxTerms})`, tok.pos);
        return term(tok.text, tok.pos, tok.plain);
      default:
        return fail(`unexpected ${describe(tok)}`, tok.pos);
    }
  }
}

const WILDCARD = /[*?]/;

/** Turns `field:value` into a term, checking and normalising the value for its field. */
function term(word: string, pos: number, plain: number): SearchExpr {
  const colon = word.slice(0, plain).indexOf(':');
  let field: DomainSearchField = 'domain';
  let value = word;
  let valuePos = pos;
  // A bare value searches domain names; "field:" must name a known field (nsip values hold colons, the field comes first).
  if (colon > 0 && /^[a-z]+$/i.test(word.slice(0, colon))) {
    const name = word.slice(0, colon).toLowerCase();
    if (!(SEARCH_FIELDS as readonly string[]).includes(name)) {
      fail(`unknown field "${quoteForMessage(name, 16)}" (fields: ${SEARCH_FIELDS.join(', ')})`, pos);
    }
    field = name as DomainSearchField;
    value = word.slice(colon + 1);
    valuePos = pos + [...word.slice(0, colon + 1)].length;
  }
  if (value === '') fail(`missing value after "${field}:"`, valuePos);
  if (CONTROL_CHARACTERS.test(value)) fail('control or bidi characters in a value', valuePos);
  if ([...value].length > 255) fail('value longer than 255 characters', valuePos);
  return { op: 'term', field, pattern: normalizeValue(field, value, valuePos) };
}

function normalizeValue(field: DomainSearchField, value: string, pos: number): string {
  // Checked on the normalised pattern: "domain:." and registrar:" " would otherwise match everything.
  const pattern = patternOf(field, value, pos);
  if (pattern.replace(/[*?\s]/g, '') === '') fail(`a value needs at least one character besides "*" and "?"`, pos);
  return pattern;
}

function patternOf(field: DomainSearchField, value: string, pos: number): string {
  switch (field) {
    case 'nsip': {
      const address = ipAddress(value);
      if (!address) fail(`"${quoteForMessage(value)}" is not an IP address`, pos);
      return address;
    }
    case 'cc':
      if (!WILDCARD.test(value) && !/^[a-z]{2}$/i.test(value)) fail(`"${quoteForMessage(value)}" is not a two-letter country code`, pos);
      return value.toUpperCase();
    case 'registrar':
      if (/^\d{1,10}$/.test(value)) return value;
      return value.replace(/\s+/g, ' ').trim();
    case 'ns': {
      if (WILDCARD.test(value)) return value.toLowerCase();
      const forms = normalizeName(value);
      if (!forms) fail(`"${quoteForMessage(value)}" is not a valid host name`, pos);
      return forms.aLabel;
    }
    case 'domain':
      // Matched against both the A-label and the U-label of each name.
      return value.toLowerCase().replace(/\.+$/, '');
    case 'email':
      if (/\s/.test(value.trim())) fail(`"${quoteForMessage(value)}" is not an e-mail address or pattern`, pos);
      return value.trim().toLowerCase();
    default:
      return value.replace(/\s+/g, ' ').trim();
  }
}

/**
 * A search must name what it looks for: every OR branch needs a positive term, and NOT only
 * narrows (A NOT B), so "NOT cc:JP" alone (every domain but ...) is refused.
 */
function checkPositive(expr: SearchExpr): void {
  const positive = (e: SearchExpr): boolean => {
    switch (e.op) {
      case 'term':
        return true;
      case 'not':
        return false;
      case 'and':
        return e.args.some(positive);
      case 'or':
        return e.args.every(positive);
    }
  };
  const walk = (e: SearchExpr): void => {
    if (e.op === 'term') return;
    if (e.op === 'not') {
      if (!positive(e.arg)) throw new BadQuery('NOT must be followed by a term or a group of terms that is not itself negated');
      return walk(e.arg);
    }
    e.args.forEach(walk);
    if (e.op === 'or' && !e.args.every(positive)) throw new BadQuery('each side of OR needs a term that is not negated; use "A NOT B" to exclude');
    if (e.op === 'and') for (const a of e.args) if (a.op !== 'not' && !positive(a)) throw new BadQuery('NOT can only narrow a search: write "A NOT B"');
  };
  if (!positive(expr)) throw new BadQuery('a search needs at least one term that is not negated; NOT can only narrow it, as in "city:tokyo NOT cc:US"');
  walk(expr);
}

/** Parses a search expression. Throws BadQuery naming the position of the problem. */
export function parseSearchExpression(input: string, limits: SearchLimits = DEFAULT_SEARCH_LIMITS): SearchExpr {
  if ([...input].length > limits.maxLength) throw new BadQuery(`the expression is longer than ${limits.maxLength} characters`);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(input)) throw new BadQuery('the expression contains control characters');
  const expr = new Parser(tokenize(input), limits).parse();
  checkPositive(expr);
  return expr;
}

/** A stable text form of an expression: the query log's and the cache's key, and the link to a page. */
export function searchKey(expr: SearchExpr): string {
  switch (expr.op) {
    case 'term': {
      const v = expr.pattern;
      return `${expr.field}:${/[\s()"\\]/.test(v) || /^(and|or|not)$/i.test(v) ? `"${v.replace(/["\\]/g, '\\$&')}"` : v}`;
    }
    case 'not':
      return `NOT ${wrap(expr.arg)}`;
    case 'and':
      return expr.args.map(wrap).join(' AND ');
    case 'or':
      return expr.args.map(wrap).join(' OR ');
  }
}

function wrap(e: SearchExpr): string {
  return e.op === 'term' || e.op === 'not' ? searchKey(e) : `(${searchKey(e)})`;
}
