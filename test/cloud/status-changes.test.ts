/** Starts, stops and deletes of one app racing each other: each waits for the ones before it, so the last asked for is what holds, and no deleted app keeps sandboxes. */
import test from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { api } from '../helpers/cloud.ts';
import { newUser } from '../helpers/cloud-apps.ts';
import { tempFolder } from '../helpers/temp.ts';

/** A call held at its start until the test lets it go. */
interface Hold {
  reached: Promise<void>;
  letGo(): void;
}

let bundle: ExecutorBundle;
let cloud: RunningCloud;
let token: string;
/** App folders with a warm sandbox, as the executor was told to warm and release them. */
const warm = new Set<string>();
const holds: { warm?: () => Promise<void>; release?: () => Promise<void> } = {};

/** Holds the executor's next `step`; the cloud's request waits there until `letGo`. One hook for the file: its tests run serially. */
function holdNext(step: 'warm' | 'release'): Hold {
  let reached!: () => void;
  let letGo!: () => void;
  const hold = { reached: new Promise<void>((resolve) => (reached = resolve)), letGo: () => letGo() };
  const until = new Promise<void>((resolve) => (letGo = resolve));
  holds[step] = () => {
    holds[step] = undefined;
    reached();
    return until;
  };
  return hold;
}

test.before(async () => {
  const base = await tempFolder('ec-status');
  bundle = await createExecutor({ local: true, cacheDir: join(base, 'cache'), runDir: join(base, 'run') });
  const { executor } = bundle;
  // Spied on the instance: the cloud's metrics need the real pool, so the executor cannot be a fake.
  const [realWarm, realRelease] = [executor.warm.bind(executor), executor.release.bind(executor)];
  executor.warm = async (app) => {
    await holds.warm?.();
    await realWarm(app);
    warm.add(app.dir);
  };
  executor.release = async (appDir) => {
    await holds.release?.();
    await realRelease(appDir);
    warm.delete(appDir);
  };
  cloud = await startCloud({
    dataDir: join(base, 'data'),
    port: 0,
    host: '127.0.0.1',
    attemptsPerMinute: 10_000,
    executor: bundle,
    logger: pino({ level: 'silent' }),
  });
  token = await newUser(cloud.url);
});

test.after.always(async () => {
  await cloud?.close();
  await bundle?.executor.close();
});

const call = (method: string, path: string) => api(cloud.url, method, `/api/v1/apps${path}`, undefined, token);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function newApp(): Promise<string> {
  const { body } = await api(cloud.url, 'POST', '/api/v1/apps', { name: `race-${Math.random().toString(36).slice(2, 10)}` }, token);
  await api(cloud.url, 'PUT', `/api/v1/apps/${body.id}/functions/one`, { code: 'export default () => 1' }, token);
  return body.id as string;
}

/** Sends `first`, holds it in the executor's `step`, sends `second` while it is held, then lets the first go. */
async function race(step: 'warm' | 'release', first: () => ReturnType<typeof call>, second: () => ReturnType<typeof call>) {
  const hold = holdNext(step);
  const firstAnswer = first();
  await hold.reached;
  const secondAnswer = second();
  // Time for the second request to reach the cloud while the first is held.
  await sleep(200);
  hold.letGo();
  return Promise.all([firstAnswer, secondAnswer]);
}

test.serial('a stop sent during a slow start waits for it, and the app ends stopped with nothing warm', async (t) => {
  const id = await newApp();
  const [started, stopped] = await race(
    'warm',
    () => call('POST', `/${id}/start`),
    () => call('POST', `/${id}/stop`),
  );
  t.like(started, { status: 200, body: { status: 'running' } });
  t.like(stopped, { status: 200, body: { status: 'stopped' } });
  t.is((await call('GET', `/${id}`)).body.status, 'stopped');
  t.deepEqual(
    [...warm].filter((dir) => dir.endsWith(id)),
    [],
  );
});

test.serial('a delete sent during a slow start waits for it and releases what the start warmed', async (t) => {
  const id = await newApp();
  const [started, deleted] = await race(
    'warm',
    () => call('POST', `/${id}/start`),
    () => call('DELETE', `/${id}`),
  );
  t.is(started.status, 200);
  t.is(deleted.status, 204);
  t.like(await call('GET', `/${id}`), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });
  t.deepEqual(
    [...warm].filter((dir) => dir.endsWith(id)),
    [],
  );
});

test.serial('a start sent during a delete finds the app gone and warms nothing', async (t) => {
  const id = await newApp();
  const [deleted, started] = await race(
    'release',
    () => call('DELETE', `/${id}`),
    () => call('POST', `/${id}/start`),
  );
  t.is(deleted.status, 204);
  t.like(started, { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });
  t.deepEqual(
    [...warm].filter((dir) => dir.endsWith(id)),
    [],
  );
});
