/**
 * Installs kept to the registry (cloud apps, folder apps hosted for others): a registry package whose own
 * dependencies name a URL or a git repository fails the install, and nothing on the host's network is reached.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import { DependencyInstaller, type DependencyManifest } from '../../runtime/deps.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { startNetworkProbes, type NetworkProbes } from '../helpers/network-probes.ts';
import { tempFolder } from '../helpers/temp.ts';

/** The loopback servers the packages point at, and every request or connection that reached them. */
let probes: NetworkProbes;
let registry: LocalRegistry;

test.before(async () => {
  probes = await startNetworkProbes();
  registry = await startLocalRegistry({
    'evil-url': { dependencies: { x: probes.httpUrl('/x.tgz') } },
    'evil-git': { dependencies: { y: probes.gitUrl('/leak') } },
    'own-url': { dependencies: { z: probes.httpUrl('/own.tgz') } },
    shout: { dependencies: { 'leaf-case': '^1.0.0' }, files: { 'index.js': "module.exports = (s) => require('leaf-case')(s) + '!';" } },
    'leaf-case': { files: { 'index.js': 'module.exports = (s) => s.toUpperCase();' } },
  });
  // How an operator points npm at a mirror, and what the installer reads: npm's own setting. Its own cache, so nothing comes from an earlier run.
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
});

test.after.always(async () => {
  await registry?.close();
  probes?.close();
});

async function install(dependencies: Record<string, string>, registryOnly: boolean): Promise<string> {
  const appDir = await tempFolder('ec-app');
  const manifest: DependencyManifest = { appDir, packageJson: JSON.stringify({ dependencies }), ...(registryOnly && { registryOnly }) };
  return new DependencyInstaller({ cacheDir: await tempFolder('ec-deps') }).ensure(manifest);
}

test('a registry package whose own dependency is a URL fails the install naming the URL, and the URL is never fetched', async (t) => {
  const error = await t.throwsAsync(install({ 'evil-url': '^1.0.0' }, true), { instanceOf: EdgeError });
  t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
  t.regex(
    error?.message ?? '',
    new RegExp(
      `a dependency tried to reach something other than the npm registry \\(${registry.url}\\): ${probes.httpUrl('/x.tgz').replaceAll('.', '\\.')}\\. ` +
        `This app's dependencies, and theirs, may come from the registry only`,
    ),
  );
  t.false(probes.hits.includes('http /x.tgz'), probes.hits.join(', '));
});

test('a registry package whose own dependency is a git repository fails the install naming it, and nothing connects to it', async (t) => {
  const error = await t.throwsAsync(install({ 'evil-git': '^1.0.0' }, true), { instanceOf: EdgeError });
  t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
  t.regex(error?.message ?? '', new RegExp(`something other than the npm registry .*: the git repository ${probes.gitUrl('/leak').replaceAll('.', '\\.')}\\.`));
  t.false(probes.hits.includes('git connection'), probes.hits.join(', '));
});

test('registry packages whose dependencies are registry packages install as usual', async (t) => {
  const dir = await install({ shout: '^1.0.0' }, true);
  t.regex(await readFile(join(dir, 'node_modules', 'shout', 'index.js'), 'utf8'), /leaf-case/);
  t.regex(await readFile(join(dir, 'node_modules', 'leaf-case', 'index.js'), 'utf8'), /toUpperCase/);
  t.true(registry.requests.includes('GET /leaf-case/-/leaf-case-1.0.0.tgz'), 'the tarballs came from the registry');
});

test("without the rule (a folder app on its owner's own courier) npm fetches what the packages name, as before", async (t) => {
  // Also shows the probe would see a fetch, so the tests above that it saw none mean something.
  await t.throwsAsync(install({ 'own-url': '^1.0.0' }, false), { instanceOf: EdgeError });
  t.true(probes.hits.includes('http /own.tgz'), probes.hits.join(', '));
});
