/** @module Per-sandbox folders under a run directory, named after the owning process so leftovers of dead owners can be found. */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { EdgeError } from '../base/errors.ts';
import { ensurePrivateFolder } from '../base/private-file.ts';
import { ownerAlive, thisProcess, type ProcessIdentity } from '../base/process-identity.ts';
import { join } from 'node:path';

/**
 * Makes sure the run directory is ours alone: another local user who could enter it could connect to a
 * sandbox's socket first, or swap a sandbox folder for a symlink before it is mounted.
 */
function ensurePrivateRunDir(runDir: string): Promise<void> {
  return ensurePrivateFolder(
    runDir,
    () => new EdgeError('SANDBOX_FAILED', `the run directory ${runDir} must be a folder owned by this user; remove it or set EDGECOURIER_RUN_DIR`),
  );
}

/**
 * Creates `<runDir>/<pid>-<start>-<random>/app` (`<pid>-<random>` without /proc), readable by the unprivileged user
 * sandboxes run as. The pid comes first so that releases that read only the pid still tell whose a folder is.
 */
export async function makeSandboxDir(runDir: string): Promise<{ id: string; dir: string; appDir: string }> {
  await ensurePrivateRunDir(runDir);
  const id = [thisProcess.pid, ...(thisProcess.start ? [thisProcess.start] : []), randomBytes(4).toString('hex')].join('-');
  const dir = join(runDir, id);
  await mkdir(join(dir, 'app'), { recursive: true, mode: 0o755 });
  return { id, dir, appDir: join(dir, 'app') };
}

/** Removes sandbox folders whose owning process is gone; every process using `runDir` must share this one's pids. */
export async function removeDeadSandboxDirs(runDir: string): Promise<void> {
  const entries = await readdir(runDir).catch(() => []);
  await Promise.all(entries.filter((name) => !ownerAlive(folderOwner(name))).map((name) => rm(join(runDir, name), { recursive: true, force: true })));
}

function folderOwner(name: string): ProcessIdentity {
  const parts = name.split('-');
  return { pid: Number(parts[0]), start: parts.length === 3 ? parts[1] : undefined };
}
