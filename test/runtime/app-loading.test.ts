/** Loading an app folder: app.json is validated with errors that name the file and the field, and nothing outside the folder is read. */
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
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

test('TypeScript files are compiled, helpers too; a function that does not compile reports FUNCTION_LOAD_FAILED when called, not at load', async (t) => {
  const dir = await makeApp({
    'functions/good.ts': 'export default (x: number): number => x * 2;',
    'functions/bad.ts': 'export default (x: number => x;',
    'lib/util.ts': 'export const twice = (x: number): number => x * 2;',
  });
  const app = await loadApp(dir, noDependencies);
  const compiled = (path: string) => app.files.find((file) => file.path === path)?.compiled ?? '';
  t.regex(compiled('functions/good.ts'), /x \* 2/);
  t.notRegex(compiled('functions/good.ts'), /: number/);
  t.notRegex(compiled('lib/util.ts'), /: number/);
  t.regex(app.functions.get('bad')?.loadError ?? '', /functions\/bad\.ts does not compile/);
});

test('files that cannot be function names, and hidden files, are passed over with a warning', async (t) => {
  const dir = await makeApp({ 'functions/ok.js': 'export default () => 1', 'functions/ok (conflicted copy).js': '', 'functions/.hidden.js': '' });
  const app = await loadApp(dir, noDependencies);
  t.deepEqual([...app.functions.keys()], ['ok']);
  t.is(app.warnings.length, 1);
  t.regex(app.warnings[0] ?? '', /conflicted copy/);
});

test('a version changes with any file of the app and with the dependency manifest, and only then', async (t) => {
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1', 'functions/b.js': 'export default () => 2', 'templates/page.html': 'v1' });
  const versions = async (options = noDependencies) => {
    const app = await loadApp(dir, options);
    return [app.id, app.functions.get('a')?.version, app.functions.get('b')?.version];
  };
  const first = await versions();
  t.deepEqual(await versions(), first, 'the same files give the same versions');
  await mkdir(join(dir, 'results'));
  await writeFile(join(dir, 'results', 'x.json'), '{}');
  await writeFile(join(dir, '.notes'), 'ignored');
  t.deepEqual(await versions(), first, 'ignored names change nothing');
  await writeFile(join(dir, 'templates', 'page.html'), 'v2');
  const edited = await versions();
  for (const [index, version] of edited.entries()) t.not(version, first[index], 'a template edit changes every version and the app id');
  await writeFile(join(dir, 'templates', 'page2.html'), 'v2');
  const added = await versions();
  t.not(added[1], edited[1], 'a new file changes the versions');
  await writeFile(join(dir, 'package.json'), '{"dependencies":{}}');
  const withManifest = await versions({ dependencyKey: async () => 'other' });
  t.not(withManifest[2], added[2]);
});

test('a folder that does not exist is INVALID_APP', async (t) => {
  await t.throwsAsync(loadApp('/nonexistent/app', noDependencies), { message: /no app folder at \/nonexistent\/app/ });
});

test('a function that imports another file of the app loads: every file but the ignored names is part of the app', async (t) => {
  const dir = await makeApp({
    'functions/a.js': "import helper from '../lib/helper.mjs';\nexport default () => helper();",
    'lib/helper.mjs': 'export default () => 1',
    'templates/page.html': '<p>{{x}}</p>',
    'functions/sub/inner.js': 'module.exports = 1',
    'node_modules/x/index.js': '',
    'results/1.json': '{}',
    'requests/1.json': '{}',
    'lib/results/kept.json': '{}',
    '.git/HEAD': '',
    'lib/.env': 'SECRET=1',
  });
  const app = await loadApp(dir, noDependencies);
  t.is(app.functions.get('a')?.loadError, undefined);
  t.deepEqual([...app.functions.keys()], ['a'], 'files in subfolders of functions/ are helpers, not functions');
  t.deepEqual(
    app.files.map((file) => file.path),
    ['functions/a.js', 'functions/sub/inner.js', 'lib/helper.mjs', 'lib/results/kept.json', 'templates/page.html'],
  );
});

test('a function file that is not a regular file is INVALID_APP, not a hang', async (t) => {
  const dir = await makeApp({});
  await mkdir(join(dir, 'functions', 'odd.js'));
  const app = await loadApp(dir, noDependencies);
  t.false(app.functions.has('odd'), 'a folder named like a function is passed over');
});

const MB = 1024 * 1024;
const overCaps: Array<[string, (dir: string) => Promise<void>, RegExp]> = [
  [
    'more than 2,000 files',
    async (dir) => {
      await mkdir(join(dir, 'data'));
      await Promise.all(Array.from({ length: 2001 }, (_, i) => writeFile(join(dir, 'data', `${i}.txt`), '')));
    },
    /more than 2000 files, the most an app may hold/,
  ],
  [
    'a file over 10 MB',
    (dir) => writeFile(join(dir, 'big.bin'), Buffer.alloc(10 * MB + 1)),
    /^big\.bin is larger than 10 MB, the most one file of an app may hold/,
  ],
  [
    'more than 50 MB in all',
    async (dir) => {
      for (let i = 0; i < 6; i++) await writeFile(join(dir, `part${i}.bin`), Buffer.alloc(9 * MB));
    },
    /files add up to more than 50 MB, the most an app may hold/,
  ],
];

for (const [what, fill, message] of overCaps) {
  test(`an app with ${what} is INVALID_APP with a message naming the cap`, async (t) => {
    const dir = await makeApp({ 'functions/a.js': 'export default () => 1' });
    await fill(dir);
    const error = await t.throwsAsync(loadApp(dir, noDependencies), { instanceOf: EdgeError });
    t.is(error?.code, 'INVALID_APP');
    t.regex(error?.message ?? '', message);
  });
}

test('a template that is a symlink out of the app folder is refused; a link inside it is read as the file it points to', async (t) => {
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1', 'templates/page.html': 'inside' });
  await symlink(join(dir, 'templates'), join(dir, 'views'));
  const app = await loadApp(dir, noDependencies);
  t.deepEqual(
    app.files.map((file) => [file.path, file.hostPath]),
    [
      ['functions/a.js', join(dir, 'functions', 'a.js')],
      ['templates/page.html', join(dir, 'templates', 'page.html')],
      ['views/page.html', join(dir, 'templates', 'page.html')],
    ],
  );
  const outside = join(await tempFolder('ec-outside'), 'secret.html');
  await writeFile(outside, 'secret');
  await symlink(outside, join(dir, 'templates', 'leak.html'));
  await t.throwsAsync(loadApp(dir, noDependencies), { message: /templates\/leak\.html points outside the app folder/ });
});

test('a link to a folder that holds it is INVALID_APP, not an endless walk', async (t) => {
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1' });
  await symlink('..', join(dir, 'functions', 'loop'));
  await t.throwsAsync(loadApp(dir, noDependencies), { message: /functions\/loop is a link to a folder that holds it/ });
});

test('a pipe in the app folder is passed over with a warning, never read (a read would wait for ever)', async (t) => {
  const dir = await makeApp({ 'functions/a.js': 'export default () => 1' });
  await promisify(execFile)('mkfifo', [join(dir, 'functions', 'pipe.js')]);
  const app = await loadApp(dir, noDependencies);
  t.deepEqual([...app.functions.keys()], ['a']);
  t.deepEqual(app.warnings, ['functions/pipe.js: skipped; it is neither a file nor a folder']);
});
