/** Public endpoints called by anyone but the owner: only public functions' results go in or out, errors say nothing of the host or the app, and app ids and private endpoints cannot be probed. */
import test from 'ava';
import { api, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { makeApp, newUser } from '../helpers/cloud-apps.ts';

let cloud: TestCloud;
let owner: string;
let stranger: string;
let appId: string;

test.before(async () => {
  cloud = await startTestCloud({ smtp: false });
  [owner, stranger] = await Promise.all([newUser(cloud.url), newUser(cloud.url)]);
  const app = await makeApp(
    cloud.url,
    owner,
    {
      isAdmin: { code: 'export default (input) => input.user === "root";', idempotent: true },
      secret: { code: 'export default async (input, ctx) => ((await ctx.call("isAdmin", { user: input.user })) ? "THE SECRET" : "denied");' },
      upper: { code: 'export default (input) => input.text.toUpperCase();', idempotent: true, public: true },
      shout: { code: 'export default async (input, ctx) => (await ctx.call("upper", input)) + "!";', public: true },
      boom: { code: 'export default () => { throw new Error("refused"); };' },
    },
    [
      { method: 'POST', path: '/secret', function: 'secret', public: true },
      { method: 'POST', path: '/shout', function: 'shout', public: true },
      { method: 'POST', path: '/boom', function: 'boom', public: true },
      { method: 'POST', path: '/private', function: 'secret' },
    ],
  );
  appId = app.id;
  await api(cloud.url, 'POST', `/api/v1/apps/${appId}/start`, undefined, owner);
});

test.after.always(async () => {
  await cloud?.close();
});

const run = (path: string, body: unknown, token?: string) => api(cloud.url, 'POST', `/run/${appId}${path}`, body, token);

/** The key of isAdmin's result for mallory, as only the owner is shown it. */
async function isAdminKey(): Promise<string> {
  const { body } = await run('/secret', { input: { user: 'mallory' } }, owner);
  return Object.keys(body.cache).find((key) => key.startsWith('isAdmin@'))!;
}

for (const [who, token] of [
  ['an anonymous caller', undefined],
  ['another user', () => stranger],
] as const) {
  test(`${who} sees no cache entry of a private function`, async (t) => {
    const { status, body } = await run('/secret', { input: { user: 'mallory' } }, token?.());
    t.is(status, 200);
    t.is(body.output, 'denied');
    t.deepEqual(body.cache, {});
  });

  test(`${who} cannot replace a private function's result with cache or precomputed entries`, async (t) => {
    const key = await isAdminKey();
    for (const field of ['cache', 'precomputed']) {
      const { body } = await run('/secret', { input: { user: 'mallory' }, [field]: { [key]: true } }, token?.());
      t.is(body.output, 'denied', field);
      t.like(body.stats, { executed: 2, cacheHits: 0, precomputedHits: 0 });
    }
  });

  test(`${who} sees and may supply results of public functions`, async (t) => {
    const first = await run('/shout', { input: { text: 'hi' } }, token?.());
    t.like(first.body, { output: 'HI!', stats: { executed: 2 } });
    const [key] = Object.keys(first.body.cache);
    t.regex(key!, /^upper@/);
    const supplied = await run('/shout', { input: { text: 'hi' }, precomputed: { [key!]: 'MADE AT THE EDGE' } }, token?.());
    t.like(supplied.body, { output: 'MADE AT THE EDGE!', stats: { executed: 1, precomputedHits: 1 } });
    const cached = await run('/shout', { input: { text: 'hi' }, cache: first.body.cache }, token?.());
    t.like(cached.body, { output: 'HI!', stats: { executed: 1, cacheHits: 1 } });
  });

  test(`${who} gets an error's first line, without its stack`, async (t) => {
    const { status, body } = await run('/boom', {}, token?.());
    t.is(status, 502);
    t.deepEqual(body.error, { code: 'FUNCTION_THREW', message: 'boom threw: Error: refused' });
  });
}

test("the owner's cache and precomputed entries count for private functions too, and the owner sees them", async (t) => {
  const key = await isAdminKey();
  for (const field of ['cache', 'precomputed']) {
    const { body } = await run('/secret', { input: { user: 'mallory' }, [field]: { [key]: true } }, owner);
    t.is(body.output, 'THE SECRET', field);
    t.deepEqual(Object.keys(body.cache), [key]);
  }
});

test('the owner, at the endpoint, at test-invoke and in the logs, gets the whole error with its stack', async (t) => {
  const atEndpoint = await run('/boom', {}, owner);
  const tested = await api(cloud.url, 'POST', `/api/v1/apps/${appId}/functions/boom/invoke`, {}, owner);
  const { body } = await api(cloud.url, 'GET', `/api/v1/apps/${appId}/functions/boom/logs`, undefined, owner);
  for (const error of [atEndpoint.body.error, tested.body.error, body.invocations[0].error]) t.regex(error.message, /^boom threw: Error: refused\n\s+at /);
});

test("an app that does not exist answers exactly like another user's app", async (t) => {
  const missing = 'app_0123456789abcdef';
  for (const token of [undefined, stranger]) {
    const theirs = await api(cloud.url, 'POST', `/run/${appId}/nothing`, {}, token);
    const none = await api(cloud.url, 'POST', `/run/${missing}/nothing`, {}, token);
    t.is(none.status, 404);
    t.deepEqual(none.body, theirs.body);
    t.is(none.body.error.code, 'ENDPOINT_NOT_FOUND');
    t.regex(none.body.error.message, /^no endpoint POST \/nothing /);
  }
});

test('a private endpoint answers anyone but its owner, logged in or not, exactly like a missing one', async (t) => {
  for (const token of [undefined, stranger]) {
    const [existing, missingPath, missingApp] = await Promise.all([
      api(cloud.url, 'POST', `/run/${appId}/private`, {}, token),
      api(cloud.url, 'POST', `/run/${appId}/privat`, {}, token),
      api(cloud.url, 'POST', '/run/app_0123456789abcdef/private', {}, token),
    ]);
    t.is(existing.status, 404);
    t.deepEqual(existing.body, missingApp.body);
    t.is(missingPath.status, 404);
    t.regex(existing.body.error.message, /a private endpoint answers only its owner and those granted RUN/);
  }
  t.like(await run('/private', { input: { user: 'root' } }, owner), { status: 200, body: { output: 'THE SECRET' } });
});

test("a stopped app's endpoint tells strangers it is stopped, not its name", async (t) => {
  const stopped = await makeApp(cloud.url, owner, { echo: { code: 'export default (input) => input;' } }, [
    { method: 'POST', path: '/echo', function: 'echo', public: true },
  ]);
  for (const token of [undefined, stranger, owner]) {
    const { status, body } = await api(cloud.url, 'POST', `/run/${stopped.id}/echo`, {}, token);
    t.is(status, 503);
    t.is(body.error.code, 'APP_STOPPED');
    t.false(body.error.message.includes(stopped.name), body.error.message);
  }
});

test('dependencies that fail to install show strangers no host path, and the owner everything', async (t) => {
  const app = await makeApp(cloud.url, owner, { echo: { code: 'export default (input) => input;' } }, [
    { method: 'POST', path: '/echo', function: 'echo', public: true },
  ]);
  const setPackageJson = (packageJson: string) => api(cloud.url, 'PATCH', `/api/v1/apps/${app.id}`, { packageJson }, owner);
  await setPackageJson('{"dependencies":{}}');
  t.is((await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, owner)).status, 200);
  // Cloud apps name registry packages only (dependency-specs.test.ts), so what is left to fail is the install itself.
  for (const packageJson of ['{"workspaces":["packages/*"],"dependencies":{"x":"^1.0.0"}}']) {
    await setPackageJson(packageJson);
    for (const token of [undefined, stranger]) {
      const { status, body } = await api(cloud.url, 'POST', `/run/${app.id}/echo`, {}, token);
      t.is(status, 424, packageJson);
      t.deepEqual(body.error, { code: 'DEPENDENCY_INSTALL_FAILED', message: 'npm could not install the dependencies in package.json.' });
    }
    const seen = await api(cloud.url, 'POST', `/run/${app.id}/echo`, {}, owner);
    t.is(seen.body.error.code, 'DEPENDENCY_INSTALL_FAILED');
    t.true(seen.body.error.message.includes(app.id), seen.body.error.message);
  }
});
