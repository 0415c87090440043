/**
 * On real Docker through the cloud: a thrown error's statusCode and code reach endpoint callers, and an endpoint set
 * to `"response": "http"` sends its function's output as the HTTP response, checked; test-invokes show the raw output.
 */
import test from 'ava';
import { gzipSync, gunzipSync } from 'node:zlib';
import { errorCatalogue } from '../../base/errors.ts';
import { api } from '../helpers/cloud.ts';
import { makeApp } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';

const session = useCloud(test, { docker: true });

const functions = {
  find: {
    code: `export default (input) => {
  if (input.id !== 7) throw Object.assign(new Error('no item ' + input.id), { code: 'NOT_FOUND_ITEM', statusCode: 404 });
  return { id: 7 };
};
`,
    public: true,
  },
  page: {
    code: `export default (input) => ({
  statusCode: 201,
  headers: { 'Content-Type': 'text/html; charset=utf-8', 'X-Item': String(input.id), 'Content-Length': '999999', Connection: 'close', 'Content-Security-Policy': "default-src 'none'" },
  body: '<h1>item ' + input.id + '</h1>',
});
`,
    public: true,
  },
  zipped: {
    code: "export default (input) => ({ statusCode: 200, headers: { 'Content-Type': 'application/gzip' }, body: input.b64, isBase64Encoded: true });\n",
    public: true,
  },
  cookie: { code: "export default () => ({ statusCode: 200, headers: { 'Set-Cookie': 'edgecourier_session=stolen; Path=/' }, body: 'hi' });\n", public: true },
  plain: { code: 'export default () => ({ message: "not a response" });\n', public: true },
};

let app: { id: string };
// After the session's own before hook, which starts the cloud.
test.serial.before(async () => {
  const { url, token } = session;
  app = await makeApp(url, token, functions, [
    { method: 'POST', path: '/find', function: 'find', public: true },
    { method: 'POST', path: '/find-page', function: 'find', public: true, response: 'http' },
    { method: 'GET', path: '/page', function: 'page', public: true, response: 'http' },
    { method: 'GET', path: '/page-json', function: 'page', public: true },
    { method: 'POST', path: '/zipped', function: 'zipped', public: true, response: 'http' },
    { method: 'GET', path: '/cookie', function: 'cookie', public: true, response: 'http' },
    { method: 'GET', path: '/plain', function: 'plain', public: true, response: 'http' },
  ]);
  await session.call('POST', `/apps/${app.id}/start`);
});

const run = (method: string, path: string, body?: unknown, token?: string) => api(session.url, method, `/run/${app.id}${path}`, body, token);

test('a thrown error with statusCode and code answers that status, with FUNCTION_THREW and the code, to strangers and the owner', async (t) => {
  const stranger = await run('POST', '/find', { input: { id: 8 } });
  t.is(stranger.status, 404);
  t.deepEqual(stranger.body.error, { code: 'FUNCTION_THREW', functionCode: 'NOT_FOUND_ITEM', statusCode: 404, message: 'find threw: Error: no item 8' });
  t.like(await run('POST', '/find', { input: { id: 8 } }, session.token), { status: 404, body: { error: { functionCode: 'NOT_FOUND_ITEM' } } });
  t.like(await session.call('POST', `/apps/${app.id}/functions/find/invoke`, { input: { id: 8 } }), { status: 404, body: { error: { statusCode: 404 } } });
  // Thrown on an endpoint that answers HTTP responses, the error is the same JSON answer.
  t.like(await run('POST', '/find-page', { input: { id: 8 } }), { status: 404, body: { error: { code: 'FUNCTION_THREW', functionCode: 'NOT_FOUND_ITEM' } } });
});

test('an endpoint set to "response": "http" sends the output as the response, framing headers its own and the page sandboxed', async (t) => {
  const answer = await run('GET', '/page?id=7');
  t.is(answer.status, 201);
  t.is(answer.text, '<h1>item 7</h1>');
  t.is(answer.headers.get('content-type'), 'text/html; charset=utf-8');
  t.is(answer.headers.get('x-item'), '7');
  t.is(answer.headers.get('content-length'), String(Buffer.byteLength('<h1>item 7</h1>')));
  t.not(answer.headers.get('connection'), 'close');
  t.is(answer.headers.get('content-security-policy'), "default-src 'none', sandbox allow-scripts allow-forms allow-popups allow-downloads");
  t.is(answer.headers.get('x-content-type-options'), 'nosniff');
});

test('the same function behind a plain endpoint, and test-invoked, shows its output as JSON', async (t) => {
  const plain = await run('GET', '/page-json?id=7');
  t.like(plain, { status: 200, body: { output: { statusCode: 201, body: '<h1>item 7</h1>' } } });
  const tested = await session.call('POST', `/apps/${app.id}/functions/page/invoke`, { input: { id: 7 } });
  t.like(tested, { status: 200, body: { output: { statusCode: 201, headers: { 'Content-Length': '999999' } } } });
});

test('a base64 body arrives as its bytes', async (t) => {
  const gz = gzipSync('hello from a function');
  const response = await fetch(`${session.url}/run/${app.id}/zipped`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { b64: gz.toString('base64') } }),
  });
  t.is(response.headers.get('content-type'), 'application/gzip');
  t.is(gunzipSync(Buffer.from(await response.arrayBuffer())).toString(), 'hello from a function');
});

test('an output that sets a cookie, or is not a response, is INVALID_OUTPUT: the owner is told why, a stranger the summary', async (t) => {
  const owner = await run('GET', '/cookie', undefined, session.token);
  t.is(owner.status, 502);
  t.is(owner.headers.get('set-cookie'), null);
  t.is(owner.body.error.code, 'INVALID_OUTPUT');
  t.regex(owner.body.error.message, /headers\.Set-Cookie: cookies are not set through endpoints/);
  const stranger = await run('GET', '/cookie');
  t.deepEqual(stranger.body.error, { code: 'INVALID_OUTPUT', message: errorCatalogue.INVALID_OUTPUT.summary });
  const plain = await run('GET', '/plain', undefined, session.token);
  t.is(plain.status, 502);
  t.regex(plain.body.error.message, /"response": "http".*output: statusCode/);
});

test('an endpoint shows how it answers; an unknown way is refused', async (t) => {
  const { body } = await session.call('GET', `/apps/${app.id}/endpoints`);
  const byPath = new Map(body.endpoints.map((endpoint: { path: string; response: string }) => [endpoint.path, endpoint.response]));
  t.is(byPath.get('/page'), 'http');
  t.is(byPath.get('/find'), 'json');
  const bad = await session.call('POST', `/apps/${app.id}/endpoints`, { method: 'GET', path: '/bad', function: 'page', response: 'html' });
  t.is(bad.status, 400);
  t.regex(bad.body.error.message, /response/);
});
