/**
 * @module Keeps one npm run to the registry: npm's proxies set to a registry guard of its own, none of the
 * host's proxy settings in the way, and git replaced by a stand-in that fails naming the repository, so a
 * package whose own dependencies name a URL or a git repository makes npm fail instead of fetch it.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PROXY_ENV, readNpmNetwork, type NpmNetwork } from './npm-network.ts';
import { startRegistryGuard } from './registry-guard.ts';

/** One npm run kept to the registry: give npm `args` and `env`, then close it. */
export interface ConfinedRun {
  registry: URL;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** What the run tried to reach besides the registry (URLs the guard refused, git repositories), given npm's stderr. */
  refusals(stderr: string): string[];
  close(): Promise<void>;
}

/** How the stand-in for git starts its line, so the repository can be read back from npm's output. */
const NO_GIT = 'edgecourier-no-git:';
const MAX_REPOS = 10;

/** A node script npm runs as git: the kernel reads its first line, so it needs neither a shell nor `env`. */
function noGitScript(): string {
  return `#!${process.execPath}
// Stands in for git in npm runs kept to the registry (edgecourier's runtime/registry-confinement.ts).
const args = process.argv.slice(2);
const repo = args.find((arg) => /^[a-z][a-z0-9+.-]*:\\/\\/|^[^\\s@/]+@[^\\s:/]+:/i.test(arg)) ?? args.join(' ');
process.stderr.write('${NO_GIT} ' + repo + ' (git is not available to this install: it may reach the npm registry only)\\n');
process.exitCode = 128;
`;
}

/** Written beside and renamed into place, so a run never finds half a script. */
async function writeNoGit(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'no-git.cjs');
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temp, noGitScript());
  await chmod(temp, 0o755);
  await rename(temp, path);
  return path;
}

function gitRepos(stderr: string): string[] {
  const repos = [...stderr.matchAll(new RegExp(`${NO_GIT} (\\S{1,200})`, 'g'))].map((match) => `the git repository ${match[1]}`);
  return [...new Set(repos)].slice(0, MAX_REPOS);
}

/** A child environment without the proxy variables npm reads, which would otherwise pick its way past the guard. */
function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !PROXY_ENV.has(key.toLowerCase())));
}

/** A failed look is tried again by the next run: npm may have been installed, or its settings fixed, meanwhile. */
function forgottenOnFailure<T>(promise: Promise<T>, forget: () => void): Promise<T> {
  promise.catch(forget);
  return promise;
}

/**
 * Opens confined npm runs: the host's registry and proxy are read once, the git stand-in written once into
 * `toolsDir`, and each run gets a guard of its own, so what it refused is its own.
 * @example const run = await confinement.open(); await runNpm([...args, ...run.args], dir, ms, run.env); await run.close()
 */
export class RegistryConfinement {
  readonly #toolsDir: string;
  #network?: Promise<NpmNetwork>;
  #noGit?: Promise<string>;

  constructor(toolsDir: string) {
    this.#toolsDir = toolsDir;
  }

  async open(): Promise<ConfinedRun> {
    const [network, git] = await Promise.all([
      (this.#network ??= forgottenOnFailure(
        mkdir(this.#toolsDir, { recursive: true }).then(() => readNpmNetwork(this.#toolsDir)),
        () => (this.#network = undefined),
      )),
      (this.#noGit ??= forgottenOnFailure(writeNoGit(this.#toolsDir), () => (this.#noGit = undefined))),
    ]);
    const guard = await startRegistryGuard(network.registry, network.upstream);
    return {
      registry: network.registry,
      // Both proxies: npm takes https-proxy, else proxy, for every URL. An empty noproxy lets nothing past the guard.
      args: [`--registry=${network.registry.href}`, `--proxy=${guard.url}`, `--https-proxy=${guard.url}`, '--noproxy=', `--git=${git}`],
      env: withoutProxies(process.env),
      refusals: (stderr) => [...guard.refused, ...gitRepos(stderr)],
      close: () => guard.close(),
    };
  }
}
