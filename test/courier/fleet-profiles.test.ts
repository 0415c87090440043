/** A fleet courier reports what its roots' folder apps ran to the cloud, in reports the cloud's schema takes; a cloud that refuses them loses nothing and stops nothing; stopping sends what is left. */
import test from 'ava';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { fleetReportRequest, profilePaths } from '../../api/profiles.ts';
import { cloudClient } from '../../cli/cloud-client.ts';
import { startFleetCourier, type FleetCourier } from '../../courier/fleet.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import type { ProfileDigest } from '../../runtime/profiles.ts';
import { api } from '../helpers/cloud.ts';
import { dropRequest, makeRoot, waitForResult } from '../helpers/courier.ts';
import { startFleetCloud, type FleetCloud } from '../helpers/fleet-cloud.ts';
import { startRecorder, type RecordedRequest, type Recorder } from '../helpers/report-recorder.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

let base: string;
let executor: ExecutorBundle;
let cloud: FleetCloud;
let recorder: Recorder;

test.before(async () => {
  base = await tempFolder('ec-fleet-profiles');
  executor = await createExecutor({ cacheDir: join(base, 'courier-cache'), prestart: 1 });
  cloud = await startFleetCloud(base, 2000);
  recorder = await startRecorder({ record: (method, path) => method === 'POST' && path === profilePaths.fleet, forwardTo: cloud.url });
});

test.after.always(async () => {
  await recorder?.close();
  await cloud?.close();
  await executor?.executor.close();
});

const silent: Logger = pino({ level: 'silent' });

/** A root with the basic app, registered with the cloud (and removed when the test ends), and a fleet courier through the recorder serving it. */
async function servedRoot(t: { teardown(fn: () => Promise<unknown>): void }, profileReportMs: number) {
  const temp = await makeRoot('basic');
  const added = await api(cloud.url, 'POST', '/api/v1/roots', { kind: 'local', path: temp.root }, cloud.token);
  const rootId = added.body.id as string;
  t.teardown(() => api(cloud.url, 'DELETE', `/api/v1/roots/${rootId}`, undefined, cloud.token));
  const courier: FleetCourier = await startFleetCourier({
    cloud: cloudClient(recorder.url, cloud.token),
    name: 'reporter',
    stateDir: join(base, 'state'),
    executor,
    tuning: { settleMs: 200 },
    profileReportMs,
    logger: silent,
  });
  t.teardown(() => courier.stop());
  await until('the courier serves the root', () => courier.serving().includes(rootId));
  const run = async (id: string, request: unknown) => {
    await dropRequest(temp.root, 'basic', id, request);
    return waitForResult(temp.root, 'basic', id, 60_000);
  };
  return { rootId, courier, run };
}

/** The digests of `rootId`'s app "basic" in the reports received so far (accepted ones unless told), as the cloud's schema parses them. */
function reported(rootId: string, which: (request: RecordedRequest) => boolean = (request) => !request.refused): ProfileDigest[] {
  return recorder.received
    .filter(which)
    .flatMap((request) => fleetReportRequest.parse(request.body).roots)
    .filter((root) => root.rootId === rootId)
    .flatMap((root) => root.apps.filter((app) => app.app === 'basic').flatMap((app) => app.digests));
}

const callsOf = (digests: ProfileDigest[], fn: string) => digests.filter((d) => d.function === fn).reduce((sum, d) => sum + d.calls, 0);

test.serial('what the folder apps ran reaches the cloud in reports of the fleet API, with the operator token, each call once', async (t) => {
  const { rootId, run } = await servedRoot(t, 300);
  t.like(await run('g1', { function: 'greet', input: { name: 'a' } }), { ok: true });
  t.like(await run('g2', { function: 'greet', input: { name: 'b' } }), { ok: true });
  t.like(await run('f1', { function: 'fails' }), { ok: false });
  await until('greet and fails reported', () => callsOf(reported(rootId), 'greet') === 2 && callsOf(reported(rootId), 'fails') === 1);
  const reports = recorder.received.filter((request) => reported(rootId, (r) => r === request).length > 0);
  t.true(reports.every((request) => request.authorization === `Bearer ${cloud.token}`));
  const digests = reported(rootId);
  t.true(digests.every((d) => d.places.courier === d.calls && d.places.cloud === 0 && d.places.edge === 0));
  t.is(
    digests.filter((d) => d.function === 'fails').reduce((sum, d) => sum + d.errors, 0),
    1,
  );
  // Later reports, with a call of another function in them: what was reported is never sent again.
  t.like(await run('u1', { function: 'upper', input: { text: 'z' } }), { ok: true });
  await until('the later call reported', () => callsOf(reported(rootId), 'upper') === 3);
  t.is(callsOf(reported(rootId), 'greet'), 2);
});

test.serial('while the cloud refuses reports the courier keeps serving; the next report it takes carries every call, merged per version', async (t) => {
  const { rootId, run } = await servedRoot(t, 300);
  recorder.refusing = true;
  t.teardown(() => (recorder.refusing = false));
  t.like(await run('g1', { function: 'greet', input: { name: 'a' } }), { ok: true });
  await until('two refused reports with the call', () => recorder.received.filter((r) => r.refused && reported(rootId, (x) => x === r).length > 0).length >= 2);
  t.like(await run('g2', { function: 'greet', input: { name: 'b' } }), { ok: true }, 'a refused report stops nothing');
  recorder.refusing = false;
  await until('an accepted report of both calls', () => callsOf(reported(rootId), 'greet') === 2);
  const greet = reported(rootId).filter((d) => d.function === 'greet');
  t.is(greet.length, 1, 'one digest for the version, not one per refused report');
  t.is(greet[0]!.calls, 2);
});

test.serial('stopping the courier sends what ran since the last report', async (t) => {
  // No report period passes within the test: only the stop can send it.
  const { rootId, courier, run } = await servedRoot(t, 600_000);
  t.like(await run('g1', { function: 'greet', input: { name: 'a' } }), { ok: true });
  t.is(callsOf(reported(rootId), 'greet'), 0);
  await courier.stop();
  t.is(callsOf(reported(rootId), 'greet'), 1);
});
