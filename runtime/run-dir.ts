/** @module Per-sandbox folders under a run directory, named after the owning process so leftovers of dead owners can be found. */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
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

/** Creates `<runDir>/<pid>-<random>/app`, readable by the unprivileged user sandboxes run as. */
export async function makeSandboxDir(runDir: string): Promise<{ id: string; dir: string; appDir: string }> {
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
