/**
 * Functions written for other platforms run unchanged, in Docker and as plain processes alike: ES modules and
 * CommonJS, the default export, Lambda's handler (async or with a callback), OpenWhisk's main, helpers and
 * dependencies loaded by import and require, templates read beside the function, TypeScript importing TypeScript.
 * One table of cases runs against both executors.
 */
import test from 'ava';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../../runtime/app.ts';
import type { InvokeResponse } from '../../runtime/protocol.ts';
import { copyFixtureApp, startRuntime, type TestRuntime } from '../helpers/runtime.ts';

interface Executor {
  runtime: TestRuntime;
  app: LoadedApp;
}

const executors = { Docker: {}, process: { local: true } } as const;
const started = new Map<keyof typeof executors, Promise<Executor>>();

/** Each executor starts once for the file, and only if a test of it runs. */
function executor(kind: keyof typeof executors): Promise<Executor> {
  let found = started.get(kind);
  if (!found) {
    found = startRuntime(executors[kind]).then(async (runtime) => ({ runtime, app: await runtime.load(await copyFixtureApp('styles')) }));
    started.set(kind, found);
  }
  return found;
}

test.after.always(async () => {
  await Promise.all([...started.values()].map(async (found) => (await found.catch(() => undefined))?.runtime.executor.close()));
});

async function invoke(kind: keyof typeof executors, fn: string, input: unknown): Promise<InvokeResponse> {
  const { runtime, app } = await executor(kind);
  return runtime.invoker.invoke(app, fn, input);
}

const outputs: Array<[string, string, unknown, unknown]> = [
  ['an ES module in a .js file: the default export', 'esmDefault', { a: 1 }, { style: 'esm default', input: { a: 1 }, fn: 'esmDefault' }],
  [
    "Lambda's async handler, with Lambda's context fields",
    'esmHandler',
    { b: 2 },
    { style: 'lambda async', event: { b: 2 }, functionName: 'esmHandler', sameId: true, timeLeft: true },
  ],
  ["Lambda's callback style", 'lambdaCallback', { c: 3 }, { style: 'lambda callback', event: { c: 3 } }],
  ["OpenWhisk's main", 'openwhisk', { name: 'ada' }, { style: 'openwhisk', greeting: 'hello ada' }],
  ['an OpenWhisk single-file action: main declared, nothing exported', 'openwhiskPlain', { name: 'ada' }, { payload: 'Hello, ada!' }],
  ['CommonJS module.exports = fn in a .cjs file', 'cjsDefault', 'x', { style: 'commonjs module.exports', input: 'x', fn: 'cjsDefault' }],
  ['CommonJS exports.handler in a .js file', 'cjsExports', [1], { style: 'commonjs exports.handler', event: [1] }],
  ["require of the app's own helper and of a dependency", 'requires', { text: 'hi' }, { shouted: 'HI!', padded: '****hi' }],
  ['__dirname and __filename, and an fs read of a template', 'template', { title: 'Home' }, { html: '<h1>Home</h1>\n', file: 'functions/template.js' }],
  ['import.meta.url and a relative import of a helper', 'metaUrl', { title: 'News' }, { html: '<h1>News</h1>\n' }],
  ['TypeScript importing TypeScript helpers by their .js and .ts names', 'typed', { n: 21 }, 'n=42'],
];

const failures: Array<[string, string, string, RegExp]> = [
  [
    'a module with no entry point names what was looked for',
    'nothing',
    'FUNCTION_LOAD_FAILED',
    /^functions\/nothing\.js exports no function: looked for a default export, handler, main$/,
  ],
  ["an error passed to Lambda's callback fails the call", 'lambdaCallbackError', 'FUNCTION_THREW', /^lambdaCallbackError threw: Error: callback refused/],
];

for (const kind of Object.keys(executors) as Array<keyof typeof executors>) {
  for (const [what, fn, input, expected] of outputs) {
    test(`${kind}: ${what}`, async (t) => {
      const response = await invoke(kind, fn, input);
      t.deepEqual(response.ok ? response.output : response.error, expected);
    });
  }
  test(`${kind}: a cached result stops matching once a template the function reads changes`, async (t) => {
    const { runtime } = await executor(kind);
    const dir = await copyFixtureApp('styles');
    const before = await runtime.load(dir);
    const first = await runtime.invoker.invoke(before, 'template', { title: 'Cached' });
    t.like(first, { ok: true, output: { html: '<h1>Cached</h1>\n' } });
    await writeFile(join(dir, 'templates', 'page.html'), '<h2>{{title}}</h2>\n');
    const after = await runtime.load(dir);
    const again = await runtime.invoker.invoke(after, 'template', { title: 'Cached' }, { cache: first.ok ? first.cache : {} });
    t.is(again.stats.cacheHits, 0);
    t.like(again, { ok: true, output: { html: '<h2>Cached</h2>\n' } });
  });
  for (const [what, fn, code, message] of failures) {
    test(`${kind}: ${what}`, async (t) => {
      const response = await invoke(kind, fn, {});
      t.like(response, { ok: false, error: { code } });
      if (!response.ok) t.regex(response.error.message, message);
    });
  }
}

test('Docker: the app folder is read-only to its functions', async (t) => {
  const response = await invoke('Docker', 'writeSelf', null);
  t.deepEqual(response.ok ? response.output : response.error, { newFile: 'EROFS', ownFile: 'EROFS' });
});

test('Docker: a template only its owner may read on the host is readable by the function, which runs as another user', async (t) => {
  const { runtime } = await executor('Docker');
  const dir = await copyFixtureApp('styles');
  await chmod(join(dir, 'templates', 'page.html'), 0o600);
  const response = await runtime.invoker.invoke(await runtime.load(dir), 'template', { title: 'Private' });
  t.like(response, { ok: true, output: { html: '<h1>Private</h1>\n' } });
});
