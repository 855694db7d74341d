// Hostile inputs for the property tests: text a stranger can type or send, mixed with the pieces
// of each grammar (keywords, labels, fields, operators), so that runs reach past the first check.
import fc from 'fast-check';

/**
 * Characters that have broken parsers and pages before: controls, bidi, markup, odd spaces,
 * non-characters. No lone surrogates: no door can hand a grammar one (port 43 decodes UTF-8
 * strictly, HTTP's URL decoding turns a bad sequence into U+FFFD).
 */
const NASTY = [
  '\u0000', '\t', '\n', '\r', '\u000b', '\u001b', '\u007f', '\u0085', '\u009b', '\u00a0', '\u00ad',
  '\u200b', '\u200d', '\u200e', '\u202e', '\u2066', '\u2028', '\u3000', '\ufeff', '\ufffd', '\uffff',
  '\ud83d\ude00', '\u0301', 'ß', 'ẞ', 'İ', 'ﬁ', '\u0130', 'Ａ', '．', '。',
  '<', '>', '"', "'", '&', '`', '\\', '%', '*', '?', ':', '(', ')', '.', '-', ' ', '/', '#', '+', '=', ';', ',', '@', '[', ']',
];

/** One character of hostile text. */
export const nastyChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 4, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('д', 'ж', 'ド', 'メ', 'イ', 'ン', 'ü', 'é', 'ا', 'ע') },
);

export const nastyText = (maxLength = 40) => fc.string({ unit: nastyChar, maxLength });

/** A DNS-ish label: LDH, A-label prefixes, U-label letters, hyphens where they are not allowed. */
const label = fc.oneof(
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/),
  fc.constantFrom('xn--eckwd4c7c', 'xn--', 'xn--zz', 'nic', 'ns1', 'NIC', 'ドメイン', 'пример', '-a', 'a-', 'a--b', '', 'x'.repeat(64), '*', 'exam*'),
  fc.stringMatching(/^[a-zA-Z0-9äöüßдж-]{1,12}$/),
);
const goodLabel = fc.oneof(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/), fc.constantFrom('nic', 'ns1', 'NIC', 'Nic', 'ドメイン', 'xn--eckwd4c7c', 'müller', 'straße'));

/** A name that should read as a domain or host name under the served TLD. */
export const goodName = fc
  .tuple(fc.array(goodLabel, { minLength: 1, maxLength: 3 }), fc.constantFrom('example', 'EXAMPLE', 'example.'))
  .map(([labels, tld]) => [...labels, tld].join('.'));

/** Something shaped like a domain or host name, often under the served TLD, often not quite one. */
export const nameLike = fc.oneof(
  { weight: 2, arbitrary: goodName },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('example', 'EXAMPLE', 'test', 'xn--p1ai', ''), fc.constantFrom('', '.', '..'))
      .map(([labels, tld, end]) => [...labels, tld].filter((l, i, all) => l !== '' || i < all.length - 1).join('.') + end),
  },
);

const ipLike = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), fc.constantFrom('1.2.3', '256.1.1.1', '::ffff:192.0.2.1', '2001:DB8::53', 'fe80::1%eth0', '::', '[::1]'));

/** What follows a port-43 keyword or sits in a lookup box. */
export const argumentLike = fc.oneof(
  { weight: 3, arbitrary: goodName },
  { weight: 3, arbitrary: nameLike },
  { weight: 2, arbitrary: ipLike },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{1,12}$/) },
  { weight: 1, arbitrary: fc.constantFrom('Example Registrar, Inc.', 'example  registrar,  inc', 'help', 'NIC-REGISTRANT') },
  { weight: 2, arbitrary: nastyText() },
);

/** A port-43 query line (decoded), from grammar pieces and hostile text. */
export const whoisLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('', 'domain ', 'DOMAIN ', 'nameserver ', 'registrar ', 'help', 'help ', 'whois ', ' ', '\t'), argumentLike).map(([k, a]) => k + a) },
  { weight: 1, arbitrary: nastyText(80) },
);

/** Bytes of a port-43 line: valid UTF-8 of a line, or anything at all (invalid UTF-8, NUL, CR). */
export const whoisBytes = fc.oneof(
  { weight: 3, arbitrary: whoisLine.map((s) => new Uint8Array(Buffer.from(s, 'utf8'))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }) },
);

// --- search expressions ------------------------------------------------------------------------
const FIELDS = ['domain', 'name', 'org', 'street', 'city', 'sp', 'pc', 'cc', 'registrar', 'ns', 'nsip'] as const;
const anyValue = fc.oneof(
  fc.stringMatching(/^[a-z0-9.*?-]{1,10}$/),
  nameLike,
  ipLike,
  fc.constantFrom('jp', 'US', 'j?', '*', '?', '**', '.', '*.', ' ', 'and', 'NOT', 'tanaka*', '5555555', 'Example Registrar, Inc.'),
  nastyText(12),
);
/** A value the field takes (most of the time); built once per field (building a stringMatching is costly). */
const valueFor = (field: string) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary:
        field === 'cc' ? fc.constantFrom('jp', 'US', 'j?', '*', 'de')
        : field === 'nsip' ? ipLike
        : field === 'ns' ? fc.oneof(nameLike, fc.constantFrom('ns1.*', 'ns?.nic.example'))
        : field === 'registrar' ? fc.oneof(fc.stringMatching(/^\d{1,10}$/), fc.constantFrom('Example Registrar, Inc.', 'example*', ' a  b '))
        : fc.oneof(fc.stringMatching(/^[A-Za-z0-9*?.-]{1,10}$/), fc.constantFrom('tanaka*', 'Tōkyō', 'New "York"', 'a\\b', 'AND', 'or', '(x)', 'São Paulo')),
    },
    { weight: 1, arbitrary: anyValue },
  );
const VALUES = new Map([...FIELDS, '', 'NAME', 'colour'].map((f) => [f, valueFor(f)]));
const quote = (v: string) => `"${v.replace(/["\\]/g, '\\$&')}"`;
const term = fc
  .constantFrom(...FIELDS, '', 'NAME', 'colour')
  .chain((f) => fc.tuple(VALUES.get(f)!, fc.boolean()).map(([v, q]) => `${f ? `${f}:` : ''}${q || /[\s()"]/.test(v) ? quote(v) : v}`));

/** A search expression built from the grammar (most of them well formed), with random case, spacing and grouping. */
const unit = fc.oneof(
  { weight: 4, arbitrary: term },
  { weight: 1, arbitrary: fc.tuple(fc.array(term, { minLength: 2, maxLength: 3 }), fc.constantFrom(' OR ', ' AND ', ' ', ' NOT ')).map(([ts, op]) => `(${ts.join(op)})`) },
);
const expression = fc
  .array(fc.tuple(fc.constantFrom('', 'AND ', 'OR ', 'NOT ', 'and ', 'or ', 'not '), unit), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.map(([op, u], i) => (i === 0 ? u : `${op}${u}`)).join(' '));

/** Terms, operators and parentheses in any order (mostly malformed). */
const tokenSoup = fc
  .array(fc.oneof({ weight: 5, arbitrary: term }, { weight: 3, arbitrary: fc.constantFrom('AND', 'OR', 'NOT', 'and', 'or', 'not') }, { weight: 1, arbitrary: fc.constantFrom('(', ')', '"', '\\') }), { minLength: 1, maxLength: 12 })
  .chain((parts) => fc.constantFrom(' ', '  ', '\t', '\u3000').map((sep) => parts.join(sep)));

export const searchText = fc.oneof({ weight: 3, arbitrary: expression }, { weight: 1, arbitrary: tokenSoup });

// --- RDAP -------------------------------------------------------------------------------------
/** Percent-encoding as clients do it, and as they get it wrong (bad escapes, overlong and invalid UTF-8, NUL). */
const pctByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`),
  fc.constantFrom('%', '%Z', '%ZZ', '%0', '%c0%af', '%e3%83%89', '%2F', '%2e%2e', '%25', '%00', '%FF'),
);

/** A path segment made only of bytes a request target may hold (RFC 3986 pchar), so that Node's HTTP parser takes it. */
export const pathSegment = fc.oneof(
  { weight: 3, arbitrary: nameLike.map((s) => encodeURIComponent(s)) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@-]{1,6}$/), pctByte), { maxLength: 6 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('', '.', '..', 'NIC-REGISTRANT', '5555555', '99999999999') },
);

const PARAMS: Record<string, string[]> = { domains: ['name', 'nsLdhName', 'nsIp'], nameservers: ['name', 'ip'], entities: ['fn', 'handle'] };
const searchValue = fc.oneof(nameLike, ipLike, fc.constantFrom('nic*', 'exam*.example', '*', 'a*', 'Example*', 'NIC-*', 'ns1.nic.ex*', 'Example Registrar, Inc.'), anyValue);
/** Form-style encoding, as browsers send it: spaces as '+', '*' as it is. */
const encodeValue = (v: string) => encodeURIComponent(v).replace(/%2A/g, '*').replace(/%20/g, '+');

/** A raw query string: parameters of every search, right or wrong, and debris. */
const rawQuery = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('name', 'nsLdhName', 'nsIp', 'ip', 'fn', 'handle', 'count', 'NAME', ''), fc.oneof(pathSegment, searchValue.map(encodeURIComponent))), { maxLength: 3 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  fc.array(fc.oneof(pathSegment, fc.constantFrom('=', '&', '+', '?')), { maxLength: 6 }).map((p) => p.join('')),
);

/** An RDAP request under the base path: [path, raw query string]. Lookups, searches and debris. */
export const rdapRequest: fc.Arbitrary<[string, string]> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('domain', 'nameserver', 'entity'), fc.oneof(nameLike, fc.constantFrom('NIC-REGISTRANT', '5555555', '99999999999', 'ab', 'Ab-1.x')).map(encodeURIComponent))
      .map(([type, arg]): [string, string] => [`${type}/${arg}`, '']),
  },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('domains', 'nameservers', 'entities')
      .chain((type) => fc.tuple(fc.constant(type), fc.constantFrom(...PARAMS[type]), searchValue))
      .map(([type, param, v]): [string, string] => [type, `${param}=${encodeValue(v)}`]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.tuple(fc.constantFrom('domain', 'nameserver', 'entity', 'help', 'domains', 'nameservers', 'entities', 'ip', 'autnum', 'DOMAIN', ''), fc.array(pathSegment, { maxLength: 2 })).map(([type, rest]) => [type, ...rest].join('/')),
      fc.oneof(fc.constant(''), rawQuery),
    ),
  },
  { weight: 1, arbitrary: fc.tuple(fc.array(pathSegment, { maxLength: 4 }).map((s) => s.join('/')), rawQuery) },
);
