/** A fleet courier's profile reports end to end: what a root's folder app ran in Docker reaches the real cloud, and the root's owner, and no one else, reads it there. */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { pino } from 'pino';
import { cloudClient } from '../../cli/cloud-client.ts';
import { startFleetCourier } from '../../courier/fleet.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { loadApp } from '../../runtime/app.ts';
import { api } from '../helpers/cloud.ts';
import { newUser } from '../helpers/cloud-apps.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';
import type { ProfileList } from '../../api/profiles.ts';

let base: string;
let executor: ExecutorBundle;
let cloud: FleetCloud;

test.before(async () => {
  base = await tempFolder('ec-fleet-profiles-cloud');
  executor = await createExecutor({ cacheDir: join(base, 'courier-cache'), prestart: 1 });
  cloud = await startFleetCloud(base, 2000);
});

test.after.always(async () => {
  await cloud?.close();
  await executor?.executor.close();
});

/** One function version's profile, as the cloud answers it. */
type Profile = ProfileList['profiles'][number];

/** A root with the basic app, registered by the operator (removed when the test ends), and a fleet courier serving it that reports every `profileReportMs`. */
async function servedRoot(t: ExecutionContext, profileReportMs: number) {
  const temp = await makeRoot('basic');
  const added = await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path: temp.root }, cloud.token);
  t.is(added.status, 201, added.text);
  const rootId = added.body.id as string;
  t.teardown(() => api(cloud.url, 'DELETE', `/api/v1/roots/${rootId}`, undefined, cloud.token));
  const courier = await startFleetCourier({
    cloud: cloudClient(cloud.url, cloud.token),
    name: 'profiled',
    stateDir: join(base, 'state'),
    executor,
    tuning: { settleMs: 200 },
    profileReportMs,
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => courier.stop());
  await until('the courier serves the root', () => courier.serving().includes(rootId));
  const run = async (id: string, request: unknown) => {
    await dropRequest(temp.root, 'basic', id, request);
    return waitForResult(temp.root, 'basic', id, 60_000);
  };
  return { root: temp.root, rootId, courier, run };
}

const profilesOf = async (rootId: string, token = cloud.token) => api(cloud.url, 'GET', `/api/v1/roots/${rootId}/profile?app=basic`, undefined, token);

test.serial("the root's owner reads what the courier ran, as run in a courier, per function version; another account gets 404", async (t) => {
  const { root, rootId, run } = await servedRoot(t, 300);
  t.like(await run('g1', { function: 'greet', input: { name: 'a' } }), { ok: true });
  t.like(await run('g2', { function: 'greet', input: { name: 'b' } }), { ok: true });
  t.like(await run('f1', { function: 'fails' }), { ok: false });

  let profiles: Profile[] = [];
  await until('both functions reported', async () => {
    profiles = (await profilesOf(rootId)).body.profiles ?? [];
    return profiles.some((p) => p.function === 'greet' && p.calls === 2) && profiles.some((p) => p.function === 'fails');
  });
  // greet calls upper: three functions ran, each once per call of its tree.
  const { functions } = await loadApp(join(root, 'basic'), { dependencyKey: async () => '' });
  const expected: Record<string, { calls: number; errorRate: number }> = {
    greet: { calls: 2, errorRate: 0 },
    upper: { calls: 2, errorRate: 0 },
    fails: { calls: 1, errorRate: 1 },
  };
  t.deepEqual(profiles.map((p) => p.function).sort(), Object.keys(expected).sort());
  for (const profile of profiles) {
    t.like(profile, {
      ...expected[profile.function],
      version: functions.get(profile.function)!.version,
      places: { cloud: 0, courier: expected[profile.function]!.calls, edge: 0 },
    });
  }

  const stranger = await newUser(cloud.url);
  const refused = await profilesOf(rootId, stranger);
  t.is(refused.status, 404);
  t.is(refused.body.error.code, 'NOT_FOUND');
});

test.serial('what ran since the last report reaches the owner when the courier stops', async (t) => {
  // No report period passes within the test: only the stop can send it.
  const { rootId, courier, run } = await servedRoot(t, 600_000);
  t.like(await run('g1', { function: 'greet', input: { name: 'a' } }), { ok: true });
  t.deepEqual((await profilesOf(rootId)).body.profiles, []);
  await courier.stop();
  const { profiles } = (await profilesOf(rootId)).body as { profiles: Profile[] };
  t.like(
    profiles.find((p) => p.function === 'greet'),
    { calls: 1, places: { courier: 1 } },
  );
});
