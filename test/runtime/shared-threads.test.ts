/**
 * Past SPREAD (4) call trees at once, a container's trees share worker threads: a runaway then stops the other
 * request's call on its thread with SANDBOX_FAILED (a platform failure, tried again by couriers), and
 * only that one; the calls on other threads complete.
 */
import test from 'ava';
import { SPREAD } from '../../runtime/harness/worker-set.ts';
import { copyFixtureApp, startRuntime } from '../helpers/runtime.ts';

test('a runaway on a shared thread fails only the call sharing it, with SANDBOX_FAILED', async (t) => {
  // One container, so that all the trees meet in it.
  const runtime = await startRuntime({ prestart: 0, maxContainers: 1, concurrency: 24 });
  t.teardown(() => runtime.executor.close());
  const hostile = await runtime.load(await copyFixtureApp('hostile'));
  await runtime.executor.warm(hostile);
  // One tree per thread until SPREAD threads are busy; the runaway then shares the first one's.
  const naps = Array.from({ length: SPREAD }, (_, i) => runtime.invoker.invoke(hostile, 'nap', { i, ms: 4000 }));
  const looping = await runtime.invoker.invoke(hostile, 'loop', {});
  t.like(looping, { ok: false, error: { code: 'TIMEOUT' } });
  const outcomes = (await Promise.all(naps)).map((response) => (response.ok ? 'ok' : response.error.code));
  t.deepEqual(
    outcomes.filter((outcome) => outcome !== 'ok'),
    ['SANDBOX_FAILED'],
    outcomes.join(' '),
  );
});
