// What must hold of every parser a stranger can reach, in one place: the property tests of
// test/fuzz/ and the coverage-guided targets of fuzz/ both check these.
import assert from 'node:assert/strict';

/** fast-check settings of every property test: a fixed seed, so that a run is repeatable. */
export const SEED = 0x2f0c;
export const runs = (numRuns: number) => ({ seed: SEED, numRuns, includeErrorInReport: true });

/** Longest error message a grammar may give a client (characters). */
export const MAX_MESSAGE = 200;

/** C0 and C1 controls, DEL, bidi embeddings, overrides and isolates, and unpaired surrogates. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * An error message that is safe to show on every door: short, no control or bidi character, and no
 * markup from the client. Client text is shown only between the double quotes of the message's
 * template, and there holds no quote, `<`, `>`, `&`, `'` or backquote; the template's own text
 * uses angle brackets only for placeholders (`use domain/<name>`).
 */
export function assertSafeMessage(message: string, context = ''): void {
  const show = `${JSON.stringify(message)} ${context}`;
  assert.ok(message.length > 0, `empty message ${context}`);
  assert.ok(message.length <= MAX_MESSAGE, `message longer than ${MAX_MESSAGE}: ${show}`);
  assert.doesNotMatch(message, UNSAFE, `control, bidi or lone surrogate in ${show}`);
  assert.equal((message.match(/"/g) ?? []).length % 2, 0, `unpaired quote in ${show}`);
  for (const [, quoted] of message.matchAll(/"([^"]*)"/g)) assert.doesNotMatch(quoted, /[<>&'`]/, `markup in the client text of ${show}`);
  const template = message.replace(/"[^"]*"/g, '').replace(/<[a-z ]+>/g, '');
  assert.doesNotMatch(template, /[<>&'`]/, `markup outside quotes in ${show}`);
}

/** Text that reaches a client or the query log: no control, bidi override or lone surrogate. */
export function assertPrintable(text: string, context = ''): void {
  assert.doesNotMatch(text, UNSAFE, `control, bidi or lone surrogate in ${JSON.stringify(text)} ${context}`);
}

/** Runs `fn`; an exception is allowed only when `allowed` says it is the parser's own documented error. */
export function onlyThrows<T>(fn: () => T, allowed: (err: unknown) => boolean): { value?: T; error?: Error } {
  try {
    return { value: fn() };
  } catch (err) {
    if (!allowed(err)) throw err;
    return { error: err as Error };
  }
}
