/** The courier on a real folder with real Docker: requests in, results (and caches) out, every bad input answered. */
import test from 'ava';
import { appendFile, cp, mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import type { ErrorCode } from '../../base/errors.ts';
import { dropRequest, makeRoot, sleep, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { until, waitFor } from '../helpers/wait.ts';

let temp: TempRoot;
let running: RunningCourier;
let executor: ExecutorBundle;
/** The courier's log lines, printed when a test fails so the reason is in the report. */
const logs: string[] = [];

test.before(async () => {
  temp = await makeRoot('basic', 'with-dep');
  executor = await createExecutor({ cacheDir: join(temp.state, '..', 'cache'), prestart: 1 });
  running = await startCourier({
    root: temp.root,
    stateDir: temp.state,
    settleMs: 300,
    pendingAfterMs: 200,
    maxRequestBytes: 4096,
    executor,
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }),
  });
});

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
});

test('a dropped request gets its result beside it', async (t) => {
  await dropRequest(temp.root, 'basic', 'hello', { function: 'greet', input: { name: 'folder' } });
  t.like(await waitForResult(temp.root, 'basic', 'hello'), {
    ok: true,
    output: { message: 'hello FOLDER' },
    logs: [{ fn: 'greet', message: 'greeting folder' }],
  });
});

test('an idempotent result comes back as a cache, and sending that cache again skips the work', async (t) => {
  await dropRequest(temp.root, 'basic', 'cache-1', { function: 'upper', input: { text: 'cached' } });
  const first = await waitForResult(temp.root, 'basic', 'cache-1');
  t.true(first.ok && Object.values(first.cache ?? {}).includes('CACHED'));
  await dropRequest(temp.root, 'basic', 'cache-2', { function: 'greet', input: { name: 'cached' }, cache: first.ok ? first.cache : {} });
  t.like(await waitForResult(temp.root, 'basic', 'cache-2'), { ok: true, output: { message: 'hello CACHED' }, stats: { executed: 1, cacheHits: 1 } });
});

test('precomputed results are honoured', async (t) => {
  await dropRequest(temp.root, 'basic', 'pre-1', { function: 'upper', input: { text: 'pre' } });
  const plain = await waitForResult(temp.root, 'basic', 'pre-1');
  const key = plain.ok ? plain.key : '';
  await dropRequest(temp.root, 'basic', 'pre-2', { function: 'greet', input: { name: 'pre' }, precomputed: { [key]: 'EDGE-MADE' } });
  t.like(await waitForResult(temp.root, 'basic', 'pre-2'), { ok: true, output: { message: 'hello EDGE-MADE' }, stats: { precomputedHits: 1 } });
});

const badInputs: Array<[string, string, string, string | object, ErrorCode, RegExp]> = [
  ['malformed JSON', 'basic', 'bad-json', '{"function": "greet", ', 'INVALID_REQUEST', /requests\/bad-json\.json is not valid JSON/],
  ['a request without a function', 'basic', 'no-fn', { input: 1 }, 'INVALID_REQUEST', /function.*A request looks like/],
  ['an unknown field', 'basic', 'extra', { function: 'greet', inptu: {} }, 'INVALID_REQUEST', /inptu/],
  ['an unknown function', 'basic', 'unknown', { function: 'nope' }, 'FUNCTION_NOT_FOUND', /no function "nope".*greet/],
  ['a function that throws', 'basic', 'throws', { function: 'fails', input: { why: 'test' } }, 'FUNCTION_THREW', /refused: test/],
  ['a file over the size limit', 'basic', 'huge', { function: 'greet', input: { name: 'x'.repeat(5000) } }, 'REQUEST_TOO_LARGE', /4096 bytes/],
  ['a folder that is not an app', 'notes', 'lost', { function: 'greet' }, 'NOT_AN_APP', /"notes" is not an app: it has no functions\/ folder/],
  [
    'input nested absurdly deep',
    'basic',
    'deep',
    `{"function":"greet","input":${'['.repeat(300)}${']'.repeat(300)}}`,
    'INVALID_REQUEST',
    /nests deeper than 256/,
  ],
];
for (const [what, app, id, content, code, message] of badInputs) {
  test(`${what} gets a result file that says what is wrong`, async (t) => {
    await dropRequest(temp.root, app, id, content);
    const result = await waitForResult(temp.root, app, id);
    t.false(result.ok);
    if (result.ok) return;
    t.is(result.error.code, code);
    t.regex(result.error.message, message);
  });
}

test("a thrown error's own code and status are kept in the result file", async (t) => {
  await mkdir(join(temp.root, 'shop', 'functions'), { recursive: true });
  await writeFile(
    join(temp.root, 'shop', 'functions', 'find.js'),
    "export default () => { throw Object.assign(new Error('no item'), { code: 'NOT_FOUND_ITEM', statusCode: 404 }); }",
  );
  await dropRequest(temp.root, 'shop', 'find-7', { function: 'find', input: 7 });
  t.like(await waitForResult(temp.root, 'shop', 'find-7'), { ok: false, error: { code: 'FUNCTION_THREW', functionCode: 'NOT_FOUND_ITEM', statusCode: 404 } });
});

test('an invalid app.json gets a result naming the file and the field, and fixing it makes the next request work', async (t) => {
  await mkdir(join(temp.root, 'broken', 'functions'), { recursive: true });
  await writeFile(join(temp.root, 'broken', 'functions', 'hi.js'), 'export default () => "hi"');
  await writeFile(join(temp.root, 'broken', 'app.json'), '{ "functions": { "hi": { "timeoutMs": -5 } } }');
  await sleep(400);
  await dropRequest(temp.root, 'broken', 'one', { function: 'hi' });
  t.like(await waitForResult(temp.root, 'broken', 'one'), { ok: false, error: { code: 'INVALID_APP' } });
  const failed = await waitForResult(temp.root, 'broken', 'one');
  if (!failed.ok) t.regex(failed.error.message, /app\.json: functions\.hi\.timeoutMs/);
  await writeFile(join(temp.root, 'broken', 'app.json'), '{ "functions": { "hi": { "timeoutMs": 500 } } }');
  await sleep(400);
  await dropRequest(temp.root, 'broken', 'two', { function: 'hi' });
  t.like(await waitForResult(temp.root, 'broken', 'two'), { ok: true, output: 'hi' });
});

test('a request written in place, slowly, is never read half-written', async (t) => {
  // A courier of its own with the default settle time: on a loaded machine the writer's 60 ms pauses can
  // stretch past the 300 ms the other tests use, and a file left unchanged that long counts as complete.
  const own = await makeRoot('basic');
  const courier = await startCourier({ root: own.root, stateDir: own.state, settleMs: 1000, executor, logger: pino({ level: 'silent' }) });
  t.teardown(() => courier.stop());
  await mkdir(join(own.root, 'basic', 'requests'), { recursive: true });
  const file = join(own.root, 'basic', 'requests', 'slow-writer.json');
  const text = JSON.stringify({ function: 'greet', input: { name: 'patient' } });
  await writeFile(file, text.slice(0, 10));
  for (let i = 10; i < text.length; i += 10) {
    await sleep(60);
    await appendFile(file, text.slice(i, i + 10));
  }
  t.like(await waitForResult(own.root, 'basic', 'slow-writer'), { ok: true, output: { message: 'hello PATIENT' } });
});

test('an edited function is used by the next request', async (t) => {
  // An app of its own: an edit gives every function of the app a new version, and other tests send caches to basic's.
  await cp(join(temp.root, 'basic', 'functions'), join(temp.root, 'edited', 'functions'), { recursive: true });
  await dropRequest(temp.root, 'edited', 'edit-1', { function: 'slow', input: { ms: 1 } });
  t.like(await waitForResult(temp.root, 'edited', 'edit-1'), { ok: true, output: { slept: 1 } });
  await writeFile(join(temp.root, 'edited', 'functions', 'slow.js'), 'export default (input) => ({ edited: input.ms });\n');
  await sleep(400);
  await dropRequest(temp.root, 'edited', 'edit-2', { function: 'slow', input: { ms: 2 } });
  t.like(await waitForResult(temp.root, 'edited', 'edit-2'), { ok: true, output: { edited: 2 } });
});

test('editing a request runs it again; saving the same content again does not', async (t) => {
  await dropRequest(temp.root, 'basic', 'again', { function: 'upper', input: { text: 'one' } });
  t.like(await waitForResult(temp.root, 'basic', 'again'), { ok: true, output: 'ONE' });
  const resultFile = join(temp.root, 'basic', 'results', 'again.json');
  const first = await stat(resultFile);
  await dropRequest(temp.root, 'basic', 'again', { function: 'upper', input: { text: 'one' } });
  await sleep(800);
  t.is((await stat(resultFile)).mtimeMs, first.mtimeMs, 'the same content must not run again');
  await dropRequest(temp.root, 'basic', 'again', { function: 'upper', input: { text: 'two' } });
  const deadline = Date.now() + 20_000;
  while (JSON.parse(await readFile(resultFile, 'utf8')).output !== 'TWO' && Date.now() < deadline) await sleep(25);
  t.like(JSON.parse(await readFile(resultFile, 'utf8')), { ok: true, output: 'TWO' });
});

test('sync-client debris, hidden files and symlinks out of the root are ignored', async (t) => {
  const requests = join(temp.root, 'basic', 'requests');
  const request = JSON.stringify({ function: 'upper', input: { text: 'debris' } });
  const debris = ["x (Ada's conflicted copy 2026-11-23).json", '~$x.json', '.hidden.json', 'x.json.tmp', 'desktop.ini', '.DS_Store'];
  for (const name of debris) await writeFile(join(requests, name), request);
  const outside = join(temp.state, '..', 'outside.json');
  await writeFile(outside, request);
  await symlink(outside, join(requests, 'linked.json'));
  await dropRequest(temp.root, 'basic', 'marker', { function: 'upper', input: { text: 'marker' } });
  await waitForResult(temp.root, 'basic', 'marker');
  await sleep(500);
  const results = await readdir(join(temp.root, 'basic', 'results'));
  for (const name of [...debris, 'linked.json'])
    t.false(
      results.some((r) => r.startsWith(name.replace(/\.json$/, ''))),
      name,
    );
});

test('a removed request, a moved app or a swapped requests folder runs again when its content returns', async (t) => {
  const request = { function: 'upper', input: { text: 'returns' } };
  const resultFile = join(temp.root, 'basic', 'results', 'returns.json');
  const rewritten = async (inode: number) => {
    const deadline = Date.now() + 20_000;
    while ((await stat(resultFile)).ino === inode && Date.now() < deadline) await sleep(25);
    return (await stat(resultFile)).ino !== inode;
  };
  await dropRequest(temp.root, 'basic', 'returns', request);
  t.like(await waitForResult(temp.root, 'basic', 'returns'), { ok: true, output: 'RETURNS' });
  await rm(join(temp.root, 'basic', 'requests', 'returns.json'));
  await sleep(300);
  const first = (await stat(resultFile)).ino;
  await dropRequest(temp.root, 'basic', 'returns', request);
  t.true(await rewritten(first), 'a removed request dropped again runs again');

  // A whole app moved out of the root and back: its requests are new again.
  await mkdir(join(temp.root, 'moving', 'requests'), { recursive: true });
  await cp(join(temp.root, 'basic', 'functions'), join(temp.root, 'moving', 'functions'), { recursive: true });
  await dropRequest(temp.root, 'moving', 'trip', request);
  t.like(await waitForResult(temp.root, 'moving', 'trip'), { ok: true, output: 'RETURNS' });
  const away = join(temp.state, '..', 'moving-away');
  await rename(join(temp.root, 'moving'), away);
  await sleep(300);
  await rename(away, join(temp.root, 'moving'));
  const tripResult = join(temp.root, 'moving', 'results', 'trip.json');
  const before = (await stat(tripResult)).ino;
  const deadline = Date.now() + 20_000;
  while ((await stat(tripResult)).ino === before && Date.now() < deadline) await sleep(25);
  t.not((await stat(tripResult)).ino, before, 'the moved-back request runs again');

  // The requests folder swapped for another one renamed in: its requests all run, the same content too.
  const staging = join(temp.state, '..', 'staging-requests');
  await mkdir(staging);
  await writeFile(join(staging, 'trip.json'), JSON.stringify(request));
  await writeFile(join(staging, 'fresh.json'), JSON.stringify({ function: 'upper', input: { text: 'fresh' } }));
  const swapped = (await stat(tripResult)).ino;
  await rename(join(temp.root, 'moving', 'requests'), join(temp.state, '..', 'old-requests'));
  await rename(staging, join(temp.root, 'moving', 'requests'));
  t.like(await waitForResult(temp.root, 'moving', 'fresh'), { ok: true, output: 'FRESH' });
  while ((await stat(tripResult)).ino === swapped && Date.now() < deadline + 20_000) await sleep(25);
  t.not((await stat(tripResult)).ino, swapped, 'the same content in the new folder runs again');
});

test("an app folder swapped for another of the same name at once has the new one's requests answered", async (t) => {
  const request = { function: 'upper', input: { text: 'swap' } };
  const build = async (folder: string, id: string) => {
    await mkdir(join(folder, 'requests'), { recursive: true });
    await cp(join(temp.root, 'basic', 'functions'), join(folder, 'functions'), { recursive: true });
    await writeFile(join(folder, 'requests', `${id}.json`), JSON.stringify(request));
  };
  await build(join(temp.root, 'swapping'), 'first');
  t.like(await waitForResult(temp.root, 'swapping', 'first'), { ok: true, output: 'SWAP' });
  const next = join(temp.state, '..', 'swapping-next');
  await build(next, 'second');
  await rename(join(temp.root, 'swapping'), join(temp.state, '..', 'swapping-old'));
  await rename(next, join(temp.root, 'swapping'));
  const second = await waitForResult(temp.root, 'swapping', 'second').catch((error: unknown) => {
    t.log(
      logs
        .filter((line) => line.includes('swapping'))
        .slice(-40)
        .join(''),
    );
    throw error;
  });
  t.like(second, { ok: true, output: 'SWAP' });
});

test('a requests folder that is a symlink out of the root is not followed', async (t) => {
  const outside = join(temp.state, '..', 'outside-requests');
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'secret.json'), JSON.stringify({ function: 'upper', input: { text: 'outside' } }));
  await mkdir(join(temp.root, 'linked-app'));
  // The link before functions/: once the folder is an app, the courier makes its requests/ folder itself.
  await symlink(outside, join(temp.root, 'linked-app', 'requests'));
  await cp(join(temp.root, 'basic', 'functions'), join(temp.root, 'linked-app', 'functions'), { recursive: true });
  await dropRequest(temp.root, 'basic', 'link-marker', { function: 'upper', input: { text: 'marker' } });
  await waitForResult(temp.root, 'basic', 'link-marker');
  await sleep(500);
  t.false(
    await stat(join(temp.root, 'linked-app', 'results', 'secret.json')).then(
      () => true,
      () => false,
    ),
  );
});

test('a results folder that is a symlink out of the root is never written through', async (t) => {
  const outside = join(temp.state, '..', 'outside-results');
  await mkdir(outside, { recursive: true });
  await mkdir(join(temp.root, 'results-app', 'requests'), { recursive: true });
  // The link before functions/: once the folder is an app, the courier makes its results/ folder itself.
  await symlink(outside, join(temp.root, 'results-app', 'results'));
  await cp(join(temp.root, 'basic', 'functions'), join(temp.root, 'results-app', 'functions'), { recursive: true });
  await dropRequest(temp.root, 'results-app', 'escape', { function: 'upper', input: { text: 'escape' } });
  await dropRequest(temp.root, 'basic', 'results-marker', { function: 'upper', input: { text: 'marker' } });
  await waitForResult(temp.root, 'basic', 'results-marker');
  await sleep(500);
  t.deepEqual(await readdir(outside), []);
});

test('a request that runs long shows a pending file until its result is written, and the result replaces it', async (t) => {
  await dropRequest(temp.root, 'basic', 'long', { function: 'slow', input: { ms: 1500 } });
  const pending = join(temp.root, 'basic', 'results', 'long.pending.json');
  const seen = await waitFor('the pending file', () => readFile(pending, 'utf8').then(JSON.parse, () => undefined), { everyMs: 50 });
  t.like(seen, { status: 'running' });
  await waitForResult(temp.root, 'basic', 'long');
  // The result is written first and the pending file removed after it, so a crash in between loses neither.
  await until('the pending file removed once the result is there', () =>
    stat(pending).then(
      () => false,
      () => true,
    ),
  );
});

test('dependencies are usable, and reinstalled when package.json changes', async (t) => {
  await dropRequest(temp.root, 'with-dep', 'dep-1', { function: 'shout', input: { text: 'quiet' } });
  t.like(await waitForResult(temp.root, 'with-dep', 'dep-1'), { ok: true, output: { text: 'QUIET' } });
  const app = join(temp.root, 'with-dep');
  await mkdir(join(app, 'vendor', 'tiny2'), { recursive: true });
  await writeFile(join(app, 'vendor', 'tiny2', 'package.json'), JSON.stringify({ name: 'tiny', version: '2.0.0', type: 'module', main: 'index.js' }));
  await writeFile(join(app, 'vendor', 'tiny2', 'index.js'), 'export default (s) => `${s}!!`;\n');
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'with-dep', private: true, dependencies: { tiny: 'file:./vendor/tiny2' } }));
  await sleep(400);
  await dropRequest(temp.root, 'with-dep', 'dep-2', { function: 'shout', input: { text: 'quiet' } });
  t.like(await waitForResult(temp.root, 'with-dep', 'dep-2'), { ok: true, output: { text: 'quiet!!' } });
});
