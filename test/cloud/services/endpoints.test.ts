/** The endpoint service without HTTP: how many endpoints an app holds, one per method and path, each calling a function the app has. */
import test from 'ava';
import { appService } from '../../../cloud/services/apps.ts';
import { endpointService, MAX_ENDPOINTS_PER_APP } from '../../../cloud/services/endpoints.ts';
import { functionService } from '../../../cloud/services/functions.ts';
import { heldRuntime, openStores, source } from '../../helpers/cloud-services.ts';

async function setUp() {
  const stores = await openStores();
  const { runtime, activations } = await heldRuntime();
  const app = await appService({ apps: stores.apps, runtime }).create('usr_owner', { name: 'shop' });
  const functions = functionService({ apps: stores.apps, runtime, activations });
  await functions.put('usr_owner', app.id, 'greet', source());
  await functions.put('usr_owner', app.id, 'order', source());
  return { endpoints: endpointService({ apps: stores.apps }), app };
}

const post = (path: string, fn = 'greet') => ({ method: 'POST' as const, path, function: fn, public: false });

test('an app holds at most 100 endpoints', async (t) => {
  const { endpoints, app } = await setUp();
  for (let i = 0; i < MAX_ENDPOINTS_PER_APP; i++) await endpoints.add('usr_owner', app.id, post(`/e${i}`));
  const refused = await t.throwsAsync(endpoints.add('usr_owner', app.id, post('/e100')));
  t.like(refused, { code: 'QUOTA_EXCEEDED', message: 'app "shop" holds at most 100 endpoints; delete one first' });
  t.is(endpoints.list('usr_owner', app.id).length, 100);
});

test('a method and path belong to one endpoint: taken when adding and changing, free to the endpoint itself', async (t) => {
  const { endpoints, app } = await setUp();
  const { endpoint: hello } = await endpoints.add('usr_owner', app.id, post('/hello'));
  t.like(await t.throwsAsync(endpoints.add('usr_owner', app.id, post('/hello', 'order'))), {
    code: 'ENDPOINT_TAKEN',
    message: 'app "shop" already has an endpoint POST /hello',
  });
  const { endpoint: other } = await endpoints.add('usr_owner', app.id, { ...post('/hello'), method: 'GET' });
  t.like(await t.throwsAsync(endpoints.update('usr_owner', app.id, other.id, { method: 'POST' })), { code: 'ENDPOINT_TAKEN' });
  t.is(endpoints.list('usr_owner', app.id).find(({ endpoint }) => endpoint.id === other.id)?.endpoint.method, 'GET', 'a refused change changes nothing');
  t.like((await endpoints.update('usr_owner', app.id, hello.id, { function: 'order' })).endpoint, { method: 'POST', path: '/hello', function: 'order' });
});

test('an endpoint calls a function the app has, when added and when changed', async (t) => {
  const { endpoints, app } = await setUp();
  t.like(await t.throwsAsync(endpoints.add('usr_owner', app.id, post('/pay', 'pay'))), {
    code: 'FUNCTION_NOT_FOUND',
    message: 'app "shop" has no function "pay"',
  });
  const { endpoint } = await endpoints.add('usr_owner', app.id, post('/pay'));
  t.like(await t.throwsAsync(endpoints.update('usr_owner', app.id, endpoint.id, { function: 'pay' })), { code: 'FUNCTION_NOT_FOUND' });
  t.is(endpoints.list('usr_owner', app.id)[0]?.endpoint.function, 'greet');
});

test("another owner's app and a missing endpoint are not found", async (t) => {
  const { endpoints, app } = await setUp();
  t.like(await t.throwsAsync(endpoints.add('usr_stranger', app.id, post('/mine'))), { code: 'APP_NOT_FOUND' });
  t.like(await t.throwsAsync(endpoints.remove('usr_owner', app.id, 'ep_missing')), {
    code: 'ENDPOINT_NOT_FOUND',
    message: 'app "shop" has no endpoint ep_missing',
  });
  const { endpoint } = await endpoints.add('usr_owner', app.id, post('/hello'));
  await endpoints.remove('usr_owner', app.id, endpoint.id);
  t.deepEqual(endpoints.list('usr_owner', app.id), []);
});
