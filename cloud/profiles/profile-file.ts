/**
 * @module The profile store's file, `<data>/profiles.json`: written whole and atomically, and read back at start
 * through the same digest schema reports are checked with, so a damaged or hand-edited file starts the cloud with no
 * profiles (and a warning), never a crash.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../base/atomic-file.ts';
import { profileDigestSchema, type ProfileDigest } from '../../runtime/profiles.ts';

/** One scope's profiles as written. */
export interface StoredBook {
  key: string;
  owner: string;
  /** `function@version` → the app version it ran under. */
  appVersions: Record<string, string>;
  /** The least recently called first, as the book restores its order from. */
  digests: ProfileDigest[];
}

const FORMAT = 'edgecourier-profiles/1';

/** Digests are checked one by one (below): one that no longer passes costs only itself, not every owner's profiles. */
const fileSchema = z.object({
  format: z.literal(FORMAT),
  books: z.array(
    z.object({
      key: z.string().min(1).max(600),
      owner: z.string().min(1).max(200),
      appVersions: z.record(z.string().max(300), z.string().max(128)),
      digests: z.array(z.unknown()),
    }),
  ),
});

/** The books in the file; none when there is no file yet, or (with a warning) when it is not one this cloud wrote. */
export async function readProfileFile(path: string, onWarning: (error: unknown, message: string) => void): Promise<StoredBook[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') onWarning(error, `could not read ${path}; starting with no profiles`);
    return [];
  }
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return keepValid(parsed.data.books, path, onWarning);
    onWarning(parsed.error, `${path} is not a profile file this cloud can read; starting with no profiles`);
  } catch (error) {
    onWarning(error, `${path} is not JSON; starting with no profiles`);
  }
  return [];
}

function keepValid(
  books: Array<Omit<StoredBook, 'digests'> & { digests: unknown[] }>,
  path: string,
  onWarning: (error: unknown, message: string) => void,
): StoredBook[] {
  let dropped = 0;
  const kept = books.map((book) => {
    const digests = book.digests.flatMap((digest) => {
      const parsed = profileDigestSchema.safeParse(digest);
      if (!parsed.success) dropped++;
      return parsed.success ? [parsed.data] : [];
    });
    return { ...book, digests };
  });
  if (dropped > 0) onWarning(undefined, `${path} held ${dropped} profiles this cloud cannot read; they were left out`);
  return kept;
}

export async function writeProfileFile(path: string, books: StoredBook[]): Promise<void> {
  await writeFileAtomic(path, JSON.stringify({ format: FORMAT, books }), { mode: 0o600 });
}
