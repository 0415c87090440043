/**
 * Deploys over HTTP: uploads of a folder's bytes, then the whole app made or replaced from them at once. A deploy
 * that fails for any file leaves the cloud as it was: no new app, an existing one with its old files.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { api } from '../helpers/cloud.ts';
import { deployFiles, newUser, sha256, uploadBytes } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';
import { waitFor } from '../helpers/wait.ts';

const cloud = useCloud(test);

const appName = () => `deployed-${randomBytes(4).toString('hex')}`;

const upload = (bytes: Uint8Array | string, as = cloud.token, hash = sha256(bytes)) => uploadBytes(cloud.url, as, bytes, hash);

/** Uploads every file and deploys them as the app `name`. */
const deploy = (name: string, files: Record<string, Uint8Array | string>, as = cloud.token) => deployFiles(cloud.url, as, name, files);

/** Everything the owner can see of an app: the record, and every file's bytes. */
async function everything(appId: string) {
  const { body: app } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}`, undefined, cloud.token);
  const { body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/files`, undefined, cloud.token);
  const files: Record<string, string> = {};
  for (const { path } of body.files as Array<{ path: string }>) {
    files[path] = (await api(cloud.url, 'GET', `/api/v1/apps/${appId}/files/${encodeURIComponent(path)}`, undefined, cloud.token)).text;
  }
  return { app, files };
}

const helloApp = {
  'app.json': JSON.stringify({
    description: 'says hello',
    functions: { hello: { idempotent: true } },
    endpoints: [
      { method: 'POST', path: '/hello', function: 'hello', public: true },
      { method: 'GET', path: '/page', function: 'hello', response: 'http' },
    ],
  }),
  'package.json': '{ "name": "hello", "dependencies": {} }\n',
  'functions/hello.js': 'export default (input) => `hello ${input.name}`;\n',
  'templates/page.html': '<p>{{name}}</p>\n',
  'assets/pixel.gif': Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'),
};

test('a deploy makes the app from the folder: functions with their app.json settings, endpoints, package.json and every other file', async (t) => {
  const name = appName();
  const made = await deploy(name, helloApp);
  t.is(made.status, 201, made.text);
  t.like(made.body, {
    name,
    description: 'says hello',
    status: 'stopped',
    packageJson: helloApp['package.json'],
    functions: [{ name: 'hello', idempotent: true, public: false }],
    endpoints: [
      { method: 'POST', path: '/hello', function: 'hello', public: true, response: 'json' },
      { method: 'GET', path: '/page', function: 'hello', public: false, response: 'http' },
    ],
  });
  const { files } = await everything(made.body.id);
  t.deepEqual(JSON.parse(files['app.json']!).endpoints, [
    { method: 'POST', path: '/hello', function: 'hello', public: true, response: 'json' },
    { method: 'GET', path: '/page', function: 'hello', public: false, response: 'http' },
  ]);
  t.deepEqual(Object.keys(files), ['app.json', 'assets/pixel.gif', 'functions/hello.js', 'package.json', 'templates/page.html']);
  const gif = await fetch(`${cloud.url}/api/v1/apps/${made.body.id}/files/assets%2Fpixel.gif`, { headers: { authorization: `Bearer ${cloud.token}` } });
  t.true(Buffer.from(await gif.arrayBuffer()).equals(helloApp['assets/pixel.gif']));
  t.like(await api(cloud.url, 'POST', `/api/v1/apps/${made.body.id}/functions/hello/invoke`, { input: { name: 'Ada' } }, cloud.token), {
    body: { output: 'hello Ada' },
  });
});

test('a deploy over an app replaces it whole: files it no longer has go, an endpoint kept keeps its id, and unchanged files need no upload', async (t) => {
  const name = appName();
  const first = (await deploy(name, helloApp)).body;
  const second = {
    'app.json': JSON.stringify({ endpoints: [{ method: 'POST', path: '/hello', function: 'hello' }] }),
    'functions/hello.js': helloApp['functions/hello.js'],
    'templates/page.html': '<p>changed</p>\n',
  };
  // Only the changed bytes are uploaded: the function's are the app's already.
  await upload(second['app.json']);
  await upload(second['templates/page.html']);
  const files = Object.entries(second).map(([path, bytes]) => ({ path, sha256: sha256(bytes) }));
  const replaced = await api(cloud.url, 'POST', '/api/v1/deploys', { name, files }, cloud.token);
  t.is(replaced.status, 200, replaced.text);
  t.like(replaced.body, { id: first.id, description: '', packageJson: null, functions: [{ name: 'hello', idempotent: false }] });
  t.is(replaced.body.endpoints[0].id, first.endpoints[0].id);
  t.false(replaced.body.endpoints[0].public);
  t.deepEqual(Object.keys((await everything(first.id)).files), ['app.json', 'functions/hello.js', 'templates/page.html']);
});

/** Deploys that fail for one file or one setting each, whatever else they hold. */
const badDeploys: Array<{ wrong: string; files: Record<string, string | Uint8Array>; status: number; code: string }> = [
  { wrong: 'an app.json that is not JSON', files: { 'app.json': '{ nope' }, status: 400, code: 'INVALID_INPUT' },
  { wrong: 'a function that is not UTF-8', files: { 'functions/bad.js': Buffer.from([0xc3, 0x28]) }, status: 400, code: 'INVALID_INPUT' },
  { wrong: 'a bad path', files: { 'node_modules/left-pad/index.js': 'x' }, status: 400, code: 'INVALID_INPUT' },
  {
    wrong: 'a package.json naming a git repository',
    files: { 'package.json': '{"dependencies":{"x":"git+ssh://h/r.git"}}' },
    status: 422,
    code: 'DEPENDENCY_NOT_ALLOWED',
  },
  {
    wrong: 'an endpoint calling a function it does not have',
    files: { 'app.json': JSON.stringify({ endpoints: [{ method: 'GET', path: '/x', function: 'nothing' }] }) },
    status: 400,
    code: 'INVALID_INPUT',
  },
  {
    wrong: 'a function over 1 MiB',
    files: { 'functions/huge.js': `export default () => "${'x'.repeat(1024 * 1024)}";` },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
];

for (const bad of badDeploys) {
  test(`a deploy of a new app with ${bad.wrong} is refused ${bad.code}, and makes no app`, async (t) => {
    const name = appName();
    const refused = await deploy(name, { ...helloApp, ...bad.files });
    t.is(refused.status, bad.status, refused.text);
    t.is(refused.body.error.code, bad.code);
    const { body } = await api(cloud.url, 'GET', '/api/v1/apps', undefined, cloud.token);
    t.false(
      body.apps.some((app: { name: string }) => app.name === name),
      'no app of that name',
    );
  });

  test(`a deploy over an app with ${bad.wrong} is refused ${bad.code}, and the app keeps everything it had`, async (t) => {
    const name = appName();
    const { body: app } = await deploy(name, helloApp);
    const before = await everything(app.id);
    const refused = await deploy(name, { ...helloApp, 'templates/page.html': 'new', ...bad.files });
    t.is(refused.status, bad.status, refused.text);
    t.deepEqual(await everything(app.id), before);
  });
}

test('a deploy naming bytes nobody uploaded, or that another user uploaded, is refused and changes nothing', async (t) => {
  const name = appName();
  const { body: app } = await deploy(name, helloApp);
  const before = await everything(app.id);
  const other = await newUser(cloud.url);
  const theirs = 'export default () => "theirs";\n';
  t.is((await upload(theirs, other)).status, 201);
  const files = [
    ...Object.entries(helloApp).map(([path, bytes]) => ({ path, sha256: sha256(bytes) })),
    { path: 'functions/theirs.js', sha256: sha256(theirs) },
  ];
  const refused = await api(cloud.url, 'POST', '/api/v1/deploys', { name, files }, cloud.token);
  t.is(refused.status, 400);
  t.regex(refused.body.error.message, /functions\/theirs\.js: nothing with SHA-256 [0-9a-f]{64} was uploaded in the last hour/);
  t.deepEqual(await everything(app.id), before);
});

test('an upload whose bytes do not hash to its path is refused and not kept', async (t) => {
  const answer = await upload('some bytes', cloud.token, sha256('other bytes'));
  t.is(answer.status, 400);
  t.regex(answer.body.error.message, /the body's SHA-256 is [0-9a-f]{64}, not [0-9a-f]{64} as the path says/);
  const refused = await api(cloud.url, 'POST', '/api/v1/deploys', { name: appName(), files: [{ path: 'a.txt', sha256: sha256('other bytes') }] }, cloud.token);
  t.is(refused.status, 400);
});

test('a deploy past 2,000 files, app.json counted, is refused QUOTA_EXCEEDED and makes no app', async (t) => {
  const name = appName();
  await upload('same bytes');
  const files = Array.from({ length: 2000 }, (_, i) => ({ path: `data/${i}.txt`, sha256: sha256('same bytes') }));
  const refused = await api(cloud.url, 'POST', '/api/v1/deploys', { name, files }, cloud.token);
  t.is(refused.status, 409, refused.text);
  t.regex(refused.body.error.message, /would hold 2001 files; an app holds at most 2000, app.json and functions included/);
  t.false((await api(cloud.url, 'GET', '/api/v1/apps', undefined, cloud.token)).body.apps.some((app: { name: string }) => app.name === name));
});

test('an upload cut off mid-way keeps nothing, and the deploy that needed it changes nothing', async (t) => {
  const name = appName();
  const { body: app } = await deploy(name, helloApp);
  const before = await everything(app.id);
  const bytes = randomBytes(256 * 1024);
  // The connection drops after half the bytes said.
  await new Promise<void>((resolve) => {
    const request = httpRequest(`${cloud.url}/api/v1/uploads/${sha256(bytes)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${cloud.token}`, 'content-length': String(bytes.length) },
    });
    request.on('error', () => resolve());
    request.write(bytes.subarray(0, bytes.length / 2), () => setImmediate(() => request.destroy()));
    request.on('close', () => resolve());
  });
  const files = [...Object.entries(helloApp).map(([path, content]) => ({ path, sha256: sha256(content) })), { path: 'data.bin', sha256: sha256(bytes) }];
  t.is((await api(cloud.url, 'POST', '/api/v1/deploys', { name, files }, cloud.token)).status, 400);
  t.deepEqual(await everything(app.id), before);
  await waitFor('the cut-off upload to be thrown away', async () =>
    (await readdir(join(cloud.dataDir, 'blobs'))).some((file) => file.startsWith('.')) ? undefined : true,
  );
});

test("a user's uploads not yet deployed hold at most 50 MiB: one more is refused QUOTA_EXCEEDED until a deploy takes them", async (t) => {
  const other = await newUser(cloud.url);
  const parts = Array.from({ length: 5 }, (_, i) => Buffer.alloc(10 * 1024 * 1024, i + 1));
  for (const part of parts) t.is((await upload(part, other)).status, 201);
  const refused = await upload('one more', other);
  t.is(refused.status, 409);
  t.regex(refused.body.error.message, /your uploads not yet deployed would be 6 files of 52428808 bytes/);
  // A deploy of four of them leaves one waiting: room for more.
  const files = parts.slice(0, 4).map((part, i) => ({ path: `part${i}.bin`, sha256: sha256(part) }));
  t.is((await api(cloud.url, 'POST', '/api/v1/deploys', { name: appName(), files }, other)).status, 201);
  t.is((await upload('one more', other)).status, 201);
});

test("a deploy sets the app's env settings from app.json and keeps its secrets, which no file holds", async (t) => {
  const name = appName();
  const withEnv = { ...helloApp, 'app.json': JSON.stringify({ env: { REGION: 'eu' }, functions: {} }) };
  const { body: app } = await deploy(name, withEnv);
  t.deepEqual(app.env, { REGION: 'eu' });
  t.is((await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/secrets/API_KEY`, { value: 'SECRET-VALUE-MARK' }, cloud.token)).status, 201);
  const again = await deploy(name, { ...withEnv, 'app.json': JSON.stringify({ env: { REGION: 'us' } }) });
  t.like(again, { status: 200, body: { env: { REGION: 'us' } } });
  t.deepEqual(
    (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/secrets`, undefined, cloud.token)).body.secrets.map((secret: { name: string }) => secret.name),
    ['API_KEY'],
  );
  const { files } = await everything(app.id);
  t.deepEqual(JSON.parse(files['app.json']!).env, { REGION: 'us' });
  t.false(Object.values(files).some((text) => text.includes('SECRET-VALUE-MARK')));
});
