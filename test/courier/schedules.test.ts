/** Folder apps' schedules on a real folder with real Docker: timestamped results, no overlap, app.json errors said, changes followed, one catch-up after a restart. */
import test from 'ava';
import { mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { rootHome } from '../../courier/state-home.ts';
import { scheduleLedgerPath } from '../../courier/schedule-ledger.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import type { ResultFile } from '../../courier/result-files.ts';
import { dropRequest, makeRoot, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { until, waitFor } from '../helpers/wait.ts';

let temp: TempRoot;
let running: RunningCourier;
let executor: ExecutorBundle;
const logs: string[] = [];

const functions = {
  'tick.js': 'export default async function tick(input) { return { input, at: Date.now() }; }\n',
  'slow.js':
    'export default async function slow() { const start = Date.now(); await new Promise((r) => setTimeout(r, 2500)); return { start, end: Date.now() }; }\n',
};

async function writeApp(root: string, app: string, appJson: unknown): Promise<void> {
  await mkdir(join(root, app, 'functions'), { recursive: true });
  for (const [name, code] of Object.entries(functions)) await writeFile(join(root, app, 'functions', name), code);
  await writeFile(join(root, app, 'app.json'), JSON.stringify(appJson));
}

/** The schedule's result files, oldest first, parsed. */
async function scheduled(root: string, app: string, schedule: string): Promise<Array<{ file: string; result: ResultFile }>> {
  const folder = join(root, app, 'results');
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => name.startsWith(`${schedule}@`) && !name.includes('.pending')).sort();
  return Promise.all(names.map(async (file) => ({ file, result: JSON.parse(await readFile(join(folder, file), 'utf8')) as ResultFile })));
}

const startOn = (root: string, state: string) =>
  startCourier({
    root,
    stateDir: state,
    settleMs: 200,
    pendingAfterMs: 5000,
    executor,
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
  });

test.before(async () => {
  temp = await makeRoot();
  executor = await createExecutor({ cacheDir: join(temp.state, '..', 'cache'), prestart: 1 });
  running = await startOn(temp.root, temp.state);
});

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
});

test.afterEach.always((t) => {
  if (!t.passed) t.log(logs.slice(-40).join(''));
});

test('a schedule every second writes each run to results/<schedule>@<slot>.json, named to sort by time', async (t) => {
  await writeApp(temp.root, 'ticker', { schedules: { tick: { function: 'tick', every: '1s', input: { hello: 'world' } } } });
  const runs = await waitFor('three scheduled results', async () => {
    const found = await scheduled(temp.root, 'ticker', 'tick');
    return found.length >= 3 ? found : undefined;
  });
  for (const { file, result } of runs) {
    t.regex(file, /^tick@\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    t.like(result, { ok: true, output: { input: { hello: 'world' } }, schedule: { name: 'tick' } });
    t.is(file, `tick@${result.schedule!.slot.replace('.000Z', 'Z').replaceAll(':', '-')}.json`);
  }
  const slots = runs.map(({ result }) => Date.parse(result.schedule!.slot));
  t.true(
    slots.every((slot, i) => i === 0 || slot > slots[i - 1]!),
    'one result per slot, in order',
  );
});

test('a run longer than the interval is not overlapped: the slots meanwhile are skipped', async (t) => {
  await writeApp(temp.root, 'sluggish', { schedules: { slow: { function: 'slow', every: '1s' } } });
  const runs = await waitFor('three runs of the slow schedule', async () => {
    const found = await scheduled(temp.root, 'sluggish', 'slow');
    return found.length >= 3 ? found : undefined;
  });
  const spans = runs.map(({ result }) => (result.ok ? (result.output as { start: number; end: number }) : t.fail(JSON.stringify(result))));
  for (let i = 1; i < spans.length; i++) t.true(spans[i]!.start >= spans[i - 1]!.end, `run ${i} began after run ${i - 1} ended`);
  t.true(
    logs.some((line) => line.includes('"schedule":"slow"') && line.includes('a slot was skipped')),
    'the skipped slots are logged',
  );
});

test('a bad schedule in app.json runs nothing, is logged in words, and a request to the app says the same', async (t) => {
  await writeApp(temp.root, 'broken', { schedules: { tick: { function: 'tick', every: '500ms' } } });
  await until('the warning about the app', () => logs.some((line) => line.includes('"app":"broken"') && line.includes('schedules.tick.every')));
  await dropRequest(temp.root, 'broken', 'r1', { function: 'tick', input: 1 });
  const result = await waitForResult(temp.root, 'broken', 'r1');
  t.like(result, { ok: false, error: { code: 'INVALID_APP' } });
  t.regex(result.ok ? '' : result.error.message, /schedules\.tick\.every/);
  t.deepEqual(await scheduled(temp.root, 'broken', 'tick'), []);
});

test('a schedule removed from app.json stops', async (t) => {
  await writeApp(temp.root, 'changing', { schedules: { tick: { function: 'tick', every: '1s' } } });
  await until('a first run', async () => (await scheduled(temp.root, 'changing', 'tick')).length > 0);
  await writeFile(join(temp.root, 'changing', 'app.json'), JSON.stringify({}));
  // Waited on what can be seen: the count settles once the change is read, and stays through two more slots.
  let count = -1;
  await until(
    'no new run for 2 s',
    async () => {
      const now = (await scheduled(temp.root, 'changing', 'tick')).length;
      const still = now === count;
      count = now;
      return still;
    },
    { everyMs: 2100 },
  );
  t.pass();
});

test('a courier that starts after missing slots runs one catch-up at once, for the latest slot, not one per slot missed', async (t) => {
  const other = await makeRoot();
  await writeApp(other.root, 'ticker', { schedules: { tick: { function: 'tick', every: '1m' } } });
  // As a courier stopped ten minutes ago left it: the ledger's last slot, ten slots back.
  const ledger = scheduleLedgerPath(rootHome(other.state, await realpath(other.root)));
  await mkdir(dirname(ledger), { recursive: true });
  const minute = 60_000;
  const lastSlot = (Math.floor(Date.now() / minute) - 10) * minute;
  await writeFile(ledger, JSON.stringify({ ticker: { tick: { timing: 'every 1m', lastSlot, skipped: 0 } } }));
  // Clear of the next slot, so that only the catch-up can run while the test looks.
  await until('15 s or more before the next minute', () => Date.now() % minute < minute - 15_000, { everyMs: 200, timeoutMs: 20_000 });
  const latest = Math.floor(Date.now() / minute) * minute;
  const courier = await startOn(other.root, other.state);
  try {
    const [first] = await waitFor('the catch-up run', async () => {
      const found = await scheduled(other.root, 'ticker', 'tick');
      return found.length > 0 ? found : undefined;
    });
    t.is(first!.result.schedule!.slot, new Date(latest).toISOString(), 'at once, for the latest slot missed');
    await until('the run recorded as ended', async () => JSON.parse(await readFile(ledger, 'utf8')).ticker?.tick?.lastRun?.endedAt !== undefined);
    t.is((await scheduled(other.root, 'ticker', 'tick')).length, 1, 'one run for the ten slots missed');
  } finally {
    await courier.stop();
  }
});
