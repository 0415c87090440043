/** @module Test helpers: a real executor with its own caches, and app folders copied from the fixtures so tests may edit them. */
import { cp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExecutor, type ExecutorBundle, type ExecutorSettings } from '../../docker/executor-factory.ts';
import { loadApp, type LoadAppOptions, type LoadedApp } from '../../runtime/app.ts';
import type { DependencyInstaller } from '../../runtime/deps.ts';
import type { Executor } from '../../runtime/executor.ts';
import { Invoker } from '../../runtime/invoker.ts';
import { tempFolder } from './temp.ts';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A copy of `test/fixtures/apps/<name>` in a fresh temp folder. */
export async function copyFixtureApp(name: string): Promise<string> {
  const dir = join(await tempFolder('ec-app'), name);
  await cp(join(fixturesDir, 'apps', name), dir, { recursive: true });
  return dir;
}

export interface TestRuntime {
  /** All of it, for a service (a cloud, a courier) to run on. */
  bundle: ExecutorBundle;
  executor: Executor;
  installer: DependencyInstaller;
  invoker: Invoker;
  /** Loads the app folder with this executor's dependency keys, and its secrets when given. */
  load(dir: string, options?: Pick<LoadAppOptions, 'secrets'>): Promise<LoadedApp>;
}

/** An executor of the given kind with caches in a fresh temp folder (the base image is shared: it is keyed by content). */
export async function startRuntime(settings: ExecutorSettings = {}): Promise<TestRuntime> {
  const cacheDir = await tempFolder('ec-cache');
  const bundle = await createExecutor({ cacheDir, prestart: 1, ...settings });
  const { executor, installer } = bundle;
  return {
    bundle,
    executor,
    installer,
    invoker: new Invoker({ executor }),
    load: (dir, options) => loadApp(dir, { dependencyKey: (manifest) => installer.key(manifest), ...options }),
  };
}
