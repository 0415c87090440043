/**
 * @module Images for apps whose native modules load more of the host's libraries than node does: the base image
 * plus those libraries, built from local files once per set and named by it.
 */
import type Docker from 'dockerode';
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { failure } from '../runtime/package-json.ts';
import { BUILT_ON_LABEL, sharedLibraries } from './base-image.ts';
import { ensureImage } from './image-build.ts';
import { nativeLibraries, type NativeLibrary } from './native-libraries.ts';
import type { TarEntry } from './tar.ts';

const repository = 'edgecourier-native';
/** Bump when the layout of these images changes while their inputs stay the same. */
const recipeVersion = 1;
/** The host's libraries one image may add; past it the app's dependencies are refused, not copied into yet another image. */
const MAX_LIBRARY_BYTES = 512 * 1024 * 1024;

/** A host library and where the image holds it. */
interface LibraryFile {
  library: NativeLibrary;
  target: string;
  size: number;
  mtimeMs: number;
}

export interface NativeImagesOptions {
  docker: Docker;
  /** The base image (ensureBaseImage) these images are built on. */
  baseImage: string;
  log?: (line: string) => void;
}

/**
 * Picks the image for an app's installed dependencies: the base image's own when it has every library their
 * native modules load, else one built on it with the rest.
 * @example const image = await new NativeImages({ docker, baseImage }).imageFor(depsDir) ?? baseImage
 */
export class NativeImages {
  readonly #options: NativeImagesOptions;
  readonly #byDepsDir = new Map<string, Promise<string | undefined>>();
  readonly #builds = new Map<string, Promise<string>>();
  #base: Promise<string[]> | undefined;

  constructor(options: NativeImagesOptions) {
    this.#options = options;
  }

  /** The image to run the dependencies installed in `depsDir`; undefined when the base image runs them. */
  imageFor(depsDir: string): Promise<string | undefined> {
    let image = this.#byDepsDir.get(depsDir);
    if (!image) {
      image = this.#imageFor(depsDir);
      this.#byDepsDir.set(depsDir, image);
      // Not kept: once the operator installs a missing library, the next call finds it.
      image.catch(() => this.#byDepsDir.delete(depsDir));
    }
    return image;
  }

  async #imageFor(depsDir: string): Promise<string | undefined> {
    const needed = await nativeLibraries(depsDir);
    if (needed.length === 0) return undefined;
    const base = await this.#baseLibraries();
    // Matched by name: the loader takes a library of a name it has loaded already (node's libstdc++) from memory.
    const inBase = new Set(base.map((path) => basename(path)));
    const extra = needed.filter((library) => !inBase.has(basename(library.path)));
    if (extra.length === 0) return undefined;
    const files = await libraryFiles(extra, base);
    const ref = `${repository}:${inputsHash(this.#options.baseImage, files)}`;
    let build = this.#builds.get(ref);
    if (!build) {
      build = ensureImage(this.#options.docker, recipe(ref, this.#options.baseImage, files), this.#options.log ?? (() => {}));
      this.#builds.set(ref, build);
      build.catch(() => this.#builds.delete(ref));
    }
    return build;
  }

  #baseLibraries(): Promise<string[]> {
    this.#base ??= realpath(process.execPath).then(sharedLibraries);
    return this.#base;
  }
}

/**
 * Each library at the path the host's loader found it, so an RPATH naming that folder finds it too. One found
 * in a folder the loader searches only through the host's ld.so.cache (/usr/local/lib, say) is also put beside
 * the base image's libc: the image has no cache, and that folder is on the loader's built-in path.
 */
async function libraryFiles(libraries: NativeLibrary[], base: string[]): Promise<LibraryFile[]> {
  const searched = new Set(base.map((path) => dirname(path)));
  const libcDir = dirname(base.find((path) => basename(path).startsWith('libc.so')) ?? base[0] ?? '/lib');
  const files: LibraryFile[] = [];
  let bytes = 0;
  for (const library of libraries) {
    const info = await stat(library.path).catch(() => {
      throw failure(`${library.path}, which the native module ${library.neededBy} needs, is no longer on this machine: install it again on the host`);
    });
    const targets = [library.path, ...(searched.has(dirname(library.path)) ? [] : [join(libcDir, basename(library.path))])];
    for (const target of targets) files.push({ library, target: target.slice(1), size: info.size, mtimeMs: info.mtimeMs });
    bytes += info.size * targets.length;
  }
  if (bytes > MAX_LIBRARY_BYTES) {
    throw failure(
      `the native modules of these dependencies need ${(bytes / 2 ** 20).toFixed(0)} MiB of the host's libraries (${libraries.map((l) => basename(l.path)).join(', ')}), more than the ${MAX_LIBRARY_BYTES / 2 ** 20} MiB a sandbox may add`,
    );
  }
  return files;
}

/** Like the base image, libraries count by path, size and mtime: a package upgrade changes one of them. */
function inputsHash(baseImage: string, files: LibraryFile[]): string {
  const hash = createHash('sha256').update(`recipe ${recipeVersion}\nbase ${baseImage}\n`);
  for (const file of files) hash.update(`${file.library.path} ${file.target} ${file.size} ${file.mtimeMs}\n`);
  return hash.digest('hex').slice(0, 16);
}

function recipe(ref: string, baseImage: string, files: LibraryFile[]) {
  const dockerfile = [`FROM ${baseImage}`, 'COPY rootfs/ /', `LABEL ${BUILT_ON_LABEL}=${baseImage}`].join('\n');
  return { ref, dockerfile, context: async () => contextEntries(files) };
}

/** Folders first, parents before children, then the files; modes fixed so the sandbox's user can read them. */
function contextEntries(files: LibraryFile[]): TarEntry[] {
  const dirs = new Set(['rootfs']);
  for (const file of files) {
    const parts = `rootfs/${file.target}`.split('/');
    for (let i = 2; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [
    ...[...dirs].sort().map((path) => ({ path: `${path}/`, mode: 0o755 })),
    ...files.map((file) => ({ path: `rootfs/${file.target}`, mode: 0o644, file: { source: file.library.path, size: file.size } })),
  ];
}
