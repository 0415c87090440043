/**
 * While an app starts, reading it tells the step its start is at: an app whose dependencies are downloading shows
 * "installing dependencies", in the app and in the list, and nothing once it runs. The test holds the download.
 */
import test from 'ava';
import { START_PHASES } from '../../api/app-starts.ts';
import { api } from '../helpers/cloud.ts';
import { signUpUser, startDockerCloud, type DockerCloud } from '../helpers/cloud-apps.ts';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.ts';
import { tempFolder } from '../helpers/temp.ts';

let cloud: DockerCloud;
let registry: LocalRegistry;
let token: string;

const call = (method: string, path: string, body?: unknown) => api(cloud.url, method, `/api/v1${path}`, body, token);

test.before(async () => {
  registry = await startLocalRegistry({ 'slow-leaf': { files: { 'index.js': "module.exports = 'from slow-leaf';\n" } } });
  // The cloud's npm takes this registry, and a cache of its own so the tarball is asked for again.
  process.env.npm_config_registry = registry.url;
  process.env.npm_config_cache = await tempFolder('ec-npm-cache');
  cloud = await startDockerCloud();
  token = (await signUpUser(cloud.url)).token;
});

test.after.always(async () => {
  await cloud?.close();
  await registry?.close();
});

test('an app whose dependencies are downloading shows "installing dependencies" while it starts, and no start once it runs', async (t) => {
  const created = await call('POST', '/apps', { name: 'with-deps', packageJson: JSON.stringify({ dependencies: { 'slow-leaf': '1.0.0' } }) });
  t.is(created.status, 201);
  t.is(created.body.start, null, 'a new app has no start going on');
  const id = created.body.id as string;
  await call('PUT', `/apps/${id}/functions/leaf`, { code: "import leaf from 'slow-leaf';\nexport default () => leaf;\n" });

  const hold = registry.holdTarballs();
  const asked = Date.now();
  const starting = call('POST', `/apps/${id}/start`);
  await hold.reached;

  const during = await call('GET', `/apps/${id}`);
  t.is(during.status, 200);
  t.is(during.body.status, 'stopped', 'the status is what it was until the start is done');
  t.is(during.body.start.phase, 'installing dependencies');
  t.true(START_PHASES.includes(during.body.start.phase));
  const since = Date.parse(during.body.start.since);
  const startedAt = Date.parse(during.body.start.startedAt);
  t.true(startedAt >= asked - 1000 && startedAt <= since && since <= Date.now(), 'the step began after the start was asked for');
  const listed = (await call('GET', '/apps')).body.apps.find((app: { id: string }) => app.id === id);
  t.deepEqual(listed.start, during.body.start, 'the list tells the same step');

  hold.letGo();
  const started = await starting;
  t.is(started.status, 200);
  t.like(started.body, { status: 'running', start: null });
  t.like((await call('GET', `/apps/${id}`)).body, { status: 'running', start: null });
  t.like((await call('POST', `/apps/${id}/functions/leaf/invoke`, { input: null })).body, { output: 'from slow-leaf' });
});
