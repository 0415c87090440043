/** A courier profiles its folder apps' requests in its state folder: counts, errors and how calls were served per version, a new version for an edited app, kept across restarts, a corrupt file replaced with a warning. */
import test from 'ava';
import { appendFile, mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { readProfileFile } from '../../courier/profile-file.ts';
import { PROFILES_FILE, rootHome } from '../../courier/state-home.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import type { ProfileDigest } from '../../runtime/profiles.ts';
import { dropRequest, makeRoot, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';

let executor: ExecutorBundle;

test.before(async () => {
  executor = await createExecutor({ cacheDir: join(await tempFolder('ec-cache'), 'cache'), prestart: 1 });
});

test.after.always(async () => {
  await executor?.executor.close();
});

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) };
}

function start(temp: TempRoot, logger: Logger = pino({ level: 'silent' })): Promise<RunningCourier> {
  return startCourier({ root: temp.root, stateDir: temp.state, settleMs: 200, executor, logger });
}

/** The profiles file as the courier wrote it, by app, then by "function@version". */
async function profileFile(temp: TempRoot): Promise<Map<string, Map<string, ProfileDigest>>> {
  const reading = await readProfileFile(join(rootHome(temp.state, await realpath(temp.root)), PROFILES_FILE));
  if (!reading.ok) throw new Error(reading.problem);
  return new Map(reading.apps.map(({ app, digests }) => [app, new Map(digests.map((d) => [`${d.function}@${d.version}`, d]))]));
}

/** The version in a call key, `<function>@<version>:<input hash>`. */
const versionOf = (key: string) => key.split('@')[1]!.split(':')[0]!;

async function run(temp: TempRoot, id: string, request: unknown) {
  await dropRequest(temp.root, 'basic', id, request);
  return waitForResult(temp.root, 'basic', id, 60_000);
}

test('each version of each function is profiled: calls, errors, how they were answered; an edited app gets new versions, and a restart keeps counting', async (t) => {
  const temp = await makeRoot('basic');
  let courier = await start(temp);
  t.teardown(() => courier.stop());
  const a = await run(temp, 'g1', { function: 'greet', input: { name: 'a' } });
  await run(temp, 'g2', { function: 'greet', input: { name: 'b' } });
  await run(temp, 'f1', { function: 'fails', input: { why: 'testing' } });
  if (!a.ok) return t.fail(JSON.stringify(a));
  // upper of "a" answered from the cache the first greet returned: a call, but no duration.
  const cached = await run(temp, 'u1', { function: 'upper', input: { text: 'a' }, cache: a.cache });
  t.like(cached, { ok: true, output: 'A', stats: { executed: 0, cacheHits: 1 } });
  await courier.profiles.flush();

  const v1 = versionOf(a.key);
  const first = (await profileFile(temp)).get('basic')!;
  t.like(first.get(`greet@${v1}`), { calls: 2, errors: 0, served: { executed: 2, cache: 0 }, places: { courier: 2, cloud: 0, edge: 0 } });
  t.like(first.get(`upper@${versionOf(Object.keys(a.cache!)[0]!)}`), { calls: 3, errors: 0, served: { executed: 2, cache: 1 }, places: { courier: 3 } });
  t.like(
    [...first.values()].find((d) => d.function === 'fails'),
    { calls: 1, errors: 1 },
  );
  const greetDurations = first.get(`greet@${v1}`)!.durationMs.reduce((sum, [, count]) => sum + count, 0);
  t.is(greetDurations, 2, 'each executed call has a duration');

  // Any file of the app is part of every function's version.
  await appendFile(join(temp.root, 'basic', 'functions', 'greet.js'), '\n// edited\n');
  const b = await run(temp, 'g3', { function: 'greet', input: { name: 'c' } });
  if (!b.ok) return t.fail(JSON.stringify(b));
  const v2 = versionOf(b.key);
  t.not(v2, v1);
  await courier.stop();

  courier = await start(temp);
  await run(temp, 'g4', { function: 'greet', input: { name: 'd' } });
  await courier.profiles.flush();
  const after = (await profileFile(temp)).get('basic')!;
  t.like(after.get(`greet@${v1}`), { calls: 2 }, 'the first version keeps its own count');
  t.like(
    after.get(`greet@${v2}`),
    { calls: 2, served: { executed: 2 } },
    "the edited version's calls before and after the restart, never mixed with the first's",
  );
});

test('a profiles file that is not valid gives one warning and fresh profiles, and the courier serves requests as before', async (t) => {
  const temp = await makeRoot('basic');
  const home = rootHome(temp.state, await realpath(temp.root));
  await mkdir(home, { recursive: true });
  await writeFile(join(home, PROFILES_FILE), '{"format":1,"apps":{"basic":[{"function":"greet"}]}}');
  const { logger, lines } = capturingLogger();
  const courier = await start(temp, logger);
  t.teardown(() => courier.stop());
  const warnings = lines.filter((line) => line.msg === 'the profiles file cannot be used; starting fresh profiles');
  t.is(warnings.length, 1);
  t.regex(String(warnings[0]!.problem), /profiles\.json: apps\.basic\.0\.version/);
  t.like(await run(temp, 'g1', { function: 'greet', input: { name: 'again' } }), { ok: true });
  await courier.profiles.flush();
  const basic = (await profileFile(temp)).get('basic')!;
  t.deepEqual([...basic.values()].map((d) => [d.function, d.calls]).sort(), [
    ['greet', 1],
    ['upper', 1],
  ]);
});
