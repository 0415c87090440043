/** @module An app bundle as the cloud sends it (a function's code with the rest of its app), checked and written out as a folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';

/** Only these names may come out of a bundle: nothing it holds can write outside the target folder. */
const bundlePath = /^(app\.json|package\.json|functions\/[A-Za-z][A-Za-z0-9_-]{0,63}\.(js|ts))$/;

const bundleSchema = z.object({
  format: z.literal('edgecourier-app-bundle/1'),
  name: z.string(),
  entry: z.string(),
  files: z.record(z.string().regex(bundlePath, 'not a file an app bundle may hold'), z.string()),
});

/**
 * Writes the files of `bundle` (the cloud's answer, unchecked) into `dir`.
 * @returns the app's name and how many files were written
 */
export async function writeAppBundle(dir: string, bundle: unknown): Promise<{ name: string; files: number }> {
  const parsed = bundleSchema.safeParse(bundle);
  if (!parsed.success) throw new EdgeError('INVALID_INPUT', `the cloud sent a bundle edgecourier cannot use: ${parsed.error.issues[0]?.message}`);
  for (const [path, text] of Object.entries(parsed.data.files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { name: parsed.data.name, files: Object.keys(parsed.data.files).length };
}
