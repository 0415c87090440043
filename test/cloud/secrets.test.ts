/**
 * A cloud app's configuration over HTTP: "env" settings shown with the app and bundled with its code; secrets set,
 * listed and removed by name, seen by the app's functions only, and never in an answer, a log line or a file.
 */
import test from 'ava';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { api, type ApiAnswer } from '../helpers/cloud.ts';
import { useCloud } from '../helpers/use-cloud.ts';

const logLines: string[] = [];
/** Every answer the cloud gave in this file, to look for a secret in. */
const answers: string[] = [];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The digest function of the `configured` fixture: shows which value a variable has without answering it. */
const DIGEST = `import { createHash } from 'node:crypto';
export default (input) => {
  const value = process.env[input.name];
  return value === undefined ? null : createHash('sha256').update(value).digest('hex');
};
`;

async function call(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const answer = await api(cloud.url, method, `/api/v1${path}`, body, cloud.token);
  answers.push(answer.text);
  return answer;
}

/** A new app with the digest function and an endpoint calling it; `env` as app.json would have it. */
async function newApp(env?: Record<string, string>): Promise<string> {
  const { body: app } = await call('POST', '/apps', { name: `cfg-${randomUUID().slice(0, 8)}`, ...(env ? { env } : {}) });
  await call('PUT', `/apps/${app.id}/functions/digest`, { code: DIGEST, public: true });
  await call('POST', `/apps/${app.id}/endpoints`, { method: 'POST', path: '/digest', function: 'digest', public: true });
  return app.id;
}

/** The app's public digest endpoint, called by anyone. */
async function endpointCall(appId: string, name: string): Promise<ApiAnswer> {
  const answer = await api(cloud.url, 'POST', `/run/${appId}/digest`, { input: { name } });
  answers.push(answer.text);
  return answer;
}

async function digestOf(appId: string, name: string): Promise<unknown> {
  const { status, body, text } = await call('POST', `/apps/${appId}/functions/digest/invoke`, { input: { name } });
  if (status !== 200) throw new Error(`the invoke answered ${status}: ${text}`);
  return body.output;
}

const cloud = useCloud(test, { log: (line) => void logLines.push(line) });

test.serial("a secret reaches the app's functions only, and no answer, log line or file of the cloud holds it", async (t) => {
  const secret = `sk-${randomUUID()}`;
  const appId = await newApp();
  const set = await call('PUT', `/apps/${appId}/secrets/API_KEY`, { value: secret });
  t.is(set.status, 201, set.text);
  t.deepEqual(Object.keys(set.body).sort(), ['createdAt', 'name', 'updatedAt']);
  t.is((await call('PUT', `/apps/${appId}/secrets/API_KEY`, { value: secret })).status, 200, 'setting it again replaces it');
  const listed = await call('GET', `/apps/${appId}/secrets`);
  t.deepEqual(
    listed.body.secrets.map((entry: object) => Object.keys(entry).sort()),
    [['createdAt', 'name', 'updatedAt']],
  );
  t.is(listed.body.secrets[0].name, 'API_KEY');

  t.is(await digestOf(appId, 'API_KEY'), sha256(secret));
  const other = await newApp();
  t.is(await digestOf(other, 'API_KEY'), null, "another app's function does not see it");

  await call('POST', `/apps/${appId}/start`);
  t.is((await endpointCall(appId, 'API_KEY')).body.output, sha256(secret));
  for (const path of [
    `/apps/${appId}`,
    '/apps',
    `/apps/${appId}/functions/digest`,
    `/apps/${appId}/functions/digest/logs`,
    `/apps/${appId}/functions/digest/code`,
  ]) {
    await call('GET', path);
  }

  t.false(
    answers.some((text) => text.includes(secret)),
    'an answer holds the secret',
  );
  t.true(logLines.length > 0, 'the cloud logged');
  t.false(
    logLines.some((line) => line.includes(secret)),
    'a log line holds the secret',
  );
  const files = await readdir(cloud.dataDir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(files.filter((entry) => entry.isFile()).map((entry) => readFile(join(entry.parentPath, entry.name), 'utf8')));
  t.true(texts.length > 0);
  t.false(
    texts.some((text) => text.includes(secret)),
    "a file of the cloud's data folder holds the secret",
  );
});

test.serial('a changed or removed secret reaches the next endpoint call of a running app', async (t) => {
  const appId = await newApp();
  await call('PUT', `/apps/${appId}/secrets/TOKEN`, { value: 'first' });
  await call('POST', `/apps/${appId}/start`);
  const viaEndpoint = async () => (await endpointCall(appId, 'TOKEN')).body.output;
  t.is(await viaEndpoint(), sha256('first'));
  await call('PUT', `/apps/${appId}/secrets/TOKEN`, { value: 'second' });
  t.is(await viaEndpoint(), sha256('second'));
  t.is((await call('DELETE', `/apps/${appId}/secrets/TOKEN`)).status, 204);
  t.is(await viaEndpoint(), null);
  t.like(await call('DELETE', `/apps/${appId}/secrets/TOKEN`), { status: 404, body: { error: { code: 'SECRET_NOT_FOUND' } } });
  t.deepEqual((await call('GET', `/apps/${appId}/secrets`)).body, { secrets: [] });
});

test.serial('app settings are shown with the app, reach its functions, change with PATCH and go with its code', async (t) => {
  const appId = await newApp({ REGION: 'eu' });
  t.deepEqual((await call('GET', `/apps/${appId}`)).body.env, { REGION: 'eu' });
  t.is(await digestOf(appId, 'REGION'), sha256('eu'));
  const bundle = await call('GET', `/apps/${appId}/functions/digest/code`);
  t.deepEqual(JSON.parse(bundle.body.files.find((file: { path: string }) => file.path === 'app.json').text).env, { REGION: 'eu' });
  await call('PATCH', `/apps/${appId}`, { env: { REGION: 'us' } });
  t.is(await digestOf(appId, 'REGION'), sha256('us'));
  // A secret of the same name wins: the setting can be a placeholder for runs elsewhere.
  await call('PUT', `/apps/${appId}/secrets/REGION`, { value: 'secret region' });
  t.is(await digestOf(appId, 'REGION'), sha256('secret region'));
});

const tooMany = Object.fromEntries(Array.from({ length: 101 }, (_, index) => [`N${index}`, 'x']));

for (const [what, path, body, code, message] of [
  ['a name with a dash', 'API-KEY', { value: 'x' }, 'INVALID_INPUT', /path: name: a variable name starts with a letter or _/],
  ['a name starting with a digit', '9LIVES', { value: 'x' }, 'INVALID_INPUT', /path: name: a variable name starts with a letter or _/],
  ['a name of 129 characters', `N${'x'.repeat(128)}`, { value: 'x' }, 'INVALID_INPUT', /at most 128 characters/],
  ['a value that is not a string', 'PORT', { value: 8080 }, 'INVALID_INPUT', /body: value: .*string/],
  ['no value', 'PORT', {}, 'INVALID_INPUT', /body: value: /],
  ['a value over 8 KiB', 'BIG', { value: 'x'.repeat(8193) }, 'INVALID_INPUT', /body: value: a value is at most 8192 bytes/],
  ['a value with a NUL', 'NUL', { value: 'a\0b' }, 'INVALID_INPUT', /a value may not hold a NUL character/],
] as const) {
  test(`a secret with ${what} is answered 400 ${code} saying so`, async (t) => {
    const appId = await newApp();
    const answer = await call('PUT', `/apps/${appId}/secrets/${path}`, body);
    t.is(answer.status, 400, answer.text);
    t.is(answer.body.error.code, code);
    t.regex(answer.body.error.message, message);
  });
}

test('an app holds at most 100 secrets and 64 KiB of them: past that QUOTA_EXCEEDED', async (t) => {
  const appId = await newApp();
  for (let index = 0; index < 100; index++) t.is((await call('PUT', `/apps/${appId}/secrets/S${index}`, { value: 'x' })).status, 201);
  t.like(await call('PUT', `/apps/${appId}/secrets/S100`, { value: 'x' }), { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  t.is((await call('PUT', `/apps/${appId}/secrets/S0`, { value: 'replaced' })).status, 200, 'replacing one is no new one');

  const big = await newApp();
  for (let index = 0; index < 8; index++) t.is((await call('PUT', `/apps/${big}/secrets/K${index}`, { value: 'x'.repeat(8000) })).status, 201);
  const over = await call('PUT', `/apps/${big}/secrets/K8`, { value: 'x'.repeat(8000) });
  t.like(over, { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  t.regex(over.body.error.message, /at most 65536 bytes of secret names and values/);
});

for (const [what, env, message] of [
  ['a bad name', { 'A-B': 'x' }, /body: env\.A-B: a variable name starts with a letter or _/],
  ['a number for a value', { PORT: 1 }, /body: env\.PORT: .*string/],
  ['101 variables', tooMany, /body: env: at most 100 variables, not 101/],
] as const) {
  test(`app settings with ${what} are answered 400 INVALID_INPUT saying so`, async (t) => {
    const answer = await call('POST', '/apps', { name: `bad-${randomUUID().slice(0, 8)}`, env });
    t.is(answer.status, 400, answer.text);
    t.is(answer.body.error.code, 'INVALID_INPUT');
    t.regex(answer.body.error.message, message);
  });
}
