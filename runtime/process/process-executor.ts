/**
 * @module The ProcessExecutor: the warm pool over plain child processes. For running at the edge on a
 * caller's own machine and where no Docker exists. It is NOT a sandbox: functions run with the
 * caller's user, file system and network.
 */
import type { DependencyInstaller } from '../deps.ts';
import type { Executor } from '../executor.ts';
import { WarmPool } from '../warm-pool.ts';
import type { HarnessProcess } from './harness-process.ts';
import { ProcessLauncher } from './process-launcher.ts';

export interface ProcessExecutorOptions {
  harnessDir: string;
  runDir: string;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** A harness process already starting, for the first call (see ProcessLauncherOptions.first). */
  firstProcess?: Promise<HarnessProcess>;
  /** Child processes alive at once. */
  maxProcesses?: number;
  /** Top-level calls one process runs at once. */
  concurrency?: number;
  maxQueue?: number;
  maxQueuePerOwner?: number;
  maxWaitMs?: number;
}

export class ProcessExecutor extends WarmPool implements Executor {
  #launcher: ProcessLauncher;

  constructor(options: ProcessExecutorOptions) {
    const launcher = new ProcessLauncher({
      harnessDir: options.harnessDir,
      runDir: options.runDir,
      ...(options.firstProcess && { first: options.firstProcess }),
    });
    super({
      launcher,
      installer: options.installer,
      prestart: 0,
      maxSandboxes: options.maxProcesses ?? 4,
      concurrency: options.concurrency ?? 16,
      maxQueue: options.maxQueue ?? 1000,
      ...(options.maxQueuePerOwner === undefined ? {} : { maxQueuePerOwner: options.maxQueuePerOwner }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      idleTtlMs: 30_000,
    });
    this.#launcher = launcher;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#launcher.discardUnused();
  }
}
