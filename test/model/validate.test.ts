// Validation on the way in: each refusal names the field, nothing is silently dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, isE164, isEmail, validate, ValidationError } from '../../src/model/validate.js';
import { normalizeName } from '../../src/model/idn.js';
import { contact, domain, host } from '../store/fixtures.js';

function refused(obj: unknown, field: RegExp): void {
  assert.throws(() => validate(obj as never), (err: unknown) => err instanceof ValidationError && field.test(err.field), JSON.stringify(obj).slice(0, 80));
}

test('an unknown or misspelt member is refused, not dropped', () => {
  refused({ ...domain('a.example'), registrantt: 'X' }, /^registrantt$/);
  refused({ ...contact('CON1'), postalInt: { ...contact('CON1').postalInt!, citty: 'X' } }, /^postalInt\.citty$/);
});

test('E.164, e-mail, names and addresses', () => {
  assert.ok(isE164('+1.5555551234'));
  assert.ok(!isE164('+1 555 555 1234'));
  assert.ok(isEmail('a.b+c@registrar.example'));
  assert.ok(isEmail('user@ドメイン.example'));
  assert.ok(!isEmail('a@@b.example'));
  assert.ok(!isEmail('a@b'));
  assert.deepEqual(normalizeName('ドメイン.EXAMPLE.'), { aLabel: 'xn--eckwd4c7c.example', uLabel: 'ドメイン.example' });
  assert.deepEqual(normalizeName('Straße.example'), { aLabel: 'xn--strae-oqa.example', uLabel: 'straße.example' });
  assert.equal(normalizeName('-bad.example'), undefined);
  assert.equal(normalizeName('ab--cd.example'), undefined);
  assert.equal(normalizeName('999.1.1.1'), undefined);
  assert.equal(canonicalIp('2001:DB8:0:0::53'), '2001:db8::53');
});

test('bad values name their field', () => {
  refused({ ...contact('CON1'), voice: '5555' }, /^voice$/);
  refused({ ...contact('CON1'), email: 'nope' }, /^email$/);
  refused({ ...contact('CON1'), postalInt: { ...contact('CON1').postalInt!, cc: 'XX' } }, /^postalInt\.cc$/);
  refused({ ...contact('CON1'), postalInt: { ...contact('CON1').postalInt!, org: 'Evil\r\nInjected: line' } }, /^postalInt\.org$/);
  refused({ ...domain('a.example'), statuses: ['nonsense'] }, /^statuses$/);
  refused({ ...domain('a.example'), expires: '2030-01-01' }, /^expires$/);
  refused({ ...host('ns.a.example'), addresses: ['300.1.1.1'] }, /^addresses\[0\]$/);
  refused({ type: 'zone' }, /^type$/);
});

test('lone surrogates and noncharacters are refused in any string member, with its path', () => {
  refused({ ...contact('CON1'), postalInt: { ...contact('CON1').postalInt!, name: 'A\ud800B' } }, /^postalInt\.name$/);
  refused({ ...contact('CON1'), postalInt: { ...contact('CON1').postalInt!, street: ['ok', 'bad\udc00'] } }, /^postalInt\.street\[1\]$/);
  refused({ ...domain('a.example'), reseller: 'R\ufffe' }, /^reseller$/);
  refused({ ...domain('a.example'), reseller: 'R\u{10FFFF}' }, /^reseller$/);
  refused({ ...host('ns.a.example'), roid: 'H\ufdd5-EXAMPLE' }, /^roid$/);
  assert.doesNotThrow(() => validate({ ...domain('a.example'), reseller: 'Re\u{1F600}seller \ufdcf\ufdf0' }));
});
