/** The in-memory invocation logs: the last 50 per function, within a budget of 2000 across every app, oldest dropped first. */
import test from 'ava';
import { InvocationLogBook } from '../../cloud/invocation-logs.ts';

/** Logs a successful invocation of `fn` that printed `message`. */
function add(book: InvocationLogBook, appId: string, fn: string, message: string): void {
  const stats = { durationMs: 1, executed: 1, cacheHits: 0, precomputedHits: 0 };
  book.add(appId, fn, new Date().toISOString(), { ok: true, output: null, key: `${fn}@0:0`, logs: [{ fn, level: 'log', message }], stats });
}

const messages = (book: InvocationLogBook, appId: string, fn: string) => book.list(appId, fn).map((entry) => entry.logs[0]!.message);

test('past 2000 entries in all, the oldest of all are dropped, whatever their app', (t) => {
  const book = new InvocationLogBook();
  // 41 functions of 50 invocations each, over two apps: 2050 entries, one function's worth too many.
  for (let fn = 0; fn <= 40; fn++) {
    for (let n = 0; n < 50; n++) add(book, `app_${fn % 2}`, `f${fn}`, `${fn}/${n}`);
  }
  t.deepEqual(book.list('app_0', 'f0'), []);
  t.is(book.list('app_1', 'f1').length, 50);
  t.is(book.list('app_0', 'f40').length, 50);
  add(book, 'app_0', 'fresh', 'fresh');
  t.deepEqual(messages(book, 'app_0', 'fresh'), ['fresh']);
  t.is(book.list('app_1', 'f1').length, 49, 'the oldest entry of all went, from another app');
  t.is(messages(book, 'app_1', 'f1').at(-1), '1/1');
});

test('entries dropped per function or with their app leave room in the budget', (t) => {
  const book = new InvocationLogBook();
  for (let n = 0; n < 3000; n++) add(book, 'busy', 'f', String(n));
  t.deepEqual(messages(book, 'busy', 'f').slice(0, 2), ['2999', '2998']);
  t.is(book.list('busy', 'f').length, 50);
  for (let n = 0; n < 1950; n++) add(book, 'other', `g${n}`, String(n));
  t.is(book.list('busy', 'f').length, 50, 'the 50 of busy and 1950 others fit in 2000');
  book.drop('busy');
  for (let n = 0; n < 50; n++) add(book, 'third', 'h', String(n));
  t.is(book.list('other', 'g0').length, 1, 'the dropped app made room');
});
