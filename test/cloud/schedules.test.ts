/** Schedules of cloud apps over HTTP on real Docker: activations with trigger `schedule`, stop ends them, no overlap, app.json errors, one catch-up after a restart. */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api } from '../helpers/cloud.ts';
import { deployFiles, newUser, startDockerCloud } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';
import { until, waitFor } from '../helpers/wait.ts';

const session = useCloud(test, { docker: true });

const functions = {
  'functions/tick.js': 'export default async function tick(input) { return { input, at: Date.now() }; }\n',
  'functions/slow.js': 'export default async function slow() { await new Promise((r) => setTimeout(r, 2500)); return "done"; }\n',
};

/** Deploys and starts an app of `functions` with `schedules` in its app.json; resolves with its id. */
async function scheduledApp(name: string, schedules: unknown, url = session.url, token = session.token): Promise<string> {
  const deployed = await deployFiles(url, token, name, { ...functions, 'app.json': JSON.stringify({ schedules }) });
  if (deployed.status !== 201) throw new Error(`deploy answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
  const started = await api(url, 'POST', `/api/v1/apps/${deployed.body.id}/start`, undefined, token);
  if (started.status !== 200) throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  return deployed.body.id as string;
}

const scheduleRuns = async (appId: string, url = session.url, token = session.token) =>
  (await api(url, 'GET', `/api/v1/apps/${appId}/activations?trigger=schedule&limit=100`, undefined, token)).body.activations as Array<{
    id: string;
    function: string;
    start: string;
    durationMs: number;
    outcome: string;
    caller: string;
    trigger: string;
  }>;

test('a running app runs its schedule every second as activations with trigger "schedule", listed with its next slot and last run; a stop ends it', async (t) => {
  const appId = await scheduledApp('ticker', { tick: { function: 'tick', every: '1s', input: { n: 7 } } });
  const runs = await waitFor('two scheduled runs', async () => {
    const found = await scheduleRuns(appId);
    return found.length >= 2 ? found : undefined;
  });
  const me = (await session.call('GET', '/me')).body.user.id;
  for (const run of runs) t.like(run, { function: 'tick', trigger: 'schedule', outcome: 'ok', caller: me });
  const listed = await session.call('GET', `/apps/${appId}/schedules`);
  t.is(listed.status, 200);
  const [schedule] = listed.body.schedules;
  t.like(schedule, { name: 'tick', function: 'tick', every: '1s', input: { n: 7 }, lastRun: { outcome: 'ok' } });
  t.true(Date.parse(schedule.next) > Date.now() - 1000, 'the next slot is ahead');
  const record = (await session.call('GET', `/activations/${schedule.lastRun.activationId}`)).body;
  t.like(record, { trigger: 'schedule', function: 'tick', outcome: 'ok' });

  await session.call('POST', `/apps/${appId}/stop`);
  // Waited on what can be seen: the count of runs stays the same through two slots and more.
  let count = -1;
  await until(
    'no new run for 2 s',
    async () => {
      const now = (await scheduleRuns(appId)).length;
      const still = now === count;
      count = now;
      return still;
    },
    { everyMs: 2100 },
  );
  const stopped = (await session.call('GET', `/apps/${appId}/schedules`)).body;
  t.like(stopped, { status: 'stopped', schedules: [{ name: 'tick', lastRun: { outcome: 'ok' } }] });
  t.is(stopped.schedules[0].next, undefined, 'no next slot while stopped');
});

test('a run longer than the interval is not overlapped: its slots meanwhile are skipped', async (t) => {
  const appId = await scheduledApp('sluggish', { slow: { function: 'slow', every: '1s' } });
  const runs = await waitFor('three scheduled runs', async () => {
    const found = await scheduleRuns(appId);
    return found.length >= 3 ? found : undefined;
  });
  const spans = runs.map((run) => ({ start: Date.parse(run.start), end: Date.parse(run.start) + run.durationMs })).sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) t.true(spans[i]!.start >= spans[i - 1]!.end, `run ${i} began after run ${i - 1} ended`);
  const listed = (await session.call('GET', `/apps/${appId}/schedules`)).body.schedules[0];
  t.true(listed.skipped > 0, 'the skipped slots are counted');
  await session.call('POST', `/apps/${appId}/stop`);
});

test('a bad schedule in app.json is refused 400 INVALID_INPUT naming the field', async (t) => {
  const bad = await deployFiles(session.url, session.token, 'bad', {
    ...functions,
    'app.json': JSON.stringify({ schedules: { tick: { function: 'tick', every: '10ms' } } }),
  });
  t.like(bad, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  t.regex(bad.body.error.message, /schedules\.tick\.every/);
  const missing = await deployFiles(session.url, session.token, 'bad', {
    ...functions,
    'app.json': JSON.stringify({ schedules: { tick: { function: 'nothere', cron: '* * * * *' } } }),
  });
  t.like(missing, { status: 400, body: { error: { code: 'INVALID_INPUT', message: 'app.json: schedules.tick.function: there is no function "nothere"' } } });
});

test('a cloud restarted after missing slots runs one catch-up at once, not one per slot missed', async (t) => {
  let cloud = await startDockerCloud();
  t.teardown(() => cloud.close());
  const token = await newUser(cloud.url);
  const minute = 60_000;
  const appId = await scheduledApp('ticker', { tick: { function: 'tick', every: '1m' } }, cloud.url, token);
  const dataDir = cloud.dataDir;
  await cloud.close();
  // As a cloud stopped ten minutes ago left it: the last slot run, ten slots back.
  const file = join(dataDir, 'cloud.json');
  const data = JSON.parse(await readFile(file, 'utf8'));
  const lastSlot = (Math.floor(Date.now() / minute) - 10) * minute;
  data.scheduleRuns = [{ appId, name: 'tick', record: { timing: 'every 1m', lastSlot, skipped: 0 } }];
  await writeFile(file, JSON.stringify(data));

  // Clear of the next slot, so that only the catch-up can run while the test looks.
  await until('15 s or more before the next minute', () => Date.now() % minute < minute - 15_000, { everyMs: 200, timeoutMs: 20_000 });
  const latest = Math.floor(Date.now() / minute) * minute;
  const restartedAt = Date.now();
  cloud = await startDockerCloud({ dataDir });
  const runsSince = async () => (await scheduleRuns(appId, cloud.url, token)).filter((run) => Date.parse(run.start) >= restartedAt);
  const [run] = await waitFor('the catch-up run', async () => {
    const found = await runsSince();
    return found.length > 0 ? found : undefined;
  });
  t.like(run, { trigger: 'schedule', outcome: 'ok' });
  const listed = async () => (await api(cloud.url, 'GET', `/api/v1/apps/${appId}/schedules`, undefined, token)).body.schedules[0];
  await until('the run recorded as ended', async () => (await listed()).lastRun?.endedAt !== undefined);
  t.is((await listed()).lastRun.slot, new Date(latest).toISOString(), 'at once, for the latest slot missed');
  t.is((await runsSince()).length, 1, 'one run for the ten slots missed');
});
