/** `edgecourier profile --root` shows what a courier's folder requests ran, read from the courier's state folder: a table, JSON, filtered by app and function. */
import test from 'ava';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier } from '../../courier/main.ts';
import { PROFILES_FILE, rootHome } from '../../courier/state-home.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import type { RootProfiles } from '../../cli/root-profiles.ts';
import { runCli } from '../helpers/cli.ts';
import { dropRequest, makeRoot, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';

let executor: ExecutorBundle;
let temp: TempRoot;

test.before(async () => {
  executor = await createExecutor({ cacheDir: join(await tempFolder('ec-cache'), 'cache'), prestart: 1 });
  temp = await makeRoot('basic');
  const courier = await startCourier({ root: temp.root, stateDir: temp.state, settleMs: 200, executor, logger: pino({ level: 'silent' }) });
  try {
    const requests = { g1: { function: 'greet', input: { name: 'a' } }, g2: { function: 'greet', input: { name: 'b' } }, f1: { function: 'fails' } };
    for (const [id, request] of Object.entries(requests)) await dropRequest(temp.root, 'basic', id, request);
    for (const id of Object.keys(requests)) await waitForResult(temp.root, 'basic', id, 60_000);
  } finally {
    await courier.stop();
  }
});

test.after.always(async () => {
  await executor?.executor.close();
});

test('the table has a row per function version with its calls, error share, durations and where it ran', async (t) => {
  const { code, stdout, stderr } = await runCli(['profile', '--root', temp.root, '--state', temp.state]);
  t.is(code, 0, stderr);
  const [title, header, ...rows] = stdout.trimEnd().split('\n');
  t.is(title, 'basic');
  t.regex(header!, /^FUNCTION\s+VERSION\s+CALLS\s+ERRORS\s+P50 MS\s+P95 MS\s+P99 MS\s+COLD\s+COLD P50\s+PEAK MB\s+IN B\s+OUT B\s+PLACES$/);
  const byFunction = new Map(rows.map((row) => [row.split(/\s+/)[0], row.split(/\s{2,}/)]));
  t.deepEqual([...byFunction.keys()].sort(), ['fails', 'greet', 'upper']);
  const greet = byFunction.get('greet')!;
  t.is(greet[2], '2', 'calls');
  t.is(greet[3], '0.0%', 'errors');
  t.regex(greet[4]!, /^\d+(\.\d+)?$/, 'a p50 duration');
  t.is(greet.at(-1), 'courier 2');
  t.like(byFunction.get('fails'), { 2: '1', 3: '100.0%' });
});

test('--json gives the summaries; an app and a function narrow them; the default state folder is the courier default', async (t) => {
  // No --state: the same default the courier used, here through $EDGECOURIER_STATE.
  const { code, stdout, stderr } = await runCli(['profile', 'basic', 'greet', '--root', temp.root, '--json'], {
    env: { ...process.env, EDGECOURIER_STATE: temp.state },
  });
  t.is(code, 0, stderr);
  const answer = JSON.parse(stdout) as RootProfiles;
  t.is(answer.root, await realpath(temp.root));
  t.is(answer.apps.length, 1);
  t.is(answer.apps[0]!.app, 'basic');
  t.like(answer.apps[0]!.profiles, [{ function: 'greet', calls: 2, errorRate: 0, served: { executed: 2 }, places: { courier: 2 } }]);
  t.is(answer.apps[0]!.profiles.length, 1);
});

test('a root with no profiles says so; a root that does not exist is a bad argument', async (t) => {
  const empty = await makeRoot('basic');
  const none = await runCli(['profile', '--root', empty.root, '--state', empty.state]);
  t.is(none.code, 0, none.stderr);
  t.regex(none.stdout, /^no profiles in .*profiles\.json: no request of .* has run under a courier with this state folder yet/);
  const missing = await runCli(['profile', '--root', join(empty.root, 'nowhere'), '--state', empty.state]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /INVALID_INPUT: the root folder .*nowhere does not exist/);
});

test('a profiles file that cannot be used is named in a warning, and no profiles are shown', async (t) => {
  const other = await makeRoot('basic');
  const home = rootHome(other.state, await realpath(other.root));
  await mkdir(home, { recursive: true });
  await writeFile(join(home, PROFILES_FILE), 'not json');
  const { code, stdout, stderr } = await runCli(['profile', '--root', other.root, '--state', other.state]);
  t.is(code, 0, stderr);
  t.regex(stderr, /profiles\.json is not JSON; the courier replaces it with fresh profiles/);
  t.regex(stdout, /^no profiles in /);
});
