/**
 * @module A harness process started ahead of the ProcessExecutor (as `run --local` does, while it loads the runtime):
 * the first call runs in it, and it does not outlive the executor when no call needed it.
 */
import test from 'ava';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DependencyInstaller } from '../../runtime/deps.ts';
import { buildHarness } from '../../runtime/harness-bundle.ts';
import { loadApp } from '../../runtime/app.ts';
import type { CallSite } from '../../runtime/executor.ts';
import { Invoker } from '../../runtime/invoker.ts';
import { startHarnessProcess, type HarnessProcess } from '../../runtime/process/harness-process.ts';
import { ProcessExecutor } from '../../runtime/process/process-executor.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

/** A run folder of its own, a harness process started in it as `run --local` starts it, and an executor given that process. */
async function executorWithFirstProcess(): Promise<{ executor: ProcessExecutor; installer: DependencyInstaller; first: HarnessProcess; runDir: string }> {
  const cacheDir = await tempFolder('ec-cache');
  // Short: a Unix socket's path holds at most 107 bytes.
  const runDir = join(await tempFolder('ec-run'), 'r');
  const harness = await buildHarness(join(cacheDir, 'harness'));
  const first = await startHarnessProcess({ harnessDir: harness.dir, runDir, spareThreads: 0 });
  const installer = new DependencyInstaller({ cacheDir: join(cacheDir, 'deps') });
  const executor = new ProcessExecutor({ harnessDir: harness.dir, runDir, installer, firstProcess: Promise.resolve(first) });
  await executor.start();
  return { executor, installer, first, runDir };
}

test('the first call runs in the harness process started ahead, and no other process is started', async (t) => {
  const { executor, installer, first, runDir } = await executorWithFirstProcess();
  try {
    const app = await loadApp(await copyFixtureApp('basic'), { dependencyKey: (manifest) => installer.key(manifest) });
    const callers: CallSite[] = [];
    const outcome = await executor.execute({ app, fn: app.functions.get('greet')!, input: { name: 'ahead' } }, async (fn, input, caller) => {
      callers.push(caller);
      return (await executor.execute({ app, fn: app.functions.get(fn)!, input, caller }, () => Promise.reject(new Error('no nested call')))).result;
    });
    t.deepEqual(outcome.result, { ok: true, output: { message: 'hello AHEAD' } });
    t.deepEqual(
      callers.map((caller) => caller.sandbox),
      [first.id],
    );
    t.deepEqual(await readdir(runDir), [first.id]);
  } finally {
    await executor.close();
  }
});

test('a harness process started ahead that no call used ends with the executor, its folder removed', async (t) => {
  const { executor, first, runDir } = await executorWithFirstProcess();
  await executor.close();
  t.regex((await first.exited).message, /the function's process ended \(SIGKILL\)/);
  t.deepEqual(await readdir(runDir), []);
});

test('a harness keeping no thread in reserve, as run --local starts it, runs nested calls of another memory size with the app env', async (t) => {
  const { executor, installer } = await executorWithFirstProcess();
  t.teardown(() => executor.close());
  const app = join(await tempFolder('ec-app'), 'sizes');
  await mkdir(join(app, 'functions'), { recursive: true });
  await writeFile(join(app, 'app.json'), JSON.stringify({ env: { WHO: 'env' }, functions: { inner: { memoryMb: 64 } } }));
  await writeFile(
    join(app, 'functions', 'outer.js'),
    'export default async (input, ctx) => [await ctx.call("inner", input), await ctx.call("inner", input + 1)];',
  );
  await writeFile(join(app, 'functions', 'inner.js'), 'export default (input) => `${process.env.WHO} ${input}`;');
  const invoker = new Invoker({ executor });
  const loaded = await loadApp(app, { dependencyKey: (manifest) => installer.key(manifest) });
  const responses = await Promise.all([1, 10].map((input) => invoker.invoke(loaded, 'outer', input)));
  t.deepEqual(
    responses.map((response) => response.ok && response.output),
    [
      ['env 1', 'env 2'],
      ['env 10', 'env 11'],
    ],
  );
});
