/**
 * @module Where this host's npm fetches packages: its registry, and the proxy it reaches that registry through,
 * read from npm's own settings and the environment, so that an install kept to the registry uses the same ones.
 */
import { failure } from './package-json.ts';
import { runNpm, stderrTail } from './npm-run.ts';

export interface NpmNetwork {
  registry: URL;
  /** The host's proxy towards the registry, when npm would use one. */
  upstream?: URL;
}

/** The settings of npm's that decide where it connects ("null" when unset, as `npm config get` prints it). */
export type NpmProxySettings = Partial<Record<'https-proxy' | 'proxy' | 'noproxy', string>>;

const KEYS = ['registry', 'https-proxy', 'proxy', 'noproxy'] as const;
const CONFIG_TIMEOUT_MS = 60_000;

/** Environment variables npm reads a proxy from, whatever their case; a run kept to the registry gets none of them. */
export const PROXY_ENV = new Set(['https_proxy', 'http_proxy', 'proxy', 'no_proxy']);

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const found = Object.entries(env).find(([key, value]) => key.toLowerCase() === name && value);
  return found?.[1];
}

/** Whether `host` falls under a NO_PROXY-style list ("corp.example,localhost"), by npm's rule: whole labels from the right. */
function bypassed(host: string, noProxy: string): boolean {
  const labels = host.split('.').reverse();
  return noProxy
    .split(',')
    .map((entry) => entry.trim().split('.').filter(Boolean).reverse())
    .some((entry) => entry.length > 0 && entry.every((label, i) => labels[i] === label));
}

/**
 * The proxy npm itself would reach `registry` through: its https-proxy or proxy setting, else HTTPS_PROXY (and,
 * for an http registry, HTTP_PROXY or PROXY) from the environment, unless noproxy (or NO_PROXY) names the host.
 * @example upstreamProxy(new URL('https://registry.npmjs.org/'), {}, { HTTPS_PROXY: 'http://proxy.corp:3128' })
 */
export function upstreamProxy(registry: URL, settings: NpmProxySettings, env: NodeJS.ProcessEnv): URL | undefined {
  const set = (value: string | undefined) => (value && value !== 'null' && value !== 'false' ? value : undefined);
  const fromEnv =
    registry.protocol === 'https:' ? envValue(env, 'https_proxy') : (envValue(env, 'https_proxy') ?? envValue(env, 'http_proxy') ?? envValue(env, 'proxy'));
  const proxy = set(settings['https-proxy']) ?? set(settings.proxy) ?? fromEnv;
  if (!proxy || bypassed(registry.hostname, set(settings.noproxy) ?? envValue(env, 'no_proxy') ?? '')) return undefined;
  try {
    const url = new URL(proxy);
    if (url.protocol === 'http:') return url;
  } catch {
    // Said below, as for any other kind.
  }
  throw failure(`npm's proxy setting (${proxy}) is not an http: URL, which is the only kind of proxy installs kept to the registry can go through`);
}

/**
 * The registry and proxy npm uses on this host: `npm config get` run in `cwd`, so npm's config files and
 * npm_config_* variables count as they will for the install.
 */
export async function readNpmNetwork(cwd: string): Promise<NpmNetwork> {
  const outcome = await runNpm(['config', 'get', ...KEYS], cwd, CONFIG_TIMEOUT_MS).catch((error: Error) => {
    throw failure(`npm could not start to read its registry setting: ${error.message}`, error);
  });
  if (outcome.code !== 0) throw failure(`npm config get ${KEYS.join(' ')} failed:\n${stderrTail(outcome.stderr)}`);
  const settings = Object.fromEntries(
    outcome.stdout
      .split('\n')
      .map((line) => line.match(/^([\w-]+)=(.*)$/))
      .filter((match) => match !== null)
      .map((match) => [match[1], match[2].trim()]),
  ) as NpmProxySettings & { registry?: string };
  let registry: URL;
  try {
    registry = new URL(settings.registry ?? '');
  } catch {
    throw failure(`npm's registry setting (${JSON.stringify(settings.registry)}) is not a URL`);
  }
  if (registry.protocol !== 'https:' && registry.protocol !== 'http:') throw failure(`npm's registry (${registry.href}) is not an http: or https: URL`);
  const upstream = upstreamProxy(registry, settings, process.env);
  return upstream ? { registry, upstream } : { registry };
}
