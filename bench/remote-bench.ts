/**
 * @module Remote-folder benchmarks: drop-to-result latency of a courier serving an emulated Dropbox or
 * OneDrive folder through the real SDKs, and how many API calls each processed request costs.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCourier } from '../courier/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import type { SyncBackend } from '../sync/backend.ts';
import { DropboxBackend } from '../sync/dropbox/dropbox-backend.ts';
import { OneDriveBackend } from '../sync/onedrive/onedrive-backend.ts';
import { DropboxEmulator, dropboxEmulatorFetch } from '../test/emulators/dropbox-emulator.ts';
import { GraphEmulator } from '../test/emulators/graph-emulator.ts';
import { createTestCertificate, trustCertificate } from '../test/emulators/test-certificate.ts';
import { ms, percentile } from './stats.ts';

export interface RemoteBenchDeps {
  executor: ExecutorBundle;
  appDir: string;
  report(line: string): void;
}

/** What the benchmark needs of an emulator: files in and out, call counts, and the back end that talks to it. */
interface EmulatedRemote {
  name: string;
  samples: number;
  backend: SyncBackend;
  put(path: string, content: Buffer | string): void;
  has(path: string): boolean;
  calls(): number;
  close(): Promise<void>;
}

const sum = (calls: Record<string, number>) => Object.values(calls).reduce((total, n) => total + n, 0);

async function emulatedDropbox(): Promise<EmulatedRemote> {
  const emulator = await DropboxEmulator.start({ accessToken: 'sl.bench-token' });
  return {
    name: 'Dropbox (longpoll)',
    samples: 50,
    backend: new DropboxBackend({ rootPath: '/edge', accessToken: 'sl.bench-token', fetch: dropboxEmulatorFetch(emulator.url) }),
    put: (path, content) => emulator.putFile(`/edge/${path}`, content),
    has: (path) => !!emulator.getFile(`/edge/${path}`),
    calls: () => sum(emulator.calls),
    close: () => emulator.close(),
  };
}

async function emulatedOneDrive(): Promise<EmulatedRemote> {
  const certificate = createTestCertificate();
  trustCertificate(certificate.cert);
  const emulator = await GraphEmulator.start({ certificate });
  return {
    name: 'OneDrive (delta polled every 5 s, the default)',
    samples: 10,
    backend: new OneDriveBackend({
      rootPath: '/edge',
      tokenProvider: () => Promise.resolve(emulator.accessToken),
      baseUrl: emulator.baseUrl,
      customHosts: emulator.customHosts,
    }),
    put: (path, content) => emulator.putFile(`edge/${path}`, content),
    has: (path) => !!emulator.getFile(`edge/${path}`),
    calls: () => sum(emulator.calls),
    close: () => emulator.close(),
  };
}

async function measure(deps: RemoteBenchDeps, remote: EmulatedRemote): Promise<void> {
  for (const name of await readdir(join(deps.appDir, 'functions'))) remote.put(`hello/functions/${name}`, await readFile(join(deps.appDir, 'functions', name)));
  const stateDir = await mkdtemp(join(tmpdir(), 'ec-bench-remote-'));
  const courier = await startCourier({
    remote: { backend: remote.backend, name: `bench:${remote.name}` },
    stateDir,
    executor: deps.executor,
    logger: pino({ level: 'silent' }),
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const callsBefore = remote.calls();
    const samples: number[] = [];
    for (let i = 0; i < remote.samples; i++) {
      const started = performance.now();
      remote.put(`hello/requests/r${i}.json`, JSON.stringify({ function: 'upper', input: { text: `r${i}` } }));
      while (!remote.has(`hello/results/r${i}.json`)) await new Promise((resolve) => setTimeout(resolve, 1));
      samples.push(performance.now() - started);
    }
    const perRequest = (remote.calls() - callsBefore) / remote.samples;
    deps.report(
      `remote drop-to-result, emulated ${remote.name}, ${remote.samples} requests one after another: p50 ${ms(percentile(samples, 50))} p99 ${ms(percentile(samples, 99))}; ${perRequest.toFixed(1)} API calls per request`,
    );
  } finally {
    await courier.stop();
    await remote.close();
  }
}

export async function benchRemote(deps: RemoteBenchDeps): Promise<void> {
  await measure(deps, await emulatedDropbox());
  await measure(deps, await emulatedOneDrive());
}
