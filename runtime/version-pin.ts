/**
 * @module A folder pinned to the version its functions have in the cloud: one written from a cloud app's public
 * bundle, or one just deployed. The bundle leaves out the private functions' files and carries an app.json of its
 * own; a deploy's cloud app renders app.json from its settings (app-tree.ts) and leaves out package-lock.json. Either
 * way the folder's own files hash to another tree than the cloud's app; the pin (a dotfile, not part of the app) says
 * which tree the cloud hashes, so an edge run computes the cloud's call keys and profiles the cloud's versions. It
 * holds only while the folder's files are exactly the ones the bundle or deploy held: any edit drops it, and the
 * folder's own hash counts again.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Beside the bundle's files in the folder; a dotfile, so never one of the app's files. */
export const VERSION_PIN_FILE = '.edgecourier-version.json';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const versionPinSchema = z.strictObject({
  /** The tree hash of the app as the cloud holds it. */
  tree: sha256Hex,
  /** The tree hash of the folder's files the pin holds for (a bundle's, or a deployed folder's). */
  shown: sha256Hex,
});

export type VersionPin = z.infer<typeof versionPinSchema>;

/**
 * The tree hash to version the app in `appDir` by: the pinned one when the folder holds exactly what the bundle held,
 * else its own. A pin that cannot be read or parsed is passed over with a warning.
 */
export async function pinnedTree(appDir: string, ownTree: string, warnings: string[]): Promise<string> {
  const text = await readFile(join(appDir, VERSION_PIN_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return ownTree;
  let parsed: z.ZodSafeParseResult<VersionPin>;
  try {
    parsed = versionPinSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = versionPinSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    warnings.push(`${VERSION_PIN_FILE}: passed over; it is not a version pin written by edgecourier pull`);
    return ownTree;
  }
  return parsed.data.shown === ownTree ? parsed.data.tree : ownTree;
}

/** Pins the folder `appDir`: while its files hash to `pin.shown`, its functions are versioned as the cloud's tree `pin.tree`. */
export async function writeVersionPin(appDir: string, pin: VersionPin): Promise<void> {
  // Beside it and renamed into place: a run of the folder meanwhile reads the old pin or the new, never half of one.
  const temp = join(appDir, `${VERSION_PIN_FILE}.${process.pid}-${Date.now()}.tmp`);
  await writeFile(temp, `${JSON.stringify(pin)}\n`);
  await rename(temp, join(appDir, VERSION_PIN_FILE));
}
