/** The courier's loaded apps: an edit it was not told about (a late or lost watch event) is still seen, in any file of the app. */
import test from 'ava';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppCache } from '../../courier/app-cache.ts';
import { loadApp } from '../../runtime/app.ts';
import { tempFolder } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

async function rootWithApp(): Promise<string> {
  const root = await tempFolder('ec-app-cache');
  await mkdir(join(root, 'pages', 'functions'), { recursive: true });
  await mkdir(join(root, 'pages', 'templates', 'deep'), { recursive: true });
  await writeFile(join(root, 'pages', 'functions', 'render.js'), 'export default () => 1;\n');
  await writeFile(join(root, 'pages', 'templates', 'deep', 'page.html'), '<h1>one</h1>\n');
  return root;
}

const load = (dir: string) => loadApp(dir, { dependencyKey: async () => 'none' });

for (const [what, path] of [
  ['a template deep in a folder', ['templates', 'deep', 'page.html']],
  ['a function file', ['functions', 'render.js']],
] as const) {
  test(`an edit of ${what} that no watch event reported reloads the app at the next look`, async (t) => {
    const root = await rootWithApp();
    const cache = new AppCache(root, load, { recheckMs: 50 });
    const first = await cache.get('pages');
    const file = join(root, 'pages', ...path);
    await writeFile(file, 'edited, and longer than before\n');
    // A sync client may keep a file's time; the size alone must be enough, and the time alone too.
    await utimes(file, new Date(1_700_000_000_000), new Date(1_700_000_000_000));
    const reloaded = await waitFor('the app reloaded', async () => {
      const app = await cache.get('pages');
      return app.id === first.id ? undefined : app;
    });
    t.not(reloaded.id, first.id);
  });
}

test('an app that has not changed is not loaded again', async (t) => {
  const root = await rootWithApp();
  let loads = 0;
  const cache = new AppCache(root, (dir) => (loads++, load(dir)), { recheckMs: 0 });
  await cache.get('pages');
  await cache.get('pages');
  await cache.get('pages');
  t.is(loads, 1);
});
