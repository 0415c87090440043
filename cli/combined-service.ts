/**
 * @module The cloud and a courier on `<data>/sync` in one process sharing one executor (`edgecourier start`), and, when
 * the folder belongs to an account, the join of the folder's two doors: the courier publishes the folder's apps with
 * endpoints to the cloud beside it, as that account's apps. The join is wired here because the courier may not import
 * the cloud. So is the join of their profiles: the folder requests of a published app count in its cloud profile too.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EdgeError } from '../base/errors.ts';
import { startCloud, type CloudSettings, type RunningCloud } from '../cloud/main.ts';
import type { ProfileSink } from '../courier/courier-profiles.ts';
import type { AppPublisher } from '../courier/folder-doors.ts';
import { startCourier, type RunningCourier } from '../courier/main.ts';
import type { ExecutorBundle } from '../docker/executor-factory.ts';

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
  close(): Promise<void>;
}

/** The cloud beside the courier, publishing as the account of address `owner`, once it exists. */
function publisherOf(cloud: RunningCloud, owner: string): AppPublisher {
  const account = () => {
    const id = cloud.folderApps.accountOf(owner);
    if (!id) throw new EdgeError('USER_NOT_FOUND', `no account has the address ${owner} yet: the folder's apps are published once it signs up`);
    return id;
  };
  return {
    published: async () => {
      const id = cloud.folderApps.accountOf(owner);
      return id === undefined ? undefined : cloud.folderApps.names(id);
    },
    async publish(name, files) {
      const { app, created } = await cloud.folderApps.publish(account(), name, files);
      return { appId: app.id, version: app.activeVersion, created };
    },
    withdraw: (name) => cloud.folderApps.withdraw(account(), name),
  };
}

/** Counts a folder request's calls in the profile of the owner's folder app of that name, when the owner and the app exist. */
function profileSinkOf(cloud: RunningCloud, owner: string): ProfileSink {
  return (app, sample) => {
    const id = cloud.folderApps.accountOf(owner);
    if (id !== undefined) cloud.folderProfiles.record(id, app, sample);
  };
}

/**
 * Starts the cloud, and the courier on `<data>/sync` publishing to it.
 * @example const running = await startCombined({ cloud: { dataDir, port: 8080 }, owner: 'ada@example.com', retryForMs, executor, logger })
 */
export async function startCombined(settings: CombinedSettings): Promise<RunningCombined> {
  const { logger, executor } = settings;
  // As the cloud keeps addresses (cloud/stores/users.ts).
  const owner = settings.owner?.trim().toLowerCase();
  // The courier, once started: the owner's sign-up has it publish the folder.
  const started: { courier?: RunningCourier } = {};
  const cloud = await startCloud({
    ...settings.cloud,
    executor,
    logger,
    onSignUp: (email) => email === owner && void started.courier?.republish(),
  });
  // One process, one registry: the courier counts on the cloud's, served at the cloud's /metrics.
  const courier = await startCourier({
    root: join(settings.cloud.dataDir, 'sync'),
    stateDir: join(settings.cloud.dataDir, 'state'),
    retry: { retryForMs: settings.retryForMs },
    settleMs: settings.settleMs,
    executor,
    observability: cloud.observability,
    ...(owner && { publisher: publisherOf(cloud, owner), profileSink: profileSinkOf(cloud, owner) }),
    logger,
  }).catch(async (error: unknown) => {
    await cloud.close();
    throw error;
  });
  started.courier = courier;
  return {
    cloud,
    courier,
    async close() {
      await courier.stop();
      await cloud.close();
    },
  };
}
