/** @module Checks an app's `file:` and other local-path dependencies stay inside the app folder, and moves package-lock paths to the install folder. */
import { realpath, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { dependencyMap, failure, INSTALLED_FIELDS, isObject, parseObject, type JsonObject } from './package-json.ts';

/** npm keeps devDependencies in its tree even when it omits them, so their local paths are read too. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
// The next four mirror the order in which npm-package-arg tells a path from a URL, git or registry spec.
const PATH_SPEC = /^(?:\.|~\/|\/|[a-z]:)/i;
const URL_SPEC = /^(?:git\+)?[a-z]+:/i;
const GITHUB_SHORTHAND = /^[\w-][\w.-]*\/[\w-][\w.-]*(?:#\S*)?$/;
const TARBALL_NAME = /\.(?:tgz|tar\.gz|tar)$/i;

/** Whether `path` lies below `root`; `root` itself does not count. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** The local path a spec points at, or undefined when npm would fetch it from a registry, URL or git host. */
function localPath(name: string, spec: string): string | undefined {
  // file://x and file:///x name absolute paths, as npm reads them.
  if (/^file:/i.test(spec)) return spec.slice(5).replace(/^\/{2,}/, '/');
  if (/^link:/i.test(spec)) throw failure(`dependency "${name}" (${spec}): link: is not supported, use file: with a folder inside the app`);
  if (/^git\+file:/i.test(spec)) throw failure(`dependency "${name}" (${spec}): git+file: would read a repository on the host, which is not allowed`);
  if (PATH_SPEC.test(spec)) return spec;
  if (URL_SPEC.test(spec) || GITHUB_SHORTHAND.test(spec)) return undefined;
  return spec.includes('/') || TARBALL_NAME.test(spec) ? spec : undefined;
}

/** Real path of `path`, following links as far as the path exists, so a missing tail cannot hide a link outside. */
async function realExisting(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path) throw error;
    return join(await realExisting(dirname(path)), basename(path));
  }
}

async function resolveLocal(appDir: string, name: string, spec: string, path: string): Promise<string> {
  const outside = failure(`dependency "${name}" (${spec}) points outside the app folder ${appDir}: only folders inside it can be used`);
  // Anything else would let an app copy host files into the folder its sandbox mounts.
  if (!isInside(appDir, resolve(appDir, path))) throw outside;
  const real = await realpath(resolve(appDir, path)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw failure(`dependency "${name}" (${spec}): ${resolve(appDir, path)} does not exist`);
    throw failure(`dependency "${name}" (${spec}): ${error.message}`, error);
  });
  if (!isInside(appDir, real)) throw outside;
  return real;
}

/** npm would resolve a local package's own local dependencies from a base we cannot check, so they are refused. */
async function assertNoNestedLocal(target: string, name: string): Promise<void> {
  if (!(await stat(target)).isDirectory()) return;
  const text = await readFile(join(target, 'package.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const pkg = parseObject(text, 'package.json', target);
  for (const field of INSTALLED_FIELDS) {
    for (const [nested, spec] of Object.entries(dependencyMap(pkg, field, `${target}/package.json`) ?? {})) {
      if (localPath(nested, spec) !== undefined) {
        throw failure(
          `dependency "${name}" (${target}) has a local dependency "${nested}" (${spec}): local packages cannot have local dependencies themselves`,
        );
      }
    }
  }
}

/** A copy of `pkg` whose local dependency specs are absolute paths, checked to lie inside the app; `targets` collects them. */
export async function rewriteLocalSpecs(pkg: JsonObject, appDir: string, file: string, targets: Set<string>): Promise<JsonObject> {
  const rewritten: JsonObject = { ...pkg };
  for (const field of DEPENDENCY_FIELDS) {
    const map = dependencyMap(pkg, field, file);
    if (map === undefined) continue;
    const specs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(map)) {
      const path = localPath(name, spec);
      if (path === undefined) {
        specs[name] = spec;
        continue;
      }
      const real = await resolveLocal(appDir, name, spec, path);
      if (!targets.has(real)) await assertNoNestedLocal(real, name);
      targets.add(real);
      specs[name] = `file:${real}`;
    }
    rewritten[field] = specs;
  }
  return rewritten;
}

export function assertNoLocalOverrides(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (localPath(path, value) !== undefined) throw failure(`"overrides" in package.json: ${path} (${value}): local paths are not supported in overrides`);
  } else if (isObject(value)) {
    for (const [name, nested] of Object.entries(value)) assertNoLocalOverrides(nested, `${path}.${name}`);
  }
}

/** A lock path (relative to the app) as a path relative to the install folder, refused when it leaves the app. */
async function relocatePath(path: string, appDir: string, installDir: string, what: string): Promise<string> {
  const real = await realExisting(resolve(appDir, path));
  if (!isInside(appDir, real)) throw failure(`package-lock.json: ${what} points to ${path}, outside the app folder ${appDir}`);
  return relative(installDir, real);
}

/** Rewrites the local folder part of a lock key ("vendor/tiny/node_modules/x"); installed paths must not climb. */
async function relocateKey(key: string, appDir: string, installDir: string): Promise<string> {
  const match = /(?:^|\/)node_modules\//.exec(key);
  const local = match ? key.slice(0, match.index) : key;
  const installed = match ? key.slice(match.index + (local === '' ? 0 : 1)) : '';
  if (installed.split('/').some((part) => part === '..' || part === '.')) throw failure(`package-lock.json: the entry "${key}" is not a valid install path`);
  if (local === '') return key;
  const moved = await relocatePath(local, appDir, installDir, `the entry "${key}"`);
  return installed === '' ? moved : `${moved}/${installed}`;
}

async function relocateResolved(entry: JsonObject, key: string, appDir: string, installDir: string): Promise<JsonObject> {
  const { resolved } = entry;
  if (typeof resolved !== 'string') return entry;
  const what = `"resolved" of "${key}"`;
  if (/^git\+file:/i.test(resolved)) throw failure(`package-lock.json: ${what} (${resolved}) would read a repository on the host`);
  const isFile = /^file:/i.test(resolved);
  if (!isFile && entry.link !== true && URL_SPEC.test(resolved)) return entry;
  const path = isFile ? resolved.slice(5) : resolved;
  const moved = await relocatePath(path, appDir, installDir, what);
  return { ...entry, resolved: isFile ? `file:${moved}` : moved };
}

/**
 * The lock as npm must see it from the install folder: local paths moved there and checked to stay inside the app.
 * A lock alone can make npm copy or link any host folder, so every local path in it is checked.
 */
export async function relocateLock(lock: JsonObject, appDir: string, installDir: string): Promise<JsonObject> {
  const { packages } = lock;
  if (!isObject(packages)) throw failure(`package-lock.json in ${appDir} has no "packages" (lockfileVersion 1): regenerate it with npm 7 or newer`);
  const moved: JsonObject = {};
  for (const [key, entry] of Object.entries(packages)) {
    if (!isObject(entry)) throw failure(`package-lock.json in ${appDir}: the entry "${key}" must be an object`);
    moved[await relocateKey(key, appDir, installDir)] =
      key === '' ? await rewriteLocalSpecs(entry, appDir, 'package-lock.json', new Set()) : await relocateResolved(entry, key, appDir, installDir);
  }
  // The lockfileVersion 1 section is ignored by npm 7+ when "packages" exists, and holds paths this does not check.
  const relocated: JsonObject = { ...lock, packages: moved };
  delete relocated.dependencies;
  return relocated;
}
