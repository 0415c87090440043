/** @module One courier per synced root on this machine: a lock file holding the owner's pid, taken over when that process is gone. */
import { open, readFile, rm } from 'node:fs/promises';
import { EdgeError } from '../runtime/errors.ts';
import { processAlive } from '../runtime/run-dir.ts';

/** Takes the lock at `file` for this process, or throws when a live process holds it. */
export async function takeRootLock(file: string, root: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(file, 'utf8').catch(() => ''));
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new EdgeError('INVALID_INPUT', `another courier (pid ${owner}) already serves ${root}; one root is served by one courier at a time`);
      }
      await rm(file, { force: true });
    }
  }
  throw new EdgeError('INVALID_INPUT', `could not take the courier lock ${file}`);
}
