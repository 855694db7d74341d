// The answer cache drops exactly the answers that show a changed object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache, ANY, ANY_HOST, ANY_REGISTRAR } from '../src/answer-cache.js';

test('a change drops the answers that show the object, and only those', () => {
  const cache = new AnswerCache<string>(100);
  cache.set('nic', 'nic answer', ['d:nic.example', 'r:5555555', 'c:REG-1', 'h:ns1.nic.example']);
  cache.set('shop', 'shop answer', ['d:shop.example', 'r:6666666', 'c:REG-2', 'h:ns1.shop.example']);
  cache.set('missing', 'not found', ['d:new.example']);
  cache.set('by ip', 'hosts', ['h:ns1.nic.example', 'r:5555555', ANY_HOST]);
  cache.set('by name', 'registrar', ['r:5555555', ANY_REGISTRAR]);
  cache.set('search', 'results', [ANY]);
  cache.set('help', 'help text', []);

  cache.changed([{ serial: 2, kind: 'contact', key: 'REG-1' }]);
  assert.equal(cache.get('nic'), undefined, 'its registrant changed');
  assert.equal(cache.get('shop'), 'shop answer');
  assert.equal(cache.get('search'), undefined, 'any change may change a search');
  assert.equal(cache.get('help'), 'help text');

  cache.changed([{ serial: 3, kind: 'domain', key: 'new.example' }]);
  assert.equal(cache.get('missing'), undefined, 'the name came');
  assert.equal(cache.get('shop'), 'shop answer');

  cache.changed([{ serial: 4, kind: 'host', key: 'ns9.other.example' }]);
  assert.equal(cache.get('by ip'), undefined, 'any host may now have that address');
  assert.equal(cache.get('by name'), 'registrar');
  cache.changed([{ serial: 5, kind: 'registrar', key: '7777777' }]);
  assert.equal(cache.get('by name'), undefined, 'any registrar may now have that name');
  assert.equal(cache.get('shop'), 'shop answer', 'another registrar');

  cache.changed(undefined);
  assert.equal(cache.get('shop'), undefined, 'unknown changes: everything goes');
  assert.equal(cache.size, 0);
});

test('bounded: the oldest answer makes room', () => {
  const cache = new AnswerCache<number>(2);
  cache.set('a', 1, ['d:a']);
  cache.set('b', 2, ['d:b']);
  cache.set('c', 3, ['d:c']);
  assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c')], [undefined, 2, 3]);
  const off = new AnswerCache<number>(0);
  off.set('a', 1, []);
  assert.equal(off.get('a'), undefined, 'a capacity of 0 keeps nothing');
});
