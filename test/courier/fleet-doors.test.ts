/**
 * @module One app, two doors, for roots of the fleet: the courier holding a root's lease publishes the root's apps with
 * endpoints as apps of the root's account over real HTTP, run in real Docker, with the folder requests' call keys;
 * only that courier may, and within the deploy caps.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { fleetPaths } from '../../api/fleet.ts';
import { EdgeError } from '../../base/errors.ts';
import { cloudClient } from '../../cli/cloud-client.ts';
import type { FleetTransport } from '../../courier/fleet-client.ts';
import { startFleetCourier, type FleetCourier } from '../../courier/fleet.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { newUser } from '../helpers/cloud-apps.ts';
import { api } from '../helpers/cloud.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { tempFolder } from '../helpers/temp.ts';
import { profilesOfBothDoors, twoDoorsApp, writeApp } from '../helpers/two-doors.ts';
import { until, waitFor } from '../helpers/wait.ts';

const leaseMs = 4000;
let base: string;
let executor: ExecutorBundle;
let cloud: FleetCloud;
/** The operator's API token: it registers the local root (whose account it is) and runs the courier. */
let token: string;
let root: string;
let rootId: string;
let courier: FleetCourier;
const logLines: string[] = [];

test.before(async () => {
  base = await tempFolder('ec-fleet-doors');
  // One Docker executor for both: the cloud runs the endpoints, the courier the folder requests.
  executor = await createExecutor({ cacheDir: join(base, 'cache'), prestart: 1 });
  cloud = await startFleetCloud(base, leaseMs, { executor, host: '127.0.0.1' });
  ({ token } = cloud);
  ({ root } = await makeRoot());
  await writeApp(root, 'doors', twoDoorsApp('hello'));
  const added = await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path: root }, token);
  rootId = added.body.id as string;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  courier = await startFleetCourier({
    cloud: cloudClient(cloud.url, token),
    name: 'doors',
    stateDir: join(base, 'state'),
    executor,
    tuning: { settleMs: 200 },
    // Reports of the folder requests' profiles within a test's wait, not the default half a minute.
    profileReportMs: 300,
    logger: pino({ level: 'info' }, sink),
  });
  await until('the courier serves the root', () => courier.serving().includes(rootId));
});

test.after.always(async () => {
  await courier?.stop();
  await cloud?.close();
  await executor?.executor.close();
});

const call = (method: string, path: string, body?: unknown, as = token) => api(cloud.url, method, `/api/v1${path}`, body, as);

/** The operator's app of that name, once the API lists it with `ready` true of it. */
function appNamed(name: string, ready: (app: any) => boolean = () => true): Promise<any> {
  return waitFor(
    `app "${name}" listed as wanted`,
    async () => {
      const app = ((await call('GET', '/apps')).body.apps as any[]).find((candidate) => candidate.name === name);
      return app && ready(app) ? app : undefined;
    },
    { timeoutMs: 60_000, explain: () => logLines.join('') },
  );
}

const endpoint = (app: any, path: string, body: unknown) => api(cloud.url, 'POST', `/run/${app.id}${path}`, body, token);

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** PUTs `bytes` to `path` as a fleet courier uploads a file. */
async function putBytes(path: string, bytes: Buffer): Promise<{ status: number; body: any }> {
  const response = await fetch(cloud.url + path, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  return { status: response.status, body: await response.json() };
}

/** Uploads each file as courier `courierId` for root `id`, then publishes them all as app `name`. */
async function publishAs(courierId: string, id: string, name: string, files: Record<string, string>) {
  const manifest = [];
  for (const [path, text] of Object.entries(files)) {
    const bytes = Buffer.from(text);
    const uploaded = await putBytes(fleetPaths.rootUpload(courierId, id, sha256Of(bytes)), bytes);
    if (uploaded.status !== 201) return uploaded;
    manifest.push({ path, sha256: sha256Of(bytes) });
  }
  return api(cloud.url, 'PUT', fleetPaths.rootApp(courierId, id, name), { files: manifest }, token);
}

test.serial("a root's app with endpoints is an app of the root's account, answering with the folder request's call key and cache", async (t) => {
  const app = await appNamed('doors', (candidate) => candidate.status === 'running');
  t.is(app.source, 'folder');
  const { versions } = (await call('GET', `/apps/${app.id}/versions`)).body;
  t.is(versions.length, 1);
  t.is(versions[0].message, 'from the synced folder');

  await dropRequest(root, 'doors', 'first', { function: 'upper', input: { text: 'ada' } });
  const folder = await waitForResult(root, 'doors', 'first', 60_000);
  const folderKeys = Object.keys(folder.ok ? (folder.cache ?? {}) : {});
  t.is(folderKeys.length, 1);
  const http = await endpoint(app, '/upper', { input: { text: 'ada' } });
  t.is(http.status, 200, http.text);
  t.is(http.body.output, 'ADA');
  t.is(http.body.key, folderKeys[0]);
  // A cache entry either door returned stands in for the run at the other: a changed value shows it was used.
  const fromFolder = await endpoint(app, '/upper', { input: { text: 'ada' }, cache: { [folderKeys[0]!]: 'FROM THE FOLDER' } });
  t.is(fromFolder.body.output, 'FROM THE FOLDER');
  await dropRequest(root, 'doors', 'second', { function: 'upper', input: { text: 'ada' }, cache: { [http.body.key]: 'FROM HTTP' } });
  const second = await waitForResult(root, 'doors', 'second', 60_000);
  t.deepEqual(second.ok && second.output, 'FROM HTTP');
});

test.serial("a change in the root's app folder makes a new version, which the endpoint answers with", async (t) => {
  const app = await appNamed('doors', (candidate) => candidate.status === 'running');
  await writeFile(join(root, 'doors', 'functions', 'greet.js'), twoDoorsApp('howdy')['functions/greet.js']!);
  await waitFor(
    'the endpoint answering the edited function',
    async () => ((await endpoint(app, '/greet', { input: { name: 'ada' } })).body.output?.message === 'howdy ADA' ? true : undefined),
    { timeoutMs: 60_000, explain: () => logLines.join('') },
  );
  const { versions } = (await call('GET', `/apps/${app.id}/versions`)).body;
  t.is(versions.length, 2);
  t.not((await call('GET', `/apps/${app.id}`)).body.activeVersion, app.activeVersion);
  t.is(JSON.parse(await readFile(join(root, 'doors', 'app.json'), 'utf8')).description, 'two doors');
});

test.serial("a courier that does not hold the root's lease is refused with ROOT_NOT_HELD, and nothing changes", async (t) => {
  const app = await appNamed('doors', (candidate) => candidate.status === 'running');
  const other = (await call('POST', '/fleet/couriers', { name: 'not-the-holder' })).body.id as string;
  t.teardown(() => call('DELETE', `/fleet/couriers/${other}`));
  const refusals = [
    await api(cloud.url, 'GET', fleetPaths.rootApps(other, rootId), undefined, token),
    await putBytes(fleetPaths.rootUpload(other, rootId, sha256Of(Buffer.from('x'))), Buffer.from('x')),
    await publishAs(other, rootId, 'doors', twoDoorsApp('stolen')),
    await api(cloud.url, 'DELETE', fleetPaths.rootApp(other, rootId, 'doors'), undefined, token),
    // A root nobody has: the same refusal.
    await api(cloud.url, 'GET', fleetPaths.rootApps(courier.id, 'root_nosuchroot'), undefined, token),
  ];
  for (const refusal of refusals) {
    t.is(refusal.status, 409);
    t.is(refusal.body.error.code, 'ROOT_NOT_HELD');
    t.regex(refusal.body.error.message, /holds no lease on root/);
  }
  const after = (await call('GET', `/apps/${app.id}`)).body;
  t.is(after.status, 'running');
  t.is(after.activeVersion, app.activeVersion);
  t.is((await endpoint(app, '/greet', { input: { name: 'ada' } })).body.output.message, 'howdy ADA');
});

test.serial("the courier holding a user's root publishes as the account the root is linked to, not the operator's", async (t) => {
  const user = await newUser(cloud.url);
  const linked = await call('POST', '/roots', { kind: 'dropbox', path: '/edge', credentials: { DROPBOX_REFRESH_TOKEN: 'unused' } }, user);
  t.is(linked.status, 201, linked.text);
  t.teardown(() => call('DELETE', `/roots/${linked.body.id}`, undefined, user));
  // A courier of our own holds the root: the fleet's courier has no Dropbox to serve it from.
  const holder = (await call('POST', '/fleet/couriers', { name: 'holder' })).body.id as string;
  t.teardown(() => call('DELETE', `/fleet/couriers/${holder}`));
  // Beats as a courier does, so the lease is the holder's whatever the machine's load.
  const hold = () =>
    until('the holder holds the root', async () => {
      const { assignments } = (await call('POST', `/fleet/couriers/${holder}/heartbeat`, { serving: [linked.body.id] })).body;
      return (assignments as any[]).some((assignment) => assignment.rootId === linked.body.id);
    });
  await hold();
  const published = await publishAs(holder, linked.body.id, 'theirs', twoDoorsApp('hi'));
  t.is(published.status, 201, JSON.stringify(published.body));
  t.true(published.body.created);
  const theirs = ((await call('GET', '/apps', undefined, user)).body.apps as any[]).find((app) => app.name === 'theirs');
  t.like(theirs, { id: published.body.appId, source: 'folder', status: 'running', activeVersion: published.body.version });
  t.false(((await call('GET', '/apps')).body.apps as any[]).some((app) => app.name === 'theirs'));
  const answer = await api(cloud.url, 'POST', `/run/${theirs.id}/greet`, { input: { name: 'bo' } }, user);
  t.is(answer.body.output?.message, 'hi BO', answer.text);
  await hold();
  const withdrawn = await api(cloud.url, 'DELETE', fleetPaths.rootApp(holder, linked.body.id, 'theirs'), undefined, token);
  t.deepEqual(withdrawn.body, { appId: theirs.id });
});

test.serial('deleting a root stops the folder apps it published last, and no app another root of the account published last', async (t) => {
  const user = await newUser(cloud.url);
  const link = async (path: string) => {
    const linked = await call('POST', '/roots', { kind: 'dropbox', path, credentials: { DROPBOX_REFRESH_TOKEN: 'unused' } }, user);
    t.is(linked.status, 201, linked.text);
    return linked.body.id as string;
  };
  const [first, second] = [await link('/first'), await link('/second')];
  // The first is deleted by the test itself, unless it fails before.
  for (const root of [first, second]) t.teardown(() => call('DELETE', `/roots/${root}`, undefined, user));
  const holder = (await call('POST', '/fleet/couriers', { name: 'holder of two' })).body.id as string;
  t.teardown(() => call('DELETE', `/fleet/couriers/${holder}`));
  const hold = (roots: string[]) =>
    until('the holder holds the roots', async () => {
      const { assignments } = (await call('POST', `/fleet/couriers/${holder}/heartbeat`, { serving: roots })).body;
      return roots.every((root) => (assignments as any[]).some((assignment) => assignment.rootId === root));
    });
  const publish = async (root: string, name: string) => {
    await hold([first, second]);
    const published = await publishAs(holder, root, name, twoDoorsApp('hi'));
    t.true(published.status === 201 || published.status === 200, JSON.stringify(published.body));
    return published.body.appId as string;
  };
  const fromFirst = await publish(first, 'from-first');
  const fromSecond = await publish(second, 'from-second');
  // Both roots hold an app of this name: the second published it last.
  const shared = await publish(first, 'in-both');
  t.is(await publish(second, 'in-both'), shared);
  const status = async (appId: string) => (await call('GET', `/apps/${appId}`, undefined, user)).body.status as string;
  for (const appId of [fromFirst, fromSecond, shared]) t.is(await status(appId), 'running');

  t.is((await call('DELETE', `/roots/${first}`, undefined, user)).status, 204);
  await until("the first root's app stopped", async () => (await status(fromFirst)) === 'stopped');
  const stopped = await api(cloud.url, 'POST', `/run/${fromFirst}/greet`, { input: { name: 'bo' } }, user);
  t.is(stopped.body.error?.code, 'APP_STOPPED', stopped.text);
  for (const appId of [fromSecond, shared]) {
    t.is(await status(appId), 'running');
    const answer = await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'bo' } }, user);
    t.is(answer.body.output?.message, 'hi BO', answer.text);
  }
  t.is((await call('GET', `/apps/${fromFirst}/versions`, undefined, user)).body.versions.length, 1, 'its versions are kept');
});

test.serial('the fleet routes are for operators: a user token is refused', async (t) => {
  const answer = await api(cloud.url, 'GET', fleetPaths.rootApps(courier.id, rootId), undefined, await newUser(cloud.url));
  t.is(answer.status, 403);
  t.is(answer.body.error.code, 'FORBIDDEN');
});

test.serial('oversized or invalid apps from the holding courier get a clear error and publish nothing', async (t) => {
  const before = ((await call('GET', '/apps')).body.apps as any[]).length;
  const big = Buffer.alloc(APP_CAPS.fileBytes + 1, 'a');
  const tooBig = await putBytes(fleetPaths.rootUpload(courier.id, rootId, sha256Of(big)), big);
  t.is(tooBig.status, 413);
  t.is(tooBig.body.error.code, 'PAYLOAD_TOO_LARGE');
  t.regex(tooBig.body.error.message, new RegExp(`larger than ${APP_CAPS.fileBytes} bytes`));

  const cases: Array<[string, Record<string, string>, number, string, RegExp]> = [
    ['broken', { ...twoDoorsApp('hi'), 'app.json': '{ "endpoints": [' }, 400, 'INVALID_INPUT', /app\.json is not valid JSON/],
    ['bad name!', twoDoorsApp('hi'), 400, 'INVALID_INPUT', /cannot be a cloud app/],
  ];
  for (const [name, files, status, code, message] of cases) {
    const answer = await publishAs(courier.id, rootId, name, files);
    t.is(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
    t.is(answer.body.error.code, code, name);
    t.regex(answer.body.error.message, message, name);
  }
  const unknown = await api(
    cloud.url,
    'PUT',
    fleetPaths.rootApp(courier.id, rootId, 'ghost'),
    { files: [{ path: 'functions/a.js', sha256: 'f'.repeat(64) }] },
    token,
  );
  t.is(unknown.status, 400);
  t.regex(unknown.body.error.message, /nothing with SHA-256 f+ was uploaded/);
  const tooMany = await api(
    cloud.url,
    'PUT',
    fleetPaths.rootApp(courier.id, rootId, 'many'),
    { files: Array.from({ length: APP_CAPS.files + 1 }, (_, i) => ({ path: `f${i}.txt`, sha256: 'f'.repeat(64) })) },
    token,
  );
  t.is(tooMany.status, 400);
  t.is(tooMany.body.error.code, 'INVALID_INPUT');
  t.is(((await call('GET', '/apps')).body.apps as any[]).length, before);
});

test.serial(
  "a root's folder request and an endpoint call of the published app both count in the app's profile, under one version, each at its place",
  async (t) => {
    await writeApp(root, 'profiled', twoDoorsApp('hello'));
    const app = await appNamed('profiled', (candidate) => candidate.status === 'running');
    await dropRequest(root, 'profiled', 'p1', { function: 'upper', input: { text: 'ada' } });
    t.like(await waitForResult(root, 'profiled', 'p1', 60_000), { ok: true, output: 'ADA' });
    t.is((await endpoint(app, '/upper', { input: { text: 'bo' } })).body.output, 'BO');
    const read = async () => (await call('GET', `/apps/${app.id}/profile`)).body.profiles as any[];
    const profiles = await profilesOfBothDoors(read, 'upper', () => logLines.join(''));
    t.is(profiles.length, 1, 'both doors ran the same version of upper');
    t.like(profiles[0], { calls: 2, places: { cloud: 1, courier: 1, edge: 0 }, appVersion: app.activeVersion });
    // The root's own profile of the folder keeps the folder request, and only it.
    const rootProfiles = (await call('GET', `/roots/${rootId}/profile?app=profiled`)).body.profiles as any[];
    t.like(rootProfiles, [{ function: 'upper', version: profiles[0].version, calls: 1, places: { courier: 1, cloud: 0 } }]);
  },
);

test.serial('an app removed from the root is stopped, its versions kept', async (t) => {
  const app = await appNamed('doors', (candidate) => candidate.status === 'running');
  // The courier may be making the app's requests/ and results/ folders meanwhile: rm tries again when it finds a new one.
  await rm(join(root, 'doors'), { recursive: true, maxRetries: 10 });
  const stopped = await appNamed('doors', (candidate) => candidate.status === 'stopped');
  t.is(stopped.id, app.id);
  t.is((await call('GET', `/apps/${app.id}/versions`)).body.versions.length, 2);
  t.not((await endpoint(app, '/greet', { input: { name: 'ada' } })).status, 200);
});

test.serial('a courier that cannot learn the published apps when a root starts serves its requests, and publishes once the cloud answers', async (t) => {
  const client = cloudClient(cloud.url, token);
  let down = true;
  const transport: FleetTransport = {
    request<T>(method: string, path: string, body?: unknown) {
      if (down && method === 'GET' && path.endsWith('/apps')) return Promise.reject(new EdgeError('CLOUD_UNREACHABLE', 'the network is down'));
      return client.request<T>(method, path, body);
    },
    putBytes: (path, bytes) => client.putBytes(path, bytes),
  };
  const second = await startFleetCourier({
    cloud: transport,
    name: 'cut-off',
    stateDir: join(base, 'state'),
    executor,
    tuning: { settleMs: 200 },
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => second.stop());
  const { root: later } = await makeRoot();
  await writeApp(later, 'later', twoDoorsApp('hello'));
  // Added once the second courier is live: it holds no root, so the root is its own.
  const added = await call('POST', '/roots', { kind: 'local', path: later });
  t.teardown(() => call('DELETE', `/roots/${added.body.id}`));
  await until('the second courier serves the root', () => second.serving().includes(added.body.id));
  await dropRequest(later, 'later', 'r1', { function: 'greet', input: { name: 'ada' } });
  t.like(await waitForResult(later, 'later', 'r1', 60_000), { ok: true, output: { message: 'hello ADA' } });
  t.false(((await call('GET', '/apps')).body.apps as any[]).some((app) => app.name === 'later'));
  down = false;
  const app = await appNamed('later', (candidate) => candidate.status === 'running');
  t.is((await endpoint(app, '/greet', { input: { name: 'bo' } })).body.output.message, 'hello BO');
});
