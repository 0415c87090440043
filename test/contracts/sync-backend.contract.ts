/**
 * @module What every sync back end owes the courier, written once and run against each on its loopback emulator
 * (as Hono runs one router suite against every router): listings and cursors, resets, waiting for changes,
 * exact downloads and uploads, and which failures are retried.
 */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import type { ChangeBatch, RemoteEntry, SyncBackend } from '../../sync/backend.ts';

/** Requests the contract fails or counts: the first listing of the root, a download, a one-request upload. */
export type RemoteOperation = 'listing' | 'download' | 'upload';

/** The emulated service as another client of the same account sees it; paths are relative to the synced root. */
export interface RemoteControl {
  putFile(path: string, content: Buffer | string): void;
  /** Writes a file beside the synced root, which the back end must not report. */
  putOutside(path: string, content: Buffer | string): void;
  deleteFile(path: string): void;
  getFile(path: string): Buffer | undefined;
  /** Every cursor handed out so far stops working (Dropbox `reset`, Graph 410 Gone). */
  expireCursors(): void;
  /** The next request of `operation` is answered with this HTTP status (and Retry-After). */
  failNext(operation: RemoteOperation, failure: { status: number; retryAfterSeconds?: number }): void;
  requests(operation: RemoteOperation): number;
  readonly uploadSessions: number;
}

export interface SyncBackendSubject {
  backend: SyncBackend;
  remote: RemoteControl;
  /** What the back end logged. */
  lines: string[];
  /** The line that says a cursor was reset, in this back end's words. */
  resetLine: RegExp;
}

export interface SubjectOptions {
  /** Entries per page of the service's listings. */
  pageSize?: number;
  /** For a back end that polls: its longest wait. */
  pollIntervalMs?: number;
}

/** Changes since `cursor`, every page of them, as the courier reads them. */
async function drain(backend: SyncBackend, cursor: string | undefined): Promise<ChangeBatch> {
  const first = await backend.changes(cursor);
  const entries = [...first.entries];
  let batch = first;
  while (batch.hasMore) {
    batch = await backend.changes(batch.cursor);
    entries.push(...batch.entries);
  }
  return { ...batch, entries, reset: first.reset };
}

const kinds = (entries: RemoteEntry[]) => Object.fromEntries(entries.map((entry) => [entry.path, entry.kind]));
const byPath = (entries: RemoteEntry[]) => Object.fromEntries(entries.map((entry) => [entry.path, entry]));

/**
 * Declares the contract's tests in the calling test file, against the back end `setup` makes (with its emulator).
 * @example syncBackendContract(async (t, options) => ({ backend, remote, lines, resetLine: /reset/ }))
 */
export function syncBackendContract(setup: (t: ExecutionContext, options: SubjectOptions) => Promise<SyncBackendSubject>): void {
  test('a first listing names every file and folder under the root, across pages, in paths relative to it, and nothing beside it', async (t) => {
    const { backend, remote } = await setup(t, { pageSize: 3 });
    for (let i = 0; i < 7; i++) remote.putFile(`shop/requests/${i}.json`, `{"n":${i}}`);
    remote.putOutside('secret.txt', 'not synced');
    const listing = await drain(backend, undefined);
    t.deepEqual(kinds(listing.entries), {
      shop: 'folder',
      'shop/requests': 'folder',
      ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`shop/requests/${i}.json`, 'file'])),
    });
    t.like(byPath(listing.entries)['shop/requests/3.json'], { kind: 'file', size: 7 });
    t.not(byPath(listing.entries)['shop/requests/3.json']?.rev, '');
  });

  test('the cursor then brings new, changed and deleted files, each changed file with a new rev, and nothing once all is seen', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('shop/requests/a.json', '1');
    remote.putFile('shop/requests/b.json', '2');
    const first = await drain(backend, undefined);
    remote.putFile('shop/requests/a.json', 'changed');
    remote.putFile('shop/requests/c.json', '3');
    remote.deleteFile('shop/requests/b.json');
    const second = await drain(backend, first.cursor);
    t.false(second.reset);
    // Graph also names the folders the changes were in; the courier has nothing to do for them.
    t.deepEqual(kinds(second.entries.filter((entry) => entry.kind !== 'folder')), {
      'shop/requests/a.json': 'file',
      'shop/requests/b.json': 'deleted',
      'shop/requests/c.json': 'file',
    });
    t.not(byPath(second.entries)['shop/requests/a.json']?.rev, byPath(first.entries)['shop/requests/a.json']?.rev);
    const third = await drain(backend, second.cursor);
    t.deepEqual(third.entries, []);
    t.false(third.reset);
  });

  test('an expired cursor gives reset: true with a complete listing in one batch, and says so', async (t) => {
    const { backend, remote, lines, resetLine } = await setup(t, { pageSize: 2 });
    for (const name of ['a', 'b', 'c', 'd']) remote.putFile(`${name}.json`, name);
    const first = await drain(backend, undefined);
    remote.expireCursors();
    remote.deleteFile('b.json');
    const again = await backend.changes(first.cursor);
    t.true(again.reset);
    t.false(again.hasMore, 'a reset listing is read to its end before answering');
    t.deepEqual(kinds(again.entries), { 'a.json': 'file', 'c.json': 'file', 'd.json': 'file' });
    t.regex(lines.join('\n'), resetLine);
  });

  test('waitForChange returns once a file changes, and the next changes() brings it', async (t) => {
    const { backend, remote } = await setup(t, { pollIntervalMs: 20 });
    remote.putFile('a.json', '1');
    const { cursor } = await drain(backend, undefined);
    // Far longer than the test may run: only the change can end the wait in time.
    const waiting = backend.waitForChange(cursor, 10 * 60_000);
    setImmediate(() => remote.putFile('b.json', '2'));
    await waiting;
    t.deepEqual(kinds((await drain(backend, cursor)).entries), { 'b.json': 'file' });
  });

  test('waitForChange returns by its timeout when nothing changes, and the cursor still brings what changes after', async (t) => {
    const { backend, remote } = await setup(t, { pollIntervalMs: 10 * 60_000 });
    remote.putFile('a.json', '1');
    const { cursor } = await drain(backend, undefined);
    const started = performance.now();
    await backend.waitForChange(cursor, 200);
    t.true(performance.now() - started >= 150, 'it waited, rather than sending the courier straight back to look');
    remote.putFile('b.json', '2');
    t.deepEqual(kinds((await drain(backend, cursor)).entries), { 'b.json': 'file' });
  });

  test('waitForChange returns at once when aborted, however long it would otherwise wait', async (t) => {
    const { backend, remote } = await setup(t, { pollIntervalMs: 10 * 60_000 });
    remote.putFile('a.json', '1');
    const { cursor } = await drain(backend, undefined);
    const abort = new AbortController();
    const waiting = backend.waitForChange(cursor, 10 * 60_000, abort.signal);
    setImmediate(() => abort.abort());
    await t.notThrowsAsync(waiting);
  });

  test('a download returns the exact bytes of a file whose name has spaces and non-ASCII letters', async (t) => {
    const { backend, remote } = await setup(t, {});
    const content = Buffer.concat([randomBytes(70_000), Buffer.from([0, 0xff, 0xfe, 0x80])]);
    remote.putFile('shop/requests/ünïcode data.bin', content);
    t.true((await backend.download('shop/requests/ünïcode data.bin')).equals(content));
  });

  test('a download of a missing file fails at once, without retries', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('a.json', '1');
    await t.throwsAsync(backend.download('shop/missing.bin'), { message: /HTTP 40\d/ });
    t.is(remote.requests('download'), 1);
  });

  test('a small upload replaces the earlier version in one request, under a name with URL signs, and its rev is the one the listing reports', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('shop/requests/a.json', '{}');
    const first = await drain(backend, undefined);
    const path = 'shop/results/a b#%é?&+.json';
    await backend.upload(path, Buffer.from('old'));
    const { rev } = await backend.upload(path, Buffer.from('{"ok":true}'));
    t.is(remote.requests('upload'), 2);
    t.is(remote.uploadSessions, 0);
    t.is(remote.getFile(path)?.toString(), '{"ok":true}');
    t.is((await backend.download(path)).toString(), '{"ok":true}');
    t.is(byPath((await drain(backend, first.cursor)).entries)[path]?.rev, rev);
  });

  test('createFolder makes a folder, and its missing parents, that the cursor then brings; made again, or where a file stands, it is no error and changes nothing', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('shop/functions/a.js', 'export default 1');
    remote.putFile('shop/results', 'a file of the user');
    const { cursor } = await drain(backend, undefined);
    await backend.createFolder('shop/requests');
    await backend.createFolder('new/deep/requests');
    t.like(kinds((await drain(backend, cursor)).entries), { 'shop/requests': 'folder', new: 'folder', 'new/deep': 'folder', 'new/deep/requests': 'folder' });
    await backend.createFolder('shop/requests');
    await backend.createFolder('shop/results');
    t.is(remote.getFile('shop/results')?.toString(), 'a file of the user');
    t.like(kinds((await drain(backend, undefined)).entries), { 'shop/requests': 'folder', 'shop/results': 'file' });
  });

  test('a large upload goes through one upload session and arrives byte for byte, replacing the old file, with the rev the listing reports', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('big.bin', 'old');
    const first = await drain(backend, undefined);
    const content = randomBytes(9 * 1024 * 1024 + 123);
    const { rev } = await backend.upload('big.bin', content);
    t.is(remote.uploadSessions, 1);
    t.is(remote.requests('upload'), 0);
    t.true(remote.getFile('big.bin')?.equals(content));
    t.is(byPath((await drain(backend, first.cursor)).entries)['big.bin']?.rev, rev);
  });

  const throttled = test.macro({
    async exec(t, operation: RemoteOperation, run: (backend: SyncBackend) => Promise<unknown>) {
      const { backend, remote, lines } = await setup(t, {});
      remote.putFile('a.json', '1');
      remote.failNext(operation, { status: 429, retryAfterSeconds: 1 });
      const started = performance.now();
      await run(backend);
      t.true(performance.now() - started >= 900, 'waited about the delay the service asked for');
      t.is(remote.requests(operation), 2);
      t.regex(lines.join('\n'), /HTTP 429.*retry 1 in 1000 ms/);
    },
    title: (what = '') => `a 429 on ${what} is retried after its Retry-After delay, and the call succeeds`,
  });
  test('a listing', throttled, 'listing', (backend) => backend.changes(undefined));
  test('a download', throttled, 'download', (backend) => backend.download('a.json'));

  test('a server error is retried and the call succeeds', async (t) => {
    const { backend, remote } = await setup(t, {});
    remote.putFile('a.json', 'content');
    remote.failNext('download', { status: 503, retryAfterSeconds: 0 });
    t.is((await backend.download('a.json')).toString(), 'content');
    t.is(remote.requests('download'), 2);
  });
}
