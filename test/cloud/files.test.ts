/**
 * An app's files over HTTP, one at a time: any bytes round-trip, functions, app.json and package.json are files like
 * the others, and bad paths and files over a cap are refused with their codes, storing nothing.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { api } from '../helpers/cloud.ts';
import { useCloud } from '../helpers/use-cloud.ts';

const cloud = useCloud(test);

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const fileUrl = (appId: string, path: string) => `${cloud.url}/api/v1/apps/${appId}/files/${encodeURIComponent(path)}`;

async function newApp(): Promise<string> {
  return (await api(cloud.url, 'POST', '/api/v1/apps', { name: `files-${randomBytes(4).toString('hex')}` }, cloud.token)).body.id as string;
}

/** PUTs `bytes` as the file at `path`, as `content-type` (bytes of any type are a file). */
async function putFile(appId: string, path: string, bytes: Uint8Array | string, headers: Record<string, string> = {}) {
  const response = await fetch(fileUrl(appId, path), {
    method: 'PUT',
    headers: { authorization: `Bearer ${cloud.token}`, 'content-type': 'application/octet-stream', ...headers },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

async function getFile(appId: string, path: string) {
  const response = await fetch(fileUrl(appId, path), { headers: { authorization: `Bearer ${cloud.token}` } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

const listed = async (appId: string) =>
  (await api(cloud.url, 'GET', `/api/v1/apps/${appId}/files`, undefined, cloud.token)).body.files as Array<{ path: string; size: number; sha256: string }>;

test('any bytes put as a file are read back the same, listed with their size and hash, replaced and deleted', async (t) => {
  const appId = await newApp();
  const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(100_000)]);
  t.like(await putFile(appId, 'assets/logo.png', bytes), { status: 201, body: { path: 'assets/logo.png', size: bytes.length, sha256: sha256(bytes) } });

  const read = await getFile(appId, 'assets/logo.png');
  t.is(read.status, 200);
  t.true(read.bytes.equals(bytes));
  t.is(read.headers.get('content-type'), 'image/png');
  t.is(read.headers.get('etag'), `"${sha256(bytes)}"`);
  t.deepEqual(await listed(appId), [
    { path: 'app.json', size: 22, sha256: sha256('{\n  "functions": {}\n}\n') },
    { path: 'assets/logo.png', size: bytes.length, sha256: sha256(bytes) },
  ]);

  t.is((await putFile(appId, 'assets/logo.png', 'smaller')).status, 200);
  t.is((await getFile(appId, 'assets/logo.png')).bytes.toString(), 'smaller');
  t.is((await api(cloud.url, 'DELETE', `/api/v1/apps/${appId}/files/assets%2Flogo.png`, undefined, cloud.token)).status, 204);
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}/files/assets%2Flogo.png`, undefined, cloud.token), {
    status: 404,
    body: { error: { code: 'FILE_NOT_FOUND' } },
  });
});

test('a file sent as JSON, compressed-looking or empty is stored as its bytes, never parsed', async (t) => {
  const appId = await newApp();
  const json = '{ "spaced" :  [1,2] }\n';
  t.is((await putFile(appId, 'data/config.json', json, { 'content-type': 'application/json' })).status, 201);
  t.is((await getFile(appId, 'data/config.json')).bytes.toString(), json);
  t.is((await putFile(appId, 'empty.txt', '')).status, 201);
  t.deepEqual((await getFile(appId, 'empty.txt')).bytes, Buffer.alloc(0));
});

test("a function's file is the function: put, read and deleted as a file, seen and run as a function", async (t) => {
  const appId = await newApp();
  const code = 'export default (input) => ({ doubled: input * 2 });\n';
  t.like(await putFile(appId, 'functions/double.js', code), { status: 201, body: { sha256: sha256(code) } });
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/double`, undefined, cloud.token), { body: { code, language: 'js', idempotent: false } });
  t.like(await api(cloud.url, 'POST', `/api/v1/apps/${appId}/functions/double/invoke`, { input: 21 }, cloud.token), {
    status: 200,
    body: { output: { doubled: 42 } },
  });
  // Settings survive a new file; the function route's code is the file's.
  await api(cloud.url, 'PUT', `/api/v1/apps/${appId}/functions/double`, { code, idempotent: true }, cloud.token);
  t.is((await putFile(appId, 'functions/double.js', code.replace('2', '3'))).status, 200);
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/double`, undefined, cloud.token), { body: { idempotent: true } });
  t.is((await getFile(appId, 'functions/double.js')).bytes.toString(), code.replace('2', '3'));

  await api(cloud.url, 'POST', `/api/v1/apps/${appId}/endpoints`, { method: 'POST', path: '/double', function: 'double' }, cloud.token);
  const called = await api(cloud.url, 'DELETE', `/api/v1/apps/${appId}/files/functions%2Fdouble.js`, undefined, cloud.token);
  t.like(called, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  t.regex(called.body.error.message, /called by the endpoints POST \/double/);
  // A file beside the functions whose name no function can have is a plain file, not a function.
  t.is((await putFile(appId, 'functions/double.test.js', 'export const x = 1;\n')).status, 201);
  t.deepEqual(
    (await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions`, undefined, cloud.token)).body.functions.map((fn: { name: string }) => fn.name),
    ['double'],
  );
  t.like(await putFile(appId, 'functions/bad.js', Buffer.from([0xff, 0xfe, 0x00])), {
    status: 400,
    body: { error: { code: 'INVALID_INPUT', message: 'functions/bad.js is not UTF-8 text' } },
  });
});

test("app.json put as a file sets the app's description, settings and endpoints; package.json its dependencies", async (t) => {
  const appId = await newApp();
  await putFile(appId, 'functions/greet.js', 'export default () => "hi";\n');
  const appJson = {
    description: 'greets',
    functions: { greet: { idempotent: true, timeoutMs: 2000 } },
    endpoints: [{ method: 'POST', path: '/greet', function: 'greet', public: true }],
  };
  t.is((await putFile(appId, 'app.json', JSON.stringify(appJson))).status, 200);
  const app = (await api(cloud.url, 'GET', `/api/v1/apps/${appId}`, undefined, cloud.token)).body;
  t.like(app, {
    description: 'greets',
    functions: [{ name: 'greet', idempotent: true, timeoutMs: 2000, public: false }],
    endpoints: [{ path: '/greet', public: true }],
  });
  t.deepEqual(JSON.parse((await getFile(appId, 'app.json')).bytes.toString()), {
    description: 'greets',
    functions: { greet: { idempotent: true, public: false, timeoutMs: 2000 } },
    endpoints: [{ method: 'POST', path: '/greet', function: 'greet', public: true, response: 'json' }],
  });
  t.like(await putFile(appId, 'app.json', JSON.stringify({ functions: { missing: {} } })), {
    status: 400,
    body: { error: { message: 'app.json: functions.missing: there is no functions/missing.js, .mjs, .cjs or .ts' } },
  });
  t.like(await putFile(appId, 'app.json', JSON.stringify({ functions: { greet: { timeoutMs: 600_000 } } })), {
    status: 422,
    body: { error: { code: 'INVALID_APP', message: "functions.greet.timeoutMs is 600000 ms, over the operator's maximum of 60000 ms" } },
  });
  t.like(await api(cloud.url, 'DELETE', `/api/v1/apps/${appId}/files/app.json`, undefined, cloud.token), {
    status: 400,
    body: { error: { code: 'INVALID_INPUT' } },
  });

  t.like(await putFile(appId, 'package.json', '{"dependencies":{"x":"github:a/b"}}'), { status: 422, body: { error: { code: 'DEPENDENCY_NOT_ALLOWED' } } });
  t.is((await putFile(appId, 'package.json', '{"dependencies":{}}')).status, 201);
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}`, undefined, cloud.token), { body: { packageJson: '{"dependencies":{}}' } });
  t.is((await api(cloud.url, 'DELETE', `/api/v1/apps/${appId}/files/package.json`, undefined, cloud.token)).status, 204);
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}`, undefined, cloud.token), { body: { packageJson: null } });
});

const badPaths: Array<[string, RegExp]> = [
  ['../outside.txt', /"\." or "\.\." segments/],
  ['/etc/passwd', /does not start with "\/"/],
  ['.env', /starts with "\."/],
  ['src/.git/config', /starts with "\."/],
  ['node_modules/x/index.js', /node_modules\/ is not part of an app/],
  ['results/r.json', /results\/ is not part of an app/],
  ['requests/r.json', /requests\/ is not part of an app/],
  ['a//b.txt', /empty segments/],
  ['dir/', /empty segments/],
  ['a\\b.txt', /no control characters and no "\\"/],
  ['line\nbreak.txt', /no control characters/],
  [`${'x'.repeat(257)}.txt`, /at most 256 bytes/],
  ['package-lock.json', /installs from package.json alone/],
];

for (const [path, why] of badPaths) {
  test(`the path ${JSON.stringify(path)} is refused with INVALID_INPUT and nothing is stored`, async (t) => {
    const appId = await newApp();
    const answer = await putFile(appId, path, 'x');
    t.is(answer.status, 400, answer.text);
    t.is(answer.body.error.code, 'INVALID_INPUT');
    t.regex(answer.body.error.message, why);
    t.deepEqual(
      (await listed(appId)).map((file) => file.path),
      ['app.json'],
    );
  });
}

test('a file over 10 MiB is refused PAYLOAD_TOO_LARGE, whether its length is said or not; a function over 1 MiB too', async (t) => {
  const appId = await newApp();
  const tooBig = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
  t.like(await putFile(appId, 'big.bin', tooBig), { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  // Streamed, with no Content-Length: counted as it arrives.
  const streamed = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 11; i++) controller.enqueue(new Uint8Array(1024 * 1024));
      controller.close();
    },
  });
  const response = await fetch(fileUrl(appId, 'big.bin'), {
    method: 'PUT',
    headers: { authorization: `Bearer ${cloud.token}` },
    body: streamed,
    duplex: 'half',
  } as RequestInit);
  t.is(response.status, 413);
  t.like(await response.json(), { error: { code: 'PAYLOAD_TOO_LARGE' } });
  t.like(await putFile(appId, 'functions/huge.js', `export default () => "${'x'.repeat(1024 * 1024)}";`), {
    status: 413,
    body: { error: { code: 'PAYLOAD_TOO_LARGE' } },
  });
  t.like(await putFile(appId, 'x.txt', 'x', { 'content-encoding': 'gzip' }), { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  t.deepEqual(
    (await listed(appId)).map((file) => file.path),
    ['app.json'],
  );
  // Exactly at the cap is allowed.
  t.is((await putFile(appId, 'big.bin', tooBig.subarray(1))).status, 201);
});

test('an app holds at most 50 MiB of files, app.json counted: the file past it is refused QUOTA_EXCEEDED and the others stay', async (t) => {
  const appId = await newApp();
  // Five files just under 10 MiB and app.json's 22 bytes leave 5,098 bytes of the 50 MiB.
  const part = Buffer.alloc(10 * 1024 * 1024 - 1024);
  for (let i = 0; i < 5; i++) t.is((await putFile(appId, `part${i}.bin`, part.fill(i))).status, 201);
  const refused = await putFile(appId, 'one-more.bin', Buffer.alloc(5099));
  t.is(refused.status, 409);
  t.is(refused.body.error.code, 'QUOTA_EXCEEDED');
  t.regex(refused.body.error.message, /would hold 52428801 bytes of files; an app holds at most 52428800/);
  t.is((await listed(appId)).length, 6);
  t.is((await putFile(appId, 'one-more.bin', Buffer.alloc(5098))).status, 201, 'exactly at the cap is allowed');
  // Replacing a file with a smaller one is always allowed.
  t.is((await putFile(appId, 'part0.bin', 'small')).status, 200);
});
