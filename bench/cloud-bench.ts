/**
 * @module Cloud benchmark: a public endpoint of a warm app against a bare Express route doing the same work
 * in-process, with 1 and 64 concurrent clients. Load comes from autocannon in a separate process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import express from 'express';
import { pino } from 'pino';
import { startCloud, type CloudSettings, type RunningCloud } from '../cloud/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { cloudClient, type CloudClient } from '../cli/cloud-client.ts';

export interface CloudBenchDeps {
  executor: ExecutorBundle;
  appDir: string;
  report(line: string): void;
}

const autocannon = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));
const SECONDS = 5;
const body = JSON.stringify({ input: { text: 'benchmark' } });

/** Requests per second autocannon reaches against `url` with `connections` clients. */
export async function load(url: string, connections: number): Promise<{ rps: number; p50: number; errors: number }> {
  const args = [autocannon, '-j', '-c', String(connections), '-d', String(SECONDS), '-m', 'POST', '-H', 'content-type=application/json', '-b', body, url];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number }; non2xx: number; errors: number };
  return { rps: result.requests.average, p50: result.latency.p50, errors: result.non2xx + result.errors };
}

async function bareExpress(appDir: string): Promise<Server> {
  const upper = (await import(pathToFileURL(join(appDir, 'functions', 'upper.js')).href)) as { default: (input: unknown) => unknown };
  const app = express();
  app.use(express.json());
  app.post('/upper', (req, res) => {
    res.json({ output: upper.default((req.body as { input: unknown }).input) });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** A cloud of its own on the executor, and a client of one user signed up with it. */
export async function cloudWithUser(
  deps: Pick<CloudBenchDeps, 'executor'>,
  settings: Pick<CloudSettings, 'recording'> = {},
): Promise<{ cloud: RunningCloud; client: CloudClient }> {
  const cloud = await startCloud({
    dataDir: await mkdtemp(join(tmpdir(), 'ec-bench-cloud-')),
    port: 0,
    host: '127.0.0.1',
    executor: deps.executor,
    logger: pino({ level: 'silent' }),
    ...settings,
  });
  const anonymous = cloudClient(cloud.url);
  await anonymous.request('POST', '/api/v1/accounts', { email: 'bench@example.com', password: 'benchmark-password' });
  const { token } = await anonymous.request<{ token: string }>('POST', '/api/v1/sessions', { email: 'bench@example.com', password: 'benchmark-password' });
  return { cloud, client: cloudClient(cloud.url, token) };
}

/** A cloud with one user whose app has the example's functions and a public endpoint for `upper`, started. */
export async function cloudWithApp(deps: CloudBenchDeps, settings: Pick<CloudSettings, 'recording'> = {}) {
  const { cloud, client } = await cloudWithUser(deps, settings);
  const app = await client.request<{ id: string }>('POST', '/api/v1/apps', { name: 'bench' });
  await client.request('PUT', `/api/v1/apps/${app.id}/functions/upper`, { code: await readFile(join(deps.appDir, 'functions', 'upper.js'), 'utf8') });
  await client.request('POST', `/api/v1/apps/${app.id}/endpoints`, { method: 'POST', path: '/upper', function: 'upper', public: true });
  await client.request('POST', `/api/v1/apps/${app.id}/start`);
  return { cloud, url: `${cloud.url}/run/${app.id}/upper` };
}

export async function benchCloud(deps: CloudBenchDeps): Promise<void> {
  const bare = await bareExpress(deps.appDir);
  const { cloud, url } = await cloudWithApp(deps);
  try {
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/upper`;
    for (const connections of [1, 64]) {
      await load(url, connections);
      const baseline = await load(bareUrl, connections);
      const measured = await load(url, connections);
      deps.report(
        `endpoint call, ${connections} client${connections > 1 ? 's' : ''}: bare Express ${Math.round(baseline.rps)} req/s (p50 ${baseline.p50} ms); cloud ${Math.round(measured.rps)} req/s (p50 ${measured.p50} ms, ${measured.errors} errors); ${(measured.rps / baseline.rps).toFixed(2)} of bare (target >= 0.5)`,
      );
    }
  } finally {
    bare.close();
    await cloud.close();
  }
}
