/** The AppRuntime on its own: app records written out as folders, loaded once per content, and never seen half written. */
import test from 'ava';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import { ActivationStore } from '../../cloud/activations/store.ts';
import { AppRuntime } from '../../cloud/app-runtime.ts';
import { BlobStore } from '../../cloud/blob-store.ts';
import { secretBox } from '../../cloud/secret-box.ts';
import type { AppRecord, FunctionRecord } from '../../cloud/data.ts';
import { startRuntime, type TestRuntime } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';

let local: TestRuntime;

test.before(async () => {
  local = await startRuntime({ local: true });
});

test.after.always(async () => {
  await local?.executor.close();
});

async function appRuntime(): Promise<{ runtime: AppRuntime; appsDir: string; blobs: BlobStore; activations: ActivationStore }> {
  const base = await tempFolder('ec-apps');
  const appsDir = join(base, 'apps');
  const blobs = new BlobStore(join(base, 'blobs'));
  const activations = await ActivationStore.open({ dir: join(base, 'activations') });
  return {
    runtime: new AppRuntime({
      appsDir,
      blobs,
      executor: local.executor,
      installer: local.installer,
      secrets: secretBox(randomBytes(32)),
      activations,
      logger: pino({ level: 'silent' }),
    }),
    appsDir,
    blobs,
    activations,
  };
}

const fn = (name: string, code: string): FunctionRecord => ({
  name,
  code,
  language: 'js',
  idempotent: false,
  public: false,
  updatedAt: new Date().toISOString(),
});

function record(functions: FunctionRecord[]): AppRecord {
  const now = new Date().toISOString();
  return {
    id: 'app_00000000000000aa',
    ownerId: 'user_1',
    name: 'unit',
    description: '',
    packageJson: null,
    status: 'stopped',
    functions,
    files: [],
    endpoints: [],
    createdAt: now,
    updatedAt: now,
  };
}

test('an unchanged app is loaded once, and a change of content loads it again even within the same millisecond', async (t) => {
  const { runtime } = await appRuntime();
  const app = record([fn('one', 'export default () => 1')]);
  const first = await runtime.load(app);
  t.is(await runtime.load(app), first);
  app.functions = [fn('one', 'export default () => 2')];
  app.updatedAt = app.createdAt;
  const second = await runtime.load(app);
  t.not(second, first);
  t.not(second.functions.get('one')!.version, first.functions.get('one')!.version);
});

test('loads racing with edits each see a whole app, and the last edit wins', async (t) => {
  const { runtime } = await appRuntime();
  const app = record([]);
  const loads = [];
  for (let version = 1; version <= 20; version++) {
    app.functions = Array.from({ length: 5 }, (_, i) => fn(`f${i}`, `export default () => ${version}`));
    loads.push(runtime.load(app));
  }
  for (const loaded of await Promise.all(loads)) t.is(loaded.functions.size, 5);
  const response = await runtime.invoke(app, 'f3', {});
  t.like(response, { ok: true, output: 20 });
});

test("an app's files are written into its folder with their bytes, and a changed file loads the app again", async (t) => {
  const { runtime, appsDir, blobs } = await appRuntime();
  const holder = blobs.holder();
  t.teardown(() => holder.release());
  const app = record([fn('one', 'export default () => 1')]);
  const first = await holder.put(Buffer.from([0, 1, 2, 255]));
  app.files = [{ path: 'assets/data.bin', ...first }];
  const loaded = await runtime.load(app);
  t.deepEqual(await readFile(join(appsDir, app.id, 'assets/data.bin')), Buffer.from([0, 1, 2, 255]));
  t.is(await runtime.load({ ...app, files: [{ path: 'assets/data.bin', ...first }] }), loaded, 'the same bytes are the same app');
  const second = await holder.put('changed');
  app.files = [{ path: 'assets/data.bin', ...second }];
  t.not(await runtime.load(app), loaded);
  t.is(await readFile(join(appsDir, app.id, 'assets/data.bin'), 'utf8'), 'changed');
});

test('forgetting an app removes its folder', async (t) => {
  const { runtime, appsDir } = await appRuntime();
  const app = record([fn('one', 'export default () => { console.log("hi"); return 1; }')]);
  await runtime.invoke(app, 'one', {});
  t.true((await stat(join(appsDir, app.id))).isDirectory());
  await runtime.forget(app);
  t.deepEqual(await readdir(appsDir), []);
});

test('every invocation leaves an activation record under the id its response carries, with its console output, newest first', async (t) => {
  const { runtime, activations } = await appRuntime();
  const app = record([fn('count', 'export default (n) => { console.log(String(n)); return n; }')]);
  const ids = [];
  for (let n = 0; n < 3; n++) ids.push((await runtime.invoke(app, 'count', { input: n }, { trigger: 'endpoint', callerId: undefined })).activationId);
  const listed = await activations.list(app.ownerId, app.id, { function: 'count', limit: 50 });
  t.deepEqual(
    listed.map((activation) => activation.id),
    ids.reverse(),
  );
  t.like(listed[0], { function: 'count', trigger: 'endpoint', caller: 'anonymous', outcome: 'ok', served: 'executed', logs: [{ level: 'log', message: '2' }] });
});

test('restoring warms the apps it can and only logs the ones it cannot', async (t) => {
  const { runtime } = await appRuntime();
  const good = record([fn('one', 'export default () => 1')]);
  const broken = { ...record([fn('one', 'export default () => 1')]), id: 'app_00000000000000bb', packageJson: '{"dependencies":{"x":"file:../elsewhere"}}' };
  await t.notThrowsAsync(runtime.restore([good, broken]));
  t.like(await runtime.invoke(good, 'one', {}), { ok: true, output: 1, stats: { executed: 1 } });
});
