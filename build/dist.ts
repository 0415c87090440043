/**
 * @module Compiles edgecourier into dist/: the command line as ES modules, each command's implementation in chunks
 * loaded only when that command runs, the sandbox harness, and the web console (build/console.ts). Nothing is done when no file it was made of changed.
 */
import { build, version as esbuildVersion, type OutputFile } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileHarness, harnessSourceHash, prebuiltHarnessDir } from '../runtime/harness-bundle.ts';
import { compileConsole } from './console.ts';
import { packageRoot } from '../runtime/package-root.ts';
import packageJson from '../package.json' with { type: 'json' };

const { dependencies } = packageJson;
export const distDir = join(packageRoot, 'dist');
/** The program `bin` names. */
export const cliPath = join(distDir, 'edgecourier.js');
/**
 * Packages compiled into the program rather than loaded from node_modules: node loads each ES module of a package on
 * its own, and zod's are over a hundred, which `run` paid at every start (about 60 ms of CPU more than zod in one file).
 */
const bundledPackages = ['zod'];
/** What the last build was made of, to tell whether dist/ is stale. */
const manifestPath = join(distDir, 'build-inputs.json');

interface Manifest {
  esbuild: string;
  /** The harness's source hash, which names the base image: it counts every harness source, imported or not. */
  harness: string;
  /** Every source file read, relative to the package, with the sha256 of its content. */
  inputs: Record<string, string>;
  /** Every file written, relative to dist/. */
  outputs: string[];
}

/**
 * Compiles dist/ when it is missing or any file it was made of changed (this build script included).
 * @returns whether it compiled
 * @example if (await ensureDist()) console.error('compiled dist/')
 */
export async function ensureDist(): Promise<boolean> {
  if (await upToDate()) return false;
  await compileDist();
  return true;
}

async function upToDate(): Promise<boolean> {
  const manifest = (await readFile(manifestPath, 'utf8').then(JSON.parse, () => undefined)) as Manifest | undefined;
  if (manifest?.esbuild !== esbuildVersion || manifest.harness !== (await harnessSourceHash())) return false;
  const present = await Promise.all(
    manifest.outputs.map((path) =>
      stat(join(distDir, path)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (present.includes(false)) return false;
  const now = await digests(Object.keys(manifest.inputs));
  return Object.entries(manifest.inputs).every(([path, digest]) => now[path] === digest);
}

/** The sha256 of each file, by its path relative to the package; a missing file has none. */
async function digests(paths: string[]): Promise<Record<string, string | undefined>> {
  const entries = await Promise.all(
    paths.map(async (path) => {
      const content = await readFile(join(packageRoot, path)).catch(() => undefined);
      return [path, content && createHash('sha256').update(content).digest('hex')] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function compileDist(): Promise<void> {
  const [harness, harnessHash, consoleSite] = await Promise.all([compileHarness(), harnessSourceHash(), compileConsole()]);
  const program = await build({
    absWorkingDir: packageRoot,
    entryPoints: { edgecourier: 'cli/main.ts' },
    outdir: distDir,
    bundle: true,
    // Shared modules go into chunks, so that a command loads its own implementation and no other's.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Installed beside the program, not copied into it: npm resolves them, and the service images carry them.
    external: Object.keys(dependencies).filter((name) => !bundledPackages.includes(name)),
    // Error and class names stay as written, whatever the bundle had to rename to keep modules apart.
    keepNames: true,
    define: { PREBUILT_HARNESS_HASH: JSON.stringify(harnessHash) },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const files = [
    ...program.outputFiles.map((file: OutputFile) => ({ path: relative(distDir, file.path), contents: file.contents })),
    ...harness.files.map((file) => ({ path: relative(distDir, join(prebuiltHarnessDir, file.name)), contents: file.contents })),
    ...consoleSite.files,
  ];
  // The program last, so that every chunk it imports is in place first; executable, as npm makes a bin when it
  // installs the package, so that `npx edgecourier` runs it in a checkout too.
  const main = relative(distDir, cliPath);
  for (const file of files.filter((f) => f.path !== main)) await writeAtomically(join(distDir, file.path), file.contents);
  for (const file of files.filter((f) => f.path === main)) await writeAtomically(join(distDir, file.path), file.contents, 0o755);
  // package.json too: its dependencies decide what stays outside the program.
  const inputs = [
    ...Object.keys(program.metafile.inputs).map((path) => join(packageRoot, path)),
    ...harness.inputs,
    ...consoleSite.inputs,
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('console.ts', import.meta.url)),
    join(packageRoot, 'package.json'),
  ];
  const manifest: Manifest = { esbuild: esbuildVersion, harness: harnessHash, inputs: {}, outputs: files.map((file) => file.path) };
  for (const [path, digest] of Object.entries(await digests(inputs.map((input) => relative(packageRoot, input))))) manifest.inputs[path] = digest!;
  await writeAtomically(manifestPath, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  await prune(new Set([...manifest.outputs, relative(distDir, manifestPath)]));
}

/**
 * Written beside, then renamed into place: a program starting meanwhile reads the old file or the new one, never half
 * of one (tests start it while another test process may be compiling).
 */
async function writeAtomically(path: string, contents: Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, contents, { mode });
  await rename(temp, path);
}

/** Removes what earlier builds wrote and this one did not (chunks are named by their content); others' temp files stay. */
async function prune(keep: Set<string>): Promise<void> {
  const entries = await readdir(distDir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    const path = relative(distDir, join(entry.parentPath, entry.name));
    if (entry.isFile() && !keep.has(path) && !/\.tmp-\d+$/.test(entry.name)) await rm(join(distDir, path), { force: true });
  }
}
