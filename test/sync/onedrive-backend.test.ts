/** The OneDrive back end, through the real Microsoft Graph SDK, against a loopback Graph over HTTPS: delta, resync, downloads, uploads, tokens. */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RemoteEntry } from '../../sync/backend.ts';
import { GraphRequestError, OneDriveBackend, oneDriveBackendFromEnv } from '../../sync/onedrive/onedrive-backend.ts';
import { refreshTokenProvider } from '../../sync/onedrive/token-provider.ts';
import { GraphEmulator, type GraphEmulatorOptions } from '../emulators/graph-emulator.ts';
import { createTestCertificate, trustCertificate } from '../emulators/test-certificate.ts';

const certificate = createTestCertificate();
test.before(() => trustCertificate(certificate.cert));
test.after.always(() => rm(dirname(certificate.certPath), { recursive: true, force: true }));

async function setup(t: ExecutionContext, options: GraphEmulatorOptions = {}) {
  const emulator = await GraphEmulator.start({ certificate, ...options });
  t.teardown(() => emulator.close());
  const lines: string[] = [];
  const connection = { baseUrl: emulator.baseUrl, customHosts: emulator.customHosts, log: (line: string) => lines.push(line) };
  const withToken = (token: string) => new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve(token), ...connection });
  /** A back end as the environment configures it with a refresh token, renewed at the emulated token endpoint. */
  const fromEnv = (refreshToken = emulator.refreshToken) =>
    oneDriveBackendFromEnv('/edge', { env: { ONEDRIVE_REFRESH_TOKEN: refreshToken, ONEDRIVE_CLIENT_ID: emulator.clientId }, authorityUrl: emulator.authorityUrl, ...connection });
  return { emulator, backend: withToken(emulator.accessToken), lines, withToken, fromEnv };
}

const byPath = (entries: RemoteEntry[]) => Object.fromEntries(entries.map((entry) => [entry.path, entry]));
const kinds = (entries: RemoteEntry[]) => Object.fromEntries(entries.map((entry) => [entry.path, entry.kind]));

test('a first call lists the whole folder across delta pages, in paths relative to the root', async (t) => {
  const { emulator, backend } = await setup(t, { pageSize: 5 });
  for (let i = 0; i < 12; i++) emulator.putFile(`edge/shop/requests/${i}.json`, `{"n":${i}}`);
  emulator.putFile('elsewhere/secret.txt', 'not synced');
  const batch = await backend.changes(undefined);
  t.true(batch.reset);
  t.false(batch.hasMore);
  t.true(emulator.calls.delta >= 3, 'the listing took several pages');
  const entries = byPath(batch.entries);
  t.deepEqual(Object.keys(entries).sort(), ['shop', 'shop/requests', ...Array.from({ length: 12 }, (_, i) => `shop/requests/${i}.json`)].sort());
  t.is(entries['shop']?.kind, 'folder');
  t.like(entries['shop/requests/3.json'], { kind: 'file', size: 7 });
  t.not(entries['shop/requests/3.json']?.rev, '');
});

test('the cursor brings new, changed and deleted files, and nothing once all is seen', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('edge/shop/requests/a.json', '1');
  emulator.putFile('edge/shop/requests/b.json', '2');
  const first = await backend.changes(undefined);
  emulator.putFile('edge/shop/requests/a.json', 'changed');
  emulator.putFile('edge/shop/requests/c.json', '3');
  emulator.deleteFile('edge/shop/requests/b.json');
  const second = await backend.changes(first.cursor);
  t.false(second.reset);
  t.like(kinds(second.entries), { 'shop/requests/a.json': 'file', 'shop/requests/b.json': 'deleted', 'shop/requests/c.json': 'file' });
  t.not(byPath(second.entries)['shop/requests/a.json']?.rev, byPath(first.entries)['shop/requests/a.json']?.rev);
  const third = await backend.changes(second.cursor);
  t.deepEqual(third.entries, []);
  t.false(third.reset);
});

test('deleting a folder reports everything that was under it as deleted', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('edge/shop/requests/a.json', '1');
  emulator.putFile('edge/keep.txt', 'k');
  const first = await backend.changes(undefined);
  emulator.deleteFile('edge/shop');
  const second = await backend.changes(first.cursor);
  t.deepEqual(kinds(second.entries), { shop: 'deleted', 'shop/requests': 'deleted', 'shop/requests/a.json': 'deleted' });
});

test('an expired delta link (410 Gone) gives a full listing with reset', async (t) => {
  const { emulator, backend, lines } = await setup(t);
  emulator.putFile('edge/a.json', '1');
  emulator.putFile('edge/b.json', '2');
  const first = await backend.changes(undefined);
  emulator.expireDeltaLinks();
  emulator.deleteFile('edge/b.json');
  const second = await backend.changes(first.cursor);
  t.true(second.reset);
  t.deepEqual(kinds(second.entries), { 'a.json': 'file' });
  t.true(lines.some((line) => line.includes('410')));
});

test('a cursor this process did not hand out gives a full listing with reset', async (t) => {
  const { emulator, backend, withToken } = await setup(t);
  emulator.putFile('edge/a.json', '1');
  const { cursor } = await backend.changes(undefined);
  const restarted = withToken(emulator.accessToken);
  const batch = await restarted.changes(cursor);
  t.true(batch.reset);
  t.deepEqual(kinds(batch.entries), { 'a.json': 'file' });
});

const throttled = test.macro({
  async exec(t, route: 'delta' | 'content', run: (backend: OneDriveBackend) => Promise<unknown>) {
    const { emulator, backend, lines } = await setup(t);
    emulator.putFile('edge/a.json', '1');
    emulator.failNext(route, { status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await run(backend);
    t.true(Date.now() - started >= 900, 'waited about the delay Graph asked for');
    t.is(emulator.calls[route], 2);
    t.true(lines.some((line) => line.includes('HTTP 429')));
  },
  title: (what = '') => `a 429 on ${what} is retried after the Retry-After delay`,
});
test('a delta query', throttled, 'delta', (backend) => backend.changes(undefined));
test('a download', throttled, 'content', (backend) => backend.download('a.json'));

test('a download follows the redirect to the pre-authenticated URL and returns the exact bytes', async (t) => {
  const { emulator, backend } = await setup(t);
  const content = randomBytes(1024 * 1024 + 7);
  emulator.putFile('edge/shop/blob.bin', content);
  t.deepEqual(await backend.download('shop/blob.bin'), content);
  t.is(emulator.calls.download, 1, 'the redirect was followed, without the bearer token');
  await t.throwsAsync(backend.download('shop/missing.bin'), { instanceOf: GraphRequestError, message: /HTTP 404/ });
});

test('a small upload is one PUT, names are escaped, and its rev is the one delta reports', async (t) => {
  const { emulator, backend } = await setup(t);
  emulator.putFile('edge/shop/requests/a.json', '{}');
  const first = await backend.changes(undefined);
  const path = 'shop/results/a b#%é?&+.json';
  const { rev } = await backend.upload(path, Buffer.from('{"ok":true}'));
  t.is(emulator.calls.upload, 1);
  t.is(emulator.uploadSessions, 0);
  t.is(emulator.getFile(`edge/${path}`)?.toString(), '{"ok":true}');
  t.is((await backend.download(path)).toString(), '{"ok":true}');
  const batch = await backend.changes(first.cursor);
  t.is(byPath(batch.entries)[path]?.rev, rev);
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
  t.deepEqual(lines.filter((line) => secrets.some((secret) => line.includes(secret))), []);
  t.false(refused?.message.includes('not-a-valid-token'));
});

test('waitForChange paces polling and returns at once when aborted', async (t) => {
  // Bounds far apart, so that a busy machine's delays cannot blur which of the waits happened.
  const backend = new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve('unused'), pollIntervalMs: 200 });
  let started = Date.now();
  await backend.waitForChange('cursor', 60_000);
  t.true(Date.now() - started >= 180 && Date.now() - started < 30_000, 'one poll interval, not the whole timeout');
  const slow = new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve('unused'), pollIntervalMs: 60_000 });
  const abort = new AbortController();
  started = Date.now();
  setTimeout(() => abort.abort(), 20);
  await slow.waitForChange('cursor', 60_000, abort.signal);
  t.true(Date.now() - started < 30_000, 'the abort, not the 60 s interval, ended the wait');
});
