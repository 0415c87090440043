/**
 * Sharing an app over real HTTP, its functions run in Docker: grants given, changed and revoked count from the very
 * next request, everyone's RUN opens private endpoints to anonymous callers, shared apps show in their grantees'
 * lists, READ and RUN grantees are strangers to a call's inside while WRITE is not, and FULL_CONTROL acts as the
 * owner. Which level each route needs, for every route, is the auth matrix's (auth-matrix.test.ts).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { serverEvents } from '../../cli/server-events.ts';
import { signUp, type Account } from '../helpers/auth-matrix.ts';
import { api, freshEmail } from '../helpers/cloud.ts';
import { makeApp, startDockerCloud, type DockerCloud } from '../helpers/cloud-apps.ts';

let cloud: DockerCloud;
let owner: Account;

test.before(async () => {
  cloud = await startDockerCloud();
  owner = await signUp(cloud.url, 'owner');
});
test.after.always(async () => {
  await cloud?.close();
});

const as = (account: Account | undefined) => (method: string, path: string, body?: unknown) => api(cloud.url, method, path, body, account?.session);

/** `outer` (private, logs a line) calls `check` (private, idempotent), behind a private endpoint; the app is running. */
async function sharedApp(): Promise<{ id: string; name: string }> {
  const app = await makeApp(
    cloud.url,
    owner.session,
    {
      check: { code: 'export default () => "from the cloud";', idempotent: true },
      outer: { code: 'export default async (input, ctx) => { console.log("inside outer"); return ctx.call("check", input); };' },
    },
    [{ method: 'POST', path: '/outer', function: 'outer' }],
  );
  await as(owner)('POST', `/api/v1/apps/${app.id}/start`);
  return app;
}

const grant = (appId: string, grantee: string, access: string) => as(owner)('PUT', `/api/v1/apps/${appId}/grants/${grantee}`, { access });

test('a RUN grant opens private endpoints and test-invokes; revoked, the very next call answers as to a stranger', async (t) => {
  const app = await sharedApp();
  const runner = await signUp(cloud.url, 'runner');
  const call = () => as(runner)('POST', `/run/${app.id}/outer`, { input: 1 });
  t.is((await call()).body.error?.code, 'ENDPOINT_NOT_FOUND', 'nothing granted yet');

  t.is((await grant(app.id, runner.email, 'RUN')).status, 201);
  t.like((await call()).body, { output: 'from the cloud' });
  t.like((await as(runner)('POST', `/api/v1/apps/${app.id}/functions/check/invoke`, {})).body, { output: 'from the cloud' });

  t.is((await as(owner)('DELETE', `/api/v1/apps/${app.id}/grants/${runner.email}`)).status, 204);
  const after = await call();
  t.is(after.status, 404);
  t.is(after.body.error.code, 'ENDPOINT_NOT_FOUND');
  t.is((await as(runner)('GET', `/api/v1/apps/${app.id}`)).body.error.code, 'APP_NOT_FOUND');
});

test("a WRITE grantee following the app's activations is told nothing recorded after its grant is revoked, and its stream ends", async (t) => {
  const app = await sharedApp();
  const writer = await signUp(cloud.url, 'writer');
  await grant(app.id, writer.email, 'WRITE');
  const controller = new AbortController();
  t.teardown(() => controller.abort());
  const response = await fetch(`${cloud.url}/api/v1/apps/${app.id}/activations/follow?function=outer&seconds=120`, {
    headers: { authorization: `Bearer ${writer.session}` },
    signal: controller.signal,
  });
  t.is(response.status, 200);
  const events = serverEvents(response.body!);
  // Read by hand: leaving a for-await would close the stream.
  const nextId = async () => {
    for (;;) {
      const { done, value } = await events.next();
      if (done) return undefined;
      if (value.event === 'activation') return JSON.parse(value.data).id as string;
    }
  };
  const ownerCall = async () => (await as(owner)('POST', `/run/${app.id}/outer`, { input: 1 })).body.activationId as string;
  const before = await ownerCall();
  t.is(await nextId(), before, 'the follower is told while granted');

  t.is((await as(owner)('DELETE', `/api/v1/apps/${app.id}/grants/${writer.email}`)).status, 204);
  await ownerCall();
  t.is(await nextId(), undefined, 'the stream ended without the call made after the revoke');
});

test('a grant lowered from WRITE to READ forbids the next change at once, naming both levels, and still shows the app', async (t) => {
  const app = await sharedApp();
  const writer = await signUp(cloud.url, 'writer');
  await grant(app.id, writer.email, 'WRITE');
  const change = () => as(writer)('PATCH', `/api/v1/apps/${app.id}`, { description: 'by the writer' });
  t.is((await change()).status, 200);

  t.is((await grant(app.id, writer.email, 'READ')).status, 200, 'replacing a grant answers 200');
  const refused = await change();
  t.is(refused.status, 403);
  t.deepEqual(refused.body.error, { code: 'FORBIDDEN', message: `you have READ access to app "${app.name}"; WRITE is needed to change it` });
  t.like((await as(writer)('GET', `/api/v1/apps/${app.id}`)).body, { description: 'by the writer', access: 'READ', owned: false });
});

test("everyone's RUN lets an anonymous caller call a private endpoint; everyone's READ forbids it; no grant hides it", async (t) => {
  const app = await sharedApp();
  const call = () => as(undefined)('POST', `/run/${app.id}/outer`, { input: 1 });
  t.is((await call()).body.error.code, 'ENDPOINT_NOT_FOUND');
  await grant(app.id, '*', 'READ');
  const read = await call();
  t.is(read.status, 403);
  t.is(read.body.error.code, 'FORBIDDEN');
  await grant(app.id, '*', 'RUN');
  t.like((await call()).body, { output: 'from the cloud' });
  await as(owner)('DELETE', `/api/v1/apps/${app.id}/grants/*`);
  t.is((await call()).body.error.code, 'ENDPOINT_NOT_FOUND');
});

test('an app shared with an account is in its list with its access, after its own apps; one granted only to everyone is not', async (t) => {
  const [shared, open] = await Promise.all([sharedApp(), sharedApp()]);
  const reader = await signUp(cloud.url, 'reader');
  const own = await as(reader)('POST', '/api/v1/apps', { name: 'mine' });
  await Promise.all([grant(shared.id, reader.email, 'READ'), grant(open.id, '*', 'RUN')]);
  const { body } = await as(reader)('GET', '/api/v1/apps');
  t.deepEqual(
    body.apps.map((app: { id: string; access: string; owned: boolean }) => [app.id, app.access, app.owned]),
    [
      [own.body.id, 'FULL_CONTROL', true],
      [shared.id, 'READ', false],
    ],
  );
  t.false(JSON.stringify(body).includes(owner.email), "the owner's address is not shown");
});

test('grants are listed by address to FULL_CONTROL only; sharing refuses unknown addresses, the owner, and more than RUN for everyone', async (t) => {
  const app = await sharedApp();
  const [reader, controller] = await Promise.all([signUp(cloud.url, 'reader'), signUp(cloud.url, 'controller')]);
  await Promise.all([grant(app.id, reader.email.toUpperCase(), 'READ'), grant(app.id, controller.email, 'FULL_CONTROL'), grant(app.id, '*', 'RUN')]);
  const listed = await as(controller)('GET', `/api/v1/apps/${app.id}/grants`);
  t.deepEqual(listed.body.grants.map((g: { grantee: string; access: string }) => [g.grantee, g.access]).sort(), [
    ['*', 'RUN'],
    [controller.email, 'FULL_CONTROL'],
    [reader.email, 'READ'],
  ]);
  t.is((await as(reader)('GET', `/api/v1/apps/${app.id}/grants`)).status, 403);

  const nobody = freshEmail('nobody');
  t.deepEqual((await grant(app.id, nobody, 'READ')).body.error, {
    code: 'USER_NOT_FOUND',
    message: `no account has the address ${nobody}: ask them to sign up, then share "${app.name}" again`,
  });
  t.like((await grant(app.id, owner.email, 'READ')).body.error, {
    code: 'INVALID_INPUT',
    message: `${owner.email} owns "${app.name}" and may do everything with it already`,
  });
  t.like((await grant(app.id, '*', 'WRITE')).body.error, { code: 'INVALID_INPUT' });
  t.like((await grant(app.id, 'not an address', 'READ')).body.error, { code: 'INVALID_INPUT' });
  t.like((await grant(app.id, reader.email, 'ADMIN')).body.error, { code: 'INVALID_INPUT' });
  t.deepEqual((await as(owner)('DELETE', `/api/v1/apps/${app.id}/grants/${nobody}`)).body.error, {
    code: 'GRANT_NOT_FOUND',
    message: `app "${app.name}" grants nothing to ${nobody}`,
  });
});

test('READ gets the whole bundle, private functions too, and no secret; RUN and READ have no way to the secrets', async (t) => {
  const app = await sharedApp();
  await as(owner)('PUT', `/api/v1/apps/${app.id}/secrets/API_KEY`, { value: 'SECRET-VALUE-NEVER-SHOWN' });
  const [reader, runner] = await Promise.all([signUp(cloud.url, 'reader'), signUp(cloud.url, 'runner')]);
  await Promise.all([grant(app.id, reader.email, 'READ'), grant(app.id, runner.email, 'RUN')]);
  const bundle = await as(reader)('GET', `/api/v1/apps/${app.id}/functions/outer/code`);
  t.is(bundle.status, 200);
  t.deepEqual(bundle.body.files.map((file: { path: string }) => file.path).sort(), ['app.json', 'functions/check.js', 'functions/outer.js']);
  t.false(bundle.text.includes('SECRET-VALUE-NEVER-SHOWN'));
  for (const grantee of [reader, runner]) {
    t.is((await as(grantee)('GET', `/api/v1/apps/${app.id}/secrets`)).status, 403);
    t.is((await as(grantee)('PUT', `/api/v1/apps/${app.id}/secrets/API_KEY`, { value: 'replaced' })).status, 403);
  }
});

test("a RUN grantee's results of private functions are not taken and its test-invoke shows no console output; a WRITE grantee's are, and it does", async (t) => {
  const app = await sharedApp();
  const { body: ownCall } = await as(owner)('POST', `/api/v1/apps/${app.id}/functions/outer/invoke`, { input: 7 });
  const checkKey = Object.keys(ownCall.cache).find((key) => key.startsWith('check@'))!;
  const [runner, writer] = await Promise.all([signUp(cloud.url, 'runner'), signUp(cloud.url, 'writer')]);
  await Promise.all([grant(app.id, runner.email, 'RUN'), grant(app.id, writer.email, 'WRITE')]);
  const forged = { input: 7, precomputed: { [checkKey]: 'forged' } };

  const byRunner = await as(runner)('POST', `/api/v1/apps/${app.id}/functions/outer/invoke`, forged);
  t.is(byRunner.body.output, 'from the cloud');
  t.is(byRunner.body.logs, undefined);
  t.deepEqual(byRunner.body.cache, {}, 'no cache entry of a private function comes back');
  t.is((await as(runner)('POST', `/run/${app.id}/outer`, forged)).body.output, 'from the cloud');

  const byWriter = await as(writer)('POST', `/api/v1/apps/${app.id}/functions/outer/invoke`, forged);
  t.is(byWriter.body.output, 'forged');
  t.true(byWriter.body.logs.some((log: { message: string }) => log.message.includes('inside outer')));
  t.is((await as(writer)('GET', `/api/v1/apps/${app.id}/functions/outer/logs`)).status, 200);
  t.is((await as(runner)('GET', `/api/v1/apps/${app.id}/functions/outer/logs`)).status, 403);
});

test('a WRITE grantee deploys to the shared app by its id: it keeps its name and owner; a READ grantee may not', async (t) => {
  const app = await sharedApp();
  const [writer, reader] = await Promise.all([signUp(cloud.url, 'writer'), signUp(cloud.url, 'reader')]);
  await Promise.all([grant(app.id, writer.email, 'WRITE'), grant(app.id, reader.email, 'READ')]);
  const code = 'export default () => "deployed by the writer";\n';
  const sha256 = createHash('sha256').update(code).digest('hex');
  t.is((await api(cloud.url, 'PUT', `/api/v1/uploads/${sha256}`, code, writer.session)).status, 201);
  const manifest = { appId: app.id, files: [{ path: 'functions/check.js', sha256 }] };

  t.is((await as(reader)('POST', '/api/v1/deploys', manifest)).body.error.code, 'FORBIDDEN');
  const deployed = await as(writer)('POST', '/api/v1/deploys', manifest);
  t.is(deployed.status, 200, deployed.text);
  t.like(deployed.body, { id: app.id, name: app.name, access: 'WRITE', owned: false });
  t.is((await as(owner)('POST', `/api/v1/apps/${app.id}/functions/check/invoke`, {})).body.output, 'deployed by the writer');
  t.false(
    (await as(writer)('GET', '/api/v1/apps')).body.apps.some((shown: { owned: boolean }) => shown.owned),
    'the writer made no app of its own',
  );
  t.like((await as(writer)('POST', '/api/v1/deploys', { ...manifest, name: app.name })).body.error, { code: 'INVALID_INPUT' });
});

test("a WRITE grantee's deploy is a version naming it as author, which a READ grantee lists without addresses; the writer rolls back, and only FULL_CONTROL freezes", async (t) => {
  const app = await sharedApp();
  const [writer, reader] = await Promise.all([signUp(cloud.url, 'writer'), signUp(cloud.url, 'reader')]);
  await Promise.all([grant(app.id, writer.email, 'WRITE'), grant(app.id, reader.email, 'READ')]);
  const code = 'export default () => "version of the writer";\n';
  const sha256 = createHash('sha256').update(code).digest('hex');
  t.is((await api(cloud.url, 'PUT', `/api/v1/uploads/${sha256}`, code, writer.session)).status, 201);
  t.is((await as(writer)('POST', '/api/v1/deploys', { appId: app.id, files: [{ path: 'functions/check.js', sha256 }], tag: 'w1' })).status, 200);

  const [newest, older] = (await as(owner)('GET', `/api/v1/apps/${app.id}/versions`)).body.versions;
  t.like(newest, { tag: 'w1', author: writer.email, active: true });
  t.is(older.author, owner.email);
  const seen = await as(reader)('GET', `/api/v1/apps/${app.id}/versions`);
  t.is(seen.status, 200);
  t.true(
    seen.body.versions.length > 1 && seen.body.versions.every((version: { author: string | null }) => version.author === null),
    "a reader is shown neither the owner's address nor the writer's",
  );
  t.is((await as(writer)('GET', `/api/v1/apps/${app.id}/versions/w1`)).body.author, writer.email, 'the author sees its own address');

  t.is((await as(reader)('POST', `/api/v1/apps/${app.id}/versions/${older.id}/activate`)).body.error.code, 'FORBIDDEN');
  t.like((await as(writer)('POST', `/api/v1/apps/${app.id}/versions/${older.id}/activate`)).body, { id: older.id, active: true });
  t.is((await as(owner)('POST', `/api/v1/apps/${app.id}/functions/check/invoke`, {})).body.output, 'from the cloud');
  t.is((await as(writer)('PATCH', `/api/v1/apps/${app.id}/versions/w1`, { frozen: true })).body.error.code, 'FORBIDDEN');
  t.is((await as(writer)('DELETE', `/api/v1/apps/${app.id}/versions/w1`)).body.error.code, 'FORBIDDEN');
});

test('a FULL_CONTROL grantee shares the app onward, sets its secrets and deletes it', async (t) => {
  const app = await sharedApp();
  const [controller, reader] = await Promise.all([signUp(cloud.url, 'controller'), signUp(cloud.url, 'reader')]);
  await grant(app.id, controller.email, 'FULL_CONTROL');
  t.is((await as(controller)('PUT', `/api/v1/apps/${app.id}/grants/${reader.email}`, { access: 'READ' })).status, 201);
  t.is((await as(reader)('GET', `/api/v1/apps/${app.id}`)).status, 200);
  t.is((await as(controller)('PUT', `/api/v1/apps/${app.id}/secrets/TOKEN`, { value: 'x' })).status, 201);
  t.is((await as(controller)('DELETE', `/api/v1/apps/${app.id}`)).status, 204);
  t.is((await as(owner)('GET', `/api/v1/apps/${app.id}`)).status, 404);
});
