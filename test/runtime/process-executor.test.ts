/** The ProcessExecutor runs the same harness as child processes (for edge runs): same results, same cache semantics. */
import test from 'ava';
import type { LoadedApp } from '../../runtime/app.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;
let basic: LoadedApp;

test.before(async () => {
  runtime = await startRuntime({ local: true });
  basic = await runtime.load(await copyFixtureApp('basic'));
});

test.after.always(async () => {
  await runtime?.executor.close();
});

test('a nested call runs and the idempotent result comes back as cache, as in a container', async (t) => {
  const response = await runtime.invoker.invoke(basic, 'greet', { name: 'edge' });
  t.like(response, { ok: true, output: { message: 'hello EDGE' }, stats: { executed: 2 } });
  if (response.ok) t.deepEqual(Object.values(response.cache ?? {}), ['EDGE']);
});

test('results recorded at the edge are honoured as precomputed: nothing executes', async (t) => {
  const local = await runtime.invoker.invoke(basic, 'greet', { name: 'offline' }, { recordResults: true });
  t.true(local.ok);
  if (!local.ok) return;
  t.is(Object.keys(local.results ?? {}).length, 2);
  const replay = await runtime.invoker.invoke(basic, 'greet', { name: 'offline' }, { precomputed: local.results });
  t.like(replay, { ok: true, output: { message: 'hello OFFLINE' }, stats: { executed: 0, precomputedHits: 1 } });
});

test('an endless loop is stopped with TIMEOUT here too', async (t) => {
  const hostile = await runtime.load(await copyFixtureApp('hostile'));
  const response = await runtime.invoker.invoke(hostile, 'loop', {});
  t.like(response, { ok: false, error: { code: 'TIMEOUT' } });
  t.like(await runtime.invoker.invoke(hostile, 'ok', 1), { ok: true, output: { fine: true, input: 1 } });
});

test('no host environment variable reaches a function run as a process', async (t) => {
  process.env.EC_TEST_SECRET = 'do-not-leak';
  t.like(await runtime.invoker.invoke(basic, 'env', null), { ok: true, output: { env: {} } });
});
