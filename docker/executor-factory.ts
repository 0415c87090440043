/** @module The one place that picks an executor: sandboxed Docker containers by default, plain processes with `local`. */
import { join } from 'node:path';
import { DependencyInstaller } from '../runtime/deps.ts';
import type { Executor } from '../runtime/executor.ts';
import type { PoolState } from '../runtime/observability.ts';
import { buildHarness } from '../runtime/harness-bundle.ts';
import { defaultCacheDir, defaultRunDir } from '../base/paths.ts';
import type { HarnessProcess } from '../runtime/process/harness-process.ts';
import { ProcessExecutor } from '../runtime/process/process-executor.ts';
import type { ContainerPoolSettings } from './docker-executor.ts';

export interface ExecutorSettings extends ContainerPoolSettings {
  /** Run functions as plain child processes on this machine: no sandbox. */
  local?: boolean;
  /** With `local`: a harness process already starting, which the first call runs in (`run --local` starts it early). */
  firstProcess?: Promise<HarnessProcess>;
  cacheDir?: string;
  runDir?: string;
  /** Progress of long steps (installing Docker, building the image). */
  log?: (line: string) => void;
}

/** A started executor with the installer it uses, so that app loading computes the same dependency keys. */
export interface ExecutorBundle {
  executor: Executor;
  /** The same executor as the metrics and health check read it: its pool of sandboxes. */
  pool: PoolState;
  installer: DependencyInstaller;
  kind: 'docker' | 'process';
}

/**
 * Prepares everything an executor needs (engine, base image, caches), starts it and returns it.
 * @example const { executor, installer } = await createExecutor({ local: false, log: console.error })
 */
export async function createExecutor(settings: ExecutorSettings = {}): Promise<ExecutorBundle> {
  const { local, firstProcess, cacheDir = defaultCacheDir(), runDir = defaultRunDir(), log = () => {}, ...pool } = settings;
  const installer = new DependencyInstaller({ cacheDir: join(cacheDir, 'deps'), log });
  const harness = await buildHarness(join(cacheDir, 'harness'));
  if (local) {
    const { maxContainers, concurrency, maxQueue, maxQueuePerOwner, maxWaitMs } = pool;
    const sizes = Object.fromEntries(
      Object.entries({ maxProcesses: maxContainers, concurrency, maxQueue, maxQueuePerOwner, maxWaitMs }).filter(([, value]) => value !== undefined),
    );
    const executor = new ProcessExecutor({ harnessDir: harness.dir, runDir, installer, ...sizes, ...(firstProcess && { firstProcess }) });
    await executor.start();
    return { executor, pool: executor, installer, kind: 'process' };
  }
  // Loaded only here: Docker's client takes a quarter of a second to load, which `run --local` does without.
  const [{ ensureEngine }, { ensureBaseImage }, { DockerExecutor }] = await Promise.all([
    import('./engine.ts'),
    import('./base-image.ts'),
    import('./docker-executor.ts'),
  ]);
  const docker = await ensureEngine({ log });
  const image = await ensureBaseImage(docker, harness, { log });
  const executor = new DockerExecutor({ docker, image, runDir, installer, log, ...pool });
  await executor.start();
  return { executor, pool: executor, installer, kind: 'docker' };
}
