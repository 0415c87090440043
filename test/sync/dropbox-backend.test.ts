/** The Dropbox back end keeps the sync back-end contract, driving the real SDK against the loopback emulator; here too what is Dropbox's own: spellings, chunk retries, longpoll, tokens. */
import { randomBytes } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { EdgeError } from '../../base/errors.ts';
import type { RemoteEntry } from '../../sync/backend.ts';
import { DropboxBackend, DropboxCallError, dropboxBackendFromEnv, type DropboxBackendOptions } from '../../sync/dropbox/dropbox-backend.ts';
import { syncBackendContract, type RemoteControl } from '../contracts/sync-backend.contract.ts';
import { DropboxEmulator, dropboxEmulatorFetch, type DropboxEmulatorOptions } from '../emulators/dropbox-emulator.ts';
import { until } from '../helpers/wait.ts';

const accessToken = 'sl.test-access-token-0123456789';

async function setup(
  t: ExecutionContext,
  emulatorOptions: DropboxEmulatorOptions = { accessToken },
  backendOptions: Partial<DropboxBackendOptions> = { accessToken },
) {
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

const summary = (entries: RemoteEntry[]) => entries.map(({ path, kind }) => `${kind} ${path}`);
const elapsed = async (run: () => Promise<unknown>) => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

syncBackendContract(async (t, { pageSize }) => {
  const { emulator, backend, lines } = await setup(t, { accessToken, ...(pageSize && { pageSize }) });
  const routes = { listing: 'files/list_folder', download: 'files/download', upload: 'files/upload' };
  const remote: RemoteControl = {
    putFile: (path, content) => void emulator.putFile(`/edge/${path}`, content),
    putOutside: (path, content) => void emulator.putFile(`/elsewhere/${path}`, content),
    deleteFile: (path) => emulator.deleteFile(`/edge/${path}`),
    getFile: (path) => emulator.getFile(`/edge/${path}`),
    expireCursors: () => emulator.expireCursors(),
    failNext: (operation, failure) => emulator.failNext(routes[operation], failure),
    requests: (operation) => emulator.calls[routes[operation]] ?? 0,
    get uploadSessions() {
      return emulator.uploadSessions;
    },
  };
  return { backend, remote, lines, resetLine: /cursor was reset/ };
});

test('one remote folder keeps the spelling first seen, however a later upload spells it', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/Shop/requests/a.json', '1');
  const first = await backend.changes(undefined);
  t.false(first.reset, 'a first listing is not a reset here (OneDrive calls it one)');
  emulator.putFile('/EDGE/shop/REQUESTS/b.json', '2');
  const next = await backend.changes(first.cursor);
  t.deepEqual(summary(next.entries), ['file Shop/requests/b.json']);
});

test('a chunk whose answer was lost is not sent twice', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = randomBytes(13 * 1024 * 1024);
  emulator.failNext('files/upload_session/append_v2', { loseAnswer: true });
  await backend.upload('big.bin', content);
  t.is(emulator.calls['files/upload_session/append_v2'], 3, 'two appends and one retry');
  t.true(emulator.getFile('/edge/big.bin')!.equals(content));
});

test("a missing file's error carries the service's status and tag", async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const error = await t.throwsAsync(() => backend.download('missing.json'), { instanceOf: DropboxCallError });
  t.is(error.tag, 'path');
  t.is(error.status, 409);
});

test('a waitForChange that reaches its timeout hangs up its longpoll', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('/edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  await backend.waitForChange(cursor, 300);
  await t.notThrowsAsync(until('the longpoll hung up', () => emulator.pendingLongpolls === 0));
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
