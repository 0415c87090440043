/** Loading an app folder: app.json is validated with errors that name the file and the field, and nothing outside the folder is read. */
import test from 'ava';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadApp } from '../../runtime/app.ts';
import { EdgeError } from '../../base/errors.ts';
import { tempFolder } from '../helpers/temp.ts';

const noDependencies = { dependencyKey: async () => 'none' };

async function makeApp(files: Record<string, string>): Promise<string> {
  const dir = join(await tempFolder('ec-load'), 'shop');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await mkdir(join(dir, 'functions'), { recursive: true });
  return dir;
}

const invalidApps: Array<[string, Record<string, string>, RegExp]> = [
  ['app.json that is not JSON', { 'app.json': '{ "functions": ' }, /^app\.json is not valid JSON/],
  ['an unknown top-level key', { 'app.json': '{ "functionz": {} }' }, /app\.json: .*functionz/],
  [
    'an unknown function setting',
    { 'app.json': '{ "functions": { "a": { "idempotant": true } } }', 'functions/a.js': '' },
    /app\.json: functions\.a: .*idempotant/,
  ],
  ['a wrong type', { 'app.json': '{ "functions": { "a": { "timeoutMs": "5s" } } }', 'functions/a.js': '' }, /app\.json: functions\.a\.timeoutMs: .*number/],
  ['a bad function name', { 'app.json': '{ "functions": { "9lives": {} } }' }, /app\.json: functions\.9lives: function names start with a letter/],
  ['a configured function without a file', { 'app.json': '{ "functions": { "ghost": {} } }' }, /app\.json: functions\.ghost: there is no functions\/ghost\.js/],
  ['the same function twice', { 'functions/a.js': '', 'functions/a.ts': '' }, /function "a" is defined twice/],
];

for (const [what, files, message] of invalidApps) {
  test(`${what} is INVALID_APP with a message naming the file and field`, async (t) => {
    const error = await t.throwsAsync(loadApp(await makeApp(files), noDependencies), { instanceOf: EdgeError });
    t.is(error?.code, 'INVALID_APP');
    t.regex(error?.message ?? '', message);
  });
}

test('a function file that is a symlink out of the app folder is refused', async (t) => {
  const outside = join(await tempFolder('ec-outside'), 'secret.js');
  await writeFile(outside, 'export default () => "secret"');
  const dir = await makeApp({});
  await symlink(outside, join(dir, 'functions', 'leak.js'));
  const error = await t.throwsAsync(loadApp(dir, noDependencies), { instanceOf: EdgeError });
  t.regex(error?.message ?? '', /functions\/leak\.js points outside the app folder/);
});

test('a package.json that is a symlink out of the app folder is refused', async (t) => {
  const outside = join(await tempFolder('ec-outside'), 'package.json');
  await writeFile(outside, '{}');
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1' });
  await symlink(outside, join(dir, 'package.json'));
  await t.throwsAsync(loadApp(dir, noDependencies), { message: /package\.json points outside the app folder/ });
});

const operatorLimits = { defaultTimeoutMs: 1000, maxTimeoutMs: 30000, defaultMemoryMb: 100, maxMemoryMb: 256 };

test('limits from app.json are applied, and the operator defaults fill in the rest', async (t) => {
  const dir = await makeApp({
    'app.json': '{ "functions": { "a": { "timeoutMs": 30000, "memoryMb": 64, "idempotent": true } } }',
    'functions/a.js': 'export default () => 1',
    'functions/b.mjs': 'export default () => 2',
  });
  const app = await loadApp(dir, { ...noDependencies, limits: operatorLimits });
  t.deepEqual(app.functions.get('a')?.limits, { timeoutMs: 30000, memoryMb: 64 });
  t.is(app.functions.get('a')?.idempotent, true);
  t.deepEqual(app.functions.get('b')?.limits, { timeoutMs: 1000, memoryMb: 100 });
  t.is(app.functions.get('b')?.idempotent, false);
});

test('a limit over the operator maximum is INVALID_APP naming the value and the maximum, never cut down quietly', async (t) => {
  const appWith = (settings: string) => makeApp({ 'app.json': `{ "functions": { "a": ${settings} } }`, 'functions/a.js': 'export default () => 1' });
  await t.throwsAsync(loadApp(await appWith('{ "timeoutMs": 30001 }'), { ...noDependencies, limits: operatorLimits }), {
    instanceOf: EdgeError,
    code: 'INVALID_APP',
    message: "functions.a.timeoutMs is 30001 ms, over the operator's maximum of 30000 ms",
  });
  await t.throwsAsync(loadApp(await appWith('{ "memoryMb": 257 }'), { ...noDependencies, limits: operatorLimits }), {
    instanceOf: EdgeError,
    code: 'INVALID_APP',
    message: "functions.a.memoryMb is 257 MB, over the operator's maximum of 256 MB",
  });
});

test('TypeScript functions are compiled; one that does not compile reports FUNCTION_LOAD_FAILED when called, not at load', async (t) => {
  const dir = await makeApp({ 'functions/good.ts': 'export default (x: number): number => x * 2;', 'functions/bad.ts': 'export default (x: number => x;' });
  const app = await loadApp(dir, noDependencies);
  t.notRegex(app.functions.get('good')?.code ?? '', /: number/);
  t.regex(app.functions.get('bad')?.loadError ?? '', /functions\/bad\.ts does not compile/);
});

test('files that cannot be function names, and hidden files, are passed over with a warning', async (t) => {
  const dir = await makeApp({ 'functions/ok.js': 'export default () => 1', 'functions/ok (conflicted copy).js': '', 'functions/.hidden.js': '' });
  const app = await loadApp(dir, noDependencies);
  t.deepEqual([...app.functions.keys()], ['ok']);
  t.is(app.warnings.length, 1);
  t.regex(app.warnings[0] ?? '', /conflicted copy/);
});

test('the code version changes with the function source and with the dependency manifest, and only then', async (t) => {
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1', 'functions/b.js': 'export default () => 2' });
  const first = await loadApp(dir, noDependencies);
  const same = await loadApp(dir, noDependencies);
  t.is(first.functions.get('a')?.version, same.functions.get('a')?.version);
  await writeFile(join(dir, 'functions', 'a.js'), 'export default () => 3');
  const edited = await loadApp(dir, noDependencies);
  t.not(edited.functions.get('a')?.version, first.functions.get('a')?.version);
  t.is(edited.functions.get('b')?.version, first.functions.get('b')?.version);
  await writeFile(join(dir, 'package.json'), '{"dependencies":{}}');
  const withManifest = await loadApp(dir, { dependencyKey: async () => 'other' });
  t.not(withManifest.functions.get('b')?.version, first.functions.get('b')?.version);
});

test('a folder that does not exist is INVALID_APP', async (t) => {
  await t.throwsAsync(loadApp('/nonexistent/app', noDependencies), { message: /no app folder at \/nonexistent\/app/ });
});

test('a function that imports another file of the app is refused when called, with a message that says what to do instead', async (t) => {
  const dir = await makeApp({ 'functions/a.js': "import helper from './b.mjs';\nexport default () => helper();", 'functions/b.mjs': 'export default () => 1' });
  const app = await loadApp(dir, noDependencies);
  t.regex(app.functions.get('a')?.loadError ?? '', /imports another file of the app.*local package/);
  t.is(app.functions.get('b')?.loadError, undefined);
});

test('a function file that is not a regular file is INVALID_APP, not a hang', async (t) => {
  const dir = await makeApp({});
  await mkdir(join(dir, 'functions', 'odd.js'));
  const app = await loadApp(dir, noDependencies);
  t.false(app.functions.has('odd'), 'a folder named like a function is passed over');
});
