/**
 * @module Starts one harness as a plain child process, listening for it in a sandbox folder of its own. It loads no
 * schema library or pool, so `run --local` can start the harness's node while its own runtime is still loading.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorBody } from '../../base/errors.ts';
import { defaultOperatorLimits } from '../operator-limits.ts';
import { openRendezvous, type Rendezvous } from '../rendezvous.ts';
import { makeSandboxDir } from '../run-dir.ts';

export interface HarnessProcessOptions {
  /** Folder of the built harness (harness.mjs, worker.mjs). */
  harnessDir: string;
  /** Short folder for the sandboxes' sockets and app files. */
  runDir: string;
  /** Idle threads the harness keeps ready beside busy ones (its own default when not given); 0 when it serves one call. */
  spareThreads?: number;
}

/** A harness process, started and connecting (or connected) to its rendezvous, not yet ready-checked. */
export interface HarnessProcess {
  id: string;
  /** Where the app's files go; the process's working folder. */
  appDir: string;
  rendezvous: Rendezvous;
  /** Resolves when the process ends, with the error its running calls get. */
  exited: Promise<ErrorBody>;
  /** Ends the process and removes its folder. */
  kill(): Promise<void>;
}

/**
 * Makes a sandbox folder, listens in it and starts `node harness.mjs` there, with an empty environment.
 * @example const harness = await startHarnessProcess({ harnessDir, runDir }); const socket = await harness.rendezvous.connected(10_000)
 */
export async function startHarnessProcess(options: HarnessProcessOptions): Promise<HarnessProcess> {
  const { id, dir, appDir } = await makeSandboxDir(options.runDir);
  const rendezvous = await openRendezvous(dir);
  // An empty environment: no host variable (tokens, keys) reaches a function.
  const args = [join(options.harnessDir, 'harness.mjs'), rendezvous.path, 'process', String(defaultOperatorLimits.defaultMemoryMb)];
  if (options.spareThreads !== undefined) args.push(String(options.spareThreads));
  const child = spawn(process.execPath, args, {
    env: {},
    cwd: appDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
  return { id, appDir, rendezvous, exited, kill };
}
