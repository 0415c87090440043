/** @module The harness as plain ES modules that a bare `node` runs: prebuilt in dist/ for the compiled program, else built from its TypeScript once per source content. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { packageRoot } from './package-root.ts';

/** Set in compiled code only, by the build (build/dist.ts): the source hash of the harness it put in dist/harness. */
declare const PREBUILT_HARNESS_HASH: string | undefined;

const runtimeDir = join(packageRoot, 'runtime');
const sourceDir = join(runtimeDir, 'harness');
/** Modules of the runtime that the harness bundles besides its own folder. */
const sharedFiles = ['protocol.ts', 'framing.ts', 'line-reader.ts', 'text-caps.ts'].map((name) => join(runtimeDir, name));
/** Where the build puts the harness beside the compiled program. */
export const prebuiltHarnessDir = join(packageRoot, 'dist', 'harness');

/** A built harness: `dir` holds `harness.mjs`, `worker.mjs` and `module-hooks.mjs`; `hash` names its source content. */
export interface HarnessBundle {
  dir: string;
  hash: string;
}

/** The harness compiled in memory: its files by name, and the source files it was made of. */
export interface HarnessFiles {
  files: Array<{ name: string; contents: Uint8Array }>;
  inputs: string[];
}

/** A hash of the harness sources by file name and content: the same sources anywhere give the same hash, so the same base image. */
export async function harnessSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(sourceDir)).filter((name) => name.endsWith('.ts')).sort();
  for (const file of [...files.map((name) => join(sourceDir, name)), ...sharedFiles]) {
    hash.update(file.slice(file.lastIndexOf('/'))).update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Compiles the harness sources into `harness.mjs`, `worker.mjs` and `module-hooks.mjs`, without writing them. */
export async function compileHarness(): Promise<HarnessFiles> {
  // Loaded here: the compiled program never compiles its own harness, and esbuild takes a tenth of a second to load.
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: packageRoot,
    entryPoints: ['harness.ts', 'worker.ts', 'module-hooks.ts'].map((name) => join(sourceDir, name)),
    outdir: sourceDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return {
    files: result.outputFiles.map((file) => ({ name: basename(file.path), contents: file.contents })),
    inputs: Object.keys(result.metafile.inputs).map((path) => join(packageRoot, path)),
  };
}

/**
 * Returns the harness for this program: the one the build put in dist/ when it runs compiled, else the one built
 * for the current sources under `cacheDir`, building it when missing.
 * @example const { dir } = await buildHarness('/var/cache/edgecourier/harness')
 */
export async function buildHarness(cacheDir: string): Promise<HarnessBundle> {
  if (typeof PREBUILT_HARNESS_HASH === 'string') return { dir: prebuiltHarnessDir, hash: PREBUILT_HARNESS_HASH };
  const hash = await harnessSourceHash();
  const dir = join(cacheDir, hash);
  if (await stat(join(dir, 'worker.mjs')).catch(() => undefined)) return { dir, hash };
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(temp, { recursive: true });
  for (const file of (await compileHarness()).files) await writeFile(join(temp, file.name), file.contents);
  await rename(temp, dir).catch(async (error: NodeJS.ErrnoException) => {
    await rm(temp, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
  return { dir, hash };
}
