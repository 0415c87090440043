/** A courier serving a OneDrive folder through the real Microsoft Graph client and the loopback HTTPS emulator. */
import test from 'ava';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { OneDriveBackend } from '../../sync/onedrive/onedrive-backend.ts';
import { GraphEmulator } from '../emulators/graph-emulator.ts';
import { createTestCertificate, trustCertificate } from '../emulators/test-certificate.ts';
import { fixturesDir } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

const certificate = createTestCertificate();
let emulator: GraphEmulator;
let executor: ExecutorBundle;
let state: string;

function startRemoteCourier(): Promise<RunningCourier> {
  const backend = new OneDriveBackend({
    rootPath: '/edge',
    tokenProvider: () => Promise.resolve(emulator.accessToken),
    baseUrl: emulator.baseUrl,
    customHosts: emulator.customHosts,
    pollIntervalMs: 200,
  });
  return startCourier({ remote: { backend, name: 'onedrive:/edge' }, stateDir: state, settleMs: 200, executor, logger: pino({ level: 'silent' }) });
}

async function remoteResult(id: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const content = emulator.getFile(`edge/basic/results/${id}.json`);
    if (content) return JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no result for ${id} on the remote`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.before(async () => {
  trustCertificate(certificate.cert);
  emulator = await GraphEmulator.start({ certificate });
  state = await tempFolder('ec-onedrive-state');
  executor = await createExecutor({ cacheDir: join(state, 'cache'), prestart: 1 });
  const app = join(fixturesDir, 'apps', 'basic');
  for (const entry of await readdir(app, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      emulator.putFile(`edge/basic/${join(entry.parentPath, entry.name).slice(app.length + 1)}`, await readFile(join(entry.parentPath, entry.name)));
  }
});

test.after.always(async () => {
  await executor?.executor.close();
  await emulator?.close();
  await rm(dirname(certificate.certPath), { recursive: true, force: true });
});

test.serial('a request put into the OneDrive folder gets its result uploaded back', async (t) => {
  const courier = await startRemoteCourier();
  try {
    emulator.putFile('edge/basic/requests/o1.json', JSON.stringify({ function: 'greet', input: { name: 'onedrive' } }));
    t.like(await remoteResult('o1'), { ok: true, output: { message: 'hello ONEDRIVE' } });
  } finally {
    await courier.stop();
  }
});

test.serial('an app put into the OneDrive folder gets its requests and results folders there', async (t) => {
  const courier = await startRemoteCourier();
  try {
    emulator.putFile('edge/fresh/functions/hi.js', 'export default () => "hi";\n');
    const made = (app: string) => emulator.kindAt(`edge/${app}/requests`) === 'folder' && emulator.kindAt(`edge/${app}/results`) === 'folder';
    await t.notThrowsAsync(until('fresh has its folders on the remote', () => made('fresh')));
  } finally {
    await courier.stop();
  }
});

test.serial('after a restart (a full listing) finished requests do not run again, and new ones do', async (t) => {
  const before = emulator.getFile('edge/basic/results/o1.json')?.toString('utf8');
  emulator.putFile('edge/basic/requests/o2.json', JSON.stringify({ function: 'upper', input: { text: 'later' } }));
  const courier = await startRemoteCourier();
  try {
    t.like(await remoteResult('o2'), { ok: true, output: 'LATER' });
    t.is(emulator.getFile('edge/basic/results/o1.json')?.toString('utf8'), before);
  } finally {
    await courier.stop();
  }
});
