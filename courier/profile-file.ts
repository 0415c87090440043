/**
 * @module The file a courier keeps its folder apps' profiles in, beside the journal in the root's state folder:
 * written whole (atomically), read back and checked where it enters, since anything may have changed it meanwhile.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomic-file.ts';
import { describeIssues } from '../base/zod-issues.ts';
import { profileDigestSchema } from '../runtime/profiles.ts';
import type { AppDigests } from './app-profile-books.ts';

/** The bound on the file's size by default (docs/courier.md, "Profiles"): past it, the versions called least recently go. */
export const DEFAULT_PROFILE_FILE_BYTES = 4 * 1024 * 1024;

const profileFileSchema = z.strictObject({
  format: z.literal(1),
  apps: z.record(z.string().min(1).max(255), z.array(profileDigestSchema)),
});

/** What reading the file found: its apps' digests (none when there is no file yet), or why it cannot be used. */
export type ProfileFileReading = { ok: true; apps: AppDigests[] } | { ok: false; problem: string };

/**
 * Reads and checks the profiles file at `path`; a missing file is an empty one. Never throws.
 * @example const reading = await readProfileFile(join(home, 'profiles.json')); if (!reading.ok) logger.warn(reading.problem)
 */
export async function readProfileFile(path: string, maxBytes = DEFAULT_PROFILE_FILE_BYTES): Promise<ProfileFileReading> {
  try {
    // A file far past the bound was not written by a courier: reading it whole would cost memory for nothing.
    if ((await stat(path)).size > 2 * maxBytes) return { ok: false, problem: `${path} is larger than twice the bound of ${maxBytes} bytes` };
    const text = await readFile(path, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { ok: false, problem: `${path} is not JSON` };
    }
    const parsed = profileFileSchema.safeParse(json);
    if (!parsed.success) return { ok: false, problem: describeIssues(path, parsed.error) };
    return { ok: true, apps: Object.entries(parsed.data.apps).map(([app, digests]) => ({ app, digests })) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, apps: [] };
    return { ok: false, problem: `${path} cannot be read: ${(error as Error).message}` };
  }
}

/** Replaces the file with `apps`' digests. */
export async function writeProfileFile(path: string, apps: readonly AppDigests[]): Promise<void> {
  const body = { format: 1, apps: Object.fromEntries(apps.map(({ app, digests }) => [app, digests])) };
  await writeFileAtomic(path, JSON.stringify(body));
}
