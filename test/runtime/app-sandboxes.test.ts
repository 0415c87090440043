/** Two apps of identical content in different folders (two users', two roots') never share a sandbox: /tmp and module state stay each app's own. */
import test from 'ava';
import { copyFixtureApp, startRuntime } from '../helpers/runtime.ts';

test('the same app copied to two folders runs in two sandboxes', async (t) => {
  const runtime = await startRuntime({ prestart: 1 });
  t.teardown(() => runtime.executor.close());
  const first = await runtime.load(await copyFixtureApp('basic'));
  const second = await runtime.load(await copyFixtureApp('basic'));
  t.is(first.id, second.id, 'the two copies have the same content');
  t.like(await runtime.invoker.invoke(first, 'upper', { text: 'secret of the first' }), { ok: true });
  t.like(await runtime.invoker.invoke(first, 'runs', null), { ok: true, output: ['secret of the first'] });
  t.like(await runtime.invoker.invoke(second, 'runs', null), { ok: true, output: [] }, "the second app sees nothing of the first's /tmp");
});
