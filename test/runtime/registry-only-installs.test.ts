/**
 * Installs kept to the registry (cloud apps, folder apps hosted for others): a registry package whose own
 * dependencies name a URL or a git repository fails the install, and nothing on the host's network is reached.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { EdgeError } from '../../base/errors.ts';
import { DependencyInstaller, type DependencyManifest } from '../../runtime/deps.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { tempFolder } from '../helpers/temp.ts';

/** Every request or connection that reached the loopback servers the packages point at. */
const hits: string[] = [];
let probe: Server;
let git: Server;
let registry: LocalRegistry;

const portOf = (server: Server) => (server.address() as AddressInfo).port;

test.before(async () => {
  probe = createHttpServer((req, res) => {
    hits.push(`http ${req.url}`);
    res.writeHead(404).end();
  }).listen(0, '127.0.0.1') as unknown as Server;
  git = createTcpServer((socket) => {
    hits.push('git connection');
    socket.destroy();
  }).listen(0, '127.0.0.1');
  await Promise.all([probe, git].map((server) => new Promise((resolve) => server.once('listening', resolve))));
  registry = await startLocalRegistry({
    'evil-url': { dependencies: { x: `http://127.0.0.1:${portOf(probe)}/x.tgz` } },
    'evil-git': { dependencies: { y: `git://127.0.0.1:${portOf(git)}/leak` } },
    'own-url': { dependencies: { z: `http://127.0.0.1:${portOf(probe)}/own.tgz` } },
    shout: { dependencies: { 'leaf-case': '^1.0.0' }, files: { 'index.js': "module.exports = (s) => require('leaf-case')(s) + '!';" } },
    'leaf-case': { files: { 'index.js': 'module.exports = (s) => s.toUpperCase();' } },
  });
  // How an operator points npm at a mirror, and what the installer reads: npm's own setting. Its own cache, so nothing comes from an earlier run.
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
});

test.after.always(async () => {
  await registry?.close();
  probe?.close();
  git?.close();
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
      `a dependency tried to reach something other than the npm registry \\(${registry.url}\\): http://127\\.0\\.0\\.1:${portOf(probe)}/x\\.tgz\\. ` +
        `This app's dependencies, and theirs, may come from the registry only`,
    ),
  );
  t.false(hits.includes('http /x.tgz'), hits.join(', '));
});

test('a registry package whose own dependency is a git repository fails the install naming it, and nothing connects to it', async (t) => {
  const error = await t.throwsAsync(install({ 'evil-git': '^1.0.0' }, true), { instanceOf: EdgeError });
  t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
  t.regex(error?.message ?? '', new RegExp(`something other than the npm registry .*: the git repository git://127\\.0\\.0\\.1:${portOf(git)}/leak\\.`));
  t.false(hits.includes('git connection'), hits.join(', '));
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
  t.true(hits.includes('http /own.tgz'), hits.join(', '));
});
