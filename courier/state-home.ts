/** @module Where a courier keeps the state of one root (its journal, lock and profiles) inside a state folder: one folder per root, named by the root's real path. */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The folder of `realRoot` (the root's real path, symlinks resolved) under `stateDir`.
 * @example rootHome('/home/ada/.local/state/edgecourier', '/home/ada/Dropbox/edge') // .../courier/3f1c0a9b2e4d5f60
 */
export function rootHome(stateDir: string, realRoot: string): string {
  return join(stateDir, 'courier', createHash('sha256').update(realRoot).digest('hex').slice(0, 16));
}

/** The profiles of a root's folder apps, beside its journal (docs/courier.md, "Profiles"). */
export const PROFILES_FILE = 'profiles.json';
