/** The container pool: a bounded waiting line with BUSY beyond it, idle containers reaped, and release. */
import test from 'ava';
import { DockerExecutor } from '../../docker/docker-executor.ts';
import { ensureEngine } from '../../docker/engine.ts';
import type { LoadedApp } from '../../runtime/app.ts';
import type { WarmPool } from '../../runtime/warm-pool.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;
let basic: LoadedApp;

test.before(async () => {
  runtime = await startRuntime({ prestart: 0, maxContainers: 1, concurrency: 1, maxQueue: 1, idleTtlMs: 1500 });
  basic = await runtime.load(await copyFixtureApp('basic'));
});

test.after.always(async () => {
  await runtime?.executor.close();
});

const pool = () => runtime.executor as WarmPool;

test.serial('when every container is busy and the line is full, a call is answered BUSY at once; the others complete', async (t) => {
  const calls = [0, 1, 2].map(() => runtime.invoker.invoke(basic, 'slow', { ms: 800 }));
  const responses = await Promise.all(calls);
  const codes = responses.map((r) => (r.ok ? 'ok' : r.error.code)).sort();
  t.deepEqual(codes, ['BUSY', 'ok', 'ok']);
  const busy = responses.find((r) => !r.ok);
  if (busy && !busy.ok) t.regex(busy.error.message, /busy.*waiting/);
});

test.serial('an idle app container is ended after its time to live', async (t) => {
  t.like(await runtime.invoker.invoke(basic, 'runs', null), { ok: true });
  t.is(pool().size.total, 1);
  const deadline = Date.now() + 10_000;
  while (pool().size.total > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(pool().size.total, 0);
  t.like(await runtime.invoker.invoke(basic, 'runs', null), { ok: true, output: [] }, 'a fresh container has a fresh /tmp');
});

test.serial('releasing an app ends its containers; the next call starts a new one', async (t) => {
  await runtime.invoker.invoke(basic, 'upper', { text: 'a' });
  t.like(await runtime.invoker.invoke(basic, 'runs', null), { ok: true, output: ['a'] });
  await runtime.executor.release(basic.dir);
  t.is(pool().size.total, 0);
  t.like(await runtime.invoker.invoke(basic, 'runs', null), { ok: true, output: [] });
});

test.serial('an executor whose containers cannot start fails its start with the reason, instead of retrying without end', async (t) => {
  const broken = new DockerExecutor({
    docker: await ensureEngine({ installIfMissing: false }),
    image: 'edgecourier-runtime:does-not-exist',
    runDir: '/tmp/edgecourier-broken-test',
    installer: runtime.installer,
    prestart: 2,
  });
  await t.throwsAsync(broken.start(), { message: /does-not-exist|No such image/i });
  t.is(broken.size.total, 0);
});
