/** @module Builds a courier and everything it depends on, in one place, and starts it on a synced root. */
import { createHash } from 'node:crypto';
import { access, mkdir, realpath, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { ExecutorBundle } from '../docker/executor-factory.ts';
import { loadApp } from '../runtime/app.ts';
import { EdgeError } from '../runtime/errors.ts';
import { Invoker } from '../runtime/invoker.ts';
import { defaultStateDir } from '../runtime/paths.ts';
import type { SyncBackend } from '../sync/backend.ts';
import { AppCache } from './app-cache.ts';
import { Courier } from './courier.ts';
import { Journal } from './journal.ts';
import { RemoteMirror } from './remote-mirror.ts';
import { takeRootLock } from './root-lock.ts';
import { watchRoot } from './watch-root.ts';

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
  concurrency?: number;
  maxRequestBytes?: number;
  settleMs?: number;
  pendingAfterMs?: number;
  /** The executor to run functions with; the courier does not close it. */
  executor: ExecutorBundle;
  logger: Logger;
}

export interface RunningCourier {
  courier: Courier;
  root: string;
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

/**
 * Starts a courier on `settings.root`; resolves once the initial scan has queued what is already there.
 * @example const running = await startCourier({ root: '~/Dropbox/edge', logger }); await running.stop();
 */
export async function startCourier(settings: CourierSettings): Promise<RunningCourier> {
  if (!settings.root && !settings.remote) throw new EdgeError('INVALID_INPUT', 'give the courier a folder to serve: --root <dir>, --dropbox <path> or --onedrive <path>');
  const stateDir = settings.stateDir ?? defaultStateDir();
  const remoteHome = settings.remote ? join(stateDir, 'remote', createHash('sha256').update(settings.remote.name).digest('hex').slice(0, 16)) : undefined;
  if (remoteHome) await mkdir(join(remoteHome, 'root'), { recursive: true });
  const root = await resolveRoot(remoteHome ? join(remoteHome, 'root') : (settings.root ?? ''), stateDir);
  const home = join(stateDir, 'courier', createHash('sha256').update(root).digest('hex').slice(0, 16));
  await mkdir(home, { recursive: true });
  await writeFile(join(home, 'root.txt'), root + '\n');
  const unlock = await takeRootLock(join(home, 'lock'), root);
  const logger = settings.logger.child({ component: 'courier' });
  try {
    const { executor, installer } = settings.executor;
    const mirror =
      settings.remote && remoteHome
        ? new RemoteMirror({ backend: settings.remote.backend, localRoot: root, stateFile: join(remoteHome, 'mirror.json'), logger })
        : undefined;
    await mirror?.start();
    const journal = await Journal.open(join(home, 'journal.jsonl'));
    const apps = new AppCache(root, (dir) => loadApp(dir, { dependencyKey: (manifest) => installer.key(manifest) }));
    const courier = new Courier({
      root,
      journal,
      invoker: new Invoker({ executor, onUnexpected: (error) => logger.error({ err: error }, 'unexpected error in a call') }),
      installer,
      apps,
      logger,
      concurrency: settings.concurrency ?? 16,
      maxRequestBytes: settings.maxRequestBytes ?? 1024 * 1024,
      settleMs: settings.settleMs ?? 1000,
      pendingAfterMs: settings.pendingAfterMs ?? 1000,
      ...(mirror ? { onResult: (path: string) => mirror.resultWritten(path) } : {}),
    });
    const watcher = watchRoot(root, { request: (p) => courier.enqueue(p), requestRemoved: (p) => void courier.removed(p), appChanged: (app) => apps.changed(app) }, logger);
    await watcher.ready;
    for (const path of journal.paths()) {
      if (!(await access(join(root, path)).then(() => true, () => false))) await journal.forget(path);
    }
    logger.info({ root, remote: settings.remote?.name, journal: join(home, 'journal.jsonl') }, 'courier is watching');
    return {
      courier,
      root,
      async stop() {
        await watcher.close();
        await courier.stop();
        await mirror?.stop();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}
