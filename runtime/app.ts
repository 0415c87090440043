/** @module Loads an app from its folder: app.json, package.json and one function per file, read without ever leaving the folder. */
import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, sep } from 'node:path';
import { appConfigSchema, defaultOperatorLimits, functionNamePattern, limitsWithin, type AppConfig, type OperatorLimits } from './app-config.ts';
import type { DependencyManifest } from './deps.ts';
import { EdgeError } from '../base/errors.ts';
import type { InvocationLimits } from './protocol.ts';
import { describeIssues } from '../base/zod-issues.ts';

const FUNCTION_EXTENSIONS = ['.js', '.mjs', '.ts'];
const MAX_SOURCE_BYTES = 1024 * 1024;

/** One function of a loaded app, ready to run. */
export interface FunctionSpec {
  name: string;
  /** Where it came from, relative to the app folder, for messages. */
  file: string;
  /** The file as written. */
  source: string;
  /** The ES module as it runs: TypeScript is already compiled. */
  code: string;
  /** Hash of the function's source and the app's dependency manifest. */
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
  /** Content version of the whole app: any change to code, dependencies or limits changes it. */
  id: string;
  functions: ReadonlyMap<string, FunctionSpec>;
  /** app.json as written (validated). */
  config: AppConfig;
  dependencies?: DependencyManifest;
  /** Files that were passed over, with the reason. */
  warnings: string[];
}

export interface LoadAppOptions {
  limits?: OperatorLimits;
  /** The content key of the dependency manifest (DependencyInstaller.key). */
  dependencyKey: (manifest: DependencyManifest) => Promise<string>;
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
  if (text === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EdgeError('INVALID_APP', `app.json is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = appConfigSchema.safeParse(json);
  if (!parsed.success) throw new EdgeError('INVALID_APP', describeIssues('app.json', parsed.error));
  return parsed.data;
}

async function listFunctionFiles(appDir: string, warnings: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const real = await realpath(join(appDir, 'functions')).catch(() => undefined);
  if (!real) return files;
  if (!real.startsWith(appDir + sep)) throw new EdgeError('INVALID_APP', 'functions/ points outside the app folder');
  for (const entry of (await readdir(real, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const ext = extname(entry.name);
    if (entry.name.startsWith('.') || !FUNCTION_EXTENSIONS.includes(ext) || entry.isDirectory()) continue;
    const name = basename(entry.name, ext);
    if (!functionNamePattern.test(name)) {
      warnings.push(`functions/${entry.name}: skipped; a function name starts with a letter and holds only letters, digits, - and _`);
      continue;
    }
    const previous = files.get(name);
    if (previous) throw new EdgeError('INVALID_APP', `function "${name}" is defined twice: ${previous} and functions/${entry.name}`);
    files.set(name, `functions/${entry.name}`);
  }
  return files;
}

/**
 * A function's version hashes only its own source, so it must not import other files of the app: an
 * edit there would leave stale cache entries. Shared code belongs in a local package.
 */
const relativeImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]\.{1,2}\//;

async function compile(file: string, source: string): Promise<{ code: string; loadError?: string }> {
  if (relativeImport.test(source)) {
    return {
      code: '',
      loadError: `${file} imports another file of the app; a function file must be self-contained: put shared code in a local package ("dependencies": { "shared": "file:./shared" })`,
    };
  }
  if (!file.endsWith('.ts')) return { code: source };
  // Loaded only for TypeScript: esbuild takes a tenth of a second to load, which an app of JavaScript does without.
  const { transform } = await import('esbuild');
  try {
    return { code: (await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file })).code };
  } catch (error) {
    return { code: '', loadError: `${file} does not compile: ${(error as Error).message}` };
  }
}

function limitsFor(config: AppConfig, name: string, limits: OperatorLimits): InvocationLimits {
  return limitsWithin(name, config.functions?.[name] ?? {}, limits);
}

async function readManifest(appDir: string): Promise<DependencyManifest | undefined> {
  const packageJson = await readInside(appDir, 'package.json');
  if (packageJson === undefined) return undefined;
  const packageLock = await readInside(appDir, 'package-lock.json', 64 * MAX_SOURCE_BYTES);
  return packageLock === undefined ? { appDir, packageJson } : { appDir, packageJson, packageLock };
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
  const files = await listFunctionFiles(appDir, warnings);
  for (const name of Object.keys(config.functions ?? {})) {
    if (!files.has(name)) throw new EdgeError('INVALID_APP', `app.json: functions.${name}: there is no functions/${name}.js, .mjs or .ts`);
  }
  const dependencies = await readManifest(appDir);
  const depsKey = dependencies ? await options.dependencyKey(dependencies) : '';
  const functions = new Map<string, FunctionSpec>();
  for (const [name, file] of files) {
    const source = (await readInside(appDir, file)) ?? '';
    const compiled = await compile(file, source);
    const own = config.functions?.[name];
    functions.set(name, {
      name,
      file,
      source,
      ...compiled,
      version: sha256(name, source, depsKey),
      idempotent: own?.idempotent ?? false,
      public: own?.public ?? false,
      limits: limitsFor(config, name, limits),
    });
  }
  const id = sha256(basename(appDir), depsKey, ...[...functions.values()].map((f) => `${f.version}:${f.limits.timeoutMs}:${f.limits.memoryMb}`));
  return { name: basename(appDir), dir: appDir, id, functions, config, ...(dependencies ? { dependencies } : {}), warnings };
}
