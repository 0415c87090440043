/** The root service without HTTP: local roots for operators only, how many roots an account holds, credentials sealed to their root, and the courier serving each. */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { secretBox } from '../../../cloud/secret-box.ts';
import { FleetRegistry } from '../../../cloud/services/fleet.ts';
import { MAX_ROOTS_PER_USER, rootService } from '../../../cloud/services/roots.ts';
import { openStores } from '../../helpers/cloud-services.ts';

const user = { id: 'usr_a' };
const operator = { id: 'usr_op', role: 'operator' as const };
const dropbox = (path = '/edge') => ({ kind: 'dropbox' as const, path, credentials: { DROPBOX_REFRESH_TOKEN: 'refresh-secret', DROPBOX_APP_KEY: 'key' } });

async function setUp() {
  const stores = await openStores();
  const box = secretBox(randomBytes(32));
  const fleet = new FleetRegistry({ roots: stores.roots, couriers: stores.couriers, box, leaseMs: 60_000 });
  // The folder apps each deleted root had withdrawn, as owner and root (the real withdrawal: test/courier/fleet-doors.test.ts).
  const withdrawn: string[] = [];
  const folderApps = { withdrawRoot: async (ownerId: string, rootId: string) => (withdrawn.push(`${ownerId} ${rootId}`), []) };
  return { stores, box, fleet, withdrawn, roots: rootService({ roots: stores.roots, fleet, secrets: box, folderApps }) };
}

test("only operators register local roots: their paths are on the couriers' hosts", async (t) => {
  const { roots } = await setUp();
  t.like(await t.throwsAsync(roots.create(user, { kind: 'local', path: '/srv/edge' })), {
    code: 'FORBIDDEN',
    message: 'only operators may register local roots; link a Dropbox or OneDrive folder instead',
  });
  t.deepEqual(roots.list(user.id), []);
  t.like((await roots.create(operator, { kind: 'local', path: '/srv/edge' })).root, { kind: 'local', credentials: null, ownerId: 'usr_op' });
});

test('an account holds at most 100 roots, and another account counts its own', async (t) => {
  const { roots } = await setUp();
  for (let i = 0; i < MAX_ROOTS_PER_USER; i++) await roots.create(user, dropbox(`/edge-${i}`));
  t.like(await t.throwsAsync(roots.create(user, dropbox())), { code: 'QUOTA_EXCEEDED', message: 'an account holds at most 100 roots; delete one first' });
  t.truthy(await roots.create({ id: 'usr_b' }, dropbox()));
});

test('credentials are stored sealed to their root, and come out only for the courier that holds it', async (t) => {
  const { roots, stores, box, fleet } = await setUp();
  const { root, courier } = await roots.create(user, dropbox());
  t.is(courier, undefined);
  t.notRegex(root.credentials!, /refresh-secret/);
  t.notRegex(JSON.stringify(stores.db.data), /refresh-secret/);
  t.deepEqual(JSON.parse(box.open(root.credentials!, root.id)), dropbox().credentials);
  t.throws(() => box.open(root.credentials!, 'root_other'));
  const registered = await fleet.register('courier-1');
  const [assignment] = await fleet.heartbeat(registered.id, []);
  t.like(assignment, { rootId: root.id, credentials: dropbox().credentials });
  t.like(roots.list(user.id), [{ root: { id: root.id }, courier: { id: registered.id, name: 'courier-1' } }]);
});

test("another user's root is not found when deleted, and stays with its apps; its owner's delete withdraws them", async (t) => {
  const { roots, withdrawn } = await setUp();
  const { root } = await roots.create(user, dropbox());
  t.like(await t.throwsAsync(roots.remove('usr_b', root.id)), { code: 'NOT_FOUND', message: `no root ${root.id} of yours` });
  t.is(roots.list(user.id).length, 1);
  t.deepEqual(withdrawn, []);
  await roots.remove(user.id, root.id);
  t.deepEqual(roots.list(user.id), []);
  t.deepEqual(withdrawn, [`${user.id} ${root.id}`]);
});
