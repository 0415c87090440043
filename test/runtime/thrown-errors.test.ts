/**
 * On real Docker: a thrown error's own `code` and `statusCode` (or `status`) reach the caller beside FUNCTION_THREW,
 * bounded, and through `ctx.call` on the CallError; anything unusable is left out and the error stays as it was.
 */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../../runtime/app.ts';
import { MAX_FUNCTION_CODE_CHARS } from '../../runtime/function-error.ts';
import { startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

const functions = {
  // Throws an Error with the input's fields on it: each test picks the code and status.
  throws: "export default (input) => { throw Object.assign(new Error('no item ' + input.id), input.fields); };",
  throwsObject: 'export default (input) => { throw input; };',
  throwsGetter:
    "export default () => { throw Object.defineProperty(Object.assign(new Error('odd'), { statusCode: 418 }), 'code', { get() { throw new Error('no code for you'); } }); };",
  catches: `export default async (input, ctx) => {
  try {
    await ctx.call('throws', input);
  } catch (error) {
    return { name: error.name, code: error.code, functionCode: error.functionCode, statusCode: error.statusCode };
  }
};`,
  letsThrough: "export default (input, ctx) => ctx.call('throws', input);",
};

let runtime: TestRuntime;
let app: LoadedApp;

test.before(async () => {
  runtime = await startRuntime({ prestart: 1 });
  const dir = join(await tempFolder('ec-thrown'), 'thrown');
  await mkdir(join(dir, 'functions'), { recursive: true });
  for (const [name, code] of Object.entries(functions)) await writeFile(join(dir, 'functions', `${name}.js`), code);
  app = await runtime.load(dir);
});

test.after.always(async () => {
  await runtime?.executor.close();
});

const errorOf = async (fn: string, input: unknown) => {
  const response = await runtime.invoker.invoke(app, fn, input);
  return response.ok ? undefined : response.error;
};

test("an error's code and statusCode reach the caller beside FUNCTION_THREW", async (t) => {
  const error = await errorOf('throws', { id: 7, fields: { code: 'NOT_FOUND_ITEM', statusCode: 404 } });
  t.like(error, { code: 'FUNCTION_THREW', functionCode: 'NOT_FOUND_ITEM', statusCode: 404 });
  t.regex(error?.message ?? '', /^throws threw: Error: no item 7/);
});

test('a thrown plain object with `status` counts like an error with `statusCode`', async (t) => {
  t.like(await errorOf('throwsObject', { code: 'CONFLICT', status: 409 }), { code: 'FUNCTION_THREW', functionCode: 'CONFLICT', statusCode: 409 });
});

// Each beside a usable field, which goes through: only the unusable one is left out.
const unusable: Array<[string, object, object]> = [
  ['a status that is no error', { statusCode: 200, code: 'KEPT' }, { functionCode: 'KEPT' }],
  ['a status past 599', { statusCode: 600, code: 'KEPT' }, { functionCode: 'KEPT' }],
  ['a status that is not a whole number', { statusCode: 404.5, code: 'KEPT' }, { functionCode: 'KEPT' }],
  ['a status given as a string', { statusCode: '404', code: 'KEPT' }, { functionCode: 'KEPT' }],
  ['a code with other than plain characters', { code: 'not found\n<b>', statusCode: 404 }, { statusCode: 404 }],
  ['a code that is a number', { code: 404, statusCode: 404 }, { statusCode: 404 }],
];
for (const [what, fields, kept] of unusable) {
  test(`${what} is left out, and the rest of the error stays`, async (t) => {
    const error = await errorOf('throws', { id: 1, fields });
    t.deepEqual(error && { ...error, message: undefined }, { code: 'FUNCTION_THREW', message: undefined, ...kept });
  });
}

test(`a code longer than ${MAX_FUNCTION_CODE_CHARS} characters is cut`, async (t) => {
  const error = await errorOf('throws', { id: 1, fields: { code: 'C'.repeat(10_000) } });
  t.is(error?.functionCode, 'C'.repeat(MAX_FUNCTION_CODE_CHARS));
});

test('a code getter that throws leaves the code out, and the rest of the error stays', async (t) => {
  const error = await errorOf('throwsGetter', null);
  t.like(error, { code: 'FUNCTION_THREW', statusCode: 418 });
  t.false('functionCode' in error!);
  t.regex(error?.message ?? '', /odd/);
});

test('a ctx.call caller gets the callee code and status on the CallError', async (t) => {
  const response = await runtime.invoker.invoke(app, 'catches', { id: 3, fields: { code: 'NOT_FOUND_ITEM', statusCode: 404 } });
  t.like(response, { ok: true, output: { name: 'CallError', code: 'FUNCTION_THREW', functionCode: 'NOT_FOUND_ITEM', statusCode: 404 } });
});

test('a callee error the caller lets through keeps its code and status', async (t) => {
  t.like(await errorOf('letsThrough', { id: 3, fields: { code: 'GONE', status: 410 } }), { code: 'FUNCTION_THREW', functionCode: 'GONE', statusCode: 410 });
});
