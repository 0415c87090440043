/**
 * A cloud whose sandboxes are all in use: endpoint calls and test-invokes past the owner's line are refused
 * at once with 429 BUSY and Retry-After, while the calls admitted complete; another user is still served, and so is
 * an owner whose grantee floods the app.
 */
import test from 'ava';
import { api, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { makeApp, newUser, signUpUser } from '../helpers/cloud-apps.ts';
import { until } from '../helpers/wait.ts';

let cloud: TestCloud;

// One after the other: each test fills the cloud's one place, and a call waits in line 10 s at most.

test.before(async () => {
  // One process running one call at once, one call of each owner waiting.
  cloud = await startTestCloud({ smtp: false, pool: { maxContainers: 1, concurrency: 1, maxQueue: 8, maxQueuePerOwner: 1 } });
});

test.after.always(async () => {
  await cloud?.close();
});

const nap = { code: 'export default async (input) => { await new Promise((r) => setTimeout(r, input.ms)); return input.ms; };\n' };

test.serial('past the line, /run and test-invoke answer 429 BUSY with Retry-After; the admitted calls and another user are served', async (t) => {
  const token = await newUser(cloud.url);
  const app = await makeApp(cloud.url, token, { nap }, [{ method: 'POST', path: '/nap', function: 'nap', public: true }]);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, token);
  const run = () => api(cloud.url, 'POST', `/run/${app.id}/nap`, { input: { ms: 3000 } });
  const running = run();
  const waiting = run();
  // The two calls above arrive in either order; once one runs and the other waits, the owner's line is full.
  await until('one call running and one waiting', async () => (await api(cloud.url, 'GET', '/healthz')).body.queued === 1);
  const [refused, refusedInvoke] = await Promise.all([
    run(),
    api(cloud.url, 'POST', `/api/v1/apps/${app.id}/functions/nap/invoke`, { input: { ms: 1 } }, token),
  ]);
  for (const answer of [refused, refusedInvoke]) {
    t.is(answer.status, 429);
    t.is(answer.body.error.code, 'BUSY');
    t.is(answer.headers.get('retry-after'), '1');
  }
  // Another user's call waits in a line of its own, not behind the first user's.
  const other = await newUser(cloud.url);
  const otherApp = await makeApp(cloud.url, other, { nap }, [{ method: 'POST', path: '/nap', function: 'nap', public: true }]);
  await api(cloud.url, 'POST', `/api/v1/apps/${otherApp.id}/start`, undefined, other);
  t.like(await api(cloud.url, 'POST', `/run/${otherApp.id}/nap`, { input: { ms: 1 } }), { status: 200, body: { output: 1 } });
  t.like(await running, { status: 200, body: { output: 3000 } });
  t.like(await waiting, { status: 200, body: { output: 3000 } });
});

test.serial("a RUN grantee's calls take the grantee's own share: its flood of the owner's private endpoint never refuses the owner's calls", async (t) => {
  const token = await newUser(cloud.url);
  const app = await makeApp(cloud.url, token, { nap }, [{ method: 'POST', path: '/nap', function: 'nap' }]);
  await api(cloud.url, 'POST', `/api/v1/apps/${app.id}/start`, undefined, token);
  const { email, token: runner } = await signUpUser(cloud.url);
  t.is((await api(cloud.url, 'PUT', `/api/v1/apps/${app.id}/grants/${email}`, { access: 'RUN' }, token)).status, 201);
  const run = (as: string, ms: number) => api(cloud.url, 'POST', `/run/${app.id}/nap`, { input: { ms } }, as);
  const running = run(runner, 3000);
  const waiting = run(runner, 3000);
  await until('one call running and one waiting', async () => (await api(cloud.url, 'GET', '/healthz')).body.queued === 1);
  t.is((await run(runner, 1)).body.error?.code, 'BUSY', "the grantee's own line is full");

  // The owner's call waits in the owner's line, and is served in turn, not refused behind the grantee's flood.
  t.like(await run(token, 1), { status: 200, body: { output: 1 } });
  t.like(await running, { status: 200, body: { output: 3000 } });
  t.like(await waiting, { status: 200, body: { output: 3000 } });
});
