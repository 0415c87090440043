/** @module Secrets on disk: reads a file that holds one, refusing one that others may read, and makes folders only their owner may enter. */
import { chmod, lstat, mkdir, readFile, stat } from 'node:fs/promises';
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

/**
 * Makes `dir` unless it exists, and makes sure it is a folder (not a symlink) of this user's that no one else
 * may enter, tightening its mode if need be; `refuse` is the error when it is not this user's folder.
 */
export async function ensurePrivateFolder(dir: string, refuse: () => EdgeError): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) throw refuse();
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}
