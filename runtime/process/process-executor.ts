/**
 * @module The ProcessExecutor: the warm pool over plain child processes. For running at the edge on a
 * caller's own machine and where no Docker exists. It is NOT a sandbox: functions run with the
 * caller's user, file system and network.
 */
import type { DependencyInstaller } from '../deps.ts';
import type { Executor } from '../executor.ts';
import { WarmPool } from '../warm-pool.ts';
import { ProcessLauncher } from './process-launcher.ts';

export interface ProcessExecutorOptions {
  harnessDir: string;
  runDir: string;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** Child processes alive at once. */
  maxProcesses?: number;
  /** Top-level calls one process runs at once. */
  concurrency?: number;
  maxQueue?: number;
  maxQueuePerOwner?: number;
  maxWaitMs?: number;
}

export class ProcessExecutor extends WarmPool implements Executor {
  constructor(options: ProcessExecutorOptions) {
    super({
      launcher: new ProcessLauncher({ harnessDir: options.harnessDir, runDir: options.runDir }),
      installer: options.installer,
      prestart: 0,
      maxSandboxes: options.maxProcesses ?? 4,
      concurrency: options.concurrency ?? 16,
      maxQueue: options.maxQueue ?? 1000,
      ...(options.maxQueuePerOwner === undefined ? {} : { maxQueuePerOwner: options.maxQueuePerOwner }),
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      idleTtlMs: 30_000,
    });
  }
}
