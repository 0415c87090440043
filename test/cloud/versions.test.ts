/**
 * Versions over HTTP on real Docker: every change of an app makes one, named by its content; endpoints serve the
 * active one, a rollback makes an older one active at once (warm, its dependencies not installed again), frozen and
 * active ones are never deleted, retention keeps a bounded number, and a restarted cloud keeps them all.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { api } from '../helpers/cloud.ts';
import { deployFiles, newUser, startDockerCloud, type DockerCloud } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';

/** What the executor logged: its dependency installs among it. */
const executorLog: string[] = [];

const cloud = useCloud(test, { docker: true, log: (line) => executorLog.push(line) });

const appName = () => `versioned-${randomBytes(4).toString('hex')}`;

/** An app answering which version it is at POST /which, with a data file and a binary file that change with it. */
const release = (which: string) => ({
  'app.json': JSON.stringify({ endpoints: [{ method: 'POST', path: '/which', function: 'which', public: true }] }),
  'functions/which.js': `export default () => ${JSON.stringify(which)};\n`,
  'data/note.txt': `note of ${which}\n`,
  'assets/blob.bin': Buffer.concat([Buffer.from([0, 255, 7]), Buffer.from(which)]),
});

/** Requests to the cloud at `url` as the user of `as`. */
function user(url: string, as: string) {
  const call = (method: string, path: string, body?: unknown) => api(url, method, `/api/v1${path}`, body, as);
  return {
    call,
    /** Deploys and answers the app; throws unless the deploy succeeded. */
    async deploy(name: string, files: Record<string, string | Uint8Array>, extra: { tag?: string; message?: string } = {}) {
      const answer = await deployFiles(url, as, name, files, extra);
      if (answer.status >= 300) throw new Error(`deploying answered ${answer.status}: ${answer.text}`);
      return answer.body;
    },
    versionsOf: async (appId: string) => (await call('GET', `/apps/${appId}/versions`)).body.versions as any[],
    /** What the app's public endpoint answers. */
    which: async (appId: string) => (await api(url, 'POST', `/run/${appId}/which`, {})).body.output,
    /** The bytes of a version's file. */
    async versionFile(appId: string, version: string, path: string) {
      const response = await fetch(`${url}/api/v1/apps/${appId}/versions/${version}/files/${encodeURIComponent(path)}`, {
        headers: { authorization: `Bearer ${as}` },
      });
      return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
    },
  };
}

const owner = () => user(cloud.url, cloud.token);

test('two deploys make two versions, the endpoint answers the newer, and a rollback answers the older from the next call', async (t) => {
  const { call, deploy, versionsOf, which } = owner();
  const name = appName();
  const app = await deploy(name, release('v1'), { tag: '1.0.0', message: 'first release' });
  t.is((await call('POST', `/apps/${app.id}/start`)).status, 200);
  t.is(await which(app.id), 'v1');
  await deploy(name, release('v2'), { tag: '2.0.0' });
  t.is(await which(app.id), 'v2');

  const versions = await versionsOf(app.id);
  t.like(versions, [
    { tag: '2.0.0', active: true, frozen: false, message: 'changed assets/blob.bin, data/note.txt, functions/which.js' },
    { tag: '1.0.0', active: false, message: 'first release' },
  ]);
  t.is(versions.length, 2);

  const activated = await call('POST', `/apps/${app.id}/versions/1.0.0/activate`);
  t.is(activated.status, 200, activated.text);
  t.like(activated.body, { id: versions[1].id, tag: '1.0.0', active: true });
  t.is(await which(app.id), 'v1', 'the first call after the rollback answers from the older version');
  t.is((await call('GET', `/apps/${app.id}`)).body.activeVersion, versions[1].id);
  t.is((await call('GET', `/apps/${app.id}/files/data%2Fnote.txt`)).text, 'note of v1\n');
  t.deepEqual(
    (await versionsOf(app.id)).map((version) => [version.tag, version.active]),
    [
      ['2.0.0', false],
      ['1.0.0', true],
    ],
    'a rollback makes no new version',
  );
  t.like((await call('POST', `/apps/${app.id}/functions/which/invoke`, {})).body, { output: 'v1' }, 'test-invokes serve the active version too');
});

test('deploying the same files again makes no new version; with a tag it names the version they are', async (t) => {
  const { call, deploy, versionsOf } = owner();
  const name = appName();
  const app = await deploy(name, release('same'));
  const [first] = await versionsOf(app.id);
  await deploy(name, release('same'));
  t.deepEqual(
    (await versionsOf(app.id)).map((version) => version.id),
    [first.id],
  );
  await deploy(name, release('same'), { tag: 'stable' });
  t.like(await versionsOf(app.id), [{ id: first.id, tag: 'stable' }]);
  t.like((await call('GET', `/apps/${app.id}/versions/stable`)).body, { id: first.id, tag: 'stable', active: true });

  const taken = await deployFiles(cloud.url, cloud.token, name, release('other'), { tag: 'stable' });
  t.is(taken.status, 409, taken.text);
  t.is(taken.body.error.code, 'TAG_TAKEN');
  t.is(
    await (
      await call('GET', `/apps/${app.id}/files/functions%2Fwhich.js`)
    ).text,
    release('same')['functions/which.js'],
    'the refused deploy changed nothing',
  );
  t.is((await versionsOf(app.id)).length, 1);
  for (const bad of ['a b', '-dash', 'deadbeef12']) {
    const refused = await deployFiles(cloud.url, cloud.token, name, release('other'), { tag: bad });
    t.is(refused.status, 400, `${bad}: ${refused.text}`);
    t.is(refused.body.error.code, 'INVALID_INPUT');
  }
});

test('a version is named by its tag, its id or the first 7 or more digits of it; a version it does not have is VERSION_NOT_FOUND', async (t) => {
  const { call, deploy, versionsOf } = owner();
  const name = appName();
  const app = await deploy(name, release('named'), { tag: 'v-named' });
  const [version] = await versionsOf(app.id);
  for (const ref of ['v-named', version.id, version.id.slice(0, 7)]) t.like((await call('GET', `/apps/${app.id}/versions/${ref}`)).body, { id: version.id });
  for (const ref of ['v-other', version.id.slice(0, 6), 'f'.repeat(64)]) {
    const missing = await call('GET', `/apps/${app.id}/versions/${ref}`);
    t.is(missing.status, 404, ref);
    t.is(missing.body.error.code, 'VERSION_NOT_FOUND');
  }
  const shown = (await call('GET', `/apps/${app.id}/versions/v-named`)).body;
  t.deepEqual(
    shown.files.map((file: any) => file.path),
    ['app.json', 'assets/blob.bin', 'data/note.txt', 'functions/which.js'],
  );
  t.like(shown, { packageJson: null, dependencies: { outcome: 'none' }, runtime: { node: process.version, arch: process.arch } });
  t.is(
    shown.size,
    shown.files.reduce((sum: number, file: any) => sum + file.size, 0),
  );
});

test('each change made through the API makes a version saying what changed and who changed it; secrets, starts and stops make none', async (t) => {
  const { call, versionsOf } = owner();
  const app = (await call('POST', '/apps', { name: appName() })).body;
  await call('PUT', `/apps/${app.id}/functions/greet`, { code: 'export default () => "hi";' });
  await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/files/templates%2Fpage.html`, '<p>hi</p>', cloud.token);
  await call('POST', `/apps/${app.id}/endpoints`, { method: 'POST', path: '/greet', function: 'greet' });
  await call('PATCH', `/apps/${app.id}`, { packageJson: '{"dependencies":{}}' });
  await call('DELETE', `/apps/${app.id}/files/templates%2Fpage.html`);
  await call('PUT', `/apps/${app.id}/secrets/KEY`, { value: 'hidden' });
  await call('POST', `/apps/${app.id}/start`);
  await call('POST', `/apps/${app.id}/stop`);
  const { email } = (await call('GET', '/me')).body.user;
  const versions = await versionsOf(app.id);
  t.deepEqual(
    versions.map((version) => version.message),
    [
      'removed templates/page.html',
      'added package.json',
      'changed app.json',
      'added templates/page.html',
      'changed app.json; added functions/greet.js',
      "the app's first version: 1 file",
    ],
  );
  t.true(versions.every((version) => version.author === email));
  t.is(versions[0].id, (await call('GET', `/apps/${app.id}`)).body.activeVersion);
});

test('a version keeps its files byte for byte after the app changes or deletes them', async (t) => {
  const { call, versionsOf, versionFile } = owner();
  const app = (await call('POST', '/apps', { name: appName() })).body;
  // Through the file routes, which hold no bytes past the change (a deploy's uploads are held for an hour).
  const put = (path: string, bytes: string | Uint8Array) =>
    fetch(`${cloud.url}/api/v1/apps/${app.id}/files/${encodeURIComponent(path)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cloud.token}` },
      body: bytes,
    });
  const kept = release('kept');
  await put('assets/blob.bin', kept['assets/blob.bin']);
  await put('functions/which.js', kept['functions/which.js']);
  const [old] = await versionsOf(app.id);
  await put('assets/blob.bin', release('newer')['assets/blob.bin']);
  await put('functions/which.js', release('newer')['functions/which.js']);
  t.is((await call('DELETE', `/apps/${app.id}/files/assets%2Fblob.bin`)).status, 204);
  t.deepEqual((await versionFile(app.id, old.id, 'assets/blob.bin')).bytes, kept['assets/blob.bin']);
  t.is((await versionFile(app.id, old.id, 'functions/which.js')).bytes.toString(), kept['functions/which.js']);
  const missing = await versionFile(app.id, old.id, 'data/none.txt');
  t.is(missing.status, 404);
  t.like(JSON.parse(missing.bytes.toString()), { error: { code: 'FILE_NOT_FOUND' } });
});

test('frozen versions and the active one are never deleted; any other is', async (t) => {
  const { call, deploy, versionsOf } = owner();
  const name = appName();
  const app = await deploy(name, release('old'));
  await deploy(name, release('new'));
  const [active, old] = await versionsOf(app.id);
  const refused = await call('DELETE', `/apps/${app.id}/versions/${active.id}`);
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'VERSION_ACTIVE');
  t.like((await call('PATCH', `/apps/${app.id}/versions/${old.id}`, { frozen: true })).body, { id: old.id, frozen: true });
  const frozen = await call('DELETE', `/apps/${app.id}/versions/${old.id}`);
  t.is(frozen.status, 409);
  t.is(frozen.body.error.code, 'VERSION_FROZEN');
  t.is((await versionsOf(app.id)).length, 2);
  t.like((await call('PATCH', `/apps/${app.id}/versions/${old.id}`, { frozen: false })).body, { frozen: false });
  t.is((await call('DELETE', `/apps/${app.id}/versions/${old.id}`)).status, 204);
  t.deepEqual(
    (await versionsOf(app.id)).map((version) => version.id),
    [active.id],
  );
  t.is((await call('GET', `/apps/${app.id}/versions/${old.id}/files/data%2Fnote.txt`)).status, 404);
});

test('retention keeps the 20 newest versions that are not frozen, and every frozen one', async (t) => {
  const { call, versionsOf } = owner();
  const app = (await call('POST', '/apps', { name: appName() })).body;
  const [first] = await versionsOf(app.id);
  t.is((await call('PATCH', `/apps/${app.id}/versions/${first.id}`, { frozen: true })).status, 200);
  for (let i = 0; i < 23; i++) {
    const put = await call('PUT', `/apps/${app.id}/functions/count`, { code: `export default () => ${i};` });
    t.true(put.status < 300, put.text);
  }
  const versions = await versionsOf(app.id);
  t.is(versions.filter((version) => !version.frozen).length, 20);
  t.is(versions.length, 21);
  t.like(versions.at(-1), { id: first.id, frozen: true }, 'the frozen first version is kept');
  const oldest = (await call('GET', `/apps/${app.id}/versions/${versions.at(-2).id}/files/functions%2Fcount.js`)).text;
  t.is(oldest, 'export default () => 3;', 'the three oldest unfrozen versions went');
});

test('unfreezing a version older than the 20 newest unfrozen ones lets retention remove it at once', async (t) => {
  const { call, versionsOf } = owner();
  const app = (await call('POST', '/apps', { name: appName() })).body;
  const [first] = await versionsOf(app.id);
  t.is((await call('PATCH', `/apps/${app.id}/versions/${first.id}`, { frozen: true })).status, 200);
  for (let i = 0; i < 20; i++) {
    const put = await call('PUT', `/apps/${app.id}/functions/count`, { code: `export default () => ${i};` });
    t.true(put.status < 300, put.text);
  }
  t.is((await versionsOf(app.id)).length, 21, 'the frozen first version and the 20 newest unfrozen ones');

  const unfrozen = await call('PATCH', `/apps/${app.id}/versions/${first.id}`, { frozen: false });
  t.is(unfrozen.status, 200, unfrozen.text);
  t.like(unfrozen.body, { id: first.id, frozen: false, removed: true });
  const versions = await versionsOf(app.id);
  t.is(versions.length, 20);
  t.true(versions.every((version) => !version.frozen && version.id !== first.id));
  t.is((await call('GET', `/apps/${app.id}/versions/${first.id}`)).body.error?.code, 'VERSION_NOT_FOUND');
});

test('a rollback is warm: the dependencies npm installed for the older version are not installed again', async (t) => {
  const { call, deploy, which } = owner();
  const name = appName();
  const withMs = (version: string) => ({
    'package.json': JSON.stringify({ dependencies: { ms: version } }),
    'functions/which.js': `import ms from 'ms';\nexport default () => ${JSON.stringify(version)} + ' ' + ms(60000);\n`,
    'app.json': JSON.stringify({ endpoints: [{ method: 'POST', path: '/which', function: 'which', public: true }] }),
  });
  const installs = () => executorLog.filter((line) => /deps: npm (install|ci) for .*\/apps\//.test(line) && !/done in/.test(line)).length;
  const app = await deploy(name, withMs('2.1.3'), { tag: 'ms-3' });
  const started = await call('POST', `/apps/${app.id}/start`);
  t.is(started.status, 200, started.text);
  t.is(await which(app.id), '2.1.3 1m');
  await deploy(name, withMs('2.1.2'), { tag: 'ms-2' });
  t.is(await which(app.id), '2.1.2 1m');
  const before = installs();
  t.true(before >= 2, executorLog.join('\n'));

  t.is((await call('POST', `/apps/${app.id}/versions/ms-3/activate`)).status, 200);
  t.is(await which(app.id), '2.1.3 1m');
  t.is(installs(), before, 'nothing was installed for the rollback');

  const shown = (await call('GET', `/apps/${app.id}/versions/ms-3`)).body;
  t.like(shown, { dependencies: { outcome: 'installed', log: '' } });
  const lock = await call('GET', `/apps/${app.id}/versions/ms-3/lock`);
  t.is(lock.status, 200);
  t.is(JSON.parse(lock.text).packages['node_modules/ms'].version, '2.1.3');
  t.is(shown.dependencies.lockFile.size, Buffer.byteLength(lock.text));
});

test('a rollback of a running app to a version that cannot warm answers why, and the version that was active stays active', async (t) => {
  const { call, deploy, versionsOf, which } = owner();
  const name = appName();
  // npm refuses workspaces without their folders: this version's dependencies never install.
  const broken = { ...release('broken'), 'package.json': '{"workspaces":["packages/*"],"dependencies":{"x":"^1.0.0"}}' };
  const app = await deploy(name, broken, { tag: 'broken' });
  await deploy(name, release('good'), { tag: 'good' });
  const started = await call('POST', `/apps/${app.id}/start`);
  t.is(started.status, 200, started.text);
  t.is(await which(app.id), 'good');
  const good = (await call('GET', `/apps/${app.id}/versions/good`)).body;

  const refused = await call('POST', `/apps/${app.id}/versions/broken/activate`);
  t.is(refused.status, 424, refused.text);
  t.is(refused.body.error.code, 'DEPENDENCY_INSTALL_FAILED');
  t.is((await call('GET', `/apps/${app.id}`)).body.activeVersion, good.id);
  t.deepEqual(
    (await versionsOf(app.id)).map((version) => [version.tag, version.active]),
    [
      ['good', true],
      ['broken', false],
    ],
  );
  t.is(await which(app.id), 'good', 'the endpoint still answers from the version that was active');
  t.is((await call('GET', `/apps/${app.id}/files/package.json`)).status, 404, "the app's files are the active version's");
});

test("a version whose dependencies fail to install says so, with npm's words", async (t) => {
  const { call, versionsOf } = owner();
  const app = (await call('POST', '/apps', { name: appName(), packageJson: '{"workspaces":["packages/*"],"dependencies":{"x":"^1.0.0"}}' })).body;
  t.like((await versionsOf(app.id))[0], { dependencies: 'unknown' });
  t.is((await call('POST', `/apps/${app.id}/start`)).body.error?.code, 'DEPENDENCY_INSTALL_FAILED');
  const [version] = await versionsOf(app.id);
  t.is(version.dependencies, 'failed');
  const shown = (await call('GET', `/apps/${app.id}/versions/${version.id}`)).body;
  t.regex(shown.dependencies.log, /workspaces/);
  t.is((await call('GET', `/apps/${app.id}/versions/${version.id}/lock`)).body.error?.code, 'FILE_NOT_FOUND');
});

test('a restarted cloud keeps every version with its files, and the active one', async (t) => {
  const open = new Set<DockerCloud>();
  t.teardown(() => Promise.all([...open].map((running) => running.close())));
  const first = await startDockerCloud();
  open.add(first);
  const own = await newUser(first.url);
  const before = user(first.url, own);
  const name = appName();
  const app = await before.deploy(name, release('before'), { tag: 'before' });
  await before.deploy(name, release('after'), { tag: 'after' });
  await before.call('POST', `/apps/${app.id}/versions/before/activate`);
  await before.call('PATCH', `/apps/${app.id}/versions/after`, { frozen: true });
  const versions = await before.versionsOf(app.id);
  open.delete(first);
  await first.close();

  const second = await startDockerCloud({ dataDir: first.dataDir });
  open.add(second);
  const after = user(second.url, own);
  t.deepEqual(await after.versionsOf(app.id), versions);
  t.is((await after.call('GET', `/apps/${app.id}`)).body.activeVersion, versions[1].id);
  t.is((await after.call('POST', `/apps/${app.id}/start`)).status, 200);
  t.is(await after.which(app.id), 'before');
  const kept = await after.versionFile(app.id, 'after', 'assets/blob.bin');
  t.deepEqual(kept.bytes, release('after')['assets/blob.bin'], 'the bytes only a kept version names outlive the sweep at start');
});
