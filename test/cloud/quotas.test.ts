/** Limits against abuse: sign-ups per client, and apps per account, functions and endpoints per app. */
import test from 'ava';
import { api, freshEmail, startTestCloud } from '../helpers/cloud.ts';
import { newUser } from '../helpers/cloud-apps.ts';
import { useCloud } from '../helpers/use-cloud.ts';

const cloud = useCloud(test);

const call = (method: string, path: string, body?: unknown) => api(cloud.url, method, `/api/v1${path}`, body, cloud.token);

/** Makes `count` things with `make(i)`, a few at a time, and fails on the first refusal. */
async function makeMany(count: number, make: (i: number) => ReturnType<typeof call>): Promise<void> {
  for (let i = 0; i < count; i += 10) {
    for (const answer of await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => make(i + j)))) {
      if (answer.status !== 201) throw new Error(`answered ${answer.status}: ${answer.text}`);
    }
  }
}

test('too many sign-ups from one client are refused for a minute', async (t) => {
  const limited = await startTestCloud({ attemptsPerMinute: 3, smtp: false });
  t.teardown(() => limited.close());
  const signUp = () => api(limited.url, 'POST', '/api/v1/accounts', { email: freshEmail('signups'), password: 'correct horse' });
  for (const n of [1, 2, 3]) t.is((await signUp()).status, 201, `sign-up ${n}`);
  t.like(await signUp(), { status: 429, body: { error: { code: 'RATE_LIMITED' } } });
});

test('an account holds at most 100 apps', async (t) => {
  await makeMany(100, (i) => call('POST', '/apps', { name: `app-${i}` }));
  const refused = await call('POST', '/apps', { name: 'one-more' });
  t.like(refused, { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  t.regex(refused.body.error.message, /at most 100 apps/);
  t.is((await call('GET', '/apps')).body.apps.length, 100);
});

test('an app holds at most 100 functions and 100 endpoints, and a function can still be replaced at the limit', async (t) => {
  // An account of its own, clear of the apps the test above makes.
  const session = await newUser(cloud.url);
  const { body: app } = await api(cloud.url, 'POST', '/api/v1/apps', { name: 'full' }, session);
  const base = `/api/v1/apps/${app.id}`;
  const code = { code: 'export default () => 1' };
  await makeMany(100, (i) => api(cloud.url, 'PUT', `${base}/functions/f${i}`, code, session));
  t.like(await api(cloud.url, 'PUT', `${base}/functions/f100`, code, session), { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  t.is((await api(cloud.url, 'PUT', `${base}/functions/f0`, { code: 'export default () => 2' }, session)).status, 200);
  await makeMany(100, (i) => api(cloud.url, 'POST', `${base}/endpoints`, { method: 'POST', path: `/e${i}`, function: 'f0' }, session));
  const refused = await api(cloud.url, 'POST', `${base}/endpoints`, { method: 'POST', path: '/e100', function: 'f0' }, session);
  t.like(refused, { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  t.regex(refused.body.error.message, /at most 100 endpoints/);
  const { body } = await api(cloud.url, 'GET', base, undefined, session);
  t.is(body.functions.length, 100);
  t.is(body.endpoints.length, 100);
});

test('an account holds at most 100 API tokens, and revoking one makes room', async (t) => {
  const owner = await newUser(cloud.url);
  const as = (method: string, path: string, body?: unknown) => api(cloud.url, method, `/api/v1${path}`, body, owner);
  // The session from newUser is not an API token: all 100 are there to make.
  await makeMany(100, (i) => as('POST', '/tokens', { name: `t${i}` }));
  t.like(await as('POST', '/tokens', { name: 'one more' }), { status: 409, body: { error: { code: 'QUOTA_EXCEEDED' } } });
  const [first] = (await as('GET', '/tokens')).body.tokens as Array<{ id: string }>;
  t.is((await as('DELETE', `/tokens/${first!.id}`)).status, 204);
  t.is((await as('POST', '/tokens', { name: 'one more' })).status, 201);
});

test('a user holds at most 100 sessions: a log-in past that ends the oldest', async (t) => {
  const credentials = { email: freshEmail('sessions'), password: 'correct horse battery staple 42' };
  t.is((await api(cloud.url, 'POST', '/api/v1/accounts', credentials)).status, 201);
  const logIn = async () => (await api(cloud.url, 'POST', '/api/v1/sessions', credentials)).body.token as string;
  const oldest = await logIn();
  const second = await logIn();
  for (let i = 0; i < 98; i++) await logIn();
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, oldest)).status, 200, 'the 100th session leaves the first alive');
  const newest = await logIn();
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, oldest)).status, 401, 'the 101st ends the oldest');
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, second)).status, 200);
  t.is((await api(cloud.url, 'GET', '/api/v1/me', undefined, newest)).status, 200);
});
