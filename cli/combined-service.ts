/**
 * @module The cloud and a courier on `<data>/sync` in one process sharing one executor (`edgecourier start`), and, when
 * the folder belongs to an account, the folder's apps with endpoints published as that account's cloud apps.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startCloud, type CloudSettings, type RunningCloud } from '../cloud/main.ts';
import { startCourier, type RunningCourier } from '../courier/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { folderDoors, type FolderDoors } from './folder-doors.ts';

export interface CombinedSettings {
  /** The cloud's settings; its data folder holds sync/ (the synced folder) and state/ (the courier's) too. */
  cloud: Omit<CloudSettings, 'executor' | 'logger' | 'onSignUp'>;
  /** The email address of the account the synced folder belongs to; without it, its apps are the courier's alone. */
  owner?: string;
  retryForMs: number;
  /** How long an app's files stay unchanged before a request runs on it or it is published; the courier's default unless given. */
  settleMs?: number;
  executor: ExecutorBundle;
  logger: Logger;
}

export interface RunningCombined {
  cloud: RunningCloud;
  courier: RunningCourier;
  /** The folder's second door, when it has an owner. */
  doors?: FolderDoors;
  close(): Promise<void>;
}

/** The courier's default wait for an app folder to settle (courier/main.ts). */
const SETTLE_MS = 1000;

/**
 * Starts the cloud, the courier on `<data>/sync`, and the folder's second door.
 * @example const running = await startCombined({ cloud: { dataDir, port: 8080 }, owner: 'ada@example.com', retryForMs, executor, logger })
 */
export async function startCombined(settings: CombinedSettings): Promise<RunningCombined> {
  const { logger, executor } = settings;
  // As the cloud keeps addresses (cloud/stores/users.ts).
  const owner = settings.owner?.trim().toLowerCase();
  const settleMs = settings.settleMs ?? SETTLE_MS;
  let doors: FolderDoors | undefined;
  const cloud = await startCloud({
    ...settings.cloud,
    executor,
    logger,
    onSignUp: (email) => email === owner && void doors?.syncAll(),
  });
  // One process, one registry: the courier counts on the cloud's, served at the cloud's /metrics.
  const courier = await startCourier({
    root: join(settings.cloud.dataDir, 'sync'),
    stateDir: join(settings.cloud.dataDir, 'state'),
    retry: { retryForMs: settings.retryForMs },
    settleMs,
    executor,
    observability: cloud.observability,
    onAppChanged: (app) => doors?.changed(app),
    logger,
  }).catch(async (error: unknown) => {
    await cloud.close();
    throw error;
  });
  if (owner) {
    doors = folderDoors({ root: courier.root, owner, apps: cloud.folderApps, quietMs: settleMs, logger });
    await doors.syncAll();
  }
  return {
    cloud,
    courier,
    doors,
    async close() {
      await doors?.close();
      await courier.stop();
      await cloud.close();
    },
  };
}
