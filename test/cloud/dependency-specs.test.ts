/**
 * A cloud app's package.json may name registry packages only: URLs, git, GitHub and paths are refused before
 * anything is fetched; and a registry package whose own dependencies name one fails the install, fetching nothing.
 */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, freshEmail, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { sampleFunctions } from '../helpers/cloud-apps.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { startNetworkProbes, type NetworkProbes } from '../helpers/network-probes.ts';
import { tempFolder } from '../helpers/temp.ts';

/** The loopback servers an install might have been pointed at, and every request or connection that reached them. */
let probes: NetworkProbes;
let cloud: TestCloud;
let token: string;
let registry: LocalRegistry;

const httpUrl = (path: string) => probes.httpUrl(path);
const call = (method: string, path: string, body?: unknown) => api(cloud.url, method, `/api/v1${path}`, body, token);

test.before(async () => {
  probes = await startNetworkProbes();
  // Published packages whose own dependencies point at the servers above; the cloud's npm takes this registry from its settings.
  registry = await startLocalRegistry({
    'evil-url': { dependencies: { x: httpUrl('/transitive') } },
    'evil-git': { dependencies: { y: probes.gitUrl('/transitive') } },
  });
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
  cloud = await startTestCloud({ smtp: false });
  const credentials = { email: freshEmail('deps'), password: 'correct horse battery' };
  await api(cloud.url, 'POST', '/api/v1/accounts', credentials);
  const session = (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body.token as string;
  token = (await api(cloud.url, 'POST', '/api/v1/tokens', { name: 'deps' }, session)).body.token as string;
});

test.after.always(async () => {
  await cloud?.close();
  await registry?.close();
  probes?.close();
});

/** A running app with one function and no dependencies, which a refused change must leave as it was. */
async function runningApp(name: string): Promise<string> {
  const id = (await call('POST', '/apps', { name, packageJson: '{"dependencies":{}}' })).body.id as string;
  await call('PUT', `/apps/${id}/functions/echo`, sampleFunctions.echo);
  return id;
}

const refused: Array<[string, () => object, RegExp]> = [
  [
    'an http URL',
    () => ({ dependencies: { a: httpUrl('/healthz') } }),
    /"dependencies" in package.json: "a" \("http:\/\/127\.0\.0\.1:\d+\/healthz"\) is a URL/,
  ],
  [
    'a git URL',
    () => ({ optionalDependencies: { leak: probes.gitUrl('/leak') } }),
    /"optionalDependencies" in package.json: "leak" \(.*\) is a git repository/,
  ],
  ['GitHub shorthand', () => ({ devDependencies: { b: 'user/repo' } }), /"devDependencies" in package.json: "b" \("user\/repo"\) is a hosted git repository/],
  [
    'a github: spec',
    () => ({ peerDependencies: { c: 'github:user/repo' } }),
    /"peerDependencies" in package.json: "c" \("github:user\/repo"\) is a hosted git repository/,
  ],
  ['a file: path', () => ({ dependencies: { d: 'file:../elsewhere' } }), /"d" \("file:..\/elsewhere"\) is a folder on disk/],
  ['a link: path', () => ({ dependencies: { e: 'link:../elsewhere' } }), /"e" \("link:..\/elsewhere"\) is not a spec npm accepts for a registry package/],
  ['a relative path', () => ({ dependencies: { f: './vendor/f' } }), /"f" \(".\/vendor\/f"\) is a folder on disk/],
  ['a tarball', () => ({ dependencies: { g: 'g-1.0.0.tgz' } }), /"g" \("g-1.0.0.tgz"\) is a tarball on disk/],
  [
    'an npm: alias of a URL',
    () => ({ dependencies: { h: `npm:h@${httpUrl('/alias')}` } }),
    /"h" \(.*\) is not a spec npm accepts for a registry package \(aliases only work for registry deps\)/,
  ],
  [
    'an override with a URL',
    () => ({ dependencies: { i: '^1.0.0' }, overrides: { i: { j: httpUrl('/override') } } }),
    /"overrides" in package.json: "overrides.i.j" \(.*\) is a URL/,
  ],
];

for (const [what, pkg, message] of refused) {
  test(`a dependency on ${what} is refused with what is allowed, and nothing is fetched`, async (t) => {
    const id = await runningApp(`deps-${refused.findIndex(([name]) => name === what)}`);
    const packageJson = JSON.stringify(pkg());
    const patched = await call('PATCH', `/apps/${id}`, { packageJson });
    t.is(patched.status, 422);
    t.is(patched.body.error.code, 'DEPENDENCY_NOT_ALLOWED');
    t.regex(patched.body.error.message, message);
    t.regex(
      patched.body.error.message,
      /a cloud app may name registry packages only: a version or range \("\^1\.2\.0"\), a dist-tag \("latest"\), or an npm: alias of one/,
    );
    t.like(await call('POST', '/apps', { name: `new-${id}`, packageJson }), { status: 422, body: { error: { code: 'DEPENDENCY_NOT_ALLOWED' } } });
    // The app keeps its package.json, so starting it installs nothing from the refused spec.
    t.like(await call('POST', `/apps/${id}/start`), { status: 200, body: { status: 'running', packageJson: '{"dependencies":{}}' } });
    t.deepEqual(probes.hits, []);
  });
}

test('registry versions, ranges, dist-tags and npm: aliases are accepted', async (t) => {
  const packageJson = JSON.stringify({
    dependencies: { a: '^1.2.0', b: 'latest', c: 'npm:lodash@^4', d: '1.2.3', e: '' },
    peerDependencies: { f: '*' },
    overrides: { a: '$a', g: { '.': '2.x', h: 'next' } },
  });
  t.like(await call('POST', '/apps', { name: 'registry-only', packageJson }), { status: 201, body: { packageJson } });
});

for (const [what, name, reached] of [
  ['a URL', 'evil-url', () => httpUrl('/transitive')],
  ['a git repository', 'evil-git', () => `the git repository ${probes.gitUrl('/transitive')}`],
] as const) {
  test(`a registry package depending on ${what} makes the start fail, telling the owner, and nothing is fetched`, async (t) => {
    const id = (await call('POST', '/apps', { name: `start-${name}`, packageJson: JSON.stringify({ dependencies: { [name]: '^1.0.0' } }) })).body.id as string;
    await call('PUT', `/apps/${id}/functions/echo`, sampleFunctions.echo);
    const started = await call('POST', `/apps/${id}/start`);
    t.is(started.status, 424);
    t.is(started.body.error.code, 'DEPENDENCY_INSTALL_FAILED');
    t.true(
      started.body.error.message.includes(`a dependency tried to reach something other than the npm registry (${registry.url}): ${reached()}.`),
      started.body.error.message,
    );
    t.true(registry.requests.includes(`GET /${name}`), 'npm did ask the registry');
    t.deepEqual(probes.hits, []);
  });
}

test.serial('an app stored with a URL dependency before the check existed does not install it when started', async (t) => {
  const id = await runningApp('stored-before');
  await cloud.close();
  const file = join(cloud.dataDir, 'cloud.json');
  const data = JSON.parse(await readFile(file, 'utf8'));
  data.apps.find((app: { id: string }) => app.id === id).packageJson = JSON.stringify({ dependencies: { a: httpUrl('/stored') } });
  await writeFile(file, JSON.stringify(data));
  cloud = await startTestCloud({ smtp: false, dataDir: cloud.dataDir });
  const started = await call('POST', `/apps/${id}/start`);
  t.is(started.status, 422);
  t.is(started.body.error.code, 'DEPENDENCY_NOT_ALLOWED');
  t.deepEqual(probes.hits, []);
});
