/** @module Starts harnesses as plain child processes: the sandbox of the ProcessExecutor, which is no sandbox at all. */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultOperatorLimits } from '../app-config.ts';
import type { ErrorBody } from '../../base/errors.ts';
import { HarnessConnection } from '../harness-connection.ts';
import { openRendezvous } from '../rendezvous.ts';
import { makeSandboxDir, removeDeadSandboxDirs } from '../run-dir.ts';
import type { Sandbox, SandboxLauncher } from '../sandbox.ts';

const START_TIMEOUT_MS = 10_000;

export interface ProcessLauncherOptions {
  /** Folder of the built harness (harness.mjs, worker.mjs). */
  harnessDir: string;
  /** Short folder for the sandboxes' sockets and app files. */
  runDir: string;
}

export class ProcessLauncher implements SandboxLauncher {
  #options: ProcessLauncherOptions;

  constructor(options: ProcessLauncherOptions) {
    this.#options = options;
  }

  async launch(): Promise<Sandbox> {
    const { id, dir, appDir } = await makeSandboxDir(this.#options.runDir);
    const rendezvous = await openRendezvous(dir);
    // An empty environment: no host variable (tokens, keys) reaches a function.
    const child = spawn(
      process.execPath,
      [join(this.#options.harnessDir, 'harness.mjs'), rendezvous.path, 'process', String(defaultOperatorLimits.defaultMemoryMb)],
      {
        env: {},
        cwd: appDir,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = new Promise<ErrorBody>((resolve) =>
      child.once('exit', (code, signal) =>
        resolve({
          code: 'SANDBOX_FAILED',
          message: `the function's process ended (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`,
        }),
      ),
    );
    const kill = async () => {
      child.kill('SIGKILL');
      rendezvous.close();
      await rm(dir, { recursive: true, force: true });
    };
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
}
