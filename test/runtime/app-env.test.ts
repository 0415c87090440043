/** An app's environment as loading sees it: app.json "env" checked with errors that say what is wrong, settings in the call keys, secrets only in the app's id. */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadApp } from '../../runtime/app.ts';
import { EdgeError } from '../../base/errors.ts';
import { tempFolder } from '../helpers/temp.ts';

const noDependencies = { dependencyKey: async () => 'none' };

async function appWithEnv(env: unknown): Promise<string> {
  const dir = join(await tempFolder('ec-env'), 'shop');
  await mkdir(join(dir, 'functions'), { recursive: true });
  await writeFile(join(dir, 'functions', 'read.js'), 'export default () => process.env;\n');
  await writeFile(join(dir, 'app.json'), JSON.stringify(env === undefined ? {} : { env }));
  return dir;
}

const many = (count: number, value = 'x') => Object.fromEntries(Array.from({ length: count }, (_, index) => [`NAME_${index}`, value]));

const invalid: Array<[string, unknown, RegExp]> = [
  ['a name with a dash', { 'API-KEY': 'x' }, /app\.json: env\.API-KEY: a variable name starts with a letter or _/],
  ['a name starting with a digit', { '1PASSWORD': 'x' }, /env\.1PASSWORD: a variable name starts with a letter or _/],
  ['a name of 129 characters', { [`N${'x'.repeat(128)}`]: 'x' }, /a variable name has at most 128 characters/],
  ['a number for a value', { PORT: 8080 }, /env\.PORT: .*string/],
  ['a value with a NUL', { NAME: 'a\0b' }, /env\.NAME: a value may not hold a NUL character/],
  ['a value over 8 KiB', { NAME: 'x'.repeat(8 * 1024 + 1) }, /env\.NAME: a value is at most 8192 bytes/],
  ['101 variables', many(101), /app\.json: env: at most 100 variables, not 101/],
  ['more than 64 KiB in all', many(10, 'x'.repeat(7000)), /app\.json: env: at most 65536 bytes of names and values/],
  ['a list', ['A=1'], /app\.json: env: /],
  ['the name __proto__, which a plain object would drop', JSON.parse('{ "__proto__": "x", "A": "b" }'), /env\.__proto__: __proto__ cannot be a variable name/],
];

for (const [what, env, message] of invalid) {
  test(`app.json "env" with ${what} is INVALID_APP and says what is wrong`, async (t) => {
    const error = await t.throwsAsync(loadApp(await appWithEnv(env), noDependencies), { instanceOf: EdgeError });
    t.is(error?.code, 'INVALID_APP');
    t.regex(error?.message ?? '', message);
  });
}

test('the environment is the settings with the secrets over them', async (t) => {
  const app = await loadApp(await appWithEnv({ MODE: 'placeholder', REGION: 'eu' }), { ...noDependencies, secrets: { MODE: 'live', TOKEN: 't' } });
  t.deepEqual(app.env, { MODE: 'live', REGION: 'eu', TOKEN: 't' });
});

test('a change of settings changes every call key', async (t) => {
  const dir = await appWithEnv(undefined);
  const bare = await loadApp(dir, noDependencies);
  await writeFile(join(dir, 'app.json'), JSON.stringify({ env: { REGION: 'eu' } }));
  const eu = await loadApp(dir, noDependencies);
  await writeFile(join(dir, 'app.json'), JSON.stringify({ env: { REGION: 'us' } }));
  const us = await loadApp(dir, noDependencies);
  const versions = new Set([bare, eu, us].map((app) => app.functions.get('read')?.version));
  t.is(versions.size, 3);
  t.is(new Set([bare.id, eu.id, us.id]).size, 3);
});

test("secrets change the app's id, never a call key, and the id is no plain hash of them", async (t) => {
  const dir = await appWithEnv({ REGION: 'eu' });
  const [none, first, again, second] = await Promise.all([
    loadApp(dir, noDependencies),
    loadApp(dir, { ...noDependencies, secrets: { TOKEN: 'first' } }),
    loadApp(dir, { ...noDependencies, secrets: { TOKEN: 'first' } }),
    loadApp(dir, { ...noDependencies, secrets: { TOKEN: 'second' } }),
  ]);
  t.is(new Set([none, first, second].map((app) => app.functions.get('read')?.version)).size, 1);
  t.is(first.id, again.id);
  t.is(new Set([none.id, first.id, second.id]).size, 3);
});
