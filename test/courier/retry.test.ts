/** The courier tries platform failures again and takes the function's own failures as final, on real Docker with a test executor failing chosen calls. */
import test from 'ava';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type CourierSettings, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, readPending, sleep, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { FlakyExecutor, type FailWhen } from '../helpers/flaky-executor.ts';
import { waitFor } from '../helpers/wait.ts';

let docker: ExecutorBundle;
const stops: Array<() => Promise<void>> = [];

test.before(async () => {
  const { state } = await makeRoot();
  docker = await createExecutor({ cacheDir: join(state, '..', 'cache'), prestart: 1 });
});

test.after.always(async () => {
  for (const stop of stops) await stop();
  await docker?.executor.close();
});

/** Short waits so a chain of tries fits a test: 100 ms doubling up to 400 ms. */
const quickRetry = { retryForMs: 60_000, firstDelayMs: 100, maxDelayMs: 400 };

interface Setup {
  temp: TempRoot;
  flaky: FlakyExecutor;
  running: RunningCourier;
  logs: Array<{ level: number; msg: string; id?: string; code?: string; attempts?: number }>;
}

async function setup(failWhen: FailWhen, settings: Partial<CourierSettings> = {}, temp?: TempRoot): Promise<Setup> {
  temp ??= await makeRoot('basic');
  const flaky = new FlakyExecutor(docker.executor, failWhen);
  const logs: Setup['logs'] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const running = await startCourier({
    root: temp.root,
    stateDir: temp.state,
    settleMs: 200,
    pendingAfterMs: 200,
    retry: quickRetry,
    executor: { ...docker, executor: flaky },
    logger,
    ...settings,
  });
  // Stopped once: a test may stop its courier itself, and a second stop would let go of a lock it no longer holds.
  const stopped = running.stop.bind(running);
  let stopping: Promise<void> | undefined;
  running.stop = () => (stopping ??= stopped());
  stops.push(() => running.stop());
  return { temp, flaky, running, logs };
}

const WARN = 40;
const warnings = (logs: Setup['logs'], id: string) => logs.filter((line) => line.level === WARN && line.id === id);
const inputText = (input: unknown) => (input as { text?: string }).text;

test('a request whose first tries meet SANDBOX_FAILED ends with the function output, its pending file showing the retries meanwhile', async (t) => {
  const { temp, flaky, logs } = await setup((n) => (n <= 2 ? 'SANDBOX_FAILED' : undefined));
  await dropRequest(temp.root, 'basic', 'flaky', { function: 'upper', input: { text: 'through' } });
  const pending = await waitFor('a pending file with a retry state', async () => (await readPending(temp.root, 'basic', 'flaky'))?.retry);
  t.like(pending, { lastError: { code: 'SANDBOX_FAILED' } });
  t.true(pending.attempts >= 1 && Date.parse(pending.nextTryAt) > 0 && Date.parse(pending.retryUntil) > Date.parse(pending.nextTryAt));
  t.like(await waitForResult(temp.root, 'basic', 'flaky'), { ok: true, output: 'THROUGH' });
  t.is(flaky.calls.length, 3);
  // The request's log line comes after its result file and the pending file's removal.
  t.like(await waitFor('the request log line', () => logs.find((line) => line.msg === 'request' && line.id === 'flaky')), { level: 30, attempts: 3 });
  await t.throwsAsync(stat(join(temp.root, 'basic', 'results', 'flaky.pending.json')), { code: 'ENOENT' });
  t.is(warnings(logs, 'flaky').length, 1, 'one warning for the chain, none per try');
});

test("a function's own failure is final at once, even after platform failures", async (t) => {
  const { temp, flaky } = await setup((n) => (n === 1 ? 'SANDBOX_FAILED' : undefined));
  await dropRequest(temp.root, 'basic', 'throws', { function: 'fails', input: { why: 'mine' } });
  const result = await waitForResult(temp.root, 'basic', 'throws');
  t.like(result, { ok: false, error: { code: 'FUNCTION_THREW' } });
  if (!result.ok) t.notRegex(result.error.message, /tried \d+ times/);
  // Several back-off steps (at most 400 ms each): no further try comes.
  await sleep(1500);
  t.is(flaky.calls.length, 2);
});

test('platform failures past the bound give the last error as the result, stating the tries', async (t) => {
  const { temp, flaky, logs } = await setup(() => 'SANDBOX_FAILED', { retry: { ...quickRetry, retryForMs: 1500 } });
  await dropRequest(temp.root, 'basic', 'hopeless', { function: 'upper', input: { text: 'never' } });
  const result = await waitForResult(temp.root, 'basic', 'hopeless');
  await waitFor('the request log line', () => logs.find((line) => line.msg === 'request' && line.id === 'hopeless'));
  t.false(result.ok);
  if (result.ok) return;
  t.is(result.error.code, 'SANDBOX_FAILED');
  // How many tries fit in the bound depends on how busy the machine is; the count stated must be the real one.
  const [, tries, seconds] = /tried (once|\d+ times) over ([\d.]+) s; the courier retries for 1\.5 s/.exec(result.error.message) ?? [];
  t.is(tries === 'once' ? 1 : Number.parseInt(tries ?? '', 10), flaky.calls.length, result.error.message);
  t.true(Number(seconds) >= 1.4, `${seconds} s`);
  await t.throwsAsync(stat(join(temp.root, 'basic', 'results', 'hopeless.pending.json')), { code: 'ENOENT' });
  t.deepEqual(
    warnings(logs, 'hopeless').map((line) => line.msg),
    ['platform failure; trying the request again with back-off', 'request'],
  );
});

test('a request waiting to retry holds no work slot: other requests run meanwhile', async (t) => {
  const { temp } = await setup((_, request) => (inputText(request.input) === 'stuck' ? 'BUSY' : undefined), { concurrency: 1 });
  await dropRequest(temp.root, 'basic', 'stuck', { function: 'upper', input: { text: 'stuck' } });
  await waitFor('the stuck request to wait for a retry', async () => (await readPending(temp.root, 'basic', 'stuck'))?.retry);
  for (let i = 0; i < 3; i++) await dropRequest(temp.root, 'basic', `other${i}`, { function: 'upper', input: { text: `o${i}` } });
  for (let i = 0; i < 3; i++) t.like(await waitForResult(temp.root, 'basic', `other${i}`), { ok: true, output: `O${i}` });
  t.like(await readPending(temp.root, 'basic', 'stuck'), { retry: { lastError: { code: 'BUSY' } } });
  await t.throwsAsync(stat(join(temp.root, 'basic', 'results', 'stuck.json')), { code: 'ENOENT' });
});

test('editing a request while it waits runs the new content, once', async (t) => {
  const { temp, flaky } = await setup((_, request) => (inputText(request.input) === 'v1' ? 'ENGINE_UNAVAILABLE' : undefined));
  await dropRequest(temp.root, 'basic', 'edited', { function: 'upper', input: { text: 'v1' } });
  await waitFor('v1 to wait for a retry', async () => (await readPending(temp.root, 'basic', 'edited'))?.retry);
  await dropRequest(temp.root, 'basic', 'edited', { function: 'upper', input: { text: 'v2' } });
  t.like(await waitForResult(temp.root, 'basic', 'edited'), { ok: true, output: 'V2' });
  const v1Tries = flaky.calls.filter((input) => inputText(input) === 'v1').length;
  await sleep(1500);
  t.is(flaky.calls.filter((input) => inputText(input) === 'v1').length, v1Tries, 'the old content is tried no more');
  t.is(flaky.calls.filter((input) => inputText(input) === 'v2').length, 1);
  t.like(JSON.parse(await readFile(join(temp.root, 'basic', 'results', 'edited.json'), 'utf8')), { output: 'V2' });
  t.is(await readPending(temp.root, 'basic', 'edited'), undefined);
});

test('a removed request stops retrying, and its pending file goes', async (t) => {
  const { temp, flaky } = await setup(() => 'SANDBOX_FAILED');
  await dropRequest(temp.root, 'basic', 'removed', { function: 'upper', input: { text: 'gone' } });
  await waitFor('a retry state', async () => (await readPending(temp.root, 'basic', 'removed'))?.retry);
  await rm(join(temp.root, 'basic', 'requests', 'removed.json'));
  await waitFor('the pending file to go', async () => ((await readPending(temp.root, 'basic', 'removed')) ? undefined : true));
  const tries = flaky.calls.length;
  await sleep(1500);
  t.is(flaky.calls.length, tries);
  await t.throwsAsync(stat(join(temp.root, 'basic', 'results', 'removed.json')), { code: 'ENOENT' });
});

test('a courier stopped while a request waits to retry runs it after a restart', async (t) => {
  const first = await setup(() => 'BUSY');
  await dropRequest(first.temp.root, 'basic', 'restarted', { function: 'upper', input: { text: 'later' } });
  await waitFor('a retry state', async () => (await readPending(first.temp.root, 'basic', 'restarted'))?.retry);
  await first.running.stop();
  await t.throwsAsync(stat(join(first.temp.root, 'basic', 'results', 'restarted.json')), { code: 'ENOENT' });
  const second = await setup(() => undefined, {}, first.temp);
  t.like(await waitForResult(first.temp.root, 'basic', 'restarted'), { ok: true, output: 'LATER' });
  t.is(second.flaky.calls.length, 1);
  await waitFor('the pending file to go', async () => ((await readPending(first.temp.root, 'basic', 'restarted')) ? undefined : true));
  t.pass();
});
