/** The app service without HTTP: how many apps an account holds, names unique per owner, strangers answered at once, and starts, stops and deletes in turn. */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { appService, MAX_APPS_PER_USER } from '../../../cloud/services/apps.ts';
import { functionService } from '../../../cloud/services/functions.ts';
import { heldRuntime, openStores, source } from '../../helpers/cloud-services.ts';

async function setUp() {
  const stores = await openStores();
  const { runtime, executor, activations } = await heldRuntime();
  const apps = appService({ apps: stores.apps, runtime });
  /** An app of `ownerId` with one function, so that it can start. */
  const newApp = async (ownerId = 'usr_owner', name = `app-${Math.random().toString(36).slice(2, 10)}`) => {
    const app = await apps.create(ownerId, { name });
    await functionService({ apps: stores.apps, runtime, activations }).put(ownerId, app.id, 'one', source());
    return app;
  };
  return { stores, executor, apps, newApp };
}

/** Whether `promise` has settled by the next turn of the event loop: a step that waits its turn has not. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await nextTurn();
  return settled;
}

test('an account holds at most 100 apps, and another account counts its own', async (t) => {
  const { apps } = await setUp();
  for (let i = 0; i < MAX_APPS_PER_USER; i++) await apps.create('usr_full', { name: `app-${i}` });
  const refused = await t.throwsAsync(apps.create('usr_full', { name: 'one-more' }));
  t.like(refused, { code: 'QUOTA_EXCEEDED', message: 'an account holds at most 100 apps; delete one first' });
  t.is(apps.list('usr_full').length, 100);
  t.like(await apps.create('usr_other', { name: 'one-more' }), { ownerId: 'usr_other', name: 'one-more', status: 'stopped' });
});

test('app names are unique per owner: taken when creating and renaming, free for another owner and for the app itself', async (t) => {
  const { apps } = await setUp();
  const shop = await apps.create('usr_a', { name: 'shop' });
  const blog = await apps.create('usr_a', { name: 'blog' });
  t.like(await t.throwsAsync(apps.create('usr_a', { name: 'shop' })), { code: 'APP_NAME_TAKEN', message: 'you already have an app named "shop"' });
  t.like(await t.throwsAsync(apps.update('usr_a', blog.id, { name: 'shop' })), { code: 'APP_NAME_TAKEN' });
  t.is(apps.get('usr_a', blog.id).name, 'blog', 'a refused rename changes nothing');
  t.like(await apps.update('usr_a', shop.id, { name: 'shop', description: 'the same name' }), { name: 'shop', description: 'the same name' });
  t.like(await apps.create('usr_b', { name: 'shop' }), { name: 'shop', ownerId: 'usr_b' });
});

test('a package.json naming anything but registry packages is refused before the app is stored or changed', async (t) => {
  const { apps } = await setUp();
  const fromGit = JSON.stringify({ dependencies: { x: 'git+https://example.com/x.git' } });
  t.like(await t.throwsAsync(apps.create('usr_a', { name: 'deps', packageJson: fromGit })), { code: 'DEPENDENCY_NOT_ALLOWED' });
  t.deepEqual(apps.list('usr_a'), []);
  const app = await apps.create('usr_a', { name: 'deps' });
  t.like(await t.throwsAsync(apps.update('usr_a', app.id, { packageJson: fromGit })), { code: 'DEPENDENCY_NOT_ALLOWED' });
  t.is(apps.get('usr_a', app.id).packageJson, null);
});

test("another owner's app is not found, and a start or delete of it answers at once instead of queueing behind the owner's", async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp('usr_owner');
  t.like(
    t.throws(() => apps.get('usr_stranger', app.id)),
    { code: 'APP_NOT_FOUND', message: `no app ${app.id} of yours` },
  );
  t.like(await t.throwsAsync(apps.update('usr_stranger', app.id, { name: 'mine' })), { code: 'APP_NOT_FOUND' });
  const hold = executor.holdNext('warm');
  const ownersStart = apps.start('usr_owner', app.id);
  await hold.reached;
  const strangersStart = apps.start('usr_stranger', app.id);
  const strangersDelete = apps.remove('usr_stranger', app.id);
  t.true(await settledSoon(strangersStart), "the stranger's start waits for nothing");
  t.true(await settledSoon(strangersDelete), "the stranger's delete waits for nothing");
  t.like(await t.throwsAsync(strangersStart), { code: 'APP_NOT_FOUND' });
  t.like(await t.throwsAsync(strangersDelete), { code: 'APP_NOT_FOUND' });
  hold.letGo();
  t.like(await ownersStart, { status: 'running' });
});

test('a start that fails leaves the app stopped, in memory and in the file', async (t) => {
  const { apps, executor, stores, newApp } = await setUp();
  const app = await newApp();
  executor.failNext('warm', new Error('the sandbox did not come up'));
  await t.throwsAsync(apps.start('usr_owner', app.id), { message: 'the sandbox did not come up' });
  t.is(apps.get('usr_owner', app.id).status, 'stopped');
  await stores.db.read();
  t.is(stores.apps.byId(app.id)?.status, 'stopped');
});

test('a stop asked during a slow start waits for it, and the app ends stopped with nothing warm', async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp();
  const hold = executor.holdNext('warm');
  const started = apps.start('usr_owner', app.id);
  await hold.reached;
  const stopped = apps.stop('usr_owner', app.id);
  t.false(await settledSoon(stopped), 'the stop waits for the start');
  hold.letGo();
  t.like(await started, { status: 'running' });
  t.like(await stopped, { status: 'stopped' });
  t.is(apps.get('usr_owner', app.id).status, 'stopped');
  t.deepEqual([...executor.warmDirs], []);
});

test('a delete asked during a slow start waits for it and releases what the start warmed', async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp();
  const hold = executor.holdNext('warm');
  const started = apps.start('usr_owner', app.id);
  await hold.reached;
  const deleted = apps.remove('usr_owner', app.id);
  t.false(await settledSoon(deleted), 'the delete waits for the start');
  hold.letGo();
  await started;
  await deleted;
  t.like(
    t.throws(() => apps.get('usr_owner', app.id)),
    { code: 'APP_NOT_FOUND' },
  );
  t.deepEqual([...executor.warmDirs], []);
});

test('a start asked during a delete finds the app gone and warms nothing', async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp();
  const hold = executor.holdNext('release');
  const deleted = apps.remove('usr_owner', app.id);
  await hold.reached;
  const started = apps.start('usr_owner', app.id);
  hold.letGo();
  await deleted;
  t.like(await t.throwsAsync(started), { code: 'APP_NOT_FOUND' });
  t.deepEqual([...executor.warmDirs], []);
});

test('a start tells its step: waiting behind an earlier stop, then warming sandboxes, and nothing once it is done', async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp();
  t.is(apps.startOf(app.id), undefined);
  const release = executor.holdNext('release');
  const stopped = apps.stop('usr_owner', app.id);
  await release.reached;
  const warm = executor.holdNext('warm');
  const started = apps.start('usr_owner', app.id);
  t.like(apps.startOf(app.id), { phase: 'waiting for an earlier change' });
  release.letGo();
  await stopped;
  await warm.reached;
  const warming = apps.startOf(app.id);
  t.like(warming, { phase: 'warming sandboxes' });
  t.true(warming!.since >= warming!.startedAt);
  warm.letGo();
  t.like(await started, { status: 'running' });
  t.is(apps.startOf(app.id), undefined);
});

test('a start that fails tells no step afterwards', async (t) => {
  const { apps, executor, newApp } = await setUp();
  const app = await newApp();
  executor.failNext('warm', new Error('the sandbox did not come up'));
  await t.throwsAsync(apps.start('usr_owner', app.id));
  t.is(apps.startOf(app.id), undefined);
});
