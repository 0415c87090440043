/** Dependencies are installed on the host once per package.json content; failures are errors that say what failed. */
import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadApp } from '../../runtime/app.ts';
import { DependencyInstaller } from '../../runtime/deps.ts';
import { EdgeError } from '../../base/errors.ts';
import { copyFixtureApp } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

async function installer(): Promise<DependencyInstaller> {
  return new DependencyInstaller({ cacheDir: await tempFolder('ec-deps') });
}

async function manifestOf(dir: string) {
  const installerForKeys = await installer();
  const app = await loadApp(dir, { dependencyKey: (m) => installerForKeys.key(m) });
  if (!app.dependencies) throw new Error('fixture has no package.json');
  return app.dependencies;
}

test('two calls that need the same install share one, and a later call uses it without running npm again', async (t) => {
  const lines: string[] = [];
  const deps = new DependencyInstaller({ cacheDir: await tempFolder('ec-deps'), log: (line) => lines.push(line) });
  const manifest = await manifestOf(await copyFixtureApp('with-dep'));
  const [a, b] = await Promise.all([deps.ensure(manifest), deps.ensure(manifest)]);
  t.is(a, b);
  t.regex(await readFile(join(a, 'node_modules', 'tiny', 'index.js'), 'utf8'), /toUpperCase/);
  t.is(await deps.ensure(manifest), a);
  t.is(lines.filter((line) => line.endsWith(')')).length, 1, 'npm ran once');
});

test('changing the local package changes the key, so its new code is installed', async (t) => {
  const deps = await installer();
  const dir = await copyFixtureApp('with-dep');
  const before = await deps.key(await manifestOf(dir));
  await writeFile(join(dir, 'vendor', 'tiny', 'index.js'), 'export default (s) => s.toLowerCase();\n');
  const manifest = await manifestOf(dir);
  t.not(await deps.key(manifest), before);
  t.regex(await readFile(join(await deps.ensure(manifest), 'node_modules', 'tiny', 'index.js'), 'utf8'), /toLowerCase/);
});

const refused: Array<[string, Record<string, string>, RegExp]> = [
  ['a file: dependency outside the app folder', { evil: 'file:../../etc' }, /evil/],
  ['a link: dependency', { linked: 'link:./vendor/tiny' }, /linked/],
  ['a local package that does not exist', { ghost: 'file:./vendor/ghost' }, /ghost/],
];
for (const [what, dependencies, message] of refused) {
  test(`${what} is DEPENDENCY_INSTALL_FAILED naming the dependency`, async (t) => {
    const dir = await copyFixtureApp('with-dep');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'x', dependencies }));
    const deps = await installer();
    const error = await t.throwsAsync((async () => deps.ensure({ appDir: dir, packageJson: await readFile(join(dir, 'package.json'), 'utf8') }))(), {
      instanceOf: EdgeError,
    });
    t.is(error?.code, 'DEPENDENCY_INSTALL_FAILED');
    t.regex(error?.message ?? '', message);
  });
}

test('a package.json that is not JSON is DEPENDENCY_INSTALL_FAILED saying so', async (t) => {
  const dir = join(await tempFolder('ec-badpkg'), 'app');
  await mkdir(join(dir, 'functions'), { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "dependencies": ');
  const deps = await installer();
  await t.throwsAsync(loadApp(dir, { dependencyKey: (m) => deps.key(m) }), { message: /package\.json/ });
});
