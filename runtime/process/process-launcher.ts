/** @module Starts harnesses as plain child processes: the sandbox of the ProcessExecutor, which is no sandbox at all. */
import { HarnessConnection } from '../harness-connection.ts';
import { removeDeadSandboxDirs } from '../run-dir.ts';
import type { Sandbox, SandboxLauncher } from '../sandbox.ts';
import { startHarnessProcess, type HarnessProcess } from './harness-process.ts';

const START_TIMEOUT_MS = 10_000;

export interface ProcessLauncherOptions {
  /** Folder of the built harness (harness.mjs, worker.mjs). */
  harnessDir: string;
  /** Short folder for the sandboxes' sockets and app files. */
  runDir: string;
  /**
   * A harness process started before this launcher existed, taken by the first launch: `run --local` starts it
   * while it loads the runtime, so that the two overlap.
   */
  first?: Promise<HarnessProcess>;
}

export class ProcessLauncher implements SandboxLauncher {
  #options: ProcessLauncherOptions;
  #first: Promise<HarnessProcess> | undefined;

  constructor(options: ProcessLauncherOptions) {
    this.#options = options;
    this.#first = options.first;
  }

  async launch(): Promise<Sandbox> {
    const started = this.#takeFirst() ?? startHarnessProcess(this.#options);
    const { id, appDir, rendezvous, exited, kill } = await started;
    try {
      const socket = await rendezvous.connected(START_TIMEOUT_MS);
      const connection = new HarnessConnection(socket, () => exited);
      connection.onClose(() => void kill());
      return { id, connection, hostAppDir: appDir, appPath: appDir, kill };
    } catch (error) {
      await kill();
      throw error;
    }
  }

  cleanup(): Promise<void> {
    return removeDeadSandboxDirs(this.#options.runDir);
  }

  /** Ends the harness started ahead when no launch took it (every call was answered without running one). */
  async discardUnused(): Promise<void> {
    const unused = this.#takeFirst();
    await unused?.then(
      (harness) => harness.kill(),
      () => {},
    );
  }

  #takeFirst(): Promise<HarnessProcess> | undefined {
    const first = this.#first;
    this.#first = undefined;
    return first;
  }
}
