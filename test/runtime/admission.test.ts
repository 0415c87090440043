/**
 * Admission on real Docker: one owner's flood is refused at once past its line and cannot starve another
 * owner's call; a call that cannot get a place within the wait bound is answered BUSY, never TIMEOUT.
 */
import test from 'ava';
import type { LoadedApp } from '../../runtime/app.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;
let basic: LoadedApp;

test.before(async () => {
  // One container running two calls at once: a place is scarce on purpose.
  runtime = await startRuntime({ prestart: 0, maxContainers: 1, concurrency: 2, maxQueue: 8, maxQueuePerOwner: 3, maxWaitMs: 20_000 });
  basic = await runtime.load(await copyFixtureApp('basic'));
  await runtime.executor.warm(basic);
});

test.after.always(async () => {
  await runtime?.executor.close();
});

const code = (response: InvokeResponse) => (response.ok ? 'ok' : response.error.code);

test.serial("a flood is refused BUSY past its own line, and another owner's call is served before the flood's waiting calls", async (t) => {
  const finished: string[] = [];
  const call = (owner: string, name: string) =>
    runtime.invoker.invoke(basic, 'slow', { ms: 1500 }, { owner }).then((response) => {
      finished.push(name);
      return response;
    });
  const flood = Array.from({ length: 8 }, (_, i) => call('flooder', `flood-${i}`));
  // The flood's first two run and three wait; the other three are refused at once, before anything ran.
  t.deepEqual((await Promise.all(flood.slice(5))).map(code), ['BUSY', 'BUSY', 'BUSY']);
  t.deepEqual(finished, ['flood-5', 'flood-6', 'flood-7']);
  const neighbour = await call('neighbour', 'neighbour');
  t.is(code(neighbour), 'ok');
  const responses = await Promise.all(flood);
  t.deepEqual(responses.slice(0, 5).map(code), ['ok', 'ok', 'ok', 'ok', 'ok']);
  // Plain first-come order would have run the neighbour after all three of the flood's waiting calls.
  t.true(finished.indexOf('neighbour') < finished.indexOf('flood-4'), finished.join(' '));
});

test.serial('a call that finds no place within the wait bound is answered BUSY, not TIMEOUT', async (t) => {
  const impatient = await startRuntime({ prestart: 0, maxContainers: 1, concurrency: 1, maxQueue: 4, maxWaitMs: 300 });
  t.teardown(() => impatient.executor.close());
  const app = await impatient.load(await copyFixtureApp('basic'));
  // Asked first, the holder takes the only place; the waiter is asked in the same tick and must wait.
  const holder = impatient.invoker.invoke(app, 'slow', { ms: 2500 });
  const waiter = await impatient.invoker.invoke(app, 'upper', { text: 'x' });
  t.like(waiter, { ok: false, error: { code: 'BUSY' } });
  if (!waiter.ok) t.regex(waiter.error.message, /within 300 ms/);
  t.is(code(await holder), 'ok');
});
