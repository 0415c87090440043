/** @module The files the service images carry: this checkout's compiled program, its node_modules without devDependencies, and host folders such as npm. */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { packageRoot as projectDir } from '../runtime/package-root.ts';
import type { TarEntry } from '../docker/tar.ts';

/**
 * What the commands need at run time: the compiled program (npm run build; the tests and benchmarks bring it up to
 * date first) and package.json, which makes its files ES modules. Sources, tests and docs stay out.
 */
const sourceDirs = ['dist'];
const sourceFiles = ['package.json'];
const lockFile = 'package-lock.json';
/** npm's record of what it actually installed, rewritten by every install that changes node_modules. */
const installedLockFile = 'node_modules/.package-lock.json';

/** A file of the checkout, `path` relative to it. */
export interface ProjectFile {
  path: string;
  source: string;
  size: number;
  executable: boolean;
}

/** A folder of the checkout and what it holds, relative paths; folders come before what they hold. */
interface Tree {
  dirs: string[];
  files: ProjectFile[];
}

/** The run-time files: every file under the program's folders, and the package file. */
export async function listSources(): Promise<Tree> {
  const tree: Tree = { dirs: [...sourceDirs], files: await Promise.all(sourceFiles.map((path) => fileAt(join(projectDir, path), path))) };
  for (const dir of sourceDirs) await walk(join(projectDir, dir), dir, tree, () => false);
  return tree;
}

/**
 * node_modules less the packages package-lock.json marks `dev: true` (needed only through devDependencies).
 * Copying what is installed needs no registry and takes a second; `npm ci --omit=dev` would fetch everything again
 * through the network on each lock change. `devOptional` packages are kept: a production optional dependency needs them.
 * Command links (.bin) are left out: nothing runs them, and they are the only links npm makes here; so are the
 * dot files at the top (npm's .package-lock.json, tools' .cache).
 */
export async function listProductionModules(): Promise<Tree> {
  const lock = JSON.parse(await readFile(join(projectDir, lockFile), 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
  const packages = lock.packages ?? {};
  const tree: Tree = { dirs: ['node_modules'], files: [] };
  await walk(
    join(projectDir, 'node_modules'),
    'node_modules',
    tree,
    (path, name) => name === '.bin' || packages[path]?.dev === true || (dirname(path) === 'node_modules' && name.startsWith('.')),
  );
  return tree;
}

/**
 * The files that name node_modules without reading its 60 MB: the lock, and npm's record of the installed tree,
 * which also changes when an install catches up with a lock that changed earlier.
 */
export async function modulesIdentity(): Promise<ProjectFile[]> {
  const installed = await fileAt(join(projectDir, installedLockFile), installedLockFile).catch(() => undefined);
  return [await fileAt(join(projectDir, lockFile), lockFile), ...(installed ? [installed] : [])];
}

/** Tar members for `tree` placed under `prefix` in the archive, with fixed modes whatever the host's umask. */
export function treeEntries(tree: Tree, prefix: string): TarEntry[] {
  return [
    ...tree.dirs.map((dir) => ({ path: `${join(prefix, dir)}/`, mode: 0o755 })),
    ...tree.files.map((file) => ({ path: join(prefix, file.path), mode: file.executable ? 0o755 : 0o644, file })),
  ];
}

/**
 * A short content hash of `recipe` (the Dockerfile) and the files, by path and bytes: what names an image.
 * @example const tag = await contentHash(dockerfile, await modulesIdentity())
 */
export async function contentHash(recipe: string, files: ProjectFile[]): Promise<string> {
  const hash = createHash('sha256').update(recipe);
  for (const file of files) hash.update(`\0${file.path}\0`).update(await readFile(file.source));
  return hash.digest('hex').slice(0, 16);
}

/** A folder outside the checkout, such as the host's npm, named `name` in the tree; command links (.bin) are left out. */
export async function listFolder(source: string, name: string): Promise<Tree> {
  const tree: Tree = { dirs: [name], files: [] };
  await walk(source, name, tree, (_path, entry) => entry === '.bin');
  return tree;
}

/** The file at `source` on disk, named `path` in the image. */
export async function fileAt(source: string, path: string): Promise<ProjectFile> {
  const info = await stat(source);
  return { path, source, size: info.size, executable: (info.mode & 0o111) !== 0 };
}

/** Lists the folder at `source` into `tree` as `dir` and what it holds. */
async function walk(source: string, dir: string, tree: Tree, skip: (path: string, name: string) => boolean): Promise<void> {
  const entries = (await readdir(source, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (skip(path, entry.name)) continue;
    if (entry.isDirectory()) {
      tree.dirs.push(path);
      await walk(join(source, entry.name), path, tree, skip);
    } else if (entry.isFile()) {
      tree.files.push(await fileAt(join(source, entry.name), path));
    } else {
      // A link could point anywhere on this machine; the image must not depend on what lies outside the folder copied.
      throw new Error(`${join(source, entry.name)} is not a plain file or folder; the service images copy only those`);
    }
  }
}
