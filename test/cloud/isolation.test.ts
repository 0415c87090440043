/** One user's apps against another user and against anonymous callers: nothing private can be seen or touched, public things can be used. */
import test from 'ava';
import { api } from '../helpers/cloud.ts';
import { makeApp, newUser, sampleFunctions, startDockerCloud, type DockerCloud } from '../helpers/cloud-apps.ts';

let cloud: DockerCloud;
let owner: string;
let stranger: string;
let appId: string;
let endpointId: string;

test.before(async () => {
  cloud = await startDockerCloud();
  [owner, stranger] = await Promise.all([newUser(cloud.url), newUser(cloud.url)]);
  const app = await makeApp(cloud.url, owner, { greet: sampleFunctions.greet, upper: { ...sampleFunctions.upper, public: true } }, [
    { method: 'POST', path: '/greet', function: 'greet' },
    { method: 'POST', path: '/upper', function: 'upper', public: true },
  ]);
  appId = app.id;
  endpointId = app.endpoints[0].id;
  await api(cloud.url, 'POST', `/api/v1/apps/${appId}/start`, undefined, owner);
  await api(cloud.url, 'POST', `/api/v1/apps/${appId}/functions/greet/invoke`, { input: { name: 'secret' } }, owner);
});

test.after.always(async () => {
  await cloud?.close();
});

const missingApp = 'app_0123456789abcdef';

/** Every management route, as [method, path under /api/v1/apps/<id>, body]. */
const managementRoutes: Array<[string, string, unknown?]> = [
  ['GET', ''],
  ['PATCH', '', { name: 'mine-now' }],
  ['DELETE', ''],
  ['POST', '/start'],
  ['POST', '/stop'],
  ['PUT', '/functions/greet', { code: 'export default () => "pwned"' }],
  ['GET', '/functions'],
  ['GET', '/functions/greet'],
  ['DELETE', '/functions/upper'],
  ['POST', '/functions/greet/invoke', { input: { name: 'x' } }],
  ['GET', '/functions/greet/logs'],
  ['GET', '/functions/greet/code'],
  ['POST', '/endpoints', { method: 'GET', path: '/mine', function: 'greet', public: true }],
  ['GET', '/endpoints'],
  ['PATCH', '/endpoints/:ep', { public: true }],
  ['DELETE', '/endpoints/:ep'],
];
for (const [method, path, body] of managementRoutes) {
  test(`another user's ${method} ${path || '/'} answers exactly like a missing app`, async (t) => {
    const route = (id: string) => `/api/v1/apps/${id}${path.replace(':ep', endpointId)}`;
    const theirs = await api(cloud.url, method, route(appId), body, stranger);
    const missing = await api(cloud.url, method, route(missingApp), body, stranger);
    t.is(theirs.status, 404);
    t.is(theirs.body.error.code, 'APP_NOT_FOUND');
    t.is(theirs.body.error.message.replace(appId, missingApp), missing.body.error.message);
  });
}

test("another user's list holds none of the owner's apps", async (t) => {
  const { body } = await api(cloud.url, 'GET', '/api/v1/apps', undefined, stranger);
  t.deepEqual(body.apps, []);
});

test("the owner's app is unchanged by everything the stranger tried", async (t) => {
  await Promise.all(
    managementRoutes.map(([method, path, body]) => api(cloud.url, method, `/api/v1/apps/${appId}${path.replace(':ep', endpointId)}`, body, stranger)),
  );
  const { body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}`, undefined, owner);
  t.like(body, { status: 'running', functions: [{ name: 'greet' }, { name: 'upper' }], endpoints: [{ id: endpointId, public: false }, { public: true }] });
  t.is(body.endpoints.length, 2);
  const greeted = await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'still' } }, owner);
  t.like(greeted.body, { output: { message: 'hello STILL' } });
});

test('a private endpoint is not found for another user, nor for anonymous callers', async (t) => {
  t.like(await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'x' } }, stranger), {
    status: 404,
    body: { error: { code: 'ENDPOINT_NOT_FOUND' } },
  });
  t.like(await api(cloud.url, 'POST', `/run/${appId}/greet`, { input: { name: 'x' } }), { status: 404, body: { error: { code: 'ENDPOINT_NOT_FOUND' } } });
});

test('a public endpoint answers anyone, without logs', async (t) => {
  for (const token of [stranger, undefined]) {
    const answer = await api(cloud.url, 'POST', `/run/${appId}/upper`, { input: { text: 'open' } }, token);
    t.like(answer, { status: 200, body: { output: 'OPEN' } });
    t.false('logs' in answer.body);
  }
});

test("a public function's bundle can be downloaded by anyone and holds only the public functions", async (t) => {
  for (const token of [stranger, undefined]) {
    const { status, body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/upper/code`, undefined, token);
    t.is(status, 200);
    t.deepEqual(
      body.files.map((file: { path: string }) => file.path),
      ['app.json', 'functions/upper.ts'],
    );
    t.deepEqual(JSON.parse(body.files[0].text), { functions: { upper: { idempotent: true, public: true } } });
  }
});

test("an anonymous caller cannot download a private function's code", async (t) => {
  t.like(await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/greet/code`), { status: 404, body: { error: { code: 'APP_NOT_FOUND' } } });
});
