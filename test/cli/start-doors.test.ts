/**
 * @module One app, two doors: under `edgecourier start --owner`, a folder app that declares endpoints is also a cloud
 * app of the owner, over real HTTP and real Docker, with the same call keys and caches as its folder requests.
 */
import test from 'ava';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startCombined, type RunningCombined } from '../../cli/combined-service.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { runCli } from '../helpers/cli.ts';
import { api, freshEmail } from '../helpers/cloud.ts';
import { dropRequest, waitForResult } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';
import { profilesOfBothDoors, twoDoorsApp, writeApp as writeFolderApp } from '../helpers/two-doors.ts';
import { waitFor } from '../helpers/wait.ts';

const password = 'correct horse battery';
const owner = freshEmail('folder-owner');

let service: RunningCombined;
let executor: ExecutorBundle;
let sync: string;
const logLines: string[] = [];
let token = '';

const appFiles = twoDoorsApp;
const writeApp = (name: string, files: Record<string, string>) => writeFolderApp(sync, name, files);

const call = (method: string, path: string, body?: unknown) => api(service.cloud.url, method, `/api/v1${path}`, body, token);

/** The owner's app of that name, once the API lists it with `ready` true of it. */
function appNamed(name: string, ready: (app: any) => boolean = () => true): Promise<any> {
  return waitFor(
    `app "${name}" listed as wanted`,
    async () => {
      const apps = (await call('GET', '/apps')).body.apps as any[];
      const app = apps.find((candidate) => candidate.name === name);
      return app && ready(app) ? app : undefined;
    },
    { timeoutMs: 60_000, explain: () => logLines.join('') },
  );
}

const endpoint = (app: any, path: string, body: unknown) => api(service.cloud.url, 'POST', `/run/${app.id}${path}`, body, token);

test.before(async () => {
  const base = await tempFolder('ec-doors');
  const data = join(base, 'data');
  sync = join(data, 'sync');
  await mkdir(sync, { recursive: true });
  // Before the owner has an account: published once it signs up (the first test).
  await writeApp('early', appFiles('hello'));
  executor = await createExecutor({ cacheDir: join(base, 'cache'), prestart: 1 });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  service = await startCombined({
    cloud: { dataDir: data, port: 0, host: '127.0.0.1', attemptsPerMinute: 10_000 },
    owner,
    retryForMs: 30_000,
    settleMs: 200,
    executor,
    logger: pino({ level: 'info' }, sink),
  });
});

test.after.always(async () => {
  await service?.close();
  await executor?.executor.close();
});

test.serial("a folder app with endpoints is published once the folder's owner signs up, running and marked as from the folder", async (t) => {
  await api(service.cloud.url, 'POST', '/api/v1/accounts', { email: owner, password });
  token = (await api(service.cloud.url, 'POST', '/api/v1/sessions', { email: owner, password })).body.token;
  const app = await appNamed('early', (candidate) => candidate.status === 'running');
  t.is(app.source, 'folder');
  const answer = await endpoint(app, '/greet', { input: { name: 'ada' } });
  t.is(answer.status, 200, answer.text);
  t.deepEqual(answer.body.output, { message: 'hello ADA' });
  const { versions } = (await call('GET', `/apps/${app.id}/versions`)).body;
  t.is(versions.length, 1);
  t.is(versions[0].author, owner);
  t.is(versions[0].message, 'from the synced folder');
});

test.serial('each change in the folder makes a new version, which the endpoint answers with', async (t) => {
  await writeApp('edited', appFiles('hello'));
  const app = await appNamed('edited', (candidate) => candidate.status === 'running');
  await writeFile(join(sync, 'edited', 'functions', 'greet.js'), appFiles('howdy')['functions/greet.js']!);
  const answer = await waitFor(
    'the endpoint answering the edited function',
    async () => {
      const body = (await endpoint(app, '/greet', { input: { name: 'ada' } })).body;
      return body.output?.message === 'howdy ADA' ? body : undefined;
    },
    { timeoutMs: 60_000, explain: () => logLines.join('') },
  );
  t.truthy(answer);
  const { versions } = (await call('GET', `/apps/${app.id}/versions`)).body;
  t.is(versions.length, 2);
  t.true(versions.every((version: any) => version.author === owner && version.message === 'from the synced folder'));
  const now = (await call('GET', `/apps/${app.id}`)).body;
  t.is(now.activeVersion, versions.find((version: any) => version.id !== app.activeVersion).id);
});

test.serial("the API's edits of a folder app are refused with APP_FROM_FOLDER and change nothing", async (t) => {
  const app = await appNamed('early', (candidate) => candidate.status === 'running');
  const put = await call('PUT', `/apps/${app.id}/functions/greet`, { code: 'export default () => "api";\n' });
  t.is(put.status, 409);
  t.is(put.body.error.code, 'APP_FROM_FOLDER');
  t.regex(put.body.error.message, /synced folder/);
  const endpointAdd = await call('POST', `/apps/${app.id}/endpoints`, { method: 'GET', path: '/other', function: 'greet', public: false });
  t.is(endpointAdd.body.error?.code, 'APP_FROM_FOLDER');
  const rename = await call('PATCH', `/apps/${app.id}`, { name: 'renamed' });
  t.is(rename.body.error?.code, 'APP_FROM_FOLDER');
  const after = (await call('GET', `/apps/${app.id}`)).body;
  t.is(after.activeVersion, app.activeVersion);
  t.is(after.name, 'early');
  t.is((await endpoint(app, '/greet', { input: { name: 'ada' } })).body.output.message, 'hello ADA');
  const described = await runCli(['describe', 'early'], { env: { ...process.env, EDGECOURIER_URL: service.cloud.url, EDGECOURIER_TOKEN: token } });
  t.is(described.code, 0, described.stderr);
  t.regex(described.stdout, /^from a synced folder: change its files there/m);
});

test.serial('a folder app named like an app of the account made through the API is not published, and the log says why', async (t) => {
  const made = await call('POST', '/apps', { name: 'clash' });
  t.is(made.status, 201, made.text);
  const before = (await call('GET', `/apps/${made.body.id}`)).body;
  await writeApp('clash', appFiles('hello'));
  const line = await waitFor('a log line about the clash', () => logLines.find((text) => text.includes('APP_FROM_FOLDER') && text.includes('"clash"')), {
    timeoutMs: 60_000,
  });
  t.regex(line, /made through the API/);
  const after = (await call('GET', `/apps/${made.body.id}`)).body;
  t.is(after.source, 'api');
  t.is(after.activeVersion, before.activeVersion);
  t.deepEqual(after.functions, []);
  t.is(((await call('GET', '/apps')).body.apps as any[]).filter((app) => app.name === 'clash').length, 1);
});

test.serial('a folder app removed from the folder is stopped, its versions kept', async (t) => {
  await writeApp('leaving', appFiles('hello'));
  const app = await appNamed('leaving', (candidate) => candidate.status === 'running');
  // The courier may be making the app's requests/ and results/ folders meanwhile: rm tries again when it finds a new one.
  await rm(join(sync, 'leaving'), { recursive: true, maxRetries: 10 });
  const stopped = await appNamed('leaving', (candidate) => candidate.status === 'stopped');
  t.is(stopped.id, app.id);
  t.is((await call('GET', `/apps/${app.id}/versions`)).body.versions.length, 1);
  t.not((await endpoint(app, '/greet', { input: { name: 'ada' } })).status, 200);
});

test.serial('a folder request and an endpoint call have the same call keys, and a cache from either door is honoured by the other', async (t) => {
  await writeApp('keys', appFiles('hello'));
  const app = await appNamed('keys', (candidate) => candidate.status === 'running');
  await dropRequest(sync, 'keys', 'first', { function: 'upper', input: { text: 'ada' } });
  const folder = await waitForResult(sync, 'keys', 'first', 60_000);
  t.true(folder.ok);
  const folderKeys = Object.keys(folder.ok ? (folder.cache ?? {}) : {});
  t.is(folderKeys.length, 1);
  const http = await endpoint(app, '/upper', { input: { text: 'ada' } });
  t.is(http.body.key, folderKeys[0]);
  // The activation of the endpoint call carries the version the call key names.
  const activation = (await call('GET', `/activations/${http.body.activationId}`)).body;
  t.true(http.body.key.startsWith(`upper@${activation.version}`), `${http.body.key} against ${activation.version}`);

  // A cache entry the caller hands in stands in for the run: a changed value shows it was used.
  const fromFolder = await endpoint(app, '/upper', { input: { text: 'ada' }, cache: { [folderKeys[0]!]: 'FROM THE FOLDER' } });
  t.is(fromFolder.body.output, 'FROM THE FOLDER');
  await dropRequest(sync, 'keys', 'second', { function: 'upper', input: { text: 'ada' }, cache: { [http.body.key]: 'FROM HTTP' } });
  const second = await waitForResult(sync, 'keys', 'second', 60_000);
  t.deepEqual(second.ok && second.output, 'FROM HTTP');
  const raw = JSON.parse(await readFile(join(sync, 'keys', 'results', 'second.json'), 'utf8'));
  t.is(raw.output, 'FROM HTTP');
});

test.serial("a folder request and an endpoint call of a published app both count in the app's profile, under one version, each at its place", async (t) => {
  await writeApp('profiled', appFiles('hello'));
  const app = await appNamed('profiled', (candidate) => candidate.status === 'running');
  await dropRequest(sync, 'profiled', 'p1', { function: 'upper', input: { text: 'ada' } });
  t.like(await waitForResult(sync, 'profiled', 'p1', 60_000), { ok: true, output: 'ADA' });
  t.is((await endpoint(app, '/upper', { input: { text: 'bo' } })).body.output, 'BO');
  const read = async () => (await call('GET', `/apps/${app.id}/profile`)).body.profiles as any[];
  const profiles = await profilesOfBothDoors(read, 'upper', () => logLines.join(''));
  t.is(profiles.length, 1, 'both doors ran the same version of upper');
  t.like(profiles[0], { calls: 2, places: { cloud: 1, courier: 1, edge: 0 }, appVersion: app.activeVersion });
  // The lone courier's own profile in its state folder keeps the folder request as before.
  const kept = service.courier.profiles.entries().find((entry) => entry.app === 'profiled');
  t.deepEqual(
    kept?.digests.map((digest) => [digest.function, digest.version, digest.places.courier]),
    [['upper', profiles[0].version, 1]],
  );
});
