/** The function service without HTTP: how many functions an app holds, whole replacement, no deleting a function an endpoint calls, and test-invokes of the caller's own app only. */
import test from 'ava';
import { appService } from '../../../cloud/services/apps.ts';
import { endpointService } from '../../../cloud/services/endpoints.ts';
import { functionService, MAX_FUNCTIONS_PER_APP } from '../../../cloud/services/functions.ts';
import { heldRuntime, openStores, source } from '../../helpers/cloud-services.ts';

async function setUp() {
  const stores = await openStores();
  const { runtime, executor, activations } = await heldRuntime();
  const functions = functionService({ apps: stores.apps, runtime, activations });
  const app = await appService({ apps: stores.apps, runtime }).create('usr_owner', { name: 'shop' });
  return { stores, executor, functions, endpoints: endpointService({ apps: stores.apps }), app };
}

test('an app holds at most 100 functions, and one is still replaced at the limit', async (t) => {
  const { functions, app } = await setUp();
  for (let i = 0; i < MAX_FUNCTIONS_PER_APP; i++) t.true((await functions.put('usr_owner', app.id, `f${i}`, source())).created);
  const refused = await t.throwsAsync(functions.put('usr_owner', app.id, 'f100', source()));
  t.like(refused, { code: 'QUOTA_EXCEEDED', message: 'app "shop" holds at most 100 functions; delete one first' });
  const replaced = await functions.put('usr_owner', app.id, 'f0', source('export default () => 2'));
  t.false(replaced.created);
  t.is(functions.get('usr_owner', app.id, 'f0').code, 'export default () => 2');
  t.is(functions.list('usr_owner', app.id).length, 100);
});

test('putting a function replaces it whole: settings left out go back to their defaults', async (t) => {
  const { functions, app } = await setUp();
  await functions.put('usr_owner', app.id, 'greet', source('export default () => 1', { idempotent: true, public: true, timeoutMs: 2000, memoryMb: 256 }));
  await functions.put('usr_owner', app.id, 'greet', source('export default () => 2'));
  const fn = functions.get('usr_owner', app.id, 'greet');
  t.like(fn, { idempotent: false, public: false });
  t.false('timeoutMs' in fn);
  t.false('memoryMb' in fn);
});

test('a function an endpoint calls is not deleted; the error names the endpoints', async (t) => {
  const { functions, endpoints, app } = await setUp();
  await functions.put('usr_owner', app.id, 'greet', source());
  await endpoints.add('usr_owner', app.id, { method: 'POST', path: '/hello', function: 'greet', public: false });
  await endpoints.add('usr_owner', app.id, { method: 'GET', path: '/hi', function: 'greet', public: true });
  const refused = await t.throwsAsync(functions.remove('usr_owner', app.id, 'greet'));
  t.like(refused, { code: 'INVALID_INPUT' });
  t.regex(refused!.message, /called by the endpoints POST \/hello, GET \/hi/);
  t.is(functions.list('usr_owner', app.id).length, 1);
  await functions.put('usr_owner', app.id, 'spare', source());
  await functions.remove('usr_owner', app.id, 'spare');
  t.like(
    t.throws(() => functions.get('usr_owner', app.id, 'spare')),
    { code: 'FUNCTION_NOT_FOUND', message: 'app "shop" has no function "spare"' },
  );
});

test("a test-invoke runs the owner's function whether the app runs or not, and nobody else's", async (t) => {
  const { functions, executor, app } = await setUp();
  await functions.put('usr_owner', app.id, 'greet', source());
  t.like(await functions.invoke('usr_owner', app.id, 'greet', { input: 'Ada' }), { response: { ok: true, output: 'greet' }, inside: true });
  t.like(executor.executed, [{ input: 'Ada' }]);
  t.is((await functions.logs('usr_owner', app.id, 'greet')).length, 1);
  t.like(await t.throwsAsync(functions.invoke('usr_stranger', app.id, 'greet', { input: 'Eve' })), { code: 'APP_NOT_FOUND' });
  t.like(await t.throwsAsync(functions.logs('usr_stranger', app.id, 'greet')), { code: 'APP_NOT_FOUND' });
  t.is(executor.executed.length, 1);
});
