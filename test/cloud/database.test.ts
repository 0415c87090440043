/**
 * The cloud's database on disk: function code and app files kept apart from the JSON file and across restarts, older
 * files and folders moved over, a full database refused without harm: the refused change, and any made beside it, is
 * dropped from memory too, so later changes that fit are saved.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDb } from '../../cloud/db.ts';
import type { AppRecord, UserRecord } from '../../cloud/data.ts';
import { appStore } from '../../cloud/stores/apps.ts';
import { EdgeError } from '../../base/errors.ts';
import { api, startTestCloud } from '../helpers/cloud.ts';
import { makeApp, newUser, sha256 } from '../helpers/cloud-apps.ts';
import { tempFolder } from '../helpers/temp.ts';

/** Code of about `kb` KiB that no other call of this makes. */
const bigCode = (label: string, kb: number) => `// ${label}\nexport default () => ${JSON.stringify('x'.repeat(kb * 1024))}.length;\n`;

test('8 MB of function code stays out of the database file, and every byte of it is there after a restart', async (t) => {
  const first = await startTestCloud({ smtp: false });
  const token = await newUser(first.url);
  const functions = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`big${i}`, { code: bigCode(`big${i}`, 900) }]));
  const app = await makeApp(first.url, token, functions);
  const databaseBytes = (await stat(join(first.dataDir, 'cloud.json'))).size;
  t.true(databaseBytes < 64 * 1024, `cloud.json is ${databaseBytes} bytes`);
  await first.close();

  const second = await startTestCloud({ smtp: false, dataDir: first.dataDir });
  t.teardown(() => second.close());
  for (const [name, { code }] of Object.entries(functions)) {
    const got = await api(second.url, 'GET', `/api/v1/apps/${app.id}/functions/${name}`, undefined, token);
    t.is(got.body.code, code, name);
  }
  // A function replaced or deleted: its code stays while a version of the app names it; then the whole app, and its
  // versions with it: the code files go with what named them.
  t.is((await api(second.url, 'PUT', `/api/v1/apps/${app.id}/functions/big0`, { code: 'export default () => 0;\n' }, token)).status, 200);
  t.is((await api(second.url, 'DELETE', `/api/v1/apps/${app.id}/functions/big1`, undefined, token)).status, 204);
  const kept = await readdir(join(first.dataDir, 'blobs'));
  for (const name of ['big0', 'big1']) t.true(kept.includes(sha256(functions[name]!.code)), `${name}'s old code is kept for the versions naming it`);
  t.is((await api(second.url, 'DELETE', `/api/v1/apps/${app.id}`, undefined, token)).status, 204);
  t.deepEqual(await readdir(join(first.dataDir, 'blobs')), []);
});

test('a database file from before code was kept apart is read as it is, and its code moves out at the next change', async (t) => {
  const dataDir = join(await tempFolder('ec-old-db'), 'data');
  const seeded = await startTestCloud({ smtp: false, dataDir });
  const token = await newUser(seeded.url);
  const app = await makeApp(seeded.url, token, { hello: { code: 'export default () => "hello";\n' } });
  await seeded.close();
  // The file as an earlier version wrote it: the code inline, no code folder.
  const data = JSON.parse(await readFile(join(dataDir, 'cloud.json'), 'utf8'));
  const { codeHash, ...fn } = data.apps[0].functions[0];
  t.regex(codeHash, /^[0-9a-f]{64}$/);
  data.apps[0].functions[0] = { ...fn, code: 'export default () => "from an old file";\n' };
  await writeFile(join(dataDir, 'cloud.json'), JSON.stringify(data, null, 2));

  const cloud = await startTestCloud({ smtp: false, dataDir });
  t.teardown(() => cloud.close());
  t.is((await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/functions/hello`, undefined, token)).body.code, 'export default () => "from an old file";\n');
  t.is((await api(cloud.url, 'PATCH', `/api/v1/apps/${app.id}`, { description: 'changed' }, token)).status, 200);
  const written = JSON.parse(await readFile(join(dataDir, 'cloud.json'), 'utf8'));
  t.false('code' in written.apps[0].functions[0]);
  t.is(await readFile(join(dataDir, 'blobs', written.apps[0].functions[0].codeHash), 'utf8'), 'export default () => "from an old file";\n');
});

test('a database file from before versions gives each app its first version at start, the app as it was', async (t) => {
  const dataDir = join(await tempFolder('ec-no-versions'), 'data');
  const seeded = await startTestCloud({ smtp: false, dataDir });
  const token = await newUser(seeded.url);
  const app = await makeApp(seeded.url, token, { hello: { code: 'export default () => "hello";\n' } });
  await seeded.close();
  // The file as an earlier version wrote it: no versions, no active one.
  const data = JSON.parse(await readFile(join(dataDir, 'cloud.json'), 'utf8'));
  delete data.versions;
  for (const record of data.apps) delete record.activeVersion;
  await writeFile(join(dataDir, 'cloud.json'), JSON.stringify(data));

  const cloud = await startTestCloud({ smtp: false, dataDir });
  t.teardown(() => cloud.close());
  const get = async (path: string) => (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}${path}`, undefined, token)).body;
  const [first, ...others] = (await get('/versions')).versions;
  t.deepEqual(others, []);
  t.like(first, { active: true, message: 'the app as it was before it had versions' });
  t.is((await get('')).activeVersion, first.id);
  t.deepEqual((await get(`/versions/${first.id}`)).files, (await get('/files')).files);
});

test('a data folder from before app files keeps its code in code/: it moves into blobs/, and every function reads as before', async (t) => {
  const dataDir = join(await tempFolder('ec-code-folder'), 'data');
  const seeded = await startTestCloud({ smtp: false, dataDir });
  const token = await newUser(seeded.url);
  const app = await makeApp(seeded.url, token, { hello: { code: 'export default () => "hello";\n' } });
  await seeded.close();
  // The folder as an earlier version left it: code files under code/, apps without files.
  await rename(join(dataDir, 'blobs'), join(dataDir, 'code'));
  const data = JSON.parse(await readFile(join(dataDir, 'cloud.json'), 'utf8'));
  for (const record of data.apps) delete record.files;
  await writeFile(join(dataDir, 'cloud.json'), JSON.stringify(data));

  const cloud = await startTestCloud({ smtp: false, dataDir });
  t.teardown(() => cloud.close());
  t.is((await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/functions/hello`, undefined, token)).body.code, 'export default () => "hello";\n');
  t.deepEqual(
    (await api(cloud.url, 'GET', `/api/v1/apps/${app.id}/files`, undefined, token)).body.files.map((file: { path: string }) => file.path),
    ['app.json', 'functions/hello.js'],
  );
  await t.throwsAsync(stat(join(dataDir, 'code')), { code: 'ENOENT' });
});

/** A database file of at most `maxBytes` in a fresh folder. */
async function smallDb(maxBytes: number) {
  const dir = await tempFolder('ec-full-db');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'cloud.json');
  return { file, db: await openDb(file, { maxBytes }) };
}

const app = (n: number, descriptionBytes = 500): AppRecord => ({
  id: `app_${String(n).padStart(16, '0')}`,
  ownerId: 'user_1',
  name: `app${n}`,
  description: 'd'.repeat(descriptionBytes),
  packageJson: null,
  status: 'stopped',
  functions: [],
  files: [],
  endpoints: [],
  createdAt: '2026-12-06T00:00:00.000Z',
  updatedAt: '2026-12-06T00:00:00.000Z',
});

const user = (n: number): UserRecord => ({ id: `usr_${n}`, email: `u${n}@example.com`, passwordHash: 'h', createdAt: '2026-12-06T00:00:00.000Z' });

const isFull = (error: unknown) => error instanceof EdgeError && error.code === 'STORAGE_FULL';

test('a change that would grow the database past its limit is refused with STORAGE_FULL, and the file keeps its last saved state', async (t) => {
  const { file, db } = await smallDb(4096);
  let saved = 0;
  const error = await t.throwsAsync(async () => {
    // 100 apps are far past 4096 bytes.
    while (saved < 100) {
      db.data.apps.push(app(saved));
      await db.write();
      saved++;
    }
  });
  t.true(error instanceof EdgeError && error.code === 'STORAGE_FULL', String(error));
  t.regex(error!.message, /not saved.*larger than 4096 bytes/);
  t.true(saved > 0);
  const onDisk = JSON.parse(await readFile(file, 'utf8'));
  t.is(onDisk.apps.length, saved, 'the file holds every change saved before the refused one');
  t.is(db.data.apps.length, saved, 'memory holds what the file holds: the refused app is gone');
  db.data.users.push(user(1));
  await db.write();
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')).users, [user(1)], 'a later change that fits is saved');
});

test('lease renewals and heartbeats, kept in memory only, stay when a refused write puts the file back', async (t) => {
  const { db } = await smallDb(4096);
  const at = (day: number) => `2030-01-0${day}T00:00:00.000Z`;
  db.data.couriers.push({ id: 'cou_1', name: 'c', registeredAt: at(1), lastHeartbeatAt: at(1) });
  db.data.roots.push({
    id: 'root_1',
    ownerId: 'usr_1',
    kind: 'local',
    path: '/r',
    credentials: null,
    createdAt: at(1),
    courierId: 'cou_1',
    leaseExpiresAt: at(1),
  });
  await db.write();
  db.data.roots[0]!.leaseExpiresAt = at(2);
  db.data.couriers[0]!.lastHeartbeatAt = at(2);
  db.data.apps.push(app(1000, 8000));
  await t.throwsAsync(db.write(), { instanceOf: EdgeError, message: /not saved/ });
  t.deepEqual(db.data.apps, []);
  t.is(db.data.roots[0]!.leaseExpiresAt, at(2));
  t.is(db.data.couriers[0]!.lastHeartbeatAt, at(2));
});

test('writes queued behind a refused one carry its change, so they are refused too, even once the refused change is undone in their data', async (t) => {
  const { file, db } = await smallDb(4096);
  const stale = db.data;
  stale.apps.push(app(0, 8000));
  // Undone on the old data as a caller's clean-up does (cloud/services/drafts.ts `commit`), which lets the data
  // queued behind fit: written, it would save changes memory no longer holds.
  const refused = db.write().catch((error: unknown) => {
    stale.apps.pop();
    return error;
  });
  const queued = Array.from({ length: 10 }, (_, n) => {
    stale.users.push(user(n));
    return db.write().then(
      () => 'saved',
      (error: unknown) => (isFull(error) ? 'STORAGE_FULL' : String(error)),
    );
  });
  t.true(isFull(await refused));
  t.deepEqual(await Promise.all(queued), Array(10).fill('STORAGE_FULL'));
  t.deepEqual(db.data.users, [], 'memory holds what the file holds');
  t.deepEqual(db.data.apps, []);
  t.false(existsSync(file), 'nothing was ever written');
  db.data.users.push(user(99));
  await db.write();
  t.deepEqual(JSON.parse(await readFile(file, 'utf8')).users, [user(99)]);
});

test('an app record held while a refused write put the file back is not saved as if it were the app: STORAGE_FULL, and nothing changes', async (t) => {
  const { file, db } = await smallDb(4096);
  const apps = appStore(db);
  await apps.insert(app(1));
  const held = apps.byId(app(1).id)!;
  db.data.users.push({ ...user(1), passwordHash: 'h'.repeat(8000) });
  await t.throwsAsync(db.write(), { instanceOf: EdgeError, message: /not saved/ });
  held.description = 'changed while held';
  await t.throwsAsync(apps.save(held), { instanceOf: EdgeError, message: /went with it; send it again/ });
  t.is(apps.byId(app(1).id)!.description, app(1).description);
  t.is(JSON.parse(await readFile(file, 'utf8')).apps[0].description, app(1).description);
  // And a record deleted meanwhile: no app holds the change.
  const current = apps.byId(app(1).id)!;
  await apps.remove('user_1', current.id);
  await t.throwsAsync(apps.save(current), { instanceOf: EdgeError, message: /was deleted/ });
});

test('over HTTP, one account filling the database is refused, and another account goes on saving its changes, which a restart keeps', async (t) => {
  const maxDatabaseBytes = 16 * 1024;
  const first = await startTestCloud({ smtp: false, maxDatabaseBytes });
  const filler = await newUser(first.url);
  const other = await newUser(first.url);
  const app = (await api(first.url, 'POST', '/api/v1/apps', { name: 'filler' }, filler)).body;
  const packageJson = JSON.stringify({ name: 'filler', description: 'x'.repeat(2 * maxDatabaseBytes) });
  const refused = await api(first.url, 'PATCH', `/api/v1/apps/${app.id}`, { packageJson }, filler);
  t.is(refused.status, 507);
  t.is(refused.body.error.code, 'STORAGE_FULL');
  const unchanged = async (url: string) => (await api(url, 'GET', `/api/v1/apps/${app.id}`, undefined, filler)).body.packageJson === null;
  t.true(await unchanged(first.url), 'the refused change is not shown');

  const made = await api(first.url, 'POST', '/api/v1/tokens', { name: 'laptop' }, other);
  t.is(made.status, 201, made.text);
  t.is((await api(first.url, 'GET', '/api/v1/me', undefined, made.body.token)).status, 200);
  await first.close();

  const second = await startTestCloud({ smtp: false, dataDir: first.dataDir, maxDatabaseBytes });
  t.teardown(() => second.close());
  t.is((await api(second.url, 'GET', '/api/v1/me', undefined, made.body.token)).status, 200, "the other account's token was saved");
  t.true(await unchanged(second.url), 'the refused change was not');
});

test('a second cloud on the same data folder is refused before it reads anything, so the running one loses no blob', async (t) => {
  const first = await startTestCloud({ smtp: false });
  t.teardown(() => first.close());
  await newUser(first.url);
  // A blob the running cloud has written and its JSON does not name yet: a write or an upload in progress.
  const inFlight = join(first.dataDir, 'blobs', 'a'.repeat(64));
  await mkdir(join(first.dataDir, 'blobs'), { recursive: true });
  await writeFile(inFlight, 'export default () => 1;\n');
  await t.throwsAsync(startTestCloud({ smtp: false, dataDir: first.dataDir }), { message: /another cloud is running on/ });
  t.is(await readFile(inFlight, 'utf8'), 'export default () => 1;\n');
});
