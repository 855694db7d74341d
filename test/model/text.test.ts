// visibleText: invisible characters in names are shown escaped, joiners that a script needs are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visibleText } from '../../src/model/text.js';

test('plain text, any script, comes back unchanged (the same string)', () => {
  for (const s of ['Example Inc.', '株式会社サンプル', 'Иван Петров', 'محمد', 'ドメイン', '']) assert.equal(visibleText(s), s);
});

test('zero-width and other format characters are escaped as <U+XXXX>', () => {
  assert.equal(visibleText('Exam\u200bple Inc.'), 'Exam<U+200B>ple Inc.');
  assert.equal(visibleText('\ufeffBOM'), '<U+FEFF>BOM');
  assert.equal(visibleText('soft\u00adhyphen'), 'soft<U+00AD>hyphen');
  assert.equal(visibleText('word\u2060joiner'), 'word<U+2060>joiner');
  assert.equal(visibleText('mark\u200e\u200f'), 'mark<U+200E><U+200F>');
  assert.equal(visibleText('line\u2028break'), 'line<U+2028>break');
  assert.equal(visibleText('filler\u3164'), 'filler<U+3164>');
  assert.equal(visibleText('tag\u{E0041}'), 'tag<U+E0041>', 'astral code points keep all their digits');
});

test('ZWJ and ZWNJ between Latin letters, at the edges or next to spaces are escaped', () => {
  assert.equal(visibleText('Pay\u200dPal'), 'Pay<U+200D>Pal');
  assert.equal(visibleText('\u200cstart'), '<U+200C>start');
  assert.equal(visibleText('end\u200d'), 'end<U+200D>');
  assert.equal(visibleText('می \u200cخواهم'), 'می <U+200C>خواهم', 'not inside a word');
});

test('ZWNJ inside a Persian word and ZWJ/ZWNJ inside Indic words are kept', () => {
  const persian = 'می\u200cخواهم'; // "I want": the prefix stays unjoined
  assert.equal(visibleText(persian), persian);
  const withHaraka = 'مَ\u200cی'; // a mark (Script=Inherited, used with Arabic) before the joiner
  assert.equal(visibleText(withHaraka), withHaraka);
  const hindi = 'क्\u200dष'; // explicit half form
  assert.equal(visibleText(hindi), hindi);
  const malayalam = 'ന്\u200d'; // chillu at the end of a word: nothing after it, escaped
  assert.equal(visibleText(malayalam), 'ന്<U+200D>');
  const bengali = 'র\u200d্য';
  assert.equal(visibleText(bengali), bengali);
});

test('a joiner between two scripts is escaped', () => {
  assert.equal(visibleText('ک\u200cक'), 'ک<U+200C>क');
});

test('ZWJ inside an emoji sequence is kept, ZWJ after an emoji and a letter is not', () => {
  const family = '\u{1F468}\u200d\u{1F469}\u200d\u{1F467}';
  assert.equal(visibleText(family), family);
  assert.equal(visibleText('\u{1F468}\u200da'), '\u{1F468}<U+200D>a');
});
