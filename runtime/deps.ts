/** @module Installs an app's npm dependencies on the host, once per content, into a cache folder that sandboxes mount. */
import { spawn } from 'node:child_process';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EdgeError } from './errors.ts';
import { findNpmCli, npmBesideNode } from './npm-cli.ts';

/** What an app declares about its dependencies, read from its folder by the app loader. */
export interface DependencyManifest {
  /** Absolute, realpath'd app folder; `file:` dependencies are resolved against it. */
  appDir: string;
  /** Raw text of package.json. */
  packageJson: string;
  /** Raw text of package-lock.json when present. */
  packageLock?: string;
}

export interface DependencyInstallerOptions {
  cacheDir: string;
  /** How long one npm run may take; 5 minutes when unset. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

type JsonObject = Record<string, unknown>;

/** Everything an install needs, checked and rewritten so npm only reads what lies inside the app folder. */
interface InstallPlan {
  key: string;
  appDir: string;
  finalDir: string;
  packageJson: JsonObject;
  lock?: JsonObject;
  hasDependencies: boolean;
}

interface NpmOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
}

/** Bumped when the install recipe changes, so old cache entries stop matching. */
const KEY_VERSION = 'edgecourier-deps-v1';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const STDERR_TAIL_LINES = 20;
const STDERR_KEEP_CHARS = 64 * 1024;
/** npm keeps devDependencies in its tree even when it omits them, so their local paths are read too. */
const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
const INSTALLED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;
// The next four mirror the order in which npm-package-arg tells a path from a URL, git or registry spec.
const PATH_SPEC = /^(?:\.|~\/|\/|[a-z]:)/i;
const URL_SPEC = /^(?:git\+)?[a-z]+:/i;
const GITHUB_SHORTHAND = /^[\w-][\w.-]*\/[\w-][\w.-]*(?:#\S*)?$/;
const TARBALL_NAME = /\.(?:tgz|tar\.gz|tar)$/i;

function failure(message: string, cause?: unknown): EdgeError {
  return new EdgeError('DEPENDENCY_INSTALL_FAILED', message, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function parseObject(text: string, file: string, appDir: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw failure(`${file} in ${appDir} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw failure(`${file} in ${appDir} must be a JSON object`);
  return value;
}

function dependencyMap(pkg: JsonObject, field: string, file: string): Record<string, string> | undefined {
  const map = pkg[field];
  if (map === undefined) return undefined;
  if (!isObject(map)) throw failure(`"${field}" in ${file} must be an object mapping package names to version strings`);
  for (const [name, spec] of Object.entries(map)) {
    if (!PACKAGE_NAME.test(name)) throw failure(`"${field}" in ${file}: "${name}" is not a valid package name`);
    if (typeof spec !== 'string') throw failure(`"${field}" in ${file}: the version of "${name}" must be a string`);
  }
  return map as Record<string, string>;
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
        throw failure(`dependency "${name}" (${target}) has a local dependency "${nested}" (${spec}): local packages cannot have local dependencies themselves`);
      }
    }
  }
}

/** A copy of `pkg` whose local dependency specs are absolute paths, checked to lie inside the app; `targets` collects them. */
async function rewriteLocalSpecs(pkg: JsonObject, appDir: string, file: string, targets: Set<string>): Promise<JsonObject> {
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

function assertNoLocalOverrides(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (localPath(path, value) !== undefined) throw failure(`"overrides" in package.json: ${path} (${value}): local paths are not supported in overrides`);
  } else if (isObject(value)) {
    for (const [name, nested] of Object.entries(value)) assertNoLocalOverrides(nested, `${path}.${name}`);
  }
}

/**
 * A digest of a folder's files: relative paths and contents, sorted; node_modules and .git are skipped.
 * @example const digest = await hashFolder('/apps/shop/vendor/tiny')
 */
export async function hashFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  await hashEntries(hash, dir, '');
  return hash.digest('hex');
}

async function hashEntries(hash: Hash, root: string, rel: string): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      hash.update(`d ${path}\0`);
      await hashEntries(hash, root, path);
    } else if (entry.isSymbolicLink()) {
      // Hashed by its text, never followed: the target may lie outside the app folder (npm does not pack links either).
      hash.update(`l ${path}\0${await readlink(join(root, path))}\0`);
    } else if (entry.isFile()) {
      hash.update(`f ${path}\0${sha256(await readFile(join(root, path)))}\0`);
    }
  }
}

async function contentKey(manifest: DependencyManifest, targets: Set<string>): Promise<string> {
  const hash = createHash('sha256').update(`${KEY_VERSION}\0${manifest.packageJson}\0${manifest.packageLock ?? ''}\0`);
  for (const target of [...targets].sort()) {
    const digest = (await stat(target)).isDirectory() ? await hashFolder(target) : sha256(await readFile(target));
    hash.update(`${relative(manifest.appDir, target)}\0${digest}\0`);
  }
  return hash.digest('hex');
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
async function relocateLock(lock: JsonObject, appDir: string, installDir: string): Promise<JsonObject> {
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

function npmArgs(hasLock: boolean): string[] {
  return [
    hasLock ? 'ci' : 'install',
    // Install scripts would run arbitrary code on the host, outside the sandbox.
    '--ignore-scripts',
    '--omit=dev',
    // Copies file: dependencies into node_modules: a symlink would point outside the folder the sandbox mounts.
    '--install-links',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    // A parent npm (npm test, npm install -g) passes its settings down as npm_config_*; these would install elsewhere or nothing.
    '--global=false',
    '--dry-run=false',
    '--package-lock-only=false',
    // No --no-save: npm works on a private copy in the install folder, so whatever it saves there touches nothing of the app's.
  ];
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group has already exited.
  }
}

/** npm's script run by this node when it can be found (see findNpmCli), else `npm` from the PATH. */
async function npmCommand(args: string[]): Promise<[string, string[]]> {
  const cli = await findNpmCli();
  return cli ? [process.execPath, [cli, ...args]] : ['npm', args];
}

async function runNpm(args: string[], cwd: string, timeoutMs: number): Promise<NpmOutcome> {
  const [command, commandArgs] = await npmCommand(args);
  return new Promise((resolveRun, reject) => {
    // Its own process group, so a timeout ends npm and everything npm started.
    const child = spawn(command, commandArgs, { cwd, env: process.env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
      // Should a killed process leave its pipe open, the answer still comes.
      setTimeout(() => resolveRun({ code: null, signal: 'SIGKILL', timedOut, stderr }), 5_000).unref();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, timedOut, stderr });
    });
  });
}

function stderrTail(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return lines.length === 0 ? '(npm printed nothing on stderr)' : lines.slice(-STDERR_TAIL_LINES).join('\n');
}

/** The lock alone can make npm link a package instead of copying it; a link leaving the folder would break in the sandbox. */
async function assertLinksInside(installDir: string): Promise<void> {
  const entries = await readdir(join(installDir, 'node_modules'), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isSymbolicLink()) continue;
    const link = join(entry.parentPath, entry.name);
    const target = resolve(entry.parentPath, await readlink(link));
    if (!isInside(installDir, target)) {
      throw failure(`npm installed ${relative(installDir, link)} as a link to ${target}, outside the dependency folder: package-lock.json links it to a folder that package.json does not declare with file:, regenerate the lock with npm install`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Installs npm dependencies on the host into `<cacheDir>/<content key>`, which holds `node_modules`.
 * @example const dir = await new DependencyInstaller({ cacheDir: '/var/cache/edgecourier/deps' }).ensure(app.dependencies)
 */
export class DependencyInstaller {
  readonly #cacheDir: string;
  readonly #timeoutMs: number;
  readonly #log: (line: string) => void;
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(options: DependencyInstallerOptions) {
    this.#cacheDir = resolve(options.cacheDir);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#log = options.log ?? (() => {});
  }

  /** The content key of a manifest: sha256 over package.json, the lock and the content of every `file:` dependency. */
  async key(manifest: DependencyManifest): Promise<string> {
    return (await this.#plan(manifest)).key;
  }

  /** The absolute path of a folder holding `node_modules` for this manifest, installed first if needed. Concurrent calls for one key share one install. */
  async ensure(manifest: DependencyManifest): Promise<string> {
    const plan = await this.#plan(manifest);
    const running = this.#inflight.get(plan.key);
    if (running) return running;
    const install = this.#install(plan).finally(() => this.#inflight.delete(plan.key));
    this.#inflight.set(plan.key, install);
    return install;
  }

  async #plan(manifest: DependencyManifest): Promise<InstallPlan> {
    const { appDir } = manifest;
    const pkg = parseObject(manifest.packageJson, 'package.json', appDir);
    if (pkg.workspaces !== undefined) throw failure(`package.json in ${appDir}: "workspaces" are not supported in an app`);
    assertNoLocalOverrides(pkg.overrides, 'overrides');
    const targets = new Set<string>();
    const packageJson = await rewriteLocalSpecs(pkg, appDir, 'package.json', targets);
    const key = await contentKey(manifest, targets);
    const finalDir = join(this.#cacheDir, key);
    const hasDependencies = INSTALLED_FIELDS.some((field) => Object.keys(dependencyMap(pkg, field, 'package.json') ?? {}).length > 0);
    if (manifest.packageLock === undefined) return { key, appDir, finalDir, packageJson, hasDependencies };
    // Relative to the final folder: the temporary one beside it has the same depth, so the paths hold after the rename.
    const lock = await relocateLock(parseObject(manifest.packageLock, 'package-lock.json', appDir), appDir, finalDir);
    return { key, appDir, finalDir, packageJson, lock, hasDependencies };
  }

  async #install(plan: InstallPlan): Promise<string> {
    if (await exists(plan.finalDir)) return plan.finalDir;
    const temp = `${plan.finalDir}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await this.#populate(plan, temp);
      await rename(temp, plan.finalDir).catch(async (error: NodeJS.ErrnoException) => {
        // Another process finished the same key first: its folder is as good as ours.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        await rm(temp, { recursive: true, force: true });
      });
      return plan.finalDir;
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      if (error instanceof EdgeError) throw error;
      throw failure(`could not prepare the dependency folder for ${plan.appDir}: ${(error as Error).message}`, error);
    }
  }

  async #populate(plan: InstallPlan, temp: string): Promise<void> {
    await mkdir(temp, { recursive: true });
    await writeFile(join(temp, 'package.json'), `${JSON.stringify(plan.packageJson, null, 2)}\n`);
    if (plan.lock) await writeFile(join(temp, 'package-lock.json'), `${JSON.stringify(plan.lock, null, 2)}\n`);
    if (plan.hasDependencies) await this.#runInstall(plan, temp);
    await mkdir(join(temp, 'node_modules'), { recursive: true });
    await assertLinksInside(temp);
  }

  async #runInstall(plan: InstallPlan, temp: string): Promise<void> {
    const args = npmArgs(plan.lock !== undefined);
    const command = `npm ${args[0]}`;
    const started = Date.now();
    this.#log(`deps: ${command} for ${plan.appDir} (${plan.key.slice(0, 12)})`);
    const outcome = await runNpm(args, temp, this.#timeoutMs).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw failure(`npm was found neither beside node (${npmBesideNode(process.execPath)}) nor on the PATH: it is needed to install the dependencies of ${plan.appDir}`, error);
      throw failure(`${command} could not start for ${plan.appDir}: ${error.message}`, error);
    });
    if (outcome.timedOut) {
      throw failure(`${command} for ${plan.appDir} timed out after ${this.#timeoutMs / 1000} s and was stopped:\n${stderrTail(outcome.stderr)}`);
    }
    if (outcome.code !== 0) {
      const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
      throw failure(`${command} for ${plan.appDir} ${how}:\n${stderrTail(outcome.stderr)}`);
    }
    this.#log(`deps: ${command} for ${plan.appDir} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
