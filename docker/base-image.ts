/** @module Builds the runtime base image from local files: the host's node, its shared libraries and the harness. */
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { linkedLibraries } from './ldd.ts';
import { sendTar, type TarEntry } from './tar.ts';

const repository = 'edgecourier-runtime';
const inputsLabel = 'edgecourier.inputs';
/** Names the base image an image of ours was built on (native-image.ts), so it goes before that base goes. */
export const BUILT_ON_LABEL = 'edgecourier.built-on';
/** Bump when the image's layout or settings change while its inputs stay the same. */
const recipeVersion = 1;
/**
 * Names a base image to use instead of building one. The service images set it to the image they were built on:
 * inside them node is not the host's and there is no ldd, so the image could be neither found by hash nor built.
 */
export const BASE_IMAGE_ENV = 'EDGECOURIER_BASE_IMAGE';
/** Where the image holds the host's node binary. */
export const BASE_IMAGE_NODE = '/usr/bin/node';

/** A file copied into the image: read from `source`, written at `target` (relative to the root). */
interface ImageFile {
  source: string;
  target: string;
  size: number;
  mtimeMs: number;
  executable: boolean;
}

/**
 * Returns the reference of the base image for this node and harness, importing it when the engine lacks it
 * (or the one BASE_IMAGE_ENV names, which must exist).
 * @example const image = await ensureBaseImage(docker, await buildHarness(cacheDir), { log: console.log })
 */
export async function ensureBaseImage(docker: Docker, harness: { dir: string; hash: string }, options: { log?: (line: string) => void } = {}): Promise<string> {
  const given = process.env[BASE_IMAGE_ENV];
  if (given) return givenImage(docker, given);
  const log = options.log ?? (() => {});
  const files = await imageFiles(harness.dir);
  const hash = inputsHash(files, harness.hash);
  const ref = `${repository}:${hash}`;
  if (await imageExists(docker, ref)) return ref;
  log(`building base image ${ref} (node ${process.version}, ${files.length} files)`);
  const started = Date.now();
  try {
    await importRootfs(docker, files, hash);
  } catch (error) {
    throw new EdgeError('ENGINE_UNAVAILABLE', `Could not build the base image ${ref}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  log(`built base image ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Each harness or node upgrade names a new image of about 100 MB; on a small disk the old ones add up.
  const removed = await removeStaleBaseImages(docker, ref).catch(() => []);
  if (removed.length > 0)
    log(`removed ${removed.length} older image${removed.length === 1 ? '' : 's'} no container uses (base images and those built on them)`);
  return ref;
}

async function givenImage(docker: Docker, ref: string): Promise<string> {
  if (await imageExists(docker, ref)) return ref;
  throw new EdgeError(
    'ENGINE_UNAVAILABLE',
    `${BASE_IMAGE_ENV} names the base image ${ref}, which the Docker engine does not have: run "edgecourier images build" where that engine runs, or unset ${BASE_IMAGE_ENV}`,
  );
}

/**
 * Removes base images other than `keep`, and the images built on them first, leaving those a container or another
 * derived image still uses.
 * @returns the references removed
 */
export async function removeStaleBaseImages(docker: Docker, keep: string): Promise<string[]> {
  const derived = await docker.listImages({ filters: { label: [BUILT_ON_LABEL] } });
  const staleDerived = derived.filter((image) => image.Labels?.[BUILT_ON_LABEL] !== keep).flatMap((image) => image.RepoTags ?? []);
  const images = await docker.listImages({ filters: { label: [inputsLabel] } });
  const stale = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => tag.startsWith(`${repository}:`) && tag !== keep);
  const removed: string[] = [];
  for (const tag of [...staleDerived, ...stale]) {
    const gone = await docker
      .getImage(tag)
      .remove()
      .then(
        () => true,
        (error: { statusCode?: number }) => {
          if (error.statusCode !== 409) throw error;
          return false;
        },
      );
    if (gone) removed.push(tag);
  }
  return removed;
}

/** Whether the engine has an image by this reference. */
export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  return docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
        return false;
      },
    );
}

/** The node binary at BASE_IMAGE_NODE, each library at the path ldd prints, and the harness under /harness. */
async function imageFiles(harnessDir: string): Promise<ImageFile[]> {
  const node = await realpath(process.execPath);
  const libraries = await sharedLibraries(node);
  const harnessNames = (await readdir(harnessDir, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  return Promise.all([
    imageFile(node, BASE_IMAGE_NODE.slice(1)),
    ...libraries.map((library) => imageFile(library, library.slice(1))),
    ...harnessNames.map((name) => imageFile(join(harnessDir, name), `harness/${name}`)),
  ]);
}

async function imageFile(source: string, target: string): Promise<ImageFile> {
  const info = await stat(source);
  return { source, target, size: info.size, mtimeMs: info.mtimeMs, executable: (info.mode & 0o111) !== 0 };
}

/**
 * The absolute paths `ldd` lists for a binary; none for a static one. What the base image holds: native modules
 * that need more get it from an image built on this one (native-image.ts).
 */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const linked = await linkedLibraries(binary).catch((error: Error) => {
    throw new EdgeError('ENGINE_UNAVAILABLE', `Could not list the shared libraries of ${binary} with ldd: ${error.message}`);
  });
  if (linked.kind === 'not-dynamic') return [];
  if (linked.missing.length > 0) throw new EdgeError('ENGINE_UNAVAILABLE', `${binary} needs libraries that are missing: ${linked.missing.join(', ')}`);
  return linked.libraries;
}

/**
 * Names the image by what goes in it. The node binary and its libraries count by path, size and mtime
 * rather than content: hashing the ~100 MB binary would add about 0.3 s to every start, and a package
 * upgrade changes size or mtime anyway. The harness counts by its sources' hash alone: the same harness
 * built into another cache folder (each test's, each user's) is the same image, not another 100 MB.
 */
function inputsHash(files: ImageFile[], harnessHash: string): string {
  const hash = createHash('sha256').update(`recipe ${recipeVersion}\nnode ${process.version}\nharness ${harnessHash}\n`);
  for (const file of files) if (!file.target.startsWith('harness/')) hash.update(`${file.source} ${file.target} ${file.size} ${file.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function importRootfs(docker: Docker, files: ImageFile[], hash: string): Promise<void> {
  const changes = [
    `ENTRYPOINT ${JSON.stringify([BASE_IMAGE_NODE, '/harness/harness.mjs'])}`,
    'WORKDIR /ec/app',
    'USER 65534:65534',
    `LABEL ${inputsLabel}=${hash}`,
  ];
  await sendTar(docker, tarEntries(files), (tar) => docker.importImage(tar, { repo: repository, tag: hash, changes }));
  if (!(await imageExists(docker, `${repository}:${hash}`))) throw new Error('the engine reported no error but has no image by that name');
}

/** Directories first, parents before children, then the files; everything is owned by root. */
function tarEntries(files: ImageFile[]): TarEntry[] {
  const dirs = new Set(['tmp', 'ec', 'ec/app']);
  for (const file of files) {
    const parts = file.target.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const dirEntries = [...dirs].sort().map((path) => ({ path: `${path}/`, mode: path === 'tmp' ? 0o1777 : 0o755 }));
  // Fixed modes so the unprivileged user can read every file whatever the host's umask was.
  return [...dirEntries, ...files.map((file) => ({ path: file.target, mode: file.executable ? 0o755 : 0o644, file }))];
}
