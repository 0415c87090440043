/**
 * @module One courier per synced root: a lock file naming the owner (host, pid, start time), taken over
 * when that process is gone. A pid means something only on its own host and in its own container: a
 * courier container's pid is often its predecessor's, and another container's pid is any process here.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { EdgeError } from '../runtime/errors.ts';
import { ownerAlive, thisProcess, type ProcessIdentity } from '../runtime/run-dir.ts';

interface LockOwner extends ProcessIdentity {
  host: string;
}

function readOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | number;
    // Couriers before this format wrote their pid alone, on the host they ran on.
    if (typeof owner === 'number') return { host: hostname(), pid: owner };
    return typeof owner.host === 'string' && typeof owner.pid === 'number' ? { host: owner.host, pid: owner.pid, start: typeof owner.start === 'string' ? owner.start : undefined } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `owner` still runs, as far as this process can tell. A lock left on another host (another
 * courier container sharing the state folder) is not judged by pid: there the cloud's lease already
 * made sure the root was let go or its lease ran out before it was handed here.
 */
function holds(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === thisProcess.pid && owner.start === thisProcess.start) return false;
  return ownerAlive(owner);
}

/** Takes the lock at `file` for this process, or throws when a live process holds it. */
export async function takeRootLock(file: string, root: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    // Written under a name of its own and linked into place: whoever sees the lock file sees its owner too.
    const temp = `${file}.${randomUUID()}.tmp`;
    await writeFile(temp, JSON.stringify({ host: hostname(), ...thisProcess } satisfies LockOwner));
    try {
      await link(temp, file);
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(await readFile(file, 'utf8').catch(() => ''));
      if (owner && holds(owner)) {
        throw new EdgeError('INVALID_INPUT', `another courier (pid ${owner.pid}) already serves ${root}; one root is served by one courier at a time`);
      }
      await rm(file, { force: true });
    } finally {
      await rm(temp, { force: true });
    }
  }
  throw new EdgeError('INVALID_INPUT', `could not take the courier lock ${file}`);
}
