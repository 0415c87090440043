/** @module Installs an app's npm dependencies on the host, once per content, into a cache folder that sandboxes mount. */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import { assertNoLocalOverrides, isInside, relocateLock, rewriteLocalSpecs } from './local-deps.ts';
import { npmBesideNode } from './npm-cli.ts';
import { npmArgs, runNpm, stderrTail, type NpmOutcome } from './npm-run.ts';
import { dependencyMap, failure, INSTALLED_FIELDS, parseObject, type JsonObject } from './package-json.ts';
import { RegistryConfinement, type ConfinedRun } from './registry-confinement.ts';

/** What an app declares about its dependencies, read from its folder by the app loader. */
export interface DependencyManifest {
  /** Absolute, realpath'd app folder; `file:` dependencies are resolved against it. */
  appDir: string;
  /** Raw text of package.json. */
  packageJson: string;
  /** Raw text of package-lock.json when present. */
  packageLock?: string;
  /**
   * npm may reach the registry only, at any depth: a package whose own dependencies name a URL or a git
   * repository fails the install instead of being fetched (apps whose owner does not own the host).
   */
  registryOnly?: boolean;
}

export interface DependencyInstallerOptions {
  cacheDir: string;
  /** How long one npm run may take; 5 minutes when unset. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Everything an install needs, checked and rewritten so npm only reads what lies inside the app folder. */
interface InstallPlan {
  key: string;
  appDir: string;
  finalDir: string;
  packageJson: JsonObject;
  lock?: JsonObject;
  hasDependencies: boolean;
  registryOnly: boolean;
}

/** Bumped when the install recipe changes, so old cache entries stop matching. */
const KEY_VERSION = 'edgecourier-deps-v1';
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
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

/** The lock alone can make npm link a package instead of copying it; a link leaving the folder would break in the sandbox. */
async function assertLinksInside(installDir: string): Promise<void> {
  const entries = await readdir(join(installDir, 'node_modules'), { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isSymbolicLink()) continue;
    const link = join(entry.parentPath, entry.name);
    const target = resolve(entry.parentPath, await readlink(link));
    if (!isInside(installDir, target)) {
      throw failure(
        `npm installed ${relative(installDir, link)} as a link to ${target}, outside the dependency folder: package-lock.json links it to a folder that package.json does not declare with file:, regenerate the lock with npm install`,
      );
    }
  }
}

function startFailure(error: NodeJS.ErrnoException, command: string, appDir: string): EdgeError {
  if (error.code !== 'ENOENT') return failure(`${command} could not start for ${appDir}: ${error.message}`, error);
  return failure(
    `npm was found neither beside node (${npmBesideNode(process.execPath)}) nor on the PATH: it is needed to install the dependencies of ${appDir}`,
    error,
  );
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
  readonly #confinement: RegistryConfinement;

  constructor(options: DependencyInstallerOptions) {
    this.#cacheDir = resolve(options.cacheDir);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#log = options.log ?? (() => {});
    // Content keys are hex: a dot folder never meets one.
    this.#confinement = new RegistryConfinement(join(this.#cacheDir, '.registry-only'));
  }

  /** The content key of a manifest: sha256 over package.json, the lock and the content of every `file:` dependency. */
  async key(manifest: DependencyManifest): Promise<string> {
    return (await this.#plan(manifest)).key;
  }

  /** The absolute path of a folder holding `node_modules` for this manifest, installed first if needed. Concurrent calls for one key share one install. */
  async ensure(manifest: DependencyManifest): Promise<string> {
    const plan = await this.#plan(manifest);
    // One install serves both rules only once it is done: a confined run must not fail an unconfined one's callers, nor the reverse.
    const running = `${plan.registryOnly ? 'registry-only' : 'any'}:${plan.key}`;
    const shared = this.#inflight.get(running);
    if (shared) return shared;
    const install = this.#install(plan).finally(() => this.#inflight.delete(running));
    this.#inflight.set(running, install);
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
    const registryOnly = manifest.registryOnly === true;
    if (manifest.packageLock === undefined) return { key, appDir, finalDir, packageJson, hasDependencies, registryOnly };
    // Relative to the final folder: the temporary one beside it has the same depth, so the paths hold after the rename.
    const lock = await relocateLock(parseObject(manifest.packageLock, 'package-lock.json', appDir), appDir, finalDir);
    return { key, appDir, finalDir, packageJson, lock, hasDependencies, registryOnly };
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
    this.#log(`deps: ${command} for ${plan.appDir} (${plan.key.slice(0, 12)})${plan.registryOnly ? ', registry only' : ''}`);
    const confined = plan.registryOnly ? await this.#confinement.open() : undefined;
    try {
      const outcome = await runNpm(confined ? [...args, ...confined.args] : args, temp, this.#timeoutMs, confined?.env).catch(
        (error: NodeJS.ErrnoException) => {
          throw startFailure(error, command, plan.appDir);
        },
      );
      this.#judge(outcome, `${command} for ${plan.appDir}`, confined);
      // An optional dependency npm could not fetch is left out, and the install goes on.
      const passedOver = confined?.refusals(outcome.stderr) ?? [];
      if (passedOver.length > 0) this.#log(`deps: ${command} for ${plan.appDir} left out what is not the registry: ${passedOver.join(', ')}`);
    } finally {
      await confined?.close();
    }
    this.#log(`deps: ${command} for ${plan.appDir} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  /** Throws what went wrong with a finished npm run; a refused fetch is said first, as npm's own words for it are a bare 403 or git error. */
  #judge(outcome: NpmOutcome, run: string, confined: ConfinedRun | undefined): void {
    if (outcome.timedOut) throw failure(`${run} timed out after ${this.#timeoutMs / 1000} s and was stopped:\n${stderrTail(outcome.stderr)}`);
    if (outcome.code === 0) return;
    const refused = confined?.refusals(outcome.stderr) ?? [];
    if (refused.length > 0) {
      throw failure(
        `${run} stopped: a dependency tried to reach something other than the npm registry (${confined?.registry.href}): ${refused.join(', ')}. ` +
          `This app's dependencies, and theirs, may come from the registry only: a package whose own dependencies name a URL or a git repository cannot be installed here. npm said:\n${stderrTail(outcome.stderr)}`,
      );
    }
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    throw failure(`${run} ${how}:\n${stderrTail(outcome.stderr)}`);
  }
}
