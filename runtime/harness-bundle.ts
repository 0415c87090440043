/** @module Builds the harness (TypeScript) into plain ES modules that a bare `node` runs, once per source content. */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceDir = join(dirname(fileURLToPath(import.meta.url)), 'harness');
/** Modules of the runtime that the harness bundles besides its own folder. */
const sharedFiles = ['protocol.ts', 'framing.ts', 'line-reader.ts', 'text-caps.ts'].map((name) => join(dirname(fileURLToPath(import.meta.url)), name));

/** A built harness: `dir` holds `harness.mjs` and `worker.mjs`; `hash` names its source content. */
export interface HarnessBundle {
  dir: string;
  hash: string;
}

async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(sourceDir)).filter((name) => name.endsWith('.ts')).sort();
  for (const file of [...files.map((name) => join(sourceDir, name)), ...sharedFiles]) {
    hash.update(file.slice(file.lastIndexOf('/'))).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * Returns the harness built for the current sources under `cacheDir`, building it when missing.
 * @example const { dir } = await buildHarness('/var/cache/edgecourier/harness')
 */
export async function buildHarness(cacheDir: string): Promise<HarnessBundle> {
  const hash = await sourceHash();
  const dir = join(cacheDir, hash);
  if (await stat(join(dir, 'worker.mjs')).catch(() => undefined)) return { dir, hash };
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(temp, { recursive: true });
  await build({
    entryPoints: [join(sourceDir, 'harness.ts'), join(sourceDir, 'worker.ts')],
    outdir: temp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
    await rm(temp, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
  return { dir, hash };
}
