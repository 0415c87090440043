/** The Dropbox back end drives the real SDK against the loopback emulator: listings, cursors, retries, transfers, longpoll, tokens. */
import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { EdgeError } from '../../base/errors.ts';
import type { RemoteEntry } from '../../sync/backend.ts';
import { DropboxBackend, DropboxCallError, dropboxBackendFromEnv, type DropboxBackendOptions } from '../../sync/dropbox/dropbox-backend.ts';
import { DropboxEmulator, dropboxEmulatorFetch, type DropboxEmulatorOptions } from '../emulators/dropbox-emulator.ts';

const accessToken = 'sl.test-access-token-0123456789';

async function setup(t: ExecutionContext, emulatorOptions: DropboxEmulatorOptions = { accessToken }, backendOptions: Partial<DropboxBackendOptions> = { accessToken }) {
  const emulator = await DropboxEmulator.start(emulatorOptions);
  t.teardown(() => emulator.close());
  const lines: string[] = [];
  const backend = new DropboxBackend({
    rootPath: '/edge',
    fetch: dropboxEmulatorFetch(emulator.url),
    log: (line) => lines.push(line),
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...backendOptions,
  });
  return { emulator, backend, lines };
}

const revOf = (emulator: DropboxEmulator, path: string) => {
  const node = emulator.node(path);
  return node?.kind === 'file' ? node.rev : undefined;
};
const summary = (entries: RemoteEntry[]) => entries.map(({ path, kind }) => `${kind} ${path}`);
const elapsed = async (run: () => Promise<unknown>) => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

test('a full listing, then only what changed through the cursor', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/shop/requests/a.json', '{"n":1}');
  emulator.putFile('/elsewhere/b.json', 'not ours');
  const first = await backend.changes(undefined);
  t.false(first.reset);
  t.deepEqual(summary(first.entries), ['folder shop', 'folder shop/requests', 'file shop/requests/a.json']);
  t.is(revOf(emulator, '/edge/shop/requests/a.json'), first.entries[2]!.rev);

  emulator.putFile('/edge/shop/requests/c.json', '{}');
  emulator.deleteFile('/edge/shop/requests/a.json');
  const next = await backend.changes(first.cursor);
  t.deepEqual(summary(next.entries), ['file shop/requests/c.json', 'deleted shop/requests/a.json']);
  t.deepEqual(summary((await backend.changes(next.cursor)).entries), []);
});

test('one remote folder keeps the spelling first seen, however a later upload spells it', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/Shop/requests/a.json', '1');
  const first = await backend.changes(undefined);
  emulator.putFile('/EDGE/shop/REQUESTS/b.json', '2');
  const next = await backend.changes(first.cursor);
  t.deepEqual(summary(next.entries), ['file Shop/requests/b.json']);
});

test('a 429 with Retry-After is waited out and the call then succeeds', async (t) => {
  const { emulator, backend, lines } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  emulator.failNext('files/list_folder', { status: 429, retryAfterSeconds: 1 });
  const ms = await elapsed(() => backend.changes(undefined));
  t.true(ms >= 900, `waited ${ms} ms`);
  t.is(emulator.calls['files/list_folder'], 2);
  t.regex(lines.join('\n'), /list_folder: HTTP 429.*; retry 1 in 1000 ms/);
});

test('an expired cursor gives reset: true with a full listing', async (t) => {
  const { emulator, backend, lines } = await setup(t, { accessToken, pageSize: 2 });
  for (const name of ['a', 'b', 'c']) emulator.putFile(`/edge/${name}.json`, name);
  const first = await backend.changes(undefined);
  emulator.expireCursors();
  const again = await backend.changes(first.cursor);
  t.true(again.reset);
  t.false(again.hasMore, 'a reset listing is read to its end before answering');
  t.deepEqual(summary(again.entries), ['file a.json', 'file b.json', 'file c.json']);
  t.regex(lines.join('\n'), /cursor was reset/);
});

test('a large upload goes through one session and arrives byte for byte', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = randomBytes(9 * 1024 * 1024 + 123);
  const { rev } = await backend.upload('shop/results/big.json', content);
  t.is(emulator.uploadSessions, 1);
  t.false('files/upload' in emulator.calls);
  t.true(emulator.getFile('/edge/shop/results/big.json')!.equals(content));
  t.is(revOf(emulator, '/edge/shop/results/big.json'), rev);
});

test('a chunk whose answer was lost is not sent twice', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = randomBytes(13 * 1024 * 1024);
  emulator.failNext('files/upload_session/append_v2', { loseAnswer: true });
  await backend.upload('big.bin', content);
  t.is(emulator.calls['files/upload_session/append_v2'], 3, 'two appends and one retry');
  t.true(emulator.getFile('/edge/big.bin')!.equals(content));
});

test('a small upload replaces the earlier version in one call', async (t) => {
  const { emulator, backend } = await setup(t);
  await backend.upload('shop/results/r.json', Buffer.from('old'));
  const { rev } = await backend.upload('shop/results/r.json', Buffer.from('new'));
  t.is(emulator.calls['files/upload'], 2);
  t.is(emulator.uploadSessions, 0);
  t.is(emulator.getFile('/edge/shop/results/r.json')!.toString(), 'new');
  t.regex(rev, /^[0-9a-f]{9,}$/);
});

test('download returns the exact bytes', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = Buffer.concat([randomBytes(70_000), Buffer.from([0, 0xff, 0xfe, 0x80])]);
  emulator.putFile('/edge/shop/requests/ünïcode.bin', content);
  t.true((await backend.download('shop/requests/ünïcode.bin')).equals(content));
});

test('a missing file fails at once with the service\'s tag, without retries', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const error = await t.throwsAsync(() => backend.download('missing.json'), { instanceOf: DropboxCallError });
  t.is(error.tag, 'path');
  t.is(error.status, 409);
  t.is(emulator.calls['files/download'], 1);
});

test('waitForChange returns when a file changes', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  setTimeout(() => emulator.putFile('/edge/b.json', '2'), 200);
  const ms = await elapsed(() => backend.waitForChange(cursor, 20_000));
  t.true(ms >= 150 && ms < 5000, `returned after ${ms} ms`);
});

test('waitForChange returns after its timeout otherwise, and hangs up its longpoll', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  const ms = await elapsed(() => backend.waitForChange(cursor, 300));
  t.true(ms >= 280 && ms < 2000, `returned after ${ms} ms`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.is(emulator.pendingLongpolls, 0);
});

test('waitForChange honours the backoff the longpoll asks for', async (t) => {
  const { emulator, backend, lines } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  emulator.putFile('/edge/b.json', '2');
  emulator.longpollBackoffSeconds = 1;
  const ms = await elapsed(() => backend.waitForChange(cursor, 20_000));
  t.true(ms >= 900, `returned after ${ms} ms`);
  t.regex(lines.join('\n'), /1 s of backoff/);
});

test('refresh-token credentials obtain an access token, and a new one when it is refused', async (t) => {
  const credentials = { refreshToken: 'refresh-secret-xyz', appKey: 'app-key', appSecret: 'app-secret-abc' };
  const { emulator, backend } = await setup(t, credentials, credentials);
  emulator.putFile('/edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  t.is(emulator.calls['oauth2/token'], 1);
  emulator.expireAccessTokens();
  await backend.changes(cursor);
  t.is(emulator.calls['oauth2/token'], 2);
  t.is(emulator.calls['files/list_folder/continue'], 2, 'refused once, then done with the new token');
});

test('no token or secret appears in what is logged or thrown', async (t) => {
  const credentials = { refreshToken: 'refresh-secret-xyz', appKey: 'app-key', appSecret: 'app-secret-abc' };
  const { emulator, backend, lines } = await setup(t, credentials, { ...credentials, retry: { retries: 2, baseDelayMs: 5 } });
  emulator.putFile('/edge/a.json', '1');
  emulator.failNext('oauth2/token', { loseAnswer: true });
  emulator.failNext('files/list_folder', { status: 503 });
  await backend.changes(undefined);
  emulator.expireAccessTokens();
  for (let i = 0; i < 3; i++) emulator.failNext('oauth2/token', { loseAnswer: true });
  const error = await t.throwsAsync(() => backend.download('a.json'));
  const said = [...lines, error.message].join('\n');
  t.true(lines.length >= 3, said);
  for (const secret of [...emulator.issuedTokens, credentials.refreshToken, credentials.appSecret]) t.false(said.includes(secret), `leaked ${secret}`);
});

test('credentials come from the environment, and their absence names the variables', (t) => {
  const error = t.throws(() => dropboxBackendFromEnv('/edge', {}, {}));
  t.true(error instanceof EdgeError && error.code === 'INVALID_INPUT');
  t.regex(error.message, /DROPBOX_ACCESS_TOKEN.*DROPBOX_REFRESH_TOKEN.*DROPBOX_APP_KEY/);
  t.throws(() => dropboxBackendFromEnv('/edge', {}, { DROPBOX_REFRESH_TOKEN: 'r' }), { message: /DROPBOX_APP_KEY/ });
  t.is(dropboxBackendFromEnv('/edge', {}, { DROPBOX_REFRESH_TOKEN: 'r', DROPBOX_APP_KEY: 'k' }).kind, 'dropbox');
});
