/** @module A cloud for fleet tests: listening on every address, so containers on a bridge reach it, with an operator's API token and roots to add. */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { startCloud, type RunningCloud } from '../../cloud/main.ts';
import { createExecutor, type ExecutorBundle } from '../../docker/executor-factory.ts';
import { api, freshEmail, grantOperator } from './cloud.ts';

export interface FleetCloud {
  cloud: RunningCloud;
  /** The cloud as this process reaches it. */
  url: string;
  port: number;
  /** An operator's API token, as couriers present it. */
  token: string;
  /** Registers a local folder as a root for the fleet to serve. */
  addRoot(path: string): Promise<void>;
  close(): Promise<void>;
}

export interface FleetCloudOptions {
  /**
   * The executor the cloud runs functions with, which its caller closes: e.g. one Docker executor shared with the
   * test's couriers. Without it, functions run as processes (the fleet's couriers bring their own sandboxes).
   */
  executor?: ExecutorBundle;
  /** Where it listens: by default every address, so that containers on the bridge reach it through the host's address there. */
  host?: string;
}

/**
 * A cloud with its data, caches and run folder under `base`, short leases so that hand-overs happen within a test,
 * and an operator.
 * @example const fleet = await startFleetCloud(base, 2000); await fleet.addRoot(root)
 */
export async function startFleetCloud(base: string, leaseMs: number, options: FleetCloudOptions = {}): Promise<FleetCloud> {
  const executor: ExecutorBundle = options.executor ?? (await createExecutor({ local: true, cacheDir: join(base, 'cache'), runDir: join(base, 'run') }));
  const cloud = await startCloud({
    dataDir: join(base, 'data'),
    port: 0,
    host: options.host ?? '0.0.0.0',
    attemptsPerMinute: 10_000,
    fleetLeaseMs: leaseMs,
    executor,
    logger: pino({ level: 'silent' }),
  });
  const port = (cloud.server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const operator = { email: freshEmail('operator'), password: 'correct horse battery' };
  await api(url, 'POST', '/api/v1/accounts', operator);
  await grantOperator(join(base, 'data'), operator.email);
  const session = (await api(url, 'POST', '/api/v1/sessions', operator)).body.token as string;
  const token = (await api(url, 'POST', '/api/v1/tokens', { name: 'fleet' }, session)).body.token as string;
  return {
    cloud,
    url,
    port,
    token,
    async addRoot(path) {
      const added = await api(url, 'POST', '/api/v1/roots', { kind: 'local', path }, token);
      if (added.status !== 201) throw new Error(`root not created: ${added.status} ${added.text}`);
    },
    async close() {
      await cloud.close();
      if (!options.executor) await executor.executor.close();
    },
  };
}
