/** @module The edgecourier command in tests, run as users run it (node dist/edgecourier.js): its exit code and what it printed, never a throw. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cliPath } from '../../build/dist.ts';

export interface CliRun {
  /** The exit code; null when the command was killed (past its timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The command's environment; this process's when not given. */
  env?: NodeJS.ProcessEnv;
  /** Piped to its stdin, which is closed either way. */
  stdin?: string;
  timeoutMs?: number;
}

/**
 * Runs `edgecourier <args>` and resolves once it exits.
 * @example const { code, stdout } = await runCli(['run', app, 'greet', '--local'])
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const running = promisify(execFile)(process.execPath, [cliPath, ...args], {
    ...(options.env && { env: options.env }),
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  running.child.stdin?.end(options.stdin ?? '');
  try {
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string | null; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : null, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
