/**
 * @module The dependency rule of apps whose author does not own the host: registry packages only, read with npm's
 * own spec parser, so that no URL, git repository or path is ever fetched or read by an install.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { EdgeError } from '../base/errors.ts';
import type { DependencyManifest } from './deps.ts';
import { isInside } from './local-deps.ts';
import { findNpmCli, npmBesideNode } from './npm-cli.ts';
import { dependencyMap, failure, isObject, parseObject, type JsonObject } from './package-json.ts';

/** What npm-package-arg tells of a spec; only the fields read here. */
interface ParsedSpec {
  type: 'git' | 'remote' | 'file' | 'directory' | 'range' | 'version' | 'tag' | 'alias';
  hosted?: unknown;
  subSpec?: ParsedSpec;
  /** For a path: where it points, resolved against the folder given to resolve(). */
  fetchSpec?: string;
}

/** A dependency as package.json names it, for messages, and what npm makes of its spec. */
interface NamedSpec {
  named: string;
  parsed: ParsedSpec;
}

type SpecParser = { resolve(name: string, spec: string, where?: string): ParsedSpec };

/** Every field whose specs npm installs or fetches; devDependencies too, as npm resolves their tree even when it omits them. */
const SPEC_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'devDependencies'] as const;
const REGISTRY_TYPES = new Set<ParsedSpec['type']>(['range', 'version', 'tag']);
/** file: packages, which the installer takes from inside the app folder only (local-deps.ts). */
const APP_FILE_TYPES = new Set<ParsedSpec['type']>(['file', 'directory']);
const REGISTRY = 'a version or range ("^1.2.0"), a dist-tag ("latest"), or an npm: alias of one ("npm:lodash@^4")';

/** Whose dependency rule applies: a cloud app's, or a folder app's on a fleet courier, which may also ship packages in its folder. */
export type DependencyRule = 'registry' | 'registry-and-app-files';

const allowed = (rule: DependencyRule) =>
  rule === 'registry'
    ? `a cloud app may name registry packages only: ${REGISTRY}`
    : `an app served by a fleet courier may name registry packages (${REGISTRY}) and file: packages inside the app folder only`;

let parser: Promise<SpecParser> | undefined;

/** npm-package-arg of the npm that installs, so that what is checked here is what that npm will do. */
function specParser(): Promise<SpecParser> {
  parser ??= findNpmCli().then((cli) => {
    if (!cli)
      throw failure(`npm was found neither beside node (${npmBesideNode(process.execPath)}) nor on the PATH: it is needed to check and install dependencies`);
    return createRequire(join(dirname(cli), '..', 'package.json'))('npm-package-arg') as SpecParser;
  });
  // npm installed after a failed look is found by the next one.
  parser.catch(() => (parser = undefined));
  return parser;
}

function kind(parsed: ParsedSpec): string {
  if (parsed.type === 'git') return parsed.hosted ? 'a hosted git repository' : 'a git repository';
  if (parsed.type === 'remote') return 'a URL';
  if (parsed.type === 'file') return 'a tarball on disk';
  if (parsed.type === 'directory') return 'a folder on disk';
  return 'not a registry package';
}

/** Dependency names were checked already, and override keys hold selectors ("a@1"): the name given npm is fixed. */
function check(npa: SpecParser, rule: DependencyRule, where: string, name: string, spec: string, base?: string): ParsedSpec {
  const refuse = (what: string) => new EdgeError('DEPENDENCY_NOT_ALLOWED', `${where}: "${name}" (${JSON.stringify(spec)}) is ${what}; ${allowed(rule)}`);
  let parsed: ParsedSpec;
  try {
    parsed = npa.resolve('package', spec, base);
  } catch (error) {
    throw refuse(`not a spec npm accepts for a registry package (${(error as Error).message})`);
  }
  const target = parsed.type === 'alias' ? parsed.subSpec : parsed;
  const fits = (type: ParsedSpec['type']) =>
    REGISTRY_TYPES.has(type) || (rule === 'registry-and-app-files' && APP_FILE_TYPES.has(type) && parsed.type !== 'alias');
  if (!target || !fits(target.type)) throw refuse(target ? kind(target) : 'an alias of nothing');
  return parsed;
}

/** Spec strings of "overrides", which nest; "$name" refers to a dependency's own spec, checked with the dependencies. */
function overrideSpecs(value: unknown, path: string, out: Array<[string, string]>): void {
  if (typeof value === 'string') {
    if (!value.startsWith('$')) out.push([path, value]);
  } else if (isObject(value)) {
    for (const [key, nested] of Object.entries(value)) overrideSpecs(nested, key === '.' ? path : `${path}.${key}`, out);
  } else {
    throw new EdgeError('DEPENDENCY_NOT_ALLOWED', `"overrides" in package.json: ${path} must be a spec string or an object of them`);
  }
}

/**
 * Refuses a package.json naming anything but registry packages (and, by the second rule, file: packages),
 * before anything is installed: no URL or git repository is ever fetched on the host's network.
 * @example await assertRegistryOnly('{"dependencies":{"lodash":"^4"}}')
 */
export async function assertRegistryOnly(packageJson: string, rule: DependencyRule = 'registry', file = 'package.json', base?: string): Promise<NamedSpec[]> {
  const pkg: JsonObject = parseObject(packageJson, file, 'the app');
  const specs: Array<[string, string, string]> = [];
  for (const field of SPEC_FIELDS) {
    for (const [name, spec] of Object.entries(dependencyMap(pkg, field, file) ?? {})) specs.push([`"${field}" in ${file}`, name, spec]);
  }
  const overrides: Array<[string, string]> = [];
  if (pkg.overrides !== undefined) overrideSpecs(pkg.overrides, 'overrides', overrides);
  for (const [path, spec] of overrides) specs.push([`"overrides" in ${file}`, path, spec]);
  if (specs.length === 0) return [];
  const npa = await specParser();
  return specs.map(([where, name, spec]) => ({ named: `"${name}" (${JSON.stringify(spec)})`, parsed: check(npa, rule, where, name, spec, base) }));
}

/** The npm registry's tarballs: the only remote place a lock may send npm to from a fleet courier's host. */
const REGISTRY_TARBALL = /^https:\/\/registry\.npmjs\.org\//;

/**
 * The dependencies of a folder app on a fleet courier, whose host is not its owner's: its package.json by
 * the rule; the package.json of each file: package in it, since npm installs their dependencies too, by
 * registry packages only; no file: tarball, whose dependencies cannot be read before npm does; and a lock
 * that sends npm nowhere but to the registry's tarballs and the app's own folders.
 */
export async function assertFleetDependencies(manifest: DependencyManifest): Promise<void> {
  const local = await assertRegistryOnly(manifest.packageJson, 'registry-and-app-files', 'package.json', manifest.appDir);
  for (const { named, parsed } of local) {
    if (parsed.type === 'file') {
      throw new EdgeError(
        'DEPENDENCY_NOT_ALLOWED',
        `package.json: ${named} is a tarball, whose own dependencies cannot be checked before npm fetches them; unpack it into a folder of the app and name that folder`,
      );
    }
    if (parsed.type !== 'directory' || !parsed.fetchSpec) continue;
    const dir = resolve(manifest.appDir, parsed.fetchSpec);
    // A folder outside the app is refused where dependencies are installed (local-deps.ts); nothing of it is read here.
    if (!isInside(manifest.appDir, dir)) continue;
    const text = await readFile(join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) await assertRegistryOnly(text, 'registry', `the package.json of ${named}`);
  }
  if (manifest.packageLock === undefined) return;
  const { packages } = parseObject(manifest.packageLock, 'package-lock.json', 'the app');
  for (const [key, entry] of Object.entries(isObject(packages) ? packages : {})) {
    const resolved = isObject(entry) ? entry.resolved : undefined;
    if (typeof resolved !== 'string' || /^file:/i.test(resolved) || !/^[a-z][a-z+.-]*:/i.test(resolved) || REGISTRY_TARBALL.test(resolved)) continue;
    throw new EdgeError(
      'DEPENDENCY_NOT_ALLOWED',
      `package-lock.json: "resolved" of "${key}" (${JSON.stringify(resolved)}) is not a tarball of the npm registry (https://registry.npmjs.org/); ${allowed('registry-and-app-files')}`,
    );
  }
}
