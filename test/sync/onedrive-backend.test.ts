/** The OneDrive back end keeps the sync back-end contract through the real Microsoft Graph SDK against a loopback Graph over HTTPS; here too what is OneDrive's own: folder deletions, foreign cursors, redirects, upload ranges, tokens, polling. */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RemoteEntry } from '../../sync/backend.ts';
import { GraphRequestError, OneDriveBackend, oneDriveBackendFromEnv } from '../../sync/onedrive/onedrive-backend.ts';
import { refreshTokenProvider } from '../../sync/onedrive/token-provider.ts';
import { syncBackendContract, type RemoteControl } from '../contracts/sync-backend.contract.ts';
import { GraphEmulator, type GraphEmulatorOptions } from '../emulators/graph-emulator.ts';
import { createTestCertificate, trustCertificate } from '../emulators/test-certificate.ts';

const certificate = createTestCertificate();
test.before(() => trustCertificate(certificate.cert));
test.after.always(() => rm(dirname(certificate.certPath), { recursive: true, force: true }));

async function setup(t: ExecutionContext, options: GraphEmulatorOptions = {}, pollIntervalMs?: number) {
  const emulator = await GraphEmulator.start({ certificate, ...options });
  t.teardown(() => emulator.close());
  const lines: string[] = [];
  const connection = {
    baseUrl: emulator.baseUrl,
    customHosts: emulator.customHosts,
    log: (line: string) => lines.push(line),
    ...(pollIntervalMs && { pollIntervalMs }),
  };
  const withToken = (token: string) => new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve(token), ...connection });
  /** A back end as the environment configures it with a refresh token, renewed at the emulated token endpoint. */
  const fromEnv = (refreshToken = emulator.refreshToken) =>
    oneDriveBackendFromEnv('/edge', {
      env: { ONEDRIVE_REFRESH_TOKEN: refreshToken, ONEDRIVE_CLIENT_ID: emulator.clientId },
      authorityUrl: emulator.authorityUrl,
      ...connection,
    });
  return { emulator, backend: withToken(emulator.accessToken), lines, withToken, fromEnv };
}

syncBackendContract(async (t, { pageSize, pollIntervalMs }) => {
  const { emulator, backend, lines } = await setup(t, pageSize ? { pageSize } : {}, pollIntervalMs);
  const routes = { listing: 'delta', download: 'content', upload: 'upload' } as const;
  const remote: RemoteControl = {
    putFile: (path, content) => emulator.putFile(`edge/${path}`, content),
    putOutside: (path, content) => emulator.putFile(`elsewhere/${path}`, content),
    deleteFile: (path) => emulator.deleteFile(`edge/${path}`),
    getFile: (path) => emulator.getFile(`edge/${path}`),
    expireCursors: () => emulator.expireDeltaLinks(),
    failNext: (operation, failure) => emulator.failNext(routes[operation], failure),
    requests: (operation) => emulator.calls[routes[operation]],
    get uploadSessions() {
      return emulator.uploadSessions;
    },
  };
  return { backend, remote, lines, resetLine: /delta link is no longer valid \(HTTP 410\)/ };
});

const kinds = (entries: RemoteEntry[]) => Object.fromEntries(entries.map((entry) => [entry.path, entry.kind]));

test('deleting a folder reports everything that was under it as deleted', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('edge/shop/requests/a.json', '1');
  emulator.putFile('edge/keep.txt', 'k');
  const first = await backend.changes(undefined);
  emulator.deleteFile('edge/shop');
  const second = await backend.changes(first.cursor);
  t.deepEqual(kinds(second.entries), { shop: 'deleted', 'shop/requests': 'deleted', 'shop/requests/a.json': 'deleted' });
});

test('a cursor this process did not hand out gives a full listing with reset', async (t) => {
  const { emulator, backend, withToken } = await setup(t);
  emulator.putFile('edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  const restarted = withToken(emulator.accessToken);
  const batch = await restarted.changes(cursor);
  t.true(batch.reset);
  t.true((await restarted.changes(undefined)).reset, 'a listing without a cursor is a reset too');
  t.deepEqual(kinds(batch.entries), { 'a.json': 'file' });
});

test('a download follows the redirect to the pre-authenticated URL and returns the exact bytes', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = randomBytes(1024 * 1024 + 7);
  emulator.putFile('edge/shop/blob.bin', content);
  t.deepEqual(await backend.download('shop/blob.bin'), content);
  t.is(emulator.calls.download, 1, 'the redirect was followed, without the bearer token');
  await t.throwsAsync(backend.download('shop/missing.bin'), { instanceOf: GraphRequestError, message: /download shop\/missing\.bin: HTTP 404/ });
});

test('a large upload goes through an upload session in 320 KiB-multiple ranges, byte-identical, replacing the old file', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('edge/big.bin', 'old');
  emulator.failNext('uploadRange', { status: 503, retryAfterSeconds: 0 });
  const content = randomBytes(9 * 1024 * 1024 + 123);
  const { rev } = await backend.upload('big.bin', content);
  t.not(rev, '');
  t.is(emulator.uploadSessions, 1);
  t.is(emulator.calls.uploadRange, 4, 'three ranges, one of them twice');
  t.true(emulator.getFile('edge/big.bin')?.equals(content));
});

test('the refresh-token provider gets a token from the token endpoint and caches it', async (t) => {
  const { emulator, fromEnv } = await setup(t);
  emulator.putFile('edge/a.json', '1');
  const backend = fromEnv();
  await backend.changes(undefined);
  await backend.download('a.json');
  t.is(emulator.calls.token, 1);
  const provider = refreshTokenProvider({ clientId: emulator.clientId, refreshToken: emulator.refreshToken, authorityUrl: emulator.authorityUrl });
  const tokens = await Promise.all([provider(), provider(), provider()]);
  t.is(emulator.calls.token, 2, 'callers waiting together share one request');
  t.deepEqual(new Set(tokens), new Set([emulator.issuedTokens[1]]));
});

test('a missing synced folder is an error that names it', async (t) => {
  const { backend } = await setup(t);
  await t.throwsAsync(backend.changes(undefined), { instanceOf: GraphRequestError, message: /synced folder \/edge: HTTP 404/ });
});

test('a token that expires within the renewal margin is renewed on the next call', async (t) => {
  const { emulator } = await setup(t, { tokenLifetimeSeconds: 60 });
  const provider = refreshTokenProvider({ clientId: emulator.clientId, refreshToken: emulator.refreshToken, authorityUrl: emulator.authorityUrl });
  t.not(await provider(), await provider());
  t.is(emulator.calls.token, 2);
});

test('missing or refused credentials are INVALID_INPUT errors that name what to set', async (t) => {
  const { fromEnv } = await setup(t);
  t.throws(() => oneDriveBackendFromEnv('/edge', { env: {} }), { message: /ONEDRIVE_ACCESS_TOKEN.*ONEDRIVE_REFRESH_TOKEN.*ONEDRIVE_CLIENT_ID/ });
  const backend = fromEnv('revoked-refresh-token');
  const error = await t.throwsAsync(backend.changes(undefined), { message: /invalid_grant/ });
  t.like(error, { code: 'INVALID_INPUT' });
  t.false(error?.message.includes('revoked-refresh-token'));
});

test('tokens never appear in logged lines', async (t) => {
  const { emulator, lines, withToken, fromEnv } = await setup(t, { tokenLifetimeSeconds: 60 });
  emulator.putFile('edge/a.json', '1');
  emulator.failNext('token', { status: 503, retryAfterSeconds: 0 });
  emulator.failNext('delta', { status: 503, retryAfterSeconds: 0 });
  emulator.failNext('content', { status: 429, retryAfterSeconds: 0 });
  const backend = fromEnv();
  await backend.changes(undefined);
  await backend.download('a.json');
  const bad = withToken('not-a-valid-token');
  const refused = await t.throwsAsync(bad.changes(undefined), { instanceOf: GraphRequestError });
  t.is(refused?.status, 401);
  t.true(lines.length >= 4, 'retries and token renewals were logged');
  const secrets = [emulator.refreshToken, emulator.accessToken, 'not-a-valid-token', ...emulator.issuedTokens];
  t.deepEqual(
    lines.filter((line) => secrets.some((secret) => line.includes(secret))),
    [],
  );
  t.false(refused?.message.includes('not-a-valid-token'));
});

test('waitForChange paces polling: one poll interval, not the whole timeout', async (t) => {
  const backend = new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve('unused'), pollIntervalMs: 200 });
  const started = Date.now();
  await backend.waitForChange('cursor', 10 * 60_000);
  t.true(Date.now() - started >= 180, 'it waited the interval');
});
