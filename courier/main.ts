/** @module Builds a courier and everything it depends on, in one place, and starts it on a synced root. */
import { createHash } from 'node:crypto';
import { access, mkdir, realpath, writeFile } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { loadApp } from '../runtime/app.ts';
import { assertFleetDependencies } from '../runtime/registry-only.ts';
import { EdgeError } from '../base/errors.ts';
import { InvocationService } from '../runtime/invocation-service.ts';
import { Observability } from '../runtime/observability.ts';
import { defaultStateDir } from '../base/paths.ts';
import type { SyncBackend } from '../sync/backend.ts';
import { AppCache } from './app-cache.ts';
import { makeAppFolders } from './app-folders.ts';
import { folderDoors, type AppPublisher } from './folder-doors.ts';
import { Courier } from './courier.ts';
import { startHealthServer, type HealthServer } from './health-server.ts';
import { Journal } from './journal.ts';
import { classify, requestPaths } from './layout.ts';
import { RemoteMirror } from './remote-mirror.ts';
import { removePending } from './result-files.ts';
import { defaultRetryPolicy, type RetryPolicy } from './retry-chains.ts';
import { takeRootLock } from './root-lock.ts';
import { watchRoot } from './watch-root.ts';
import { courierMetricsOf } from './courier-metrics.ts';
import { secretsFolder, type SecretsFolder } from './secrets-folder.ts';
import { CourierProfiles, type ProfileSink } from './courier-profiles.ts';
import { PROFILES_FILE, rootHome } from './state-home.ts';
import { logScheduleEvents, Scheduler } from '../runtime/scheduler.ts';
import { FolderSchedules } from './folder-schedules.ts';
import { RequestRunner } from './request-runner.ts';
import { openScheduleLedger, scheduleLedgerPath } from './schedule-ledger.ts';

/** A remote folder the courier mirrors instead of serving a local one. */
export interface RemoteRoot {
  backend: SyncBackend;
  /** Names the remote folder, e.g. "dropbox:/edge": its working folder and cursor are kept under this name. */
  name: string;
}

export interface CourierSettings {
  /** The synced folder; for a remote root, ignored (the working folder lives in the state folder). */
  root?: string;
  remote?: RemoteRoot;
  stateDir?: string;
  /**
   * Folder of the apps' secrets files, `<app>.json` (docs/courier.md); `<stateDir>/secrets` unless given. A courier
   * hosted for others reads none: the host's files are no folder owner's.
   */
  secretsDir?: string;
  concurrency?: number;
  maxRequestBytes?: number;
  settleMs?: number;
  pendingAfterMs?: number;
  /** How platform failures are tried again: `retryForMs` is the bound (docs/courier.md, "Platform failures are tried again"); the rest of defaultRetryPolicy stays unless given. */
  retry?: Partial<RetryPolicy>;
  /**
   * 'others' for a courier serving folders of people who do not own its host (fleet mode): their apps'
   * dependencies may not send npm to a URL or git host (assertFleetDependencies), nor may their packages'
   * own dependencies (installed with the registry only: DependencyManifest.registryOnly). Unset on a user's own
   * machine, where any spec npm installs is fine.
   */
  hostedFor?: 'others';
  /** The executor to run functions with; the courier does not close it. */
  executor: ExecutorBundle;
  /** The process's metrics and health, when it has them already (`edgecourier start`: the cloud's). */
  observability?: Observability;
  /** The root may move to another courier (fleet mode): stopping takes it out of the gauges and the health check instead of failing them. */
  movable?: boolean;
  /** Keep what ran since the last report to the cloud as well as the profiles file (fleet mode: `RunningCourier.profiles`). */
  reportsProfiles?: boolean;
  /** Serve GET /metrics and /healthz on this port (0: any free one); without it, none is opened. */
  metricsPort?: number;
  /** Address of that port; 127.0.0.1 unless given. */
  metricsHost?: string;
  /** Where the root's apps with endpoints are published, as cloud apps of the root's account (`edgecourier start --owner`); none unless given. */
  publisher?: AppPublisher;
  /** Where every call of a folder request counts as well as in the profiles file (`edgecourier start --owner`: the published app's profile); none unless given. */
  profileSink?: ProfileSink;
  logger: Logger;
}

export interface RunningCourier {
  courier: Courier;
  root: string;
  /** Where GET /metrics and /healthz answer, when `metricsPort` was given. */
  metricsUrl?: string;
  /** Looks at every app folder again and publishes what is not (when there is a publisher): its account has just been made. */
  republish(): Promise<void>;
  /** The profiles of the root's folder apps, kept in its state folder. */
  profiles: CourierProfiles;
  /** Lets requests in flight finish, then releases the watch, the journal and the lock. */
  stop(): Promise<void>;
}

async function resolveRoot(root: string, stateDir: string): Promise<string> {
  const real = await realpath(root).catch(() => {
    throw new EdgeError('INVALID_INPUT', `the root folder ${root} does not exist; create it or point --root at your synced folder`);
  });
  await mkdir(stateDir, { recursive: true });
  const state = await realpath(stateDir);
  if (state === real || state.startsWith(real + sep)) {
    throw new EdgeError('INVALID_INPUT', `the state folder ${state} is inside the synced root ${real}; it must live outside so the journal never syncs`);
  }
  return real;
}

/** The folders of this root: the root itself (a remote root's working folder), its home in the state folder, and a remote root's home. */
async function prepareFolders(settings: CourierSettings): Promise<{ root: string; home: string; remoteHome?: string; secrets?: SecretsFolder }> {
  if (!settings.root && !settings.remote)
    throw new EdgeError('INVALID_INPUT', 'give the courier a folder to serve: --root <dir>, --dropbox <path> or --onedrive <path>');
  const stateDir = settings.stateDir ?? defaultStateDir();
  const remoteHome = settings.remote ? join(stateDir, 'remote', createHash('sha256').update(settings.remote.name).digest('hex').slice(0, 16)) : undefined;
  if (remoteHome) await mkdir(join(remoteHome, 'root'), { recursive: true });
  const root = await resolveRoot(remoteHome ? join(remoteHome, 'root') : (settings.root ?? ''), stateDir);
  const home = rootHome(stateDir, root);
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'root.txt'), root + '\n');
  const secrets = settings.hostedFor === 'others' ? undefined : await secretsFolder(settings.secretsDir ?? join(stateDir, 'secrets'), root);
  return { root, home, remoteHome, secrets };
}

/**
 * Request files removed while no courier ran would otherwise count as done if dropped again; one that had
 * not finished may have left a pending file, which no result will replace now.
 */
async function forgetRemoved(journal: Journal, root: string): Promise<void> {
  for (const path of journal.paths()) {
    if (
      await access(join(root, path)).then(
        () => true,
        () => false,
      )
    )
      continue;
    const place = classify(path);
    if (place.kind === 'request' && !journal.finished(path)) await removePending(join(root, requestPaths(place.app, place.id).pending));
    await journal.forget(path);
  }
}

/** The courier counts its work on the process's metrics when given them; with a metrics port of its own it makes them if need be and serves them. */
async function observe(settings: CourierSettings, logger: Logger): Promise<{ observability?: Observability; health?: HealthServer }> {
  if (settings.metricsPort === undefined) return { observability: settings.observability };
  const observability = settings.observability ?? new Observability(settings.executor.executor, settings.executor.pool);
  const health = await startHealthServer(observability, { port: settings.metricsPort, host: settings.metricsHost ?? '127.0.0.1', logger });
  return { observability, health };
}

/**
 * Starts a courier on `settings.root`; resolves once the initial scan has queued what is already there.
 * @example const running = await startCourier({ root: '~/Dropbox/edge', logger }); await running.stop();
 */
export async function startCourier(settings: CourierSettings): Promise<RunningCourier> {
  const { root, home, remoteHome, secrets } = await prepareFolders(settings);
  const unlock = await takeRootLock(join(home, 'lock'), root);
  const logger = settings.logger.child({ component: 'courier' });
  const { observability, health } = await observe(settings, logger).catch(async (error: unknown) => {
    await unlock();
    throw error;
  });
  const release = async () => {
    await health?.close();
    await unlock();
  };
  let uncount: (() => void) | undefined;
  /** Made once the root is ready; a start that fails after that closes it, so no schedule runs on without a courier. */
  let scheduler: Scheduler | undefined;
  const metrics = observability && courierMetricsOf(observability);
  try {
    const { executor, installer } = settings.executor;
    const mirror =
      settings.remote && remoteHome
        ? new RemoteMirror({ backend: settings.remote.backend, localRoot: root, stateFile: join(remoteHome, 'mirror.json'), logger })
        : undefined;
    await mirror?.start();
    const journal = await Journal.open(join(home, 'journal.jsonl'));
    const profiles = await CourierProfiles.open({ file: join(home, PROFILES_FILE), reporting: settings.reportsProfiles, sink: settings.profileSink, logger });
    const apps = new AppCache(
      root,
      async (dir) => {
        const loaded = await loadApp(dir, {
          dependencyKey: (manifest) => installer.key(manifest),
          secrets: await secrets?.read(basename(dir)),
          registryOnly: settings.hostedFor === 'others',
        });
        if (settings.hostedFor === 'others' && loaded.dependencies) await assertFleetDependencies(loaded.dependencies);
        return loaded;
      },
      { outside: (app) => (secrets ? [secrets.file(app)] : []) },
    );
    const service = new InvocationService({
      executor: observability?.executor ?? executor,
      installer,
      onUnexpected: (error, request) => logger.error({ err: error, fn: request?.function }, 'unexpected error in a call'),
    });
    const timing = { settleMs: settings.settleMs ?? 1000, pendingAfterMs: settings.pendingAfterMs ?? 1000 };
    const courier = new Courier({
      root,
      journal,
      service,
      apps,
      logger,
      concurrency: settings.concurrency ?? 16,
      maxRequestBytes: settings.maxRequestBytes ?? 1024 * 1024,
      ...timing,
      retry: { ...defaultRetryPolicy, ...settings.retry },
      onResult: (path, outcome) => {
        mirror?.resultWritten(path);
        metrics?.request(outcome);
      },
      onRetry: (code) => metrics?.retry(code),
      onCall: (app) => profiles.observer(app),
    });
    scheduler = new Scheduler({
      ledger: await openScheduleLedger(scheduleLedgerPath(home)),
      onEvent: logScheduleEvents(logger.child({ component: 'schedules' })),
    });
    const schedules = new FolderSchedules({
      root,
      apps,
      runner: new RequestRunner({ root, service, apps, ...timing, onCall: (app) => profiles.observer(app) }),
      scheduler,
      settleMs: timing.settleMs,
      logger,
      onResult: (path) => mirror?.resultWritten(path),
    });
    // Not healthy until the first scan is done: what is already in the root has not been seen before that.
    let watching = false;
    uncount = metrics?.add({
      get backlog() {
        return courier.backlog;
      },
      get watching() {
        return watching;
      },
    });
    const doors = settings.publisher && folderDoors({ root, publisher: settings.publisher, quietMs: settings.settleMs ?? 1000, logger });
    const watcher = watchRoot(
      root,
      {
        request: (p) => courier.enqueue(p),
        folderRemoved: (p) =>
          void courier.folderRemoved(p).catch((error: unknown) => logger.error({ err: error, path: p }, 'could not record removed requests')),
        appChanged: (app) => {
          apps.changed(app);
          doors?.changed(app);
          schedules.appChanged(app);
        },
        appFound: (app) => {
          schedules.appChanged(app);
          void makeAppFolders(root, app).then(
            (made) => made.forEach((folder) => mirror?.folderMade(folder)),
            (error: unknown) => logger.warn({ err: error, app }, "could not make the app's requests and results folders"),
          );
        },
      },
      logger,
    );
    await watcher.ready;
    watching = true;
    await forgetRemoved(journal, root);
    // Every app folder, and every app published from the root, whether or not the first scan told of it.
    await doors?.syncAll();
    logger.info({ root, remote: settings.remote?.name, journal: join(home, 'journal.jsonl'), metrics: health?.url }, 'courier is watching');
    return {
      courier,
      root,
      metricsUrl: health?.url,
      republish: async () => doors?.syncAll(),
      profiles,
      async stop() {
        await doors?.close();
        watching = false;
        await watcher.close();
        schedules.close();
        await scheduler?.close();
        await courier.stop();
        await profiles.close();
        await mirror?.stop();
        await release();
        if (settings.movable) uncount?.();
      },
    };
  } catch (error) {
    await scheduler?.close();
    await release();
    if (settings.movable) uncount?.();
    throw error;
  }
}
