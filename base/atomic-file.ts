/** @module Replaces a file whole: whoever reads it, or watches its folder, sees the old content or all of the new, never part. */
import { randomUUID } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** The new file's mode, e.g. 0o600 for a secret: it has it from its first byte, not after a chmod. */
  mode?: number;
}

/**
 * A name beside `path` for its next content. It starts with a dot, so couriers and people browsing the folder
 * pass over it, and its random part cannot be guessed, so no one can plant a symlink there in advance.
 */
function tempFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
}

/**
 * Writes `data` under a new temp name in the same folder ('wx': created new, never written through a link),
 * then renames it over `path`. On failure the temp file is removed and the old `path` is left as it was.
 * @example await writeFileAtomic(join(dir, 'state.json'), JSON.stringify(state), { mode: 0o600 })
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempFor(path);
  try {
    await writeFile(temp, data, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** `writeFileAtomic` without a trip through the thread pool, for a hot path writing many small files (the courier's results). */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempFor(path);
  try {
    writeFileSync(temp, data, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
