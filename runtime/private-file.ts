/** @module Reads a file that holds a secret, refusing one that other users may read. */
import { readFile, stat } from 'node:fs/promises';
import { EdgeError } from './errors.ts';

/**
 * The text of `path`, which holds `what` (e.g. "tokens"): INVALID_INPUT when it is missing or its mode lets
 * anyone but its owner read it.
 * @example const token = (await readPrivateFile('/run/secrets/edgecourier-token', 'an API token')).trim()
 */
export async function readPrivateFile(path: string, what: string): Promise<string> {
  const info = await stat(path).catch(() => {
    throw new EdgeError('INVALID_INPUT', `no file at ${path} (it should hold ${what})`);
  });
  if ((info.mode & 0o077) !== 0) throw new EdgeError('INVALID_INPUT', `${path} holds ${what} but other users may read it; run: chmod 600 ${path}`);
  return readFile(path, 'utf8');
}
