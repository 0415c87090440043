/** The grant service without HTTP: how many grants an app holds, and a grant changed in place. */
import test from 'ava';
import { appService } from '../../../cloud/services/apps.ts';
import { grantService, MAX_GRANTS_PER_APP } from '../../../cloud/services/grants.ts';
import { heldRuntime, openStores } from '../../helpers/cloud-services.ts';

async function setUp() {
  const stores = await openStores();
  const { runtime } = await heldRuntime();
  const app = await appService({ apps: stores.apps, runtime }).create('usr_owner', { name: 'shop' });
  return { stores, app, grants: grantService({ apps: stores.apps, users: stores.users }) };
}

test('an app holds at most 100 grants to accounts; changing one of them, and granting everyone, are still allowed at the limit', async (t) => {
  const { stores, app, grants } = await setUp();
  const users = [];
  for (let i = 0; i <= MAX_GRANTS_PER_APP; i++) users.push(await stores.users.create(`user-${i}@example.com`, 'not a real hash'));
  for (const user of users.slice(0, MAX_GRANTS_PER_APP)) await grants.set('usr_owner', app.id, user.email, 'READ');
  t.like(await t.throwsAsync(grants.set('usr_owner', app.id, users.at(-1)!.email, 'READ')), {
    code: 'QUOTA_EXCEEDED',
    message: 'app "shop" holds at most 100 grants to accounts; revoke one first, or grant everyone',
  });
  t.like(await grants.set('usr_owner', app.id, users[0]!.email, 'RUN'), { created: false, grant: { access: 'RUN' } });
  t.like(await grants.set('usr_owner', app.id, '*', 'READ'), { created: true });
  t.is(grants.list('usr_owner', app.id).length, MAX_GRANTS_PER_APP + 1);
});

test('a grant changed keeps when it was made, and says when it changed', async (t) => {
  const { stores, app } = await setUp();
  let now = Date.parse('2030-01-01T00:00:00Z');
  const grants = grantService({ apps: stores.apps, users: stores.users, now: () => now });
  await stores.users.create('ada@example.com', 'not a real hash');
  const first = await grants.set('usr_owner', app.id, 'Ada@Example.com', 'READ');
  now += 60_000;
  const second = await grants.set('usr_owner', app.id, 'ada@example.com', 'WRITE');
  t.deepEqual(first, {
    created: true,
    grant: { grantee: 'ada@example.com', access: 'READ', createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z' },
  });
  t.deepEqual(second.grant, { grantee: 'ada@example.com', access: 'WRITE', createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:01:00.000Z' });
});
