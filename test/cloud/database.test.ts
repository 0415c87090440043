/** The cloud's database on disk: function code and app files kept apart from the JSON file and across restarts, older files and folders moved over, a full database refused without harm. */
import test from 'ava';
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openDb } from '../../cloud/db.ts';
import type { AppRecord } from '../../cloud/data.ts';
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

test('a change that would grow the database past its limit is refused with STORAGE_FULL, and the file keeps its last saved state', async (t) => {
  const dir = await tempFolder('ec-full-db');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'cloud.json');
  const db = await openDb(file, { maxBytes: 4096 });
  const app = (n: number): AppRecord => ({
    id: `app_${String(n).padStart(16, '0')}`,
    ownerId: 'user_1',
    name: `app${n}`,
    description: 'd'.repeat(500),
    packageJson: null,
    status: 'stopped',
    functions: [],
    files: [],
    endpoints: [],
    createdAt: '2026-12-06T00:00:00.000Z',
    updatedAt: '2026-12-06T00:00:00.000Z',
  });
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
