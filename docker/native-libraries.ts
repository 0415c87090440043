/**
 * @module Which of the host's shared libraries an app's installed dependencies load: ldd on each native module
 * (`.node` file), computed once per dependency folder and kept in a file inside it.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomic-file.ts';
import { isInside } from '../runtime/local-deps.ts';
import { failure } from '../runtime/package-json.ts';
import { linkedLibraries } from './ldd.ts';

/** A library outside the dependency folder that a native module loads. */
export interface NativeLibrary {
  /** Where the host's loader found it, as ldd printed it. */
  path: string;
  /** The first native module found that loads it, relative to the dependency folder: for error messages. */
  neededBy: string;
}

/** Beside `node_modules` in the dependency folder; the sandbox sees only `node_modules`. */
const CACHE_FILE = 'native-libraries.json';
/** Far more than any real dependency tree has (packages with prebuilds for every platform ship a handful each); each costs an ldd run. */
const MAX_NATIVE_MODULES = 500;
const cacheSchema = z.object({ version: z.literal(1), libraries: z.array(z.object({ path: z.string(), neededBy: z.string() })) });

/** A module built for musl (Alpine) needs musl's libc; node-gyp-build and the like never load it on glibc. */
const MUSL = /^(libc\.musl-|ld-musl-)/;

/**
 * The libraries outside `depsDir` that its native modules load, directly or through the libraries they load. Libraries
 * a package ships inside the folder (found through its RPATH, such as sharp's libvips) are left out: they reach the
 * sandbox with node_modules. Throws DEPENDENCY_INSTALL_FAILED naming the library and the module when one is missing here.
 * @example const libraries = await nativeLibraries(await installer.ensure(app.dependencies))
 */
export async function nativeLibraries(depsDir: string): Promise<NativeLibrary[]> {
  const cacheFile = join(depsDir, CACHE_FILE);
  const cached = await readCache(cacheFile);
  if (cached) return cached;
  const libraries = await findLibraries(await realpath(depsDir));
  // Only a cache: a folder this process may not write (another user's install) is read again next time.
  await writeFileAtomic(cacheFile, `${JSON.stringify({ version: 1, libraries })}\n`).catch(() => undefined);
  return libraries;
}

/** The cached list, or undefined when there is none or it is not one (cut short, or from another version). */
async function readCache(file: string): Promise<NativeLibrary[] | undefined> {
  try {
    const parsed = cacheSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data.libraries : undefined;
  } catch {
    return undefined;
  }
}

async function findLibraries(depsDir: string): Promise<NativeLibrary[]> {
  const found = new Map<string, NativeLibrary>();
  for (const module of await nativeModules(depsDir)) {
    const neededBy = relative(depsDir, module);
    const linked = await linkedLibraries(module).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw failure(`the dependencies include the native module ${neededBy}, and finding the libraries it needs takes ldd, which this machine lacks`);
      throw failure(`could not list the shared libraries of ${neededBy} with ldd: ${error.message}`, error);
    });
    if (linked.kind === 'not-dynamic' || linked.missing.some((name) => MUSL.test(name))) continue;
    if (linked.missing.length > 0) {
      throw failure(
        `the native module ${neededBy} needs ${linked.missing.join(', ')}, which this machine does not have: install ${linked.missing.length === 1 ? 'it' : 'them'} on the host (the operator's package manager names the package), then call again`,
      );
    }
    for (const library of linked.libraries.map((path) => resolve(path))) {
      if (!isInside(depsDir, library) && !found.has(library)) found.set(library, { path: library, neededBy });
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Every `.node` file under node_modules, in a fixed order; links are not followed (the installer allows none leaving the folder). */
async function nativeModules(depsDir: string): Promise<string[]> {
  const entries = await readdir(join(depsDir, 'node_modules'), { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const modules = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.node'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (modules.length > MAX_NATIVE_MODULES) {
    throw failure(`the dependencies hold ${modules.length} native modules (.node files); at most ${MAX_NATIVE_MODULES} are looked through`);
  }
  return modules;
}
