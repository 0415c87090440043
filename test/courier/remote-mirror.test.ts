/** The remote mirror against an in-memory back end: failures of one entry, kind changes, size limit, upload retries, deleted folders. */
import test from 'ava';
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { RemoteMirror, type RemoteMirrorOptions } from '../../courier/remote-mirror.ts';
import type { ChangeBatch, RemoteEntry, SyncBackend } from '../../sync/backend.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

/** A remote folder in memory: each `changes` call drains what changed since the last one. */
class FakeRemote implements SyncBackend {
  readonly kind = 'dropbox' as const;
  readonly files = new Map<string, Buffer>();
  readonly failingDownloads = new Set<string>();
  failingUploads = 0;
  uploads = 0;
  readonly folders = new Set<string>();
  failingFolders = 0;
  #log: RemoteEntry[] = [];
  #counter = 0;

  put(path: string, content: string): void {
    this.files.set(path, Buffer.from(content));
    this.#log.push({ path, kind: 'file', rev: `rev${++this.#counter}`, size: Buffer.byteLength(content) });
  }

  /** A folder appears; Dropbox may report it without first deleting a file of the same name. */
  folder(path: string): void {
    this.#log.push({ path, kind: 'folder', rev: '', size: 0 });
  }

  /** As Dropbox does for a folder: one `deleted` entry for it, none for what it held. */
  delete(path: string): void {
    for (const key of [...this.files.keys()]) if (key === path || key.startsWith(`${path}/`)) this.files.delete(key);
    this.#log.push({ path, kind: 'deleted', rev: '', size: 0 });
  }

  async changes(): Promise<ChangeBatch> {
    const entries = this.#log;
    this.#log = [];
    return { entries, cursor: `cursor${++this.#counter}`, reset: false, hasMore: false };
  }

  waitForChange(_cursor: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, timeoutMs));
  }

  async download(path: string): Promise<Buffer> {
    const content = this.files.get(path);
    if (!content || this.failingDownloads.has(path)) throw new Error(`download of ${path} refused`);
    return content;
  }

  async createFolder(path: string): Promise<void> {
    if (this.failingFolders-- > 0) throw new Error('the network is down');
    this.folders.add(path);
  }

  async upload(path: string, content: Buffer): Promise<{ rev: string }> {
    this.uploads++;
    if (this.failingUploads-- > 0) throw new Error('the network is down');
    this.files.set(path, content);
    return { rev: `rev${++this.#counter}` };
  }
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, options: Partial<RemoteMirrorOptions> = {}) {
  const base = await tempFolder('ec-mirror');
  const remote = new FakeRemote();
  const logs: Array<{ level: number; path?: string; msg: string }> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
  const root = join(base, 'root');
  const stateFile = join(base, 'mirror.json');
  const mirror = new RemoteMirror({ backend: remote, localRoot: root, stateFile, logger, waitMs: 20, ...options });
  t.teardown(() => mirror.stop());
  const state = async () => JSON.parse(await readFile(stateFile, 'utf8')) as { cursor?: string; revs: object; uploaded: object };
  return { remote, mirror, root, logs, state };
}

const kindAt = (path: string) =>
  lstat(path).then(
    (stats) => (stats.isDirectory() ? 'folder' : 'file'),
    () => 'none',
  );

async function writeResult(root: string, mirror: RemoteMirror, content: string): Promise<void> {
  await mkdir(join(root, 'a', 'results'), { recursive: true });
  await writeFile(join(root, 'a', 'results', 'r.json'), content);
  mirror.resultWritten(join('a', 'results', 'r.json'));
}

test('a file that cannot be downloaded is logged with its path and fetched at a later pull, without holding up the rest', async (t) => {
  const { remote, mirror, root, logs, state } = await setup(t);
  remote.put('a/requests/good.json', '{}');
  remote.put('a/requests/bad.json', '{}');
  remote.failingDownloads.add('a/requests/bad.json');
  await mirror.start();
  t.is(await kindAt(join(root, 'a', 'requests', 'good.json')), 'file');
  t.is(await kindAt(join(root, 'a', 'requests', 'bad.json')), 'none');
  t.true(logs.some((line) => line.level >= 40 && line.path === 'a/requests/bad.json'));
  t.truthy((await state()).cursor);
  remote.failingDownloads.clear();
  await t.notThrowsAsync(until('bad.json downloaded as a file', async () => (await kindAt(join(root, 'a', 'requests', 'bad.json'))) === 'file'));
});

test('a path that turns from a file into a folder, and back, replaces what is there', async (t) => {
  const { remote, mirror, root } = await setup(t);
  remote.put('a/lib', 'a file');
  await mirror.start();
  t.is(await kindAt(join(root, 'a', 'lib')), 'file');
  remote.folder('a/lib');
  remote.put('a/lib/x.js', 'export default 1;');
  await t.notThrowsAsync(until('lib/x.js downloaded as a file', async () => (await kindAt(join(root, 'a', 'lib', 'x.js'))) === 'file'));
  remote.put('a/lib', 'a file again');
  await t.notThrowsAsync(
    until('a/lib a file again', () =>
      readFile(join(root, 'a', 'lib'), 'utf8').then(
        (text) => text === 'a file again',
        () => false,
      ),
    ),
  );
});

test('a file over maxFileBytes is not mirrored, with a warning', async (t) => {
  const { remote, mirror, root, logs } = await setup(t, { maxFileBytes: 8 });
  remote.put('a/functions/small.js', 'tiny');
  remote.put('a/requests/big.json', '{"function":"far too large"}');
  await mirror.start();
  t.is(await kindAt(join(root, 'a', 'functions', 'small.js')), 'file');
  t.is(await kindAt(join(root, 'a', 'requests', 'big.json')), 'none');
  t.true(logs.some((line) => line.level === 40 && line.path === 'a/requests/big.json'));
});

test('a result whose upload failed is uploaded later without a restart', async (t) => {
  const { remote, mirror, root } = await setup(t, { uploadRetryMs: 30 });
  await mirror.start();
  remote.failingUploads = 3;
  await writeResult(root, mirror, '{"ok":true}');
  await t.notThrowsAsync(until('the result uploaded', () => remote.files.has('a/results/r.json')));
  t.is(remote.uploads, 4);
});

test('a folder the courier made is made on the remote too, later when the remote fails at first', async (t) => {
  const { remote, mirror } = await setup(t, { uploadRetryMs: 30 });
  await mirror.start();
  remote.failingFolders = 2;
  mirror.folderMade(join('a', 'requests'));
  mirror.folderMade(join('a', 'results'));
  await t.notThrowsAsync(until('both folders made', () => remote.folders.has('a/requests') && remote.folders.has('a/results')));
});

test('stopping does not wait for an upload to be tried again', async (t) => {
  const { remote, mirror, root, logs } = await setup(t, { uploadRetryMs: 60_000 });
  await mirror.start();
  remote.failingUploads = Infinity;
  await writeResult(root, mirror, '{"ok":true}');
  await t.notThrowsAsync(
    until('an error logged for the upload of the result', () => logs.some((line) => line.path === join('a', 'results', 'r.json') && line.level === 50)),
  );
  const started = Date.now();
  await mirror.stop();
  // The retry is a minute away: a stop that waited for it would take that long.
  t.true(Date.now() - started < 10_000);
});

test('a deleted folder removes its local copy and what the state knows under it; re-created, it is mirrored and uploaded again', async (t) => {
  const { remote, mirror, root, state } = await setup(t);
  remote.put('a/requests/r.json', '{"function":"f"}');
  await mirror.start();
  await writeResult(root, mirror, '{"ok":true}');
  await t.notThrowsAsync(until('the result uploaded', () => remote.files.has('a/results/r.json')));
  remote.delete('a');
  await t.notThrowsAsync(until('the app folder removed here', async () => (await kindAt(join(root, 'a'))) === 'none'));
  await t.notThrowsAsync(
    until('the mirror state emptied', async () => Object.keys((await state()).revs).length === 0 && Object.keys((await state()).uploaded).length === 0),
  );
  remote.put('a/requests/r.json', '{"function":"f"}');
  await t.notThrowsAsync(until('the request downloaded again', async () => (await kindAt(join(root, 'a', 'requests', 'r.json'))) === 'file'));
  await writeResult(root, mirror, '{"ok":true}');
  await t.notThrowsAsync(until('the result uploaded again', () => remote.files.has('a/results/r.json')));
});
