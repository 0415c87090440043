/** @module Where edgecourier keeps its caches on this machine, unless told otherwise. */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Installed dependencies and built harnesses: `$EDGECOURIER_CACHE`, else `$XDG_CACHE_HOME/edgecourier`, else `~/.cache/edgecourier`. */
export function defaultCacheDir(): string {
  return process.env.EDGECOURIER_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'edgecourier');
}

/** Sandbox sockets need a short path (the kernel allows 107 bytes), so they live under the temp folder. */
export function defaultRunDir(): string {
  const uid = process.getuid?.() ?? 0;
  return process.env.EDGECOURIER_RUN_DIR ?? join(tmpdir(), `edgecourier-${uid}`);
}

/** Journals and other state that must survive restarts: `$EDGECOURIER_STATE`, else `$XDG_STATE_HOME/edgecourier`, else `~/.local/state/edgecourier`. */
export function defaultStateDir(): string {
  return process.env.EDGECOURIER_STATE ?? join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'edgecourier');
}

/** Where a running service answers `edgecourier run` of the same user: beside its sandboxes' sockets, in a folder only this user may enter. */
export function runSocketPath(): string {
  return join(defaultRunDir(), 'run.sock');
}
