/**
 * @module What every Executor owes its callers, written once and run against each implementation (as Hono runs
 * one router suite against every router): results and logs, nested calls with cache and precomputed results,
 * the error codes, the time limit, a clean environment, dependencies and output budgets.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../../runtime/app.ts';
import { Invoker } from '../../runtime/invoker.ts';
import type { CallTrace } from '../../runtime/call-trace.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { copyFixtureApp, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

function output(response: InvokeResponse): unknown {
  if (!response.ok) throw new Error(`expected success, got ${response.error.code}: ${response.error.message}`);
  return response.output;
}

/** A text no other test, here or in another process sharing /tmp, passes to `upper`. */
const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

/**
 * Declares the contract's tests in the calling test file, against the executor `start` makes.
 * @example executorContract(() => startRuntime({ local: true }))
 */
export function executorContract(start: () => Promise<TestRuntime>): void {
  let runtime: TestRuntime;
  let basic: LoadedApp;

  test.before(async () => {
    runtime = await start();
    basic = await runtime.load(await copyFixtureApp('basic'));
  });

  test.after.always(async () => {
    await runtime?.executor.close();
  });

  /** How often `upper` (or `falsy`) really ran with the line `line`, read through the app itself from the sandbox's /tmp. */
  async function runs(app: LoadedApp, line: string): Promise<number> {
    return (output(await runtime.invoker.invoke(app, 'runs', null)) as string[]).filter((run) => run === line).length;
  }

  test.serial('a function returns its output, and the console lines it printed come back beside it', async (t) => {
    const response = await runtime.invoker.invoke(basic, 'greet', { name: 'ada' });
    t.deepEqual(output(response), { message: 'hello ADA' });
    t.deepEqual(response.logs, [{ fn: 'greet', level: 'log', message: 'greeting ada' }]);
  });

  test.serial('a nested ctx.call runs the other function and its idempotent result lands in the cache', async (t) => {
    const response = await runtime.invoker.invoke(basic, 'greet', { name: 'grace' });
    t.like(response, { ok: true, output: { message: 'hello GRACE' }, stats: { executed: 2 } });
    if (response.ok) t.deepEqual(Object.values(response.cache ?? {}), ['GRACE']);
  });

  test.serial('sending the cache back skips the idempotent function: it does not run again', async (t) => {
    const name = unique('linus');
    const first = await runtime.invoker.invoke(basic, 'greet', { name });
    t.true(first.ok);
    const again = await runtime.invoker.invoke(basic, 'greet', { name }, { cache: first.ok ? first.cache : {} });
    t.deepEqual(output(again), { message: `hello ${name.toUpperCase()}` });
    t.is(again.stats.cacheHits, 1);
    t.is(await runs(basic, name), 1, 'upper must not have run a second time');
  });

  test.serial('cache keys ignore the order of keys in the input', async (t) => {
    const first = await runtime.invoker.invoke(basic, 'upper', { text: 'x', extra: { b: 1, a: 2 } });
    const again = await runtime.invoker.invoke(basic, 'upper', { extra: { a: 2, b: 1 }, text: 'x' }, { cache: first.ok ? first.cache : {} });
    t.is(again.stats.cacheHits, 1);
    t.is(again.stats.executed, 0);
  });

  test.serial('a precomputed result stands in for a nested call, even with a different value', async (t) => {
    const name = unique('edge');
    const plain = await runtime.invoker.invoke(basic, 'upper', { text: name });
    t.true(plain.ok);
    if (!plain.ok) return;
    const response = await runtime.invoker.invoke(basic, 'greet', { name }, { precomputed: { [plain.key]: 'FROM THE EDGE' } });
    t.deepEqual(output(response), { message: 'hello FROM THE EDGE' });
    t.is(response.stats.precomputedHits, 1);
    t.is(await runs(basic, name), 1, 'only the plain call ran upper');
  });

  test.serial('results recorded on one run are honoured as precomputed on the next: nothing executes', async (t) => {
    const name = unique('offline');
    const recorded = await runtime.invoker.invoke(basic, 'greet', { name }, { recordResults: true });
    t.true(recorded.ok);
    if (!recorded.ok) return;
    t.is(Object.keys(recorded.results ?? {}).length, 2);
    const replay = await runtime.invoker.invoke(basic, 'greet', { name }, { precomputed: recorded.results });
    t.like(replay, { ok: true, output: { message: `hello ${name.toUpperCase()}` }, stats: { executed: 0, precomputedHits: 1 } });
    t.is(await runs(basic, name), 1);
  });

  for (const [kind, value] of [
    ['zero', 0],
    ['false', false],
    ['empty', ''],
    ['null', null],
  ] as const) {
    test.serial(`a falsy result (${kind}) is cached and honoured like any other`, async (t) => {
      const input = { kind, tag: unique(kind) };
      const first = await runtime.invoker.invoke(basic, 'falsy', input);
      t.is(output(first), value);
      t.true(first.ok && Object.values(first.cache ?? {}).includes(value));
      const again = await runtime.invoker.invoke(basic, 'falsy', input, { cache: first.ok ? first.cache : {} });
      t.is(output(again), value);
      t.is(again.stats.cacheHits, 1);
      t.is(await runs(basic, `falsy:${kind}:${input.tag}`), 1);
    });
  }

  test.serial('a cache entry stops matching once the function code changes', async (t) => {
    const dir = await copyFixtureApp('basic');
    const before = await runtime.load(dir);
    const first = await runtime.invoker.invoke(before, 'upper', { text: 'v1' });
    await writeFile(join(dir, 'functions', 'upper.ts'), 'export default (input: { text: string }) => `${input.text}!`;\n');
    const after = await runtime.load(dir);
    const again = await runtime.invoker.invoke(after, 'upper', { text: 'v1' }, { cache: first.ok ? first.cache : {} });
    t.is(again.stats.cacheHits, 0);
    t.is(output(again), 'v1!');
  });

  test.serial('a recursion loop through ctx.call ends with CALL_DEPTH_EXCEEDED instead of hanging', async (t) => {
    t.like(await runtime.invoker.invoke(basic, 'recurse', { n: 0 }), { ok: false, error: { code: 'CALL_DEPTH_EXCEEDED' } });
  });

  test.serial('a function that throws reports FUNCTION_THREW with its message and keeps its console lines', async (t) => {
    const response = await runtime.invoker.invoke(basic, 'fails', { why: 'bad order' });
    t.like(response, { ok: false, error: { code: 'FUNCTION_THREW' } });
    if (response.ok) return;
    t.regex(response.error.message, /refused: bad order/);
    t.deepEqual(response.logs, [{ fn: 'fails', level: 'error', message: 'about to fail' }]);
  });

  test.serial('a ctx.call of a function the app does not have fails the calling function: its own caller asked for one that exists', async (t) => {
    const response = await runtime.invoker.invoke(basic, 'callsMissing', {});
    t.like(response, { ok: false, error: { code: 'FUNCTION_THREW' } });
    if (!response.ok) t.regex(response.error.message, /^callsMissing threw: a ctx\.call it made failed with FUNCTION_NOT_FOUND: .*nope/);
  });

  test.serial('an unknown function is FUNCTION_NOT_FOUND and names the functions the app has', async (t) => {
    const response = await runtime.invoker.invoke(basic, 'nope', {});
    t.like(response, { ok: false, error: { code: 'FUNCTION_NOT_FOUND' } });
    if (!response.ok) t.regex(response.error.message, /no function "nope".*greet/);
  });

  test.serial('an endless loop is stopped with TIMEOUT at its limit, and the app answers the next call', async (t) => {
    const hostile = await runtime.load(await copyFixtureApp('hostile'));
    const response = await runtime.invoker.invoke(hostile, 'loop', {});
    t.like(response, { ok: false, error: { code: 'TIMEOUT' } });
    if (!response.ok) t.regex(response.error.message, /within 1000 ms/);
    t.like(await runtime.invoker.invoke(hostile, 'ok', { after: true }), { ok: true, output: { fine: true, input: { after: true } } });
  });

  test.serial('no host environment variable reaches a function', async (t) => {
    process.env.EC_TEST_SECRET = 'do-not-leak';
    t.deepEqual(output(await runtime.invoker.invoke(basic, 'env', null)), { env: {} });
  });

  test.serial("a function sees its app's settings and secrets in process.env, a secret over a setting of its name; other apps see neither", async (t) => {
    const key = unique('sk');
    const configured = await runtime.load(await copyFixtureApp('configured'), { secrets: { API_KEY: key, MODE: 'live' } });
    t.deepEqual((output(await runtime.invoker.invoke(configured, 'env', null)) as { env: unknown }).env, {
      GREETING: 'hello from app.json',
      MODE: 'live',
      API_KEY: key,
    });
    t.deepEqual(output(await runtime.invoker.invoke(configured, 'nested', null)), { mine: 'hello from app.json', callee: 'hello from app.json' });
    t.deepEqual(output(await runtime.invoker.invoke(basic, 'env', null)), { env: {} });
    // The same code in another folder, with no secrets: its settings only.
    const twin = await runtime.load(await copyFixtureApp('configured'));
    t.deepEqual((output(await runtime.invoker.invoke(twin, 'env', null)) as { env: unknown }).env, { GREETING: 'hello from app.json', MODE: 'placeholder' });
  });

  test.serial('a changed secret reaches the next call: a sandbox holding the old value serves no more', async (t) => {
    const dir = await copyFixtureApp('configured');
    const before = await runtime.load(dir, { secrets: { API_KEY: 'first' } });
    t.like(output(await runtime.invoker.invoke(before, 'env', null)), { env: { API_KEY: 'first' } });
    const after = await runtime.load(dir, { secrets: { API_KEY: 'second' } });
    t.like(output(await runtime.invoker.invoke(after, 'env', null)), { env: { API_KEY: 'second' } });
    const removed = await runtime.load(dir);
    t.deepEqual((output(await runtime.invoker.invoke(removed, 'env', null)) as { env: unknown }).env, { GREETING: 'hello from app.json', MODE: 'placeholder' });
  });

  test.serial('a dependency from package.json (a local file: package) is usable', async (t) => {
    const app = await runtime.load(await copyFixtureApp('with-dep'));
    t.deepEqual(output(await runtime.invoker.invoke(app, 'shout', { text: 'quiet' })), { text: 'QUIET' });
  });

  test.serial("a ctx.call with absurdly deep input fails the calling function, not its caller's input, and the host and the app carry on", async (t) => {
    const response = await runtime.invoker.invoke(basic, 'deep', { depth: 1000 });
    t.like(response, { ok: false, error: { code: 'FUNCTION_THREW' } });
    if (!response.ok) t.regex(response.error.message, /^deep threw: a ctx\.call it made failed with INVALID_INPUT: /);
    t.like(await runtime.invoker.invoke(basic, 'upper', { text: 'still here' }), { ok: true, output: 'STILL HERE' });
  });

  test.serial('a call tree that returns more output than its budget fails with INVALID_OUTPUT instead of filling memory', async (t) => {
    const small = new Invoker({ executor: runtime.executor, maxTreeOutputBytes: 512 * 1024 });
    t.like(await small.invoke(basic, 'fan', { times: 3, kb: 100 }), { ok: true, output: 3 * 100 * 1024 });
    const response = await small.invoke(basic, 'fan', { times: 20, kb: 100 });
    t.like(response, { ok: false, error: { code: 'INVALID_OUTPUT' } });
    if (!response.ok) t.regex(response.error.message, /more than 524288 bytes/);
  });

  test.serial(
    "a traced call tells its input and output sizes and its thread's memory: a function holding 50 MB shows at least 40 MB more than one holding little",
    async (t) => {
      const dir = join(await tempFolder('ec-app'), 'memory');
      await mkdir(join(dir, 'functions'), { recursive: true });
      await writeFile(join(dir, 'functions', 'small.js'), 'export default (input) => ({ echoed: input.text });\n');
      // 6.5 million doubles in one array: 52 MB of heap held until the body returns.
      await writeFile(
        join(dir, 'functions', 'big.js'),
        'export default () => { const held = Array.from({ length: 6_500_000 }, (_, i) => i + 0.5); return held.length; };\n',
      );
      const app = await runtime.load(dir);
      const traceOf = async (fn: string, input: unknown): Promise<CallTrace> => {
        const traces: CallTrace[] = [];
        t.like(await runtime.invoker.invoke(app, fn, input, { onCall: (trace) => traces.push(trace) }), { ok: true });
        return traces[0]!;
      };
      const small = await traceOf('small', { text: 'héllo' });
      t.is(small.inputBytes, Buffer.byteLength('{"text":"héllo"}'));
      t.is(small.outputBytes, Buffer.byteLength('{"echoed":"héllo"}'));
      const big = await traceOf('big', null);
      t.is(big.outputBytes, '6500000'.length);
      t.true(small.peakMemoryBytes! > 0, `small: ${small.peakMemoryBytes}`);
      t.true(big.peakMemoryBytes! - small.peakMemoryBytes! >= 40 * 2 ** 20, `big ${big.peakMemoryBytes} against small ${small.peakMemoryBytes}`);
    },
  );
}
