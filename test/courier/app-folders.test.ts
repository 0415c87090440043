/** The courier gives each app folder of its root `requests/` and `results/`, and writes into nothing else: not other folders, not through symlinks. */
import test from 'ava';
import { lstat, mkdir, readdir, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { dropRequest, makeRoot, waitForResult, type TempRoot } from '../helpers/courier.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

let temp: TempRoot;
let running: RunningCourier;
let executor: ExecutorBundle;

const kindAt = (path: string) =>
  lstat(path).then(
    (info) => (info.isSymbolicLink() ? 'symlink' : info.isDirectory() ? 'folder' : 'file'),
    () => 'none',
  );
const hasAppFolders = async (app: string) =>
  (await kindAt(join(temp.root, app, 'requests'))) === 'folder' && (await kindAt(join(temp.root, app, 'results'))) === 'folder';

/** An app made beside the root and moved in at once, as a sync client lands a folder. */
async function landApp(name: string, files: Record<string, string> = { 'functions/hi.js': 'export default () => "hi";' }): Promise<void> {
  const staged = join(await tempFolder('ec-staged'), name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(staged, path, '..'), { recursive: true });
    await writeFile(join(staged, path), text);
  }
  await rename(staged, join(temp.root, name));
}

test.before(async () => {
  temp = await makeRoot('basic');
  await mkdir(join(temp.root, 'photos'));
  await writeFile(join(temp.root, 'photos', 'cat.jpg'), 'not really a cat');
  executor = await createExecutor({ local: true, cacheDir: join(temp.state, '..', 'cache') });
  running = await startCourier({ root: temp.root, stateDir: temp.state, settleMs: 200, executor, logger: pino({ level: 'silent' }) });
});

test.after.always(async () => {
  await running?.stop();
  await executor?.executor.close();
});

test('an app already in the root when the courier starts gets requests/ and results/; a folder that is no app gets nothing', async (t) => {
  await t.notThrowsAsync(until('basic has its folders', () => hasAppFolders('basic')));
  t.deepEqual(await readdir(join(temp.root, 'photos')), ['cat.jpg']);
});

test('an app landing in the root gets its folders, and a request dropped there is answered', async (t) => {
  await landApp('fresh');
  await t.notThrowsAsync(until('fresh has its folders', () => hasAppFolders('fresh')));
  await dropRequest(temp.root, 'fresh', 'one', { function: 'hi' });
  t.like(await waitForResult(temp.root, 'fresh', 'one'), { ok: true, output: 'hi' });
});

test('a folder becomes an app when it gains functions/, and only then gets its folders', async (t) => {
  await landApp('project', { 'package.json': '{ "name": "project" }', 'README.md': 'a project, not an app' });
  // Another app landing after it is the sign that the courier has seen both.
  await landApp('marker');
  await t.notThrowsAsync(until('marker has its folders', () => hasAppFolders('marker')));
  t.deepEqual((await readdir(join(temp.root, 'project'))).sort(), ['README.md', 'package.json']);
  await mkdir(join(temp.root, 'project', 'functions'));
  await t.notThrowsAsync(until('project has its folders', () => hasAppFolders('project')));
});

test('an app folder that is a symlink out of the root, or whose functions/ is one, gets nothing, and what stands at a folder name stays', async (t) => {
  const outside = join(await tempFolder('ec-outside'), 'elsewhere');
  await mkdir(join(outside, 'functions'), { recursive: true });
  await symlink(outside, join(temp.root, 'linked'));
  await landApp('halfLinked', { 'README.md': 'functions/ comes as a link' });
  await symlink(join(outside, 'functions'), join(temp.root, 'halfLinked', 'functions'));
  await landApp('taken', { 'functions/hi.js': 'export default () => 1;', requests: 'a file where requests/ would go' });
  await landApp('marker2');
  await t.notThrowsAsync(until('marker2 has its folders', () => hasAppFolders('marker2')));
  t.deepEqual(await readdir(outside), ['functions']);
  t.deepEqual((await readdir(join(temp.root, 'halfLinked'))).sort(), ['README.md', 'functions']);
  await t.notThrowsAsync(until('taken has its results folder', async () => (await kindAt(join(temp.root, 'taken', 'results'))) === 'folder'));
  t.is(await kindAt(join(temp.root, 'taken', 'requests')), 'file');
});
