/** @module Starts harnesses as plain child processes: the sandbox of the ProcessExecutor, which is no sandbox at all. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorBody } from '../errors.ts';
import { HarnessConnection } from '../harness-connection.ts';
import { openRendezvous } from '../rendezvous.ts';
import type { Sandbox, SandboxLauncher } from '../sandbox.ts';

const START_TIMEOUT_MS = 10_000;

export interface ProcessLauncherOptions {
  /** Folder of the built harness (harness.mjs, worker.mjs). */
  harnessDir: string;
  /** Short folder for the sandboxes' sockets and app files. */
  runDir: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class ProcessLauncher implements SandboxLauncher {
  #options: ProcessLauncherOptions;

  constructor(options: ProcessLauncherOptions) {
    this.#options = options;
  }

  async launch(): Promise<Sandbox> {
    const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const dir = join(this.#options.runDir, id);
    await mkdir(join(dir, 'app'), { recursive: true, mode: 0o755 });
    const rendezvous = await openRendezvous(dir);
    // An empty environment: no host variable (tokens, keys) reaches a function.
    const child = spawn(process.execPath, [join(this.#options.harnessDir, 'harness.mjs'), rendezvous.path, 'process'], {
      env: {},
      cwd: join(dir, 'app'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
    const exited = new Promise<ErrorBody>((resolve) =>
      child.once('exit', (code, signal) =>
        resolve({ code: 'SANDBOX_FAILED', message: `the function's process ended (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}` }),
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
      return { id, connection, hostAppDir: join(dir, 'app'), appPath: join(dir, 'app'), kill };
    } catch (error) {
      await kill();
      throw error;
    }
  }

  async cleanup(): Promise<void> {
    const entries = await readdir(this.#options.runDir).catch(() => []);
    await Promise.all(
      entries
        .filter((name) => !alive(Number(name.split('-')[0])))
        .map((name) => rm(join(this.#options.runDir, name), { recursive: true, force: true })),
    );
  }
}
