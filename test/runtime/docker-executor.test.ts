/** Functions run in real, warm, sandboxed Docker containers with the cache and precomputed semantics of the design. */
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../../runtime/app.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { Invoker } from '../../runtime/invoker.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let runtime: TestRuntime;
let basic: LoadedApp;

test.before(async () => {
  runtime = await startRuntime();
  basic = await runtime.load(await copyFixtureApp('basic'));
});

test.after.always(async () => {
  await runtime?.executor.close();
});

function output(response: InvokeResponse): unknown {
  if (!response.ok) throw new Error(`expected success, got ${response.error.code}: ${response.error.message}`);
  return response.output;
}

/** How often `upper` (and `falsy`) really ran in the app's container, read through the app itself. */
async function runsOfUpper(app: LoadedApp): Promise<string[]> {
  return output(await runtime.invoker.invoke(app, 'runs', null)) as string[];
}

test.serial('a function returns its output, and the console lines it printed come back beside it', async (t) => {
  const response = await runtime.invoker.invoke(basic, 'greet', { name: 'ada' });
  t.deepEqual(output(response), { message: 'hello ADA' });
  t.deepEqual(response.logs, [{ fn: 'greet', level: 'log', message: 'greeting ada' }]);
});

test.serial('a nested ctx.call runs the other function and its idempotent result lands in the cache', async (t) => {
  const response = await runtime.invoker.invoke(basic, 'greet', { name: 'grace' });
  t.true(response.ok);
  if (!response.ok) return;
  t.is(response.stats.executed, 2);
  t.deepEqual(Object.values(response.cache ?? {}), ['GRACE']);
});

test.serial('sending the cache back skips the idempotent function: it does not run again', async (t) => {
  const first = await runtime.invoker.invoke(basic, 'greet', { name: 'linus' });
  const before = await runsOfUpper(basic);
  t.true(first.ok);
  const again = await runtime.invoker.invoke(basic, 'greet', { name: 'linus' }, { cache: first.ok ? first.cache : {} });
  t.deepEqual(output(again), { message: 'hello LINUS' });
  t.is(again.stats.cacheHits, 1);
  t.deepEqual(await runsOfUpper(basic), before, 'upper must not have run a second time');
});

test.serial('cache keys ignore the order of keys in the input', async (t) => {
  const first = await runtime.invoker.invoke(basic, 'upper', { text: 'x', extra: { b: 1, a: 2 } });
  const again = await runtime.invoker.invoke(basic, 'upper', { extra: { a: 2, b: 1 }, text: 'x' }, { cache: first.ok ? first.cache : {} });
  t.is(again.stats.cacheHits, 1);
  t.is(again.stats.executed, 0);
});

test.serial('a precomputed result stands in for a nested call, even with a different value', async (t) => {
  const plain = await runtime.invoker.invoke(basic, 'upper', { text: 'edge' });
  t.true(plain.ok);
  if (!plain.ok) return;
  const before = await runsOfUpper(basic);
  const response = await runtime.invoker.invoke(basic, 'greet', { name: 'edge' }, { precomputed: { [plain.key]: 'FROM THE EDGE' } });
  t.deepEqual(output(response), { message: 'hello FROM THE EDGE' });
  t.is(response.stats.precomputedHits, 1);
  t.deepEqual(await runsOfUpper(basic), before);
});

for (const [kind, value] of [['zero', 0], ['false', false], ['empty', ''], ['null', null]] as const) {
  test.serial(`a falsy result (${kind}) is cached and honoured like any other`, async (t) => {
    const first = await runtime.invoker.invoke(basic, 'falsy', { kind });
    t.is(output(first), value);
    t.true(first.ok && Object.values(first.cache ?? {}).includes(value));
    const runs = (await runsOfUpper(basic)).length;
    const again = await runtime.invoker.invoke(basic, 'falsy', { kind }, { cache: first.ok ? first.cache : {} });
    t.is(output(again), value);
    t.is(again.stats.cacheHits, 1);
    t.is((await runsOfUpper(basic)).length, runs);
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
  const response = await runtime.invoker.invoke(basic, 'recurse', { n: 0 });
  t.false(response.ok);
  if (!response.ok) t.is(response.error.code, 'CALL_DEPTH_EXCEEDED');
});

test.serial('a function that throws reports FUNCTION_THREW with its message and keeps its console lines', async (t) => {
  const response = await runtime.invoker.invoke(basic, 'fails', { why: 'bad order' });
  t.false(response.ok);
  if (response.ok) return;
  t.is(response.error.code, 'FUNCTION_THREW');
  t.regex(response.error.message, /refused: bad order/);
  t.deepEqual(response.logs, [{ fn: 'fails', level: 'error', message: 'about to fail' }]);
});

test.serial("a ctx.call of a function the app does not have fails the calling function: its own caller asked for one that exists", async (t) => {
  const response = await runtime.invoker.invoke(basic, 'callsMissing', {});
  t.like(response, { ok: false, error: { code: 'FUNCTION_THREW' } });
  if (!response.ok) t.regex(response.error.message, /^callsMissing threw: a ctx\.call it made failed with FUNCTION_NOT_FOUND: .*nope/);
});

test.serial('an unknown function is FUNCTION_NOT_FOUND and names the functions the app has', async (t) => {
  const response = await runtime.invoker.invoke(basic, 'nope', {});
  t.false(response.ok);
  if (!response.ok) t.regex(response.error.message, /no function "nope".*greet/);
});

test.serial('no host environment variable reaches a function', async (t) => {
  process.env.EC_TEST_SECRET = 'do-not-leak';
  const response = await runtime.invoker.invoke(basic, 'env', null);
  t.deepEqual(output(response), { env: {} });
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
