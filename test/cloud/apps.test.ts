/** Apps, functions and endpoints over real HTTP: created, read, changed and deleted by their owner, with every bad input refused. */
import test from 'ava';
import { api } from '../helpers/cloud.ts';
import { makeApp, sampleFunctions } from '../helpers/cloud-apps.ts';
import { useCloud, type CloudWithUser } from '../helpers/use-cloud.ts';

const session = useCloud(test, { docker: true });
const call: CloudWithUser['call'] = (method, path, body) => session.call(method, path, body);

test('an app is created, listed, read, renamed and deleted', async (t) => {
  const created = await call('POST', '/apps', { name: 'shop', description: 'sells things' });
  t.is(created.status, 201);
  t.like(created.body, { name: 'shop', description: 'sells things', status: 'stopped', packageJson: null, functions: [], endpoints: [] });
  t.regex(created.body.id, /^app_[0-9a-f]{16}$/);
  const id = created.body.id as string;
  t.like(await call('POST', '/apps', { name: 'shop' }), { status: 409, body: { error: { code: 'APP_NAME_TAKEN' } } });
  t.true((await call('GET', '/apps')).body.apps.some((app: { id: string }) => app.id === id));
  t.like(await call('GET', `/apps/${id}`), { status: 200, body: { id, name: 'shop' } });
  t.like(await call('PATCH', `/apps/${id}`, { name: 'store' }), { status: 200, body: { name: 'store', description: 'sells things' } });
  await call('POST', '/apps', { name: 'other' });
  t.like(await call('PATCH', `/apps/${id}`, { name: 'other' }), { status: 409, body: { error: { code: 'APP_NAME_TAKEN' } } });
  t.is((await call('DELETE', `/apps/${id}`)).status, 204);
  t.like(await call('GET', `/apps/${id}`), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });
  t.like(await call('DELETE', `/apps/${id}`), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });
});

const badApps: Array<[string, unknown, RegExp]> = [
  ['a name with a space', { name: 'my shop' }, /name/],
  ['a name starting with a dash', { name: '-shop' }, /name/],
  ['a name of 65 characters', { name: 'a'.repeat(65) }, /name/],
  ['an unknown field', { name: 'ok', colour: 'red' }, /colour/],
  ['a packageJson that is not JSON', { name: 'ok', packageJson: '{ nope' }, /packageJson/],
  ['a packageJson that is an array', { name: 'ok', packageJson: '[]' }, /packageJson/],
  ['a packageJson over 64 KiB', { name: 'ok', packageJson: JSON.stringify({ description: 'd'.repeat(70_000) }) }, /packageJson must be at most 65536 bytes/],
];
for (const [what, body, message] of badApps) {
  test(`an app with ${what} is refused`, async (t) => {
    const answer = await call('POST', '/apps', body);
    t.is(answer.status, 400);
    t.is(answer.body.error.code, 'INVALID_INPUT');
    t.regex(answer.body.error.message, message);
  });
}

test('management routes need a caller', async (t) => {
  t.like(await api(session.url, 'GET', '/api/v1/apps'), { status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  t.like(await api(session.url, 'POST', '/api/v1/apps', { name: 'anon' }), { status: 401 });
});

test('an app with an empty dependency list starts, and its packageJson can be changed and removed', async (t) => {
  const created = await call('POST', '/apps', { name: 'with-deps', packageJson: '{"dependencies":{}}' });
  t.is(created.body.packageJson, '{"dependencies":{}}');
  const id = created.body.id as string;
  await call('PUT', `/apps/${id}/functions/echo`, sampleFunctions.echo);
  t.like(await call('POST', `/apps/${id}/start`), { status: 200, body: { status: 'running' } });
  t.like(await call('POST', `/apps/${id}/functions/echo/invoke`, { input: 7 }), { status: 200, body: { output: 7 } });
  t.like(await call('PATCH', `/apps/${id}`, { packageJson: '{"dependencies":{"left-pad":"^1.3.0"}}' }), { status: 200 });
  t.like(await call('PATCH', `/apps/${id}`, { packageJson: null }), { status: 200, body: { packageJson: null } });
});

test('an app whose dependencies cannot be installed does not start and stays stopped', async (t) => {
  const created = await call('POST', '/apps', { name: 'bad-deps', packageJson: '{"workspaces":["packages/*"],"dependencies":{"x":"^1.0.0"}}' });
  const id = created.body.id as string;
  await call('PUT', `/apps/${id}/functions/echo`, sampleFunctions.echo);
  const started = await call('POST', `/apps/${id}/start`);
  t.is(started.status, 424);
  t.is(started.body.error.code, 'DEPENDENCY_INSTALL_FAILED');
  t.is((await call('GET', `/apps/${id}`)).body.status, 'stopped');
});

test('functions in js and ts are put, replaced, listed without code, read with code and deleted', async (t) => {
  const id = (await call('POST', '/apps', { name: 'functions' })).body.id as string;
  const put = await call('PUT', `/apps/${id}/functions/upper`, sampleFunctions.upper);
  t.is(put.status, 201);
  t.deepEqual(Object.keys(put.body).sort(), ['idempotent', 'language', 'memoryMb', 'name', 'public', 'timeoutMs', 'updatedAt']);
  t.like(put.body, { name: 'upper', language: 'ts', idempotent: true, timeoutMs: 5000, memoryMb: 128, public: false });
  const replaced = await call('PUT', `/apps/${id}/functions/upper`, { ...sampleFunctions.upper, timeoutMs: 1000, memoryMb: 64 });
  t.like(replaced, { status: 200, body: { timeoutMs: 1000, memoryMb: 64 } });
  await call('PUT', `/apps/${id}/functions/echo`, sampleFunctions.echo);
  const listed = await call('GET', `/apps/${id}/functions`);
  t.deepEqual(
    listed.body.functions.map((fn: { name: string }) => fn.name),
    ['upper', 'echo'],
  );
  t.false('code' in listed.body.functions[0]);
  t.like(await call('GET', `/apps/${id}/functions/echo`), { status: 200, body: { name: 'echo', language: 'js', code: sampleFunctions.echo.code } });
  t.like(await call('POST', `/apps/${id}/functions/upper/invoke`, { input: { text: 'ts' } }), { status: 200, body: { output: 'TS' } });
  t.is((await call('DELETE', `/apps/${id}/functions/echo`)).status, 204);
  t.like(await call('GET', `/apps/${id}/functions/echo`), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
  t.like(await call('DELETE', `/apps/${id}/functions/echo`), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
});

test("a function's settings are changed with PATCH, its code left as it is, and bad changes are refused", async (t) => {
  const id = (await call('POST', '/apps', { name: 'patched' })).body.id as string;
  await call('PUT', `/apps/${id}/functions/upper`, { ...sampleFunctions.upper, timeoutMs: 1000 });
  const patched = await call('PATCH', `/apps/${id}/functions/upper`, { idempotent: false, public: true, memoryMb: 64 });
  t.like(patched, { status: 200, body: { name: 'upper', idempotent: false, public: true, timeoutMs: 1000, memoryMb: 64 } });
  t.false('code' in patched.body);
  t.like((await call('GET', `/apps/${id}/functions/upper`)).body, { code: sampleFunctions.upper.code, language: 'ts', timeoutMs: 1000 });
  // null: the operator's default again.
  t.like((await call('PATCH', `/apps/${id}/functions/upper`, { timeoutMs: null })).body, { timeoutMs: 5000, memoryMb: 64, public: true });
  t.like(await call('POST', `/apps/${id}/functions/upper/invoke`, { input: { text: 'still' } }), { status: 200, body: { output: 'STILL' } });

  const refused: Array<[unknown, number, string, RegExp]> = [
    [{}, 400, 'INVALID_INPUT', /name at least one of idempotent, public, timeoutMs and memoryMb/],
    [{ code: 'export default () => 1' }, 400, 'INVALID_INPUT', /code/],
    [{ memoryMb: 8 }, 400, 'INVALID_INPUT', /memoryMb/],
    [{ idempotent: 'yes' }, 400, 'INVALID_INPUT', /idempotent/],
    [{ timeoutMs: 999_999 }, 422, 'INVALID_APP', /functions\.upper\.timeoutMs is 999999 ms, over the operator's maximum of 60000 ms/],
  ];
  for (const [body, status, code, message] of refused) {
    const answer = await call('PATCH', `/apps/${id}/functions/upper`, body);
    t.like(answer, { status, body: { error: { code } } }, JSON.stringify(body));
    t.regex(answer.body.error.message, message);
  }
  t.like(
    (await call('GET', `/apps/${id}/functions/upper`)).body,
    { idempotent: false, public: true, timeoutMs: 5000, memoryMb: 64 },
    'refusals change nothing',
  );
  t.like(await call('PATCH', `/apps/${id}/functions/lower`, { public: true }), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
});

const badFunctions: Array<[string, string, unknown, RegExp]> = [
  ['a name with a dot', 'a.b', { code: 'export default () => 1' }, /name/],
  ['a name starting with a digit', '1st', { code: 'export default () => 1' }, /name/],
  ['no code', 'ok', {}, /code/],
  ['an unknown language', 'ok', { code: 'x', language: 'py' }, /language/],
  ['a timeout of zero', 'ok', { code: 'x', timeoutMs: 0 }, /timeoutMs/],
  ['too little memory', 'ok', { code: 'x', memoryMb: 8 }, /memoryMb/],
  ['an unknown field', 'ok', { code: 'x', runtime: 'node' }, /runtime/],
];
for (const [what, name, body, message] of badFunctions) {
  test(`a function with ${what} is refused`, async (t) => {
    const id = (await call('POST', '/apps', { name: `bad-fn-${badFunctions.findIndex((row) => row[0] === what)}` })).body.id as string;
    const answer = await call('PUT', `/apps/${id}/functions/${name}`, body);
    t.is(answer.status, 400);
    t.is(answer.body.error.code, 'INVALID_INPUT');
    t.regex(answer.body.error.message, message);
  });
}

test('endpoints are made with their URL, listed, changed and deleted', async (t) => {
  const app = await makeApp(session.url, session.token, { echo: sampleFunctions.echo, upper: sampleFunctions.upper });
  const base = `/apps/${app.id}/endpoints`;
  const made = await call('POST', base, { method: 'POST', path: '/echo/v1', function: 'echo' });
  t.is(made.status, 201);
  t.like(made.body, { method: 'POST', path: '/echo/v1', function: 'echo', public: false, url: `${session.url}/run/${app.id}/echo/v1` });
  t.regex(made.body.id, /^ep_/);
  t.like(await call('POST', base, { method: 'POST', path: '/echo/v1', function: 'upper' }), { status: 409, body: { error: { code: 'ENDPOINT_TAKEN' } } });
  t.like(await call('POST', base, { method: 'POST', path: '/x', function: 'nope' }), { status: 404, body: { error: { code: 'FUNCTION_NOT_FOUND' } } });
  await call('POST', base, { method: 'GET', path: '/echo/v1', function: 'echo' });
  t.is((await call('GET', base)).body.endpoints.length, 2);
  const patched = await call('PATCH', `${base}/${made.body.id}`, { public: true });
  t.like(patched, { status: 200, body: { method: 'POST', path: '/echo/v1', function: 'echo', public: true } });
  t.like(await call('PATCH', `${base}/${made.body.id}`, { method: 'GET' }), { status: 409, body: { error: { code: 'ENDPOINT_TAKEN' } } });
  t.like((await call('GET', `/apps/${app.id}`)).body.endpoints[0], { public: true, url: made.body.url });
  t.is((await call('DELETE', `${base}/${made.body.id}`)).status, 204);
  t.like(await call('DELETE', `${base}/${made.body.id}`), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
});

const badPaths = ['echo', '/a/../b', '/a/./b', '/a b', '/a/', '/a//b', `/${'a'.repeat(200)}`, '/%41'];
for (const path of badPaths) {
  test(`an endpoint at ${path.slice(0, 20)} is refused`, async (t) => {
    const app = await makeApp(session.url, session.token, { echo: sampleFunctions.echo });
    const answer = await call('POST', `/apps/${app.id}/endpoints`, { method: 'POST', path, function: 'echo' });
    t.like(answer, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  });
}

test('a function that endpoints call cannot be deleted, and the refusal names them', async (t) => {
  const app = await makeApp(session.url, session.token, { echo: sampleFunctions.echo }, [{ method: 'PUT', path: '/e', function: 'echo' }]);
  const answer = await call('DELETE', `/apps/${app.id}/functions/echo`);
  t.like(answer, { status: 400, body: { error: { code: 'INVALID_INPUT' } } });
  t.regex(answer.body.error.message, /PUT \/e/);
});
