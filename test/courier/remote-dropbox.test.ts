/** A courier serving a Dropbox folder through the real SDK and the loopback emulator: requests in, results uploaded back. */
import test from 'ava';
import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier, type RunningCourier } from '../../courier/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { DropboxBackend } from '../../sync/dropbox/dropbox-backend.ts';
import { DropboxEmulator, dropboxEmulatorFetch } from '../emulators/dropbox-emulator.ts';
import { fixturesDir } from '../helpers/runtime.ts';
import { tempFolder } from '../helpers/temp.ts';
import { until } from '../helpers/wait.ts';

const accessToken = 'sl.remote-courier-test-token';
let emulator: DropboxEmulator;
let executor: ExecutorBundle;
let state: string;

async function uploadFixtureApp(name: string): Promise<void> {
  const dir = join(fixturesDir, 'apps', name);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    emulator.putFile(`/edge/${name}/${path.slice(dir.length + 1)}`, await readFile(path));
  }
}

async function startRemoteCourier(): Promise<RunningCourier> {
  const backend = new DropboxBackend({
    rootPath: '/edge',
    accessToken,
    fetch: dropboxEmulatorFetch(emulator.url),
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    singleUploadLimitBytes: 1024 * 1024,
  });
  return startCourier({ remote: { backend, name: 'dropbox:/edge' }, stateDir: state, settleMs: 200, executor, logger: pino({ level: 'silent' }) });
}

async function remoteResult(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const content = emulator.getFile(`/edge/basic/results/${id}.json`);
    if (content) return JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`no result for ${id} on the remote after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test.before(async () => {
  emulator = await DropboxEmulator.start({ accessToken });
  state = await tempFolder('ec-remote-state');
  executor = await createExecutor({ cacheDir: join(state, 'cache'), prestart: 1 });
  await uploadFixtureApp('basic');
});

test.after.always(async () => {
  await executor?.executor.close();
  await emulator?.close();
});

test.serial('a request uploaded to the remote folder gets its result uploaded back; an edited function is picked up', async (t) => {
  const courier = await startRemoteCourier();
  try {
    emulator.putFile('/edge/basic/requests/r1.json', JSON.stringify({ function: 'greet', input: { name: 'remote' } }));
    t.like(await remoteResult('r1'), { ok: true, output: { message: 'hello REMOTE' } });
    emulator.putFile('/edge/basic/functions/slow.js', 'export default (input) => ({ remote: input });\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    emulator.putFile('/edge/basic/requests/r2.json', JSON.stringify({ function: 'slow', input: 7 }));
    t.like(await remoteResult('r2'), { ok: true, output: { remote: 7 } });
  } finally {
    await courier.stop();
  }
});

test.serial('a restarted courier resumes from its cursor, and an expired cursor resyncs without running finished requests again', async (t) => {
  const before = emulator.node('/edge/basic/results/r1.json');
  emulator.putFile('/edge/basic/requests/r3.json', JSON.stringify({ function: 'upper', input: { text: 'while down' } }));
  emulator.expireCursors();
  const courier = await startRemoteCourier();
  try {
    t.like(await remoteResult('r3'), { ok: true, output: 'WHILE DOWN' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = emulator.node('/edge/basic/results/r1.json');
    t.is(after?.kind === 'file' ? after.rev : '', before?.kind === 'file' ? before.rev : 'missing', 'r1 must not have been run and uploaded again');
  } finally {
    await courier.stop();
  }
});

test.serial('an app uploaded to the remote folder gets its requests and results folders there', async (t) => {
  const courier = await startRemoteCourier();
  try {
    emulator.putFile('/edge/fresh/functions/hi.js', 'export default () => "hi";\n');
    const made = () => emulator.node('/edge/fresh/requests')?.kind === 'folder' && emulator.node('/edge/fresh/results')?.kind === 'folder';
    await t.notThrowsAsync(until('fresh has its folders on the remote', made));
  } finally {
    await courier.stop();
  }
});

test.serial('a large result goes up through an upload session (above 1 MiB here)', async (t) => {
  const courier = await startRemoteCourier();
  try {
    const sessions = emulator.uploadSessions;
    emulator.putFile('/edge/basic/requests/big.json', JSON.stringify({ function: 'big', input: { kb: 5000 } }));
    const result = await remoteResult('big', 60_000);
    t.is((result.output as string).length, 5000 * 1024);
    t.true(emulator.uploadSessions > sessions);
  } finally {
    await courier.stop();
  }
});

test.serial('a request re-created with the same content after its app folder was deleted remotely gets a result again', async (t) => {
  const courier = await startRemoteCourier();
  try {
    const request = JSON.stringify({ function: 'upper', input: { text: 'twice' } });
    emulator.putFile('/edge/basic/requests/again.json', request);
    t.like(await remoteResult('again'), { ok: true, output: 'TWICE' });
    emulator.deleteFile('/edge/basic');
    const deadline = Date.now() + 10_000;
    while (
      await access(join(courier.root, 'basic')).then(
        () => true,
        () => false,
      )
    ) {
      if (Date.now() > deadline) throw new Error('the local copy of the deleted app folder is still there');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // As a person would, re-create it after the watcher has reported the removal (it lags by about 100 ms).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await uploadFixtureApp('basic');
    emulator.putFile('/edge/basic/requests/again.json', request);
    t.like(await remoteResult('again'), { ok: true, output: 'TWICE' });
  } finally {
    await courier.stop();
  }
});
