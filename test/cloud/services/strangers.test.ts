/**
 * What callers other than an app's owner reach, without HTTP: the endpoint-call service (private endpoints look
 * missing, a stopped app, a full share, results of private functions neither taken nor shown, errors in the
 * catalogue's words) and the bundle service.
 */
import test from 'ava';
import { Readable } from 'node:stream';
import { appService } from '../../../cloud/services/apps.ts';
import { bundleService } from '../../../cloud/services/bundles.ts';
import { callService } from '../../../cloud/services/calls.ts';
import { endpointService } from '../../../cloud/services/endpoints.ts';
import { fileService } from '../../../cloud/services/files.ts';
import { functionService } from '../../../cloud/services/functions.ts';
import { callKey } from '../../../runtime/call-key.ts';
import { HeldExecutor, type Answer } from '../../helpers/held-executor.ts';
import { heldRuntime, openStores, source } from '../../helpers/cloud-services.ts';

/** `open` (public, behind a public endpoint) calls `secret` (private, behind a private endpoint); both idempotent. */
const openCallsSecret: Answer = async (request, call) => {
  if (request.fn.name === 'secret') return { ok: true, output: 'from the cloud' };
  return call('secret', request.input);
};

async function setUp(answer: Answer = openCallsSecret) {
  const stores = await openStores();
  const { runtime, executor, activations } = await heldRuntime(new HeldExecutor(answer), stores.blobs);
  const apps = appService({ apps: stores.apps, runtime });
  const functions = functionService({ apps: stores.apps, runtime, activations });
  const endpoints = endpointService({ apps: stores.apps });
  const app = await apps.create('usr_owner', { name: 'shop' });
  await functions.put('usr_owner', app.id, 'open', source('export default () => 1', { public: true, idempotent: true }));
  await functions.put('usr_owner', app.id, 'secret', source('export default () => 2', { idempotent: true }));
  await endpoints.add('usr_owner', app.id, { method: 'POST', path: '/open', function: 'open', public: true });
  await endpoints.add('usr_owner', app.id, { method: 'POST', path: '/secret', function: 'secret', public: false });
  await fileService({ apps: stores.apps, blobs: stores.blobs }).put(
    'usr_owner',
    app.id,
    'templates/page.html',
    Readable.from([Buffer.from('<p>{{name}}</p>')]),
  );
  await apps.start('usr_owner', app.id);
  const loaded = await runtime.load(app);
  const keyOf = (fn: string, input: unknown) => callKey(fn, loaded.functions.get(fn)!.version, input);
  return { executor, apps, app, keyOf, calls: callService({ apps: stores.apps, runtime }), bundles: bundleService({ apps: stores.apps, runtime }) };
}

const noEndpoint = (path: string) => ({
  code: 'ENDPOINT_NOT_FOUND',
  message: `no endpoint POST ${path} that you may call: a private endpoint answers only its owner and those granted RUN`,
});

test('a private endpoint, a missing one and a missing app look alike to anyone but the owner; the owner reaches it', async (t) => {
  const { calls, app } = await setUp();
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/secret', undefined)),
    noEndpoint('/secret'),
  );
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/secret', 'usr_stranger')),
    noEndpoint('/secret'),
  );
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/nothing', 'usr_owner')),
    noEndpoint('/nothing'),
  );
  t.like(
    t.throws(() => calls.find('app_0000000000000000', 'POST', '/secret', 'usr_owner')),
    noEndpoint('/secret'),
  );
  t.like(
    t.throws(() => calls.find(app.id, 'GET', '/open', undefined)),
    { code: 'ENDPOINT_NOT_FOUND' },
  );
  t.like(calls.find(app.id, 'POST', '/secret', 'usr_owner').endpoint, { function: 'secret' });
  t.like(calls.find(app.id, 'POST', '/open', undefined).endpoint, { function: 'open' });
});

test('a stopped app is told only to those who may reach the endpoint', async (t) => {
  const { calls, apps, app } = await setUp();
  await apps.stop('usr_owner', app.id);
  const stopped = { code: 'APP_STOPPED', message: `this app is stopped; its owner can start it with POST /api/v1/apps/${app.id}/start` };
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/open', undefined)),
    stopped,
  );
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/secret', 'usr_owner')),
    stopped,
  );
  t.like(
    t.throws(() => calls.find(app.id, 'POST', '/secret', 'usr_stranger')),
    noEndpoint('/secret'),
  );
});

test("a call is refused BUSY when the owner's share is full", async (t) => {
  const { calls, executor, app } = await setUp();
  t.is(calls.refusal(app, undefined), undefined);
  executor.refusing = true;
  t.like(calls.refusal(app, undefined), { code: 'BUSY' });
});

test("a stranger's results of private functions are not taken, and the cache it gets back holds public functions only", async (t) => {
  const { calls, executor, app, keyOf } = await setUp();
  const open = calls.find(app.id, 'POST', '/open', undefined);
  const precomputed = { [keyOf('secret', 7)]: 'forged' };
  t.like(await calls.call(open, { input: 7, precomputed }, 'usr_owner'), { ok: true, output: 'forged' }, "the owner's own results are taken");
  const before = executor.executed.length;
  const strangers = await calls.call(open, { input: 7, precomputed }, 'usr_stranger');
  t.like(strangers, { ok: true, output: 'from the cloud' });
  t.deepEqual(
    executor.executed.slice(before).map((request) => request.fn.name),
    ['open', 'secret'],
  );
  t.deepEqual(strangers.ok && Object.keys(strangers.cache ?? {}), [keyOf('open', 7)]);
  const owners = await calls.call(open, { input: 8 }, 'usr_owner');
  t.deepEqual(owners.ok && Object.keys(owners.cache ?? {}).sort(), [keyOf('open', 8), keyOf('secret', 8)].sort());
  t.like(
    await calls.call(open, { input: 9, precomputed: { [keyOf('open', 9)]: 'public' } }, undefined),
    { ok: true, output: 'public' },
    "a public function's result is anyone's to give",
  );
});

test("a stranger sees a failure in the catalogue's words, and a function's own error by its first line only", async (t) => {
  const fails: Answer = (request) =>
    request.input === 'threw'
      ? { ok: false, error: { code: 'FUNCTION_THREW', message: 'Error: out of stock\n    at /srv/apps/shop/functions/open.js:1:7' } }
      : { ok: false, error: { code: 'SANDBOX_FAILED', message: 'container 3f2a at /var/run/edgecourier ended' } };
  const { calls, app } = await setUp(fails);
  const open = calls.find(app.id, 'POST', '/open', undefined);
  t.like(await calls.call(open, { input: 'threw' }, undefined), { ok: false, error: { code: 'FUNCTION_THREW', message: 'Error: out of stock' } });
  t.like(await calls.call(open, { input: 'crash' }, 'usr_stranger'), {
    ok: false,
    error: { code: 'SANDBOX_FAILED', message: 'The container or process running the function ended unexpectedly.' },
  });
  t.like(await calls.call(open, { input: 'crash' }, 'usr_owner'), { ok: false, error: { message: 'container 3f2a at /var/run/edgecourier ended' } });
});

test('a bundle holds every file for the owner, and for anyone else the public functions and every file that is no function; a private one tells nothing', async (t) => {
  const { bundles, app } = await setUp();
  const paths = async (callerId: string | undefined, fn: string) => (await bundles.bundle(callerId, app.id, fn)).files.map((file) => file.path);
  t.deepEqual(await paths('usr_owner', 'secret'), ['app.json', 'functions/open.js', 'functions/secret.js', 'templates/page.html']);
  t.deepEqual(await paths(undefined, 'open'), ['app.json', 'functions/open.js', 'templates/page.html']);
  const publicAppJson = (await bundles.bundle('usr_stranger', app.id, 'open')).files.find((file) => file.path === 'app.json');
  t.deepEqual(JSON.parse((publicAppJson as { text: string }).text), { functions: { open: { idempotent: true, public: true } } });
  for (const callerId of [undefined, 'usr_stranger']) {
    await t.throwsAsync(bundles.bundle(callerId, app.id, 'secret'), { code: 'APP_NOT_FOUND', message: `no app ${app.id} of yours` });
    await t.throwsAsync(bundles.bundle(callerId, app.id, 'missing'), { code: 'APP_NOT_FOUND' });
  }
  await t.throwsAsync(bundles.bundle('usr_owner', app.id, 'missing'), { code: 'FUNCTION_NOT_FOUND' });
});
