/** `edgecourier schedules` from the command line: a cloud app's schedules, and those of a courier's folder apps with --root, as text and --json. */
import test from 'ava';
import { cp, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { rootHome } from '../../courier/state-home.ts';
import { scheduleLedgerPath } from '../../courier/schedule-ledger.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { runCli } from '../helpers/cli.ts';
import { tempFolder } from '../helpers/temp.ts';

const example = fileURLToPath(new URL('../../docs/examples/hello', import.meta.url));

let cloud: RunningCloud;
let executor: ExecutorBundle;
let env: NodeJS.ProcessEnv;
let dir: string;

const run = (...args: string[]) => runCli(args, { env });

/** The example app with a schedule of greet added to its app.json. */
async function helloWithSchedule(target: string, schedules: unknown): Promise<void> {
  await cp(example, target, { recursive: true });
  const appJson = JSON.parse(await readFile(join(target, 'app.json'), 'utf8'));
  await writeFile(join(target, 'app.json'), JSON.stringify({ ...appJson, schedules }));
}

test.before(async () => {
  dir = await tempFolder('ec-schedules-cli');
  executor = await createExecutor({ cacheDir: join(dir, 'cache'), prestart: 0 });
  cloud = await startCloud({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', executor, logger: pino({ level: 'silent' }) });
  env = { ...process.env, EDGECOURIER_CREDENTIALS: join(dir, 'credentials.json'), EDGECOURIER_PASSWORD: 'correct horse battery', EDGECOURIER_URL: cloud.url };
  delete env.EDGECOURIER_TOKEN;
  const signedUp = await run('signup', '--url', cloud.url, '--email', 'schedules@example.com');
  if (signedUp.code !== 0) throw new Error(signedUp.stderr);
});

test.after.always(async () => {
  await cloud?.close();
  await executor?.executor.close();
});

test('a cloud app: its schedules with their timing, and no next slot while it is stopped', async (t) => {
  await helloWithSchedule(join(dir, 'hello'), { nightly: { function: 'greet', cron: '0 3 * * *', timezone: 'Europe/Berlin', input: { name: 'night' } } });
  const deployed = await run('deploy', join(dir, 'hello'));
  t.is(deployed.code, 0, deployed.stderr);
  const listed = await run('schedules', 'hello', '--json');
  t.is(listed.code, 0, listed.stderr);
  t.like(JSON.parse(listed.stdout), [
    { name: 'nightly', function: 'greet', cron: '0 3 * * *', timezone: 'Europe/Berlin', input: { name: 'night' }, skipped: 0 },
  ]);
  t.is(JSON.parse(listed.stdout)[0].next, undefined);
  t.is((await run('schedules', 'hello')).stdout, 'nightly  greet  cron "0 3 * * *" Europe/Berlin  next -  never run\n');
});

test("--root: the folder apps' schedules from their app.json, with the next slot and the last run from the state folder; an app.json that does not load says why", async (t) => {
  const root = join(dir, 'root');
  const state = join(dir, 'state');
  await helloWithSchedule(join(root, 'hello'), { tick: { function: 'greet', every: '5m' } });
  await helloWithSchedule(join(root, 'broken'), { tick: { function: 'greet', every: 'often' } });
  const ledger = scheduleLedgerPath(rootHome(state, await realpath(root)));
  await mkdir(dirname(ledger), { recursive: true });
  const lastRun = {
    slot: '2026-12-07T08:00:00.000Z',
    startedAt: '2026-12-07T08:00:00.003Z',
    endedAt: '2026-12-07T08:00:00.040Z',
    outcome: 'ok',
    ref: 'hello/results/tick@2026-12-07T08-00-00Z.json',
  };
  await writeFile(ledger, JSON.stringify({ hello: { tick: { timing: 'every 5m', lastSlot: Date.parse(lastRun.slot), skipped: 2, lastRun } } }));

  const listed = await run('schedules', '--root', root, '--state', state, '--json');
  t.is(listed.code, 0, listed.stderr);
  const rows = JSON.parse(listed.stdout);
  t.like(rows[0], { app: 'broken', name: '-' });
  t.regex(rows[0].error, /schedules\.tick\.every/);
  t.like(rows[1], { app: 'hello', name: 'tick', function: 'greet', every: '5m', skipped: 2, lastRun });
  t.is(Date.parse(rows[1].next) % 300_000, 0, 'the next slot falls on a whole five minutes');
  const text = (await run('schedules', '--root', root, '--state', state)).stdout;
  t.regex(
    text,
    /^hello {2}tick {2}greet {2}every 5m {2}next \S+ {2}last 2026-12-07T08:00:00.000Z ok hello\/results\/tick@2026-12-07T08-00-00Z.json {2}2 skipped$/m,
  );
});

test('an app and --root together, or neither, is refused as bad arguments', async (t) => {
  for (const args of [['schedules'], ['schedules', 'hello', '--root', dir]]) {
    const refused = await run(...args);
    t.is(refused.code, 2);
    t.regex(refused.stderr, /INVALID_INPUT: name a cloud app, or give --root/);
  }
  t.regex((await run('schedules', '--help')).stdout, /results\/<schedule>@<slot>\.json/);
});
