/**
 * @module Remote-folder benchmarks: drop-to-result latency of a courier serving an emulated Dropbox
 * folder through the real SDK, and how many API calls each processed request costs.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier } from '../courier/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { DropboxBackend } from '../sync/dropbox/dropbox-backend.ts';
import { DropboxEmulator, dropboxEmulatorFetch } from '../test/emulators/dropbox-emulator.ts';
import { ms, percentile } from './stats.ts';

export interface RemoteBenchDeps {
  executor: ExecutorBundle;
  appDir: string;
  report(line: string): void;
}

const SAMPLES = 50;
const token = 'sl.bench-token';

async function uploadApp(emulator: DropboxEmulator, appDir: string): Promise<void> {
  for (const name of await readdir(join(appDir, 'functions'))) {
    emulator.putFile(`/edge/hello/functions/${name}`, await readFile(join(appDir, 'functions', name)));
  }
  emulator.putFile('/edge/hello/app.json', await readFile(join(appDir, 'app.json')));
}

async function waitForRemote(emulator: DropboxEmulator, path: string): Promise<number> {
  while (!emulator.getFile(path)) await new Promise((resolve) => setTimeout(resolve, 1));
  return performance.now();
}

const totalCalls = (emulator: DropboxEmulator) => Object.values(emulator.calls).reduce((sum, n) => sum + n, 0);

export async function benchRemote(deps: RemoteBenchDeps): Promise<void> {
  const emulator = await DropboxEmulator.start({ accessToken: token });
  const backend = new DropboxBackend({ rootPath: '/edge', accessToken: token, fetch: dropboxEmulatorFetch(emulator.url) });
  await uploadApp(emulator, deps.appDir);
  const courier = await startCourier({ remote: { backend, name: 'dropbox:/bench' }, stateDir: await mkdtemp(join(tmpdir(), 'ec-bench-remote-')), executor: deps.executor, logger: pino({ level: 'silent' }) });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const callsBefore = totalCalls(emulator);
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const started = performance.now();
      emulator.putFile(`/edge/hello/requests/r${i}.json`, JSON.stringify({ function: 'upper', input: { text: `r${i}` } }));
      samples.push((await waitForRemote(emulator, `/edge/hello/results/r${i}.json`)) - started);
    }
    const perRequest = (totalCalls(emulator) - callsBefore) / SAMPLES;
    deps.report(`remote drop-to-result, emulated Dropbox (${SAMPLES} requests one after another): p50 ${ms(percentile(samples, 50))} p99 ${ms(percentile(samples, 99))}; ${perRequest.toFixed(1)} API calls per request`);
  } finally {
    await courier.stop();
    await emulator.close();
  }
}
