/**
 * Call trees on real Docker: long chains and wide fan-outs of ctx.call complete, big payloads pass through,
 * console lines stay with their own call, and only the function body's own time counts as its time.
 */
import test from 'ava';
import type { LoadedApp } from '../../runtime/app.ts';
import { DEFAULT_MAX_DEPTH } from '../../runtime/invoker.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;
let app: LoadedApp;

test.before(async () => {
  runtime = await startRuntime({ prestart: 1 });
  app = await runtime.load(await copyFixtureApp('nested'));
});

test.after.always(async () => {
  await runtime?.executor.close();
});

test.serial(`a chain of ${DEFAULT_MAX_DEPTH} functions completes; one more is CALL_DEPTH_EXCEEDED`, async (t) => {
  t.is(DEFAULT_MAX_DEPTH >= 64, true);
  const full = await runtime.invoker.invoke(app, 'chain', { n: DEFAULT_MAX_DEPTH });
  t.like(full, { ok: true, output: DEFAULT_MAX_DEPTH });
  t.is(full.stats.executed, DEFAULT_MAX_DEPTH);
  const over = await runtime.invoker.invoke(app, 'chain', { n: DEFAULT_MAX_DEPTH + 1 });
  t.like(over, { ok: false, error: { code: 'CALL_DEPTH_EXCEEDED' } });
});

test.serial('a fan-out of 1,000 concurrent ctx.calls from one function completes', async (t) => {
  const response = await runtime.invoker.invoke(app, 'fanout', { count: 1000 });
  t.like(response, { ok: true, output: (999 * 1000) / 2 });
  t.is(response.stats.executed, 1001);
});

test.serial('5 MB through ctx.call and back arrives unchanged', async (t) => {
  t.like(await runtime.invoker.invoke(app, 'payload', { mb: 5 }), { ok: true, output: { length: 5 * 1024 * 1024, piece: 'x' } });
});

test.serial('5 MB of JSON of text of every UTF-8 width, escapes and a lone surrogate, through ctx.call and back arrives unchanged', async (t) => {
  // 18 bytes of text in 30 of JSON: 3 MB of text keep the echo's answer under the 6 MB output cap.
  const piece = 'aé€😀\t\n"\\\u0000\ud800';
  t.like(await runtime.invoker.invoke(app, 'payload', { mb: 3, piece }), {
    ok: true,
    output: { length: Math.ceil((3 * 1024 * 1024) / 18) * piece.length, piece },
  });
});

test.serial('console lines of calls running side by side stay with the call that printed them', async (t) => {
  const response = await runtime.invoker.invoke(app, 'chatty', {});
  t.like(response, { ok: true, output: 'done' });
  const linesOf = (fn: string) => response.logs.filter((entry) => entry.fn === fn).map((entry) => entry.message);
  t.deepEqual(linesOf('chatty'), ['before', 'after']);
  t.deepEqual(linesOf('talk').sort(), ['talk 1', 'talk 2', 'talk 3']);
});

test.serial("importing the module does not count against the function's timeoutMs", async (t) => {
  // The module's top level takes 1.5 s; the function may run 0.5 s and returns at once.
  t.like(await runtime.invoker.invoke(app, 'slowImport', {}), { ok: true, output: 'imported' });
});

test.serial('a body that awaits forever is answered TIMEOUT at its own limit, and the app answers the next call', async (t) => {
  const response = await runtime.invoker.invoke(app, 'waitForever', {});
  t.like(response, { ok: false, error: { code: 'TIMEOUT' } });
  if (!response.ok) t.regex(response.error.message, /within 500 ms/);
  t.like(await runtime.invoker.invoke(app, 'echo', { after: 1 }), { ok: true, output: { after: 1 } });
});
