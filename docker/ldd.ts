/** @module Asks the host's dynamic loader, through `ldd`, which shared libraries a binary or a native module loads. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What `ldd` said of one file. */
export type LinkedLibraries =
  /** A dynamic object for this machine: the absolute paths it loads, and the sonames the loader found nowhere. */
  | { kind: 'dynamic'; libraries: string[]; missing: string[] }
  /** Statically linked, or not an object this machine can load at all (another OS or architecture). */
  | { kind: 'not-dynamic' };

const LDD_TIMEOUT_MS = 30_000;

/**
 * Runs `ldd` on `file`. ldd runs the host's loader in trace mode, which maps the libraries without running their
 * code, so a module from a package is listed without being executed. Rejects when ldd cannot run at all.
 * @example const linked = await linkedLibraries('/usr/bin/node')
 */
export async function linkedLibraries(file: string): Promise<LinkedLibraries> {
  const { stdout } = await promisify(execFile)('ldd', [file], { timeout: LDD_TIMEOUT_MS, maxBuffer: 1024 * 1024 }).catch(
    (error: NodeJS.ErrnoException & { stdout?: string; stderr?: string }) => {
      // ldd exits 1 for a file it cannot trace (saying so on stderr) and for a missing library (after listing everything).
      if (/not a dynamic executable/.test(error.stderr ?? '')) return { stdout: 'not a dynamic executable' };
      if (error.stdout?.includes('=> not found')) return { stdout: error.stdout };
      throw error;
    },
  );
  if (/not a dynamic executable|statically linked/.test(stdout)) return { kind: 'not-dynamic' };
  const libraries: string[] = [];
  const missing: string[] = [];
  for (const line of stdout.split('\n')) {
    const notFound = /^\s*(\S+)\s*=>\s*not found/.exec(line);
    if (notFound) {
      missing.push(notFound[1]!);
      continue;
    }
    const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)/.exec(line)?.[1];
    if (path) libraries.push(path);
  }
  return { kind: 'dynamic', libraries, missing };
}
