/**
 * @module One courier per synced root: a lock file naming the owner (host, pid, start time), taken over
 * when that process is gone. A pid means something only on its own host and in its own container: a
 * courier container's pid is often its predecessor's, and another container's pid is any process here.
 */
import { randomUUID } from 'node:crypto';
import { link, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { EdgeError } from '../base/errors.ts';
import { ownerAlive, thisProcess, type ProcessIdentity } from '../base/process-identity.ts';

interface LockOwner extends ProcessIdentity {
  host: string;
}

function readOwner(text: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner> | number;
    // Couriers before this format wrote their pid alone, on the host they ran on.
    if (typeof owner === 'number') return { host: hostname(), pid: owner };
    return typeof owner.host === 'string' && typeof owner.pid === 'number'
      ? { host: owner.host, pid: owner.pid, start: typeof owner.start === 'string' ? owner.start : undefined }
      : undefined;
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

const ownerText = () => JSON.stringify({ host: hostname(), ...thisProcess } satisfies LockOwner);

/**
 * Creates `file` holding this process's identity unless it exists, and returns the new file's inode. Written
 * under a name of its own and linked into place: whoever sees the file sees its owner too.
 */
async function createOwned(file: string): Promise<number | undefined> {
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, ownerText());
  try {
    const { ino } = await stat(temp);
    await link(temp, file);
    return ino;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** The text of `file` (undefined when there is none) and the owner it names; an empty or garbled file names none. */
async function readLock(file: string): Promise<{ text: string | undefined; owner: LockOwner | undefined }> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return { text, owner: text === undefined ? undefined : readOwner(text) };
}

/** A takeover lasts milliseconds: a guard left on another host longer than this was left by a taker that died. */
const ABANDONED_GUARD_MS = 2000;

/** Whether the guard at `guard` was left by a taker that is gone: judged by process on this host, by age from another. */
async function abandoned(guard: string): Promise<boolean> {
  const { owner } = await readLock(guard);
  if (owner?.host === hostname()) return !ownerAlive(owner);
  const age = await stat(guard).then(
    (info) => Date.now() - info.mtimeMs,
    () => 0,
  );
  return age > ABANDONED_GUARD_MS;
}

/** Removes `file` if it is still the one with inode `ino`. */
async function removeIfSame(file: string, ino: number): Promise<void> {
  if ((await stat(file).catch(() => undefined))?.ino === ino) await rm(file, { force: true });
}

/**
 * Takes the lock at `file` for this process, or throws when a live process holds it. A dead owner's lock
 * is removed only by whoever holds `<file>.takeover`, and only if it still is that dead owner's: two
 * couriers that find it at once must not both remove it, the second removing the lock the first just took.
 */
export async function takeRootLock(file: string, root: string): Promise<() => Promise<void>> {
  const guard = `${file}.takeover`;
  const deadline = Date.now() + 2 * ABANDONED_GUARD_MS;
  while (Date.now() < deadline) {
    if ((await createOwned(file)) !== undefined) return () => rm(file, { force: true });
    const stale = await readLock(file);
    // Gone since: only its absence lets a courier create it, so whoever removed it is the one to retry against.
    if (stale.text === undefined) continue;
    if (stale.owner && holds(stale.owner)) {
      throw new EdgeError('INVALID_INPUT', `another courier (pid ${stale.owner.pid}) already serves ${root}; one root is served by one courier at a time`);
    }
    const guarded = await createOwned(guard);
    if (guarded === undefined) {
      if (await abandoned(guard)) await rm(guard, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    try {
      if ((await readLock(file)).text === stale.text) await rm(file, { force: true });
    } finally {
      await removeIfSame(guard, guarded);
    }
  }
  throw new EdgeError('INVALID_INPUT', `could not take the courier lock ${file}: other couriers kept taking it over`);
}
