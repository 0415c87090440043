/** @module Runs npm for the dependency installer: the flags that keep it to the install folder, in its own process group, with a timeout. */
import { spawn } from 'node:child_process';
import { findNpmCli } from './npm-cli.ts';

export interface NpmOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const STDERR_TAIL_LINES = 20;
const KEEP_CHARS = 64 * 1024;

/** `npm ci` when there is a lock, else `npm install`, with flags that keep npm to the install folder. */
export function npmArgs(hasLock: boolean): string[] {
  return [
    hasLock ? 'ci' : 'install',
    // Install scripts would run arbitrary code on the host, outside the sandbox.
    '--ignore-scripts',
    '--omit=dev',
    // Copies file: dependencies into node_modules: a symlink would point outside the folder the sandbox mounts.
    '--install-links',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    // A parent npm (npm test, npm install -g) passes its settings down as npm_config_*; these would install elsewhere or nothing.
    '--global=false',
    '--dry-run=false',
    '--package-lock-only=false',
    // No --no-save: npm works on a private copy in the install folder, so whatever it saves there touches nothing of the app's.
  ];
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group has already exited.
  }
}

/** npm's script run by this node when it can be found (see findNpmCli), else `npm` from the PATH. */
async function npmCommand(args: string[]): Promise<[string, string[]]> {
  const cli = await findNpmCli();
  return cli ? [process.execPath, [cli, ...args]] : ['npm', args];
}

/**
 * Runs npm in `cwd` with `env` (this process's unless given) and stops its whole process group after
 * `timeoutMs`; rejects only when npm cannot start. Keeps the last 64 KiB of each of stdout and stderr.
 */
export async function runNpm(args: string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<NpmOutcome> {
  const [command, commandArgs] = await npmCommand(args);
  return new Promise((resolveRun, reject) => {
    // Its own process group, so a timeout ends npm and everything npm started.
    const child = spawn(command, commandArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = { stdout: '', stderr: '' };
    let timedOut = false;
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].setEncoding('utf8').on('data', (chunk: string) => {
        out[stream] = (out[stream] + chunk).slice(-KEEP_CHARS);
      });
    }
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
      // Should a killed process leave its pipe open, the answer still comes.
      setTimeout(() => resolveRun({ code: null, signal: 'SIGKILL', timedOut, ...out }), 5_000).unref();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, timedOut, ...out });
    });
  });
}

/** The last lines npm printed on stderr, for an error message. */
export function stderrTail(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return lines.length === 0 ? '(npm printed nothing on stderr)' : lines.slice(-STDERR_TAIL_LINES).join('\n');
}
