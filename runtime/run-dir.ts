/** @module Per-sandbox folders under a run directory, named after the owning process so leftovers of dead owners can be found. */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { EdgeError } from './errors.ts';
import { join } from 'node:path';

/** Whether a process of this machine is still running. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Makes sure the run directory is ours alone: another local user who could enter it could connect to a
 * sandbox's socket first, or swap a sandbox folder for a symlink before it is mounted.
 */
async function ensurePrivateRunDir(runDir: string): Promise<void> {
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  const info = await lstat(runDir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) {
    throw new EdgeError('SANDBOX_FAILED', `the run directory ${runDir} must be a folder owned by this user; remove it or set EDGECOURIER_RUN_DIR`);
  }
  if ((info.mode & 0o077) !== 0) await chmod(runDir, 0o700);
}

/** Creates `<runDir>/<pid>-<random>/app`, readable by the unprivileged user sandboxes run as. */
export async function makeSandboxDir(runDir: string): Promise<{ id: string; dir: string; appDir: string }> {
  await ensurePrivateRunDir(runDir);
  const id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = join(runDir, id);
  await mkdir(join(dir, 'app'), { recursive: true, mode: 0o755 });
  return { id, dir, appDir: join(dir, 'app') };
}

/** Removes sandbox folders whose owning process is gone. */
export async function removeDeadSandboxDirs(runDir: string): Promise<void> {
  const entries = await readdir(runDir).catch(() => []);
  await Promise.all(
    entries
      .filter((name) => !processAlive(Number(name.split('-')[0])))
      .map((name) => rm(join(runDir, name), { recursive: true, force: true })),
  );
}
