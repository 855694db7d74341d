// The searchable-WHOIS expression grammar: operators, precedence, implicit AND, quoting, field
// values, and errors that name the position of the problem.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchExpression, searchKey } from '../../src/query/search-expression.js';
import { BadQuery } from '../../src/query/bad-query.js';

const p = parseSearchExpression;
const t = (field: string, pattern: string) => ({ op: 'term', field, pattern });

function bad(input: string, message: RegExp): void {
  assert.throws(() => p(input), (err: unknown) => {
    assert.ok(err instanceof BadQuery, String(err));
    assert.match(err.message, message);
    return true;
  }, input);
}

describe('search expression grammar', () => {
  it('parses the example of the issue: AND, then binary NOT', () => {
    assert.deepEqual(p('name:tanaka* AND city:tokyo NOT registrar:5555555'), {
      op: 'and',
      args: [t('name', 'tanaka*'), t('city', 'tokyo'), { op: 'not', arg: t('registrar', '5555555') }],
    });
  });

  it('joins adjacent terms with an implicit AND', () => {
    assert.deepEqual(p('name:tanaka city:tokyo'), { op: 'and', args: [t('name', 'tanaka'), t('city', 'tokyo')] });
  });

  it('binds AND tighter than OR, and honours parentheses', () => {
    assert.deepEqual(p('cc:jp AND city:tokyo OR cc:us'), {
      op: 'or',
      args: [{ op: 'and', args: [t('cc', 'JP'), t('city', 'tokyo')] }, t('cc', 'US')],
    });
    assert.deepEqual(p('cc:jp AND (city:tokyo OR city:osaka)'), {
      op: 'and',
      args: [t('cc', 'JP'), { op: 'or', args: [t('city', 'tokyo'), t('city', 'osaka')] }],
    });
  });

  it('takes operators in any case and unary NOT after AND', () => {
    assert.deepEqual(p('org:acme and not cc:us'), { op: 'and', args: [t('org', 'acme'), { op: 'not', arg: t('cc', 'US') }] });
  });

  it('reads quoted values with spaces, escapes and operator words', () => {
    assert.deepEqual(p('org:"Example Organisation" city:"New \\"York\\""'), {
      op: 'and',
      args: [t('org', 'Example Organisation'), t('city', 'New "York"')],
    });
    assert.deepEqual(p('name:"AND"'), t('name', 'AND'));
  });

  it('searches domain names with a bare value', () => {
    assert.deepEqual(p('exam*'), t('domain', 'exam*'));
    assert.deepEqual(p('domain:NIC.Example.'), t('domain', 'nic.example'));
  });

  it('normalises field values: IP addresses, country codes, host names, registrar names', () => {
    assert.deepEqual(p('nsip:2001:DB8:0::53'), t('nsip', '2001:db8::53'));
    assert.deepEqual(p('ns:NS1.NIC.EXAMPLE'), t('ns', 'ns1.nic.example'));
    assert.deepEqual(p('ns:ns1.ドメイン.example'), t('ns', 'ns1.xn--eckwd4c7c.example'));
    assert.deepEqual(p('registrar:"Example   Registrar"'), t('registrar', 'Example Registrar'));
    assert.deepEqual(p('registrar:5555555'), t('registrar', '5555555'));
  });

  it('keeps a stable text form that parses back to the same expression', () => {
    for (const text of ['name:tanaka* AND city:tokyo NOT registrar:5555555', 'cc:jp (city:tokyo OR org:"A B")', 'name:"or" OR exam?le*']) {
      const expr = p(text);
      assert.deepEqual(p(searchKey(expr)), expr, searchKey(expr));
    }
  });

  it('points at the position of a parse error', () => {
    bad('name:a AND city:b)', /unexpected "\)" at position 18/);
    bad('name:a AND', /unexpected end of expression at position 11/);
    bad('(name:a OR city:b', /expected "\)" but found end of expression at position 18/);
    bad('name:a OR OR city:b', /unexpected OR at position 11/);
    bad('colour:red', /unknown field "colour" .* at position 1/);
    bad('name:a city:', /missing value after "city:" at position 13/);
    bad('name:"open', /unterminated quoted value starting at position 6/);
    bad('nsip:300.1.2.3', /not an IP address at position 6/);
    bad('cc:japan', /not a two-letter country code at position 4/);
    bad('name:**', /at least one character besides/);
  });

  it('refuses searches that only exclude', () => {
    bad('NOT cc:us', /at least one term that is not negated/);
    bad("cc:jp (city:x OR NOT cc:us)", /each side of OR/);
    bad('', /empty search expression/);
  });

  it('refuses control and bidi characters, too long expressions and too many terms', () => {
    bad('name:a\u0000', /control characters/);
    bad('name:a\u202e', /control or bidi/);
    bad('name:' + 'a'.repeat(600), /longer than/);
    bad(Array.from({ length: 20 }, (_, i) => `name:n${i}`).join(' OR '), /too many terms/);
  });
});

describe('the email field (the searchable WHOIS and RDAP reverse search share it)', () => {
  it('takes an address or a pattern, lower-cased', () => {
    assert.deepEqual(p('email:Jane.Doe@Example.COM'), t('email', 'jane.doe@example.com'));
    assert.deepEqual(p('email:jane* cc:us'), { op: 'and', args: [t('email', 'jane*'), t('cc', 'US')] });
    assert.deepEqual(p('email:"*@example.com"'), t('email', '*@example.com'));
    assert.equal(searchKey(p('email:jane*')), 'email:jane*');
  });

  it('refuses a value with spaces', () => bad('email:"jane doe@example.com"', /not an e-mail address or pattern at position 7/));
});
