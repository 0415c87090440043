/**
 * @module The invocation service every trigger goes through, on real processes: failures to load become answers,
 * dependencies are installed before the first call with the phase told, and the caller's owner reaches the executor.
 */
import test from 'ava';
import { EdgeError } from '../../base/errors.ts';
import type { DependencyManifest } from '../../runtime/deps.ts';
import type { ExecutionRequest, Executor } from '../../runtime/executor.ts';
import { InvocationService, type InvocationPhase, type InvocationRequest } from '../../runtime/invocation-service.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;

test.before(async () => {
  runtime = await startRuntime({ local: true });
});

test.after.always(async () => {
  await runtime?.executor.close();
});

/** The runtime's executor, noting the owner of every top-level execution. */
function ownersSeen(): { executor: Executor; owners: Array<string | undefined> } {
  const owners: Array<string | undefined> = [];
  const inner = runtime.executor;
  const executor: Executor = {
    execute: (request: ExecutionRequest, onCall) => {
      if (!request.caller) owners.push(request.owner);
      return inner.execute(request, onCall);
    },
    refuses: (owner) => inner.refuses(owner),
    warm: (app) => inner.warm(app),
    release: (dir) => inner.release(dir),
    close: async () => {},
  };
  return { executor, owners };
}

test('an app that does not load is an answer with its code, not a throw, and nothing runs', async (t) => {
  const { executor, owners } = ownersSeen();
  const service = new InvocationService({ executor, installer: runtime.installer });
  const response = await service.invoke(() => Promise.reject(new EdgeError('INVALID_APP', 'app.json: functions: expected an object')), {
    function: 'upper',
    input: 'x',
  });
  t.like(response, { ok: false, error: { code: 'INVALID_APP', message: 'app.json: functions: expected an object' } });
  t.deepEqual(owners, []);
});

test('an unexpected error is INTERNAL_ERROR for the caller, its details for the operator only', async (t) => {
  const told: Array<{ error: unknown; request?: InvocationRequest }> = [];
  const service = new InvocationService({
    executor: runtime.executor,
    installer: runtime.installer,
    onUnexpected: (error, request) => told.push({ error, request }),
  });
  const response = await service.invoke(() => Promise.reject(new Error('disk on fire at /srv/secret')), { function: 'upper' });
  t.false(response.ok);
  if (response.ok) return;
  t.is(response.error.code, 'INTERNAL_ERROR');
  t.notRegex(response.error.message, /secret/);
  t.is(told.length, 1);
  t.is((told[0]!.error as Error).message, 'disk on fire at /srv/secret');
  t.is(told[0]!.request?.function, 'upper');
});

test("the caller's owner reaches the executor, and input, cache and precomputed are honoured", async (t) => {
  const { executor, owners } = ownersSeen();
  const service = new InvocationService({ executor, installer: runtime.installer });
  const app = await runtime.load(await copyFixtureApp('basic'));
  const first = await service.invoke(async () => app, { function: 'upper', input: { text: 'abc' } }, { owner: 'root-a' });
  t.like(first, { ok: true, output: 'ABC' });
  if (!first.ok) return;
  const precomputed = await service.invoke(
    async () => app,
    { function: 'upper', input: { text: 'abc' }, precomputed: { [first.key]: 'FROM ELSEWHERE' } },
    { owner: 'root-b' },
  );
  t.like(precomputed, { ok: true, output: 'FROM ELSEWHERE', stats: { executed: 0, precomputedHits: 1 } });
  t.deepEqual(owners, ['root-a']);
});

test('dependencies are installed before the first call, saying so, and not asked for again while the app stays loaded', async (t) => {
  const ensured: DependencyManifest[] = [];
  const installer = { ensure: (manifest: DependencyManifest) => (ensured.push(manifest), runtime.installer.ensure(manifest)) };
  const service = new InvocationService({ executor: runtime.executor, installer });
  const app = await runtime.load(await copyFixtureApp('with-dep'));
  const phases: InvocationPhase[] = [];
  const onPhase = (phase: InvocationPhase) => void phases.push(phase);
  t.like(await service.invoke(async () => app, { function: 'shout', input: { text: 'hi' } }, { onPhase }), { ok: true });
  t.deepEqual(phases, ['installing dependencies', 'running']);
  t.like(await service.invoke(async () => app, { function: 'shout', input: { text: 'again' } }, { onPhase }), { ok: true });
  t.deepEqual(phases, ['installing dependencies', 'running'], 'the second call installs nothing');
  t.is(ensured.length, 1);
  const reloaded = await runtime.load(app.dir);
  t.like(await service.invoke(async () => reloaded, { function: 'shout', input: { text: 'reloaded' } }), { ok: true });
  t.is(ensured.length, 2, 'an app loaded anew has its dependencies checked again');
});
