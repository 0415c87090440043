/** Calling endpoints and test-invoking functions on real Docker: start and stop, cache and precomputed results, logs and bad envelopes. */
import test from 'ava';
import { request } from 'node:http';
import { api } from '../helpers/cloud.ts';
import { makeApp, sampleFunctions } from '../helpers/cloud-apps.ts';
import { useCloud, type CloudWithUser } from '../helpers/use-cloud.ts';

const session = useCloud(test, { docker: true });
const call: CloudWithUser['call'] = (method, path, body) => session.call(method, path, body);

/** An app with greet, upper, echo and fails, and endpoints for them; started unless told otherwise. */
async function shop(start = true): Promise<{ id: string; run: (method: string, path: string, body?: unknown, as?: string) => ReturnType<typeof api> }> {
  const app = await makeApp(session.url, session.token, sampleFunctions, [
    { method: 'POST', path: '/greet', function: 'greet' },
    { method: 'GET', path: '/echo', function: 'echo', public: true },
    { method: 'POST', path: '/fails', function: 'fails', public: true },
  ]);
  if (start) await call('POST', `/apps/${app.id}/start`);
  return { id: app.id, run: (method, path, body, as = session.token) => api(session.url, method, `/run/${app.id}${path}`, body, as) };
}

test('a stopped app answers 503 APP_STOPPED saying how to start it, and answers once started', async (t) => {
  const { id, run } = await shop(false);
  const stopped = await run('POST', '/greet', { input: { name: 'ada' } });
  t.is(stopped.status, 503);
  t.is(stopped.body.error.code, 'APP_STOPPED');
  t.regex(stopped.body.error.message, new RegExp(`^this app is stopped; its owner can start it with POST /api/v1/apps/${id}/start`));
  t.like(await call('POST', `/apps/${id}/start`), { status: 200, body: { status: 'running' } });
  t.like(await run('POST', '/greet', { input: { name: 'ada' } }), { status: 200, body: { output: { message: 'hello ADA' } } });
  t.like(await call('POST', `/apps/${id}/stop`), { status: 200, body: { status: 'stopped' } });
  t.like(await run('POST', '/greet', { input: { name: 'ada' } }), { status: 503, body: { error: { code: 'APP_STOPPED' } } });
});

test('an endpoint returns a cache that skips work when sent back, and precomputed results skip all of it', async (t) => {
  const { run } = await shop();
  const first = await run('POST', '/greet', { input: { name: 'edge' } });
  t.is(first.status, 200);
  t.like(first.body, { output: { message: 'hello EDGE' }, stats: { executed: 2, cacheHits: 0, precomputedHits: 0 } });
  t.false('logs' in first.body);
  t.deepEqual(Object.values(first.body.cache), ['EDGE']);
  t.regex(first.body.key, /^greet@[0-9a-f]{16}:[0-9a-f]{32}$/);
  const cached = await run('POST', '/greet', { input: { name: 'edge' }, cache: first.body.cache });
  t.like(cached.body, { output: { message: 'hello EDGE' }, stats: { executed: 1, cacheHits: 1 } });
  const precomputed = await run('POST', '/greet', { input: { name: 'edge' }, precomputed: { [first.body.key]: { message: 'made at the edge' } } });
  t.like(precomputed.body, { output: { message: 'made at the edge' }, stats: { executed: 0, precomputedHits: 1 } });
});

test('a GET endpoint takes the query string as its input', async (t) => {
  const { run } = await shop();
  t.like(await run('GET', '/echo?name=ada&n=1', undefined, ''), { status: 200, body: { output: { name: 'ada', n: '1' } } });
  t.like(await run('GET', '/echo/', undefined, ''), { status: 200, body: { output: {} } });
});

test('a POST without a body runs with input null', async (t) => {
  const { id } = await shop();
  await call('POST', `/apps/${id}/endpoints`, { method: 'POST', path: '/echo', function: 'echo' });
  t.like(await api(session.url, 'POST', `/run/${id}/echo`, undefined, session.token), { status: 200, body: { output: null } });
});

test('a failing function answers with its error status, without logs at the endpoint and with them when test-invoked', async (t) => {
  const { id, run } = await shop();
  const failed = await run('POST', '/fails', { input: { why: 'testing' } }, '');
  t.is(failed.status, 502);
  t.like(failed.body, { error: { code: 'FUNCTION_THREW' }, stats: { executed: 1 } });
  t.regex(failed.body.error.message, /refused: testing/);
  t.false('logs' in failed.body);
  const tested = await call('POST', `/apps/${id}/functions/fails/invoke`, { input: { why: 'again' } });
  t.like(tested, { status: 502, body: { error: { code: 'FUNCTION_THREW' }, logs: [{ fn: 'fails', level: 'error', message: 'about to fail' }] } });
});

test('a stopped app can be test-invoked, and its logs show the console output of recent invocations, newest first', async (t) => {
  const { id } = await shop(false);
  const invoked = await call('POST', `/apps/${id}/functions/greet/invoke`, { input: { name: 'first' } });
  t.like(invoked, { status: 200, body: { output: { message: 'hello FIRST' }, logs: [{ fn: 'greet', level: 'log', message: 'greeting first' }] } });
  await call('POST', `/apps/${id}/functions/greet/invoke`, { input: { name: 'second' } });
  const { body } = await call('GET', `/apps/${id}/functions/greet/logs`);
  t.is(body.invocations.length, 2);
  t.like(body.invocations[0], { ok: true, logs: [{ message: 'greeting second' }] });
  t.like(body.invocations[1], { ok: true, logs: [{ message: 'greeting first' }] });
  t.is(typeof body.invocations[0].durationMs, 'number');
  t.like(await call('GET', `/apps/${id}/functions/nope/logs`), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
});

test('endpoint calls show in the logs too', async (t) => {
  const { id, run } = await shop();
  await run('POST', '/fails', { input: { why: 'logged' } }, '');
  const { body } = await call('GET', `/apps/${id}/functions/fails/logs`);
  t.like(body.invocations[0], { ok: false, error: { code: 'FUNCTION_THREW' }, logs: [{ message: 'about to fail' }] });
});

const badEnvelopes: Array<[string, string | object, string, RegExp]> = [
  ['a field outside the envelope', { name: 'ada' }, 'INVALID_INPUT', /name/],
  ['a cache that is an array', { input: 1, cache: [] }, 'INVALID_INPUT', /cache/],
  ['precomputed results that are a string', { precomputed: 'x' }, 'INVALID_INPUT', /precomputed/],
  ['a body that is not JSON', '{"input": ', 'INVALID_JSON', /not valid JSON/],
];
for (const [what, body, code, message] of badEnvelopes) {
  test(`${what} is refused at the endpoint and at test-invoke`, async (t) => {
    const { id, run } = await shop();
    for (const answer of [await run('POST', '/greet', body), await call('POST', `/apps/${id}/functions/greet/invoke`, body)]) {
      t.is(answer.status, 400);
      t.is(answer.body.error.code, code);
      t.regex(answer.body.error.message, message);
    }
  });
}

test('the endpoint refuses an oversized body with 413, blank, compressed or non-UTF-8 ones and a malformed URL with 400, takes a byte order mark, and keeps serving', async (t) => {
  const { id, run } = await shop();
  const url = `${session.url}/run/${id}/greet`;
  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { authorization: `Bearer ${session.token}`, ...headers }, body });
  // Just over the limit the body is read and dropped; far over it the answer comes at once and the connection closes.
  for (const size of [1024 * 1024, 9 * 1024 * 1024]) {
    const oversized = await post(JSON.stringify({ input: 'a'.repeat(size) }), { 'content-type': 'application/json' });
    t.is(oversized.status, 413);
    t.like(await oversized.json(), { error: { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than 1048576 bytes' } });
  }
  t.like(await run('POST', '/greet', '  '), { status: 400, body: { error: { code: 'INVALID_JSON' } } });
  t.like(await run('POST', '/greet', '\uFEFF{"input": {"name": "bom"}}'), { status: 200, body: { output: { message: 'hello BOM' } } });
  const refusedHeaders: Array<Record<string, string>> = [
    { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    { 'content-type': 'application/json; charset=latin1' },
  ];
  for (const headers of refusedHeaders) {
    const refused = await post('{}', headers);
    t.is(refused.status, 400);
    t.regex(((await refused.json()) as { error: { message: string } }).error.message, /send uncompressed UTF-8 JSON/);
  }
  const malformed = await run('POST', '/gr%E0eet', {});
  t.like(malformed, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  t.regex(malformed.body.error.message, /malformed %-escape in "gr%E0eet"/);
  t.like(await run('POST', '/greet', { input: { name: 'after' } }), { status: 200, body: { output: { message: 'hello AFTER' } } });
  t.like(await api(session.url, 'POST', `/RUN/${id}/greet`, { input: { name: 'case' } }, session.token), {
    status: 200,
    body: { output: { message: 'hello CASE' } },
  });
  // The absolute form, as a client talking to a proxy sends it (fetch cannot send it).
  const absolute = await new Promise<{ status?: number; text: string }>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${session.token}` };
    const sent = request(session.url, { method: 'POST', path: `${session.url}/run/${id}/greet`, headers }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('end', () => resolve({ status: res.statusCode, text }));
    });
    sent.on('error', reject).end(JSON.stringify({ input: { name: 'absolute' } }));
  });
  t.like({ status: absolute.status, body: JSON.parse(absolute.text) }, { status: 200, body: { output: { message: 'hello ABSOLUTE' } } });
});

test("a browser session cookie, with its CSRF token, calls its owner's private endpoint", async (t) => {
  const { id } = await shop();
  const cookie = `theme=dark; ec_session=${encodeURIComponent(session.token)}`;
  const { csrfToken } = (await (await fetch(`${session.url}/api/v1/sessions/current`, { headers: { cookie } })).json()) as { csrfToken: string };
  const answer = await fetch(`${session.url}/run/${id}/greet`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
    body: JSON.stringify({ input: { name: 'cookie' } }),
  });
  t.is(answer.status, 200);
  t.like(await answer.json(), { output: { message: 'hello COOKIE' } });
});

test('private endpoints need their owner; unknown apps and paths are 404', async (t) => {
  const { id, run } = await shop();
  t.like(await run('POST', '/greet', { input: { name: 'x' } }, ''), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
  t.like(await run('POST', '/nowhere', {}), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
  t.like(await run('GET', '/greet'), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
  t.like(await api(session.url, 'POST', '/run/app_0000000000000000/greet', {}), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
  t.like(await call('POST', `/apps/${id}/functions/nope/invoke`, {}), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
});

test('an edited function runs its new code at once, with a new version in its key', async (t) => {
  const { id, run } = await shop();
  const before = await run('POST', '/greet', { input: { name: 'v' } });
  await call('PUT', `/apps/${id}/functions/greet`, { code: 'export default (input) => ({ message: "bye " + input.name })' });
  const after = await run('POST', '/greet', { input: { name: 'v' } });
  t.like(after.body, { output: { message: 'bye v' } });
  t.not(after.body.key, before.body.key);
});
