/** @module An app's files as the cloud sends them (a bundle, or one by one), checked and written out as a folder. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { appPathProblem } from '../runtime/app-paths.ts';
import { versionPinSchema, writeVersionPin } from '../runtime/version-pin.ts';

/** Only paths an app may hold come out of a bundle: none can write outside the target folder. */
const bundlePath = z.string().refine((path) => appPathProblem(path) === undefined, 'not a file an app bundle may hold');

const bundleSchema = z.object({
  format: z.literal('edgecourier-app-bundle/2'),
  name: z.string(),
  entry: z.string(),
  files: z.array(z.union([z.strictObject({ path: bundlePath, text: z.string() }), z.strictObject({ path: bundlePath, base64: z.base64() })])),
  version: versionPinSchema.optional(),
});

/**
 * Writes `bytes` as the file `path` (checked as a bundle's paths are) of the folder `dir`.
 * @example await writeAppFile('./shop', 'templates/page.html', bytes)
 */
export async function writeAppFile(dir: string, path: string, bytes: string | Uint8Array): Promise<void> {
  const problem = appPathProblem(path);
  if (problem) throw new EdgeError('INVALID_INPUT', `the cloud sent a file edgecourier will not write: ${JSON.stringify(path)}: ${problem}`);
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), bytes);
}

/**
 * Writes the files of `bundle` (the cloud's answer, unchecked) into `dir`.
 * @returns the app's name and how many files were written
 */
export async function writeAppBundle(dir: string, bundle: unknown): Promise<{ name: string; files: number }> {
  const parsed = bundleSchema.safeParse(bundle);
  if (!parsed.success) throw new EdgeError('INVALID_INPUT', `the cloud sent a bundle edgecourier cannot use: ${parsed.error.issues[0]?.message}`);
  for (const file of parsed.data.files) await writeAppFile(dir, file.path, 'text' in file ? file.text : Buffer.from(file.base64, 'base64'));
  // A public bundle's files hash to another tree than the cloud's app: the pin lets a run of them compute the cloud's keys.
  if (parsed.data.version) await writeVersionPin(dir, parsed.data.version);
  return { name: parsed.data.name, files: parsed.data.files.length };
}
