/** The in-memory invocation logs: the last 50 per function, each entry capped, within a budget of bytes across every app, oldest dropped first. */
import test from 'ava';
import { InvocationLogBook, KEPT_BYTES_IN_ALL, KEPT_LOG_CHARS } from '../../cloud/invocation-logs.ts';
import type { InvocationLog } from '../../runtime/protocol.ts';
import { MAX_ERROR_MESSAGE_CHARS } from '../../runtime/text-caps.ts';

const stats = { durationMs: 1, executed: 1, cacheHits: 0, precomputedHits: 0 };
/** One string shared by every entry: the test itself must not need gigabytes. */
const huge = 'E'.repeat(8e6);

/** Logs a successful invocation of `fn` that printed `message` and, when `big`, about 64 KiB more. */
function add(book: InvocationLogBook, appId: string, fn: string, message: string, big = false, owner = 'user_1'): void {
  const more: InvocationLog[] = big ? Array.from({ length: 16 }, () => ({ fn, level: 'log', message: 'x'.repeat(4000) })) : [];
  book.add(owner, appId, fn, new Date().toISOString(), { ok: true, output: null, key: `${fn}@0:0`, logs: [{ fn, level: 'log', message }, ...more], stats });
}

/** Logs a failed invocation of `fn` with `message` as its error and `logs` as its console output. */
function addFailure(book: InvocationLogBook, appId: string, fn: string, message: string, logs: InvocationLog[] = []): void {
  book.add('user_1', appId, fn, new Date().toISOString(), { ok: false, error: { code: 'FUNCTION_THREW', message }, logs, stats });
}

const messages = (book: InvocationLogBook, appId: string, fn: string) => book.list(appId, fn).map((entry) => entry.logs[0]!.message);
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

test('an entry keeps at most the capped error message and console output, and says what it cut', (t) => {
  const book = new InvocationLogBook();
  const logs: InvocationLog[] = Array.from({ length: 500 }, () => ({ fn: 'f', level: 'log', message: huge }));
  addFailure(book, 'app', 'f', huge, logs);
  const [entry] = book.list('app', 'f');
  t.is(entry!.error!.code, 'FUNCTION_THREW');
  t.true(entry!.error!.message.length <= MAX_ERROR_MESSAGE_CHARS);
  t.regex(entry!.error!.message, /\[edgecourier: \d+ more characters were cut\]$/);
  t.true(entry!.logs.reduce((chars, line) => chars + line.message.length, 0) <= KEPT_LOG_CHARS + 100);
  t.regex(entry!.logs.at(-1)!.message, /more log lines were not kept/);
  t.true(bytesOf(entry) < 100 * 1024, `an entry of ${bytesOf(entry)} bytes`);
});

test('the entries of every app together stay within the byte budget however large the errors, the newest kept', (t) => {
  const book = new InvocationLogBook();
  for (let n = 0; n < 2000; n++) addFailure(book, `app_${n % 7}`, `f${n % 300}`, huge);
  let total = 0;
  for (let app = 0; app < 7; app++) for (let fn = 0; fn < 300; fn++) total += bytesOf(book.list(`app_${app}`, `f${fn}`));
  t.true(total <= KEPT_BYTES_IN_ALL, `${total} bytes kept`);
  t.true(total > KEPT_BYTES_IN_ALL / 2, 'the budget is used, not left empty');
  t.is(book.list('app_4', 'f199').length, 1, 'the newest entry (the 2000th: app_4, f199) is kept');
  t.is(book.list('app_0', 'f0').length, 0, 'the oldest went');
});

test("past the budget, one owner's flood pushes out its own oldest entries, never another owner's", (t) => {
  const book = new InvocationLogBook();
  for (let n = 0; n < 20; n++) add(book, 'quiet-app', 'f', `quiet ${n}`, true, 'quiet');
  // About 65 KiB each: 400 of them are 25 MiB, far past the 16 MiB budget.
  for (let n = 0; n < 400; n++) add(book, `flood-app-${n % 40}`, `f${n % 10}`, `flood ${n}`, true, 'flood');
  t.is(book.list('quiet-app', 'f').length, 20, "the quiet owner's entries all stay");
  t.is(messages(book, 'flood-app-39', 'f9')[0], 'flood 399', "the flood's newest entry is kept");
  t.false(messages(book, 'flood-app-0', 'f0').includes('flood 0'), "the flood's oldest went");
});

test('past the budget, the oldest entry of the one owner is dropped, whatever its app', (t) => {
  const book = new InvocationLogBook();
  // Entries of about 65 KiB: 50 functions of 6 entries each are about 19 MiB, more than the 16 MiB budget.
  for (let fn = 0; fn < 50; fn++) for (let n = 0; n < 6; n++) add(book, `app_${fn % 2}`, `f${fn}`, `${fn}/${n}`, true);
  t.is(book.list('app_0', 'f0').length, 0);
  t.is(book.list('app_1', 'f49').length, 6);
  const firstKept = Array.from({ length: 50 }, (_, fn) => fn).find((fn) => book.list(`app_${fn % 2}`, `f${fn}`).length > 0)!;
  const before = book.list(`app_${firstKept % 2}`, `f${firstKept}`).length;
  add(book, 'app_0', 'fresh', 'fresh', true);
  t.is(messages(book, 'app_0', 'fresh').length, 1);
  t.is(book.list(`app_${firstKept % 2}`, `f${firstKept}`).length, before - 1, 'the oldest entry of all went, from whichever app');
});

test('entries dropped per function or with their app leave room in the budget', (t) => {
  const book = new InvocationLogBook();
  for (let n = 0; n < 3000; n++) add(book, 'busy', 'f', String(n), true);
  t.deepEqual(messages(book, 'busy', 'f').slice(0, 2), ['2999', '2998']);
  t.is(book.list('busy', 'f').length, 50);
  // 50 entries of busy and 150 others, each about 65 KiB: about 13 MiB, within the budget.
  for (let n = 0; n < 150; n++) add(book, 'other', `g${n}`, String(n), true);
  t.is(book.list('busy', 'f').length, 50, 'only 50 of busy counted against the budget');
  book.drop('busy');
  for (let n = 0; n < 50; n++) add(book, 'third', 'h', String(n), true);
  t.is(book.list('other', 'g0').length, 1, 'the dropped app made room');
});
