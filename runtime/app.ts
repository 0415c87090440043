/**
 * @module Loads an app from its folder: app.json, package.json, one function per file of functions/, and every other
 * file a function may load, read without ever leaving the folder.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import { functionEnv, secretsFingerprint, type AppEnv } from './app-env.ts';
import { APP_CAPS, listAppFiles, treeHash, type AppFile } from './app-files.ts';
import { parseAppConfig, functionNamePattern, limitsWithin, type AppConfig } from './app-config.ts';
import { defaultOperatorLimits, type OperatorLimits } from './operator-limits.ts';
import type { DependencyManifest } from './deps.ts';
import { EdgeError } from '../base/errors.ts';
import type { InvocationLimits } from './protocol.ts';
import { parseObject } from './package-json.ts';
import { FUNCTION_LANGUAGES } from './app-paths.ts';
import { exposeOpenWhiskMain } from './openwhisk-actions.ts';
import { pinnedTree } from './version-pin.ts';
import { compileTypeScript } from './typescript.ts';

/** A function is a file at the top of functions/; files in its subfolders are the functions' helpers. */
const functionFile = new RegExp(`^functions/[^/]+\\.(?:${FUNCTION_LANGUAGES.join('|')})$`);
const MAX_SOURCE_BYTES = 1024 * 1024;

/** One function of a loaded app, ready to run. */
export interface FunctionSpec {
  name: string;
  /** Where it came from, relative to the app folder, for messages. */
  file: string;
  /** The file as written. */
  source: string;
  /** Hash of the function's name, every file of the app (app.json and its "env" among them, never the secrets) and the app's dependency manifest. */
  version: string;
  idempotent: boolean;
  public: boolean;
  limits: InvocationLimits;
  /** Set when the source could not be compiled; invoking the function reports it. */
  loadError?: string;
}

/** An app as the runtime runs it. */
export interface LoadedApp {
  name: string;
  dir: string;
  /** Content version of the whole app: any change to its files, dependencies, limits or secrets changes it. */
  id: string;
  functions: ReadonlyMap<string, FunctionSpec>;
  /** Every file of the app, sorted by path: what its sandbox holds and its versions cover. */
  files: readonly AppFile[];
  /** app.json as written (validated). */
  config: AppConfig;
  dependencies?: DependencyManifest;
  /** The functions' `process.env`: app.json's "env" with the secrets over it. */
  env: AppEnv;
  /** Files that were passed over, with the reason. */
  warnings: string[];
}

export interface LoadAppOptions {
  limits?: OperatorLimits;
  /** The content key of the dependency manifest (DependencyInstaller.key). */
  dependencyKey: (manifest: DependencyManifest) => Promise<string>;
  /** The app's secrets, kept outside its folder (the cloud's store, a courier's secrets file, `run --secrets`). */
  secrets?: AppEnv;
  /** Its dependencies may come from the npm registry only, at any depth (DependencyManifest.registryOnly). */
  registryOnly?: boolean;
}

function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** Reads a file of the app, refusing anything whose real path lies outside the app folder. */
async function readInside(appDir: string, relative: string, maxBytes = MAX_SOURCE_BYTES): Promise<string | undefined> {
  const path = join(appDir, relative);
  const info = await lstat(path).catch(() => undefined);
  if (!info) return undefined;
  const real = await realpath(path).catch(() => undefined);
  if (!real || !real.startsWith(appDir + sep)) {
    throw new EdgeError('INVALID_APP', `${relative} points outside the app folder; only files inside it are read`);
  }
  // Checked before reading: a huge file would fill memory, and a pipe would block the read for ever.
  const target = await stat(real);
  if (!target.isFile()) throw new EdgeError('INVALID_APP', `${relative} is not a regular file`);
  if (target.size > maxBytes) throw new EdgeError('INVALID_APP', `${relative} is larger than ${maxBytes} bytes`);
  return readFile(real, 'utf8');
}

async function readConfig(appDir: string): Promise<AppConfig> {
  const text = await readInside(appDir, 'app.json');
  return text === undefined ? {} : parseAppConfig(text, 'INVALID_APP');
}

function functionFiles(files: readonly AppFile[], warnings: string[]): Map<string, AppFile> {
  const found = new Map<string, AppFile>();
  for (const file of files.filter((candidate) => functionFile.test(candidate.path))) {
    const name = basename(file.path, extname(file.path));
    if (!functionNamePattern.test(name)) {
      warnings.push(`${file.path}: skipped; a function name starts with a letter and holds only letters, digits, - and _`);
      continue;
    }
    const previous = found.get(name);
    if (previous) throw new EdgeError('INVALID_APP', `function "${name}" is defined twice: ${previous.path} and ${file.path}`);
    found.set(name, file);
  }
  return found;
}

function limitsFor(config: AppConfig, name: string, limits: OperatorLimits): InvocationLimits {
  return limitsWithin(name, config.functions?.[name] ?? {}, limits);
}

async function readManifest(appDir: string, registryOnly: boolean): Promise<DependencyManifest | undefined> {
  const packageJson = await readInside(appDir, 'package.json');
  if (packageJson === undefined) return undefined;
  const packageLock = await readInside(appDir, 'package-lock.json', APP_CAPS.fileBytes);
  return { appDir, packageJson, ...(packageLock !== undefined && { packageLock }), ...(registryOnly && { registryOnly }) };
}

/**
 * Loads the app in `dir`. Throws EdgeError INVALID_APP when the folder or app.json is not usable.
 * @example const app = await loadApp('./apps/shop', { dependencyKey: (m) => installer.key(m) })
 */
export async function loadApp(dir: string, options: LoadAppOptions): Promise<LoadedApp> {
  const limits = options.limits ?? defaultOperatorLimits;
  const appDir = await realpath(dir).catch(() => {
    throw new EdgeError('INVALID_APP', `no app folder at ${dir}`);
  });
  if (!(await lstat(appDir)).isDirectory()) throw new EdgeError('INVALID_APP', `${dir} is not a folder`);
  const warnings: string[] = [];
  const config = await readConfig(appDir);
  const files = await listAppFiles(appDir, (path) => functionFile.test(path) || path.endsWith('.ts'), warnings);
  const sources = functionFiles(files, warnings);
  for (const name of Object.keys(config.functions ?? {})) {
    if (!sources.has(name)) throw new EdgeError('INVALID_APP', `app.json: functions.${name}: there is no functions/${name}.js, .mjs, .cjs or .ts`);
  }
  for (const [name, schedule] of Object.entries(config.schedules ?? {})) {
    if (!sources.has(schedule.function))
      throw new EdgeError('INVALID_APP', `app.json: schedules.${name}.function: there is no function "${schedule.function}"`);
  }
  const dependencies = await readManifest(appDir, options.registryOnly ?? false);
  const depsKey = dependencies ? await options.dependencyKey(dependencies) : '';
  const compileErrors = await compileTypeScript(files);
  const packageType = dependencies && parseObject(dependencies.packageJson, 'package.json', appDir).type;
  exposeOpenWhiskMain(sources.values(), typeof packageType === 'string' ? packageType : undefined);
  // A function can load any file of the app, so its version covers them all: an edited template or helper
  // never serves a stale cache entry.
  const tree = await pinnedTree(appDir, treeHash(files), warnings);
  const functions = new Map<string, FunctionSpec>();
  for (const [name, file] of sources) {
    const own = config.functions?.[name];
    const loadError = compileErrors.get(file.path);
    functions.set(name, {
      name,
      file: file.path,
      source: file.text ?? '',
      version: sha256(name, tree, depsKey),
      idempotent: own?.idempotent ?? false,
      public: own?.public ?? false,
      limits: limitsFor(config, name, limits),
      ...(loadError ? { loadError } : {}),
    });
  }
  // Secrets are in the id only (a sandbox holding old ones must not serve), never in call keys: see docs/security.md.
  const id = sha256(
    basename(appDir),
    depsKey,
    tree,
    secretsFingerprint(options.secrets),
    ...[...functions.values()].map((f) => `${f.name}:${f.limits.timeoutMs}:${f.limits.memoryMb}`),
  );
  const env = functionEnv(config.env, options.secrets);
  return { name: basename(appDir), dir: appDir, id, functions, files, config, ...(dependencies ? { dependencies } : {}), env, warnings };
}
