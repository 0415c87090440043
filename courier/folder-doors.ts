/**
 * @module The second door of a synced folder: each app of the folder whose app.json declares endpoints is handed to a
 * publisher (under `edgecourier start`, the cloud beside the courier: cli/combined-service.ts; in fleet mode, the cloud
 * over HTTP: fleet-publisher.ts) once its files settle after a change, and withdrawn when it leaves the folder or
 * declares endpoints no more. Which publisher it is, this module does not know.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EdgeError } from '../base/errors.ts';
import { parseAppConfig } from '../runtime/app-config.ts';
import { appFileStamps, listAppFiles } from '../runtime/app-files.ts';

/** A file of a folder app, as the folder holds it (runtime/app-files.ts lists them, within the caps). */
export interface FolderAppFile {
  path: string;
  bytes: Buffer;
}

/** Where the folder's apps with endpoints go: the cloud, as apps of the account the folder belongs to. */
export interface AppPublisher {
  /** The names of the apps published from the folder; undefined while there is no one to publish for (the account does not exist yet). */
  published(): Promise<string[] | undefined>;
  /** Makes the app `name` hold `files` (a new version when they changed) and runs it; an EdgeError says why not. */
  publish(name: string, files: FolderAppFile[]): Promise<{ appId: string; version?: string; created: boolean }>;
  /** The app `name` left the folder, or declares no endpoints now; resolves with its id when there was one published. */
  withdraw(name: string): Promise<{ id: string } | undefined>;
}

export interface FolderDoorsSettings {
  /** The synced folder, its real path (the courier's root). */
  root: string;
  publisher: AppPublisher;
  /** How long an app's files must stay unchanged before it is published: a sync client writes a folder file by file. */
  quietMs: number;
  /** How often every app folder's files are looked at (sizes and times) for a change the watch missed; RECHECK_MS unless given. */
  recheckMs?: number;
  logger: Logger;
}

export interface FolderDoors {
  /** A file of app folder `app` was added, changed or removed (the courier's watch says so). */
  changed(app: string): void;
  /** Looks at every app of the folder, and every app published from it, again: at the start, and when the folder's account comes to exist. */
  syncAll(): Promise<void>;
  /** Waits for the publishing under way; nothing is published after. */
  close(): Promise<void>;
}

/**
 * The watch misses changes now and then (chokidar does not always see a folder made right after its parent, nor any
 * file in it after), so each app folder is also looked at this often, as the courier's app cache does before a request.
 */
export const RECHECK_MS = 2000;

/** What the folder holds under a name: an app that declares endpoints (its files), or nothing to publish. */
type Found = { kind: 'endpoints' } | { kind: 'none' };

const isRealFolder = (path: string) =>
  lstat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );

/** Whether `dir` is an app (the courier's test: a real functions/ folder) whose app.json declares endpoints; a broken app.json throws. */
async function look(dir: string): Promise<Found> {
  if (!(await isRealFolder(dir)) || !(await isRealFolder(join(dir, 'functions')))) return { kind: 'none' };
  const text = await readFile(join(dir, 'app.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return { kind: 'none' };
  return (parseAppConfig(text, 'INVALID_APP').endpoints?.length ?? 0) > 0 ? { kind: 'endpoints' } : { kind: 'none' };
}

/** What the recheck compares: an app folder's files (paths, sizes, times), or "none" for anything else. */
async function stampOf(dir: string): Promise<string> {
  if (!(await isRealFolder(dir)) || !(await isRealFolder(join(dir, 'functions')))) return 'none';
  return appFileStamps(dir).catch((error: unknown) => `unreadable: ${String(error)}`);
}

/**
 * Publishes the folder's apps with endpoints, one app at a time each.
 * @example const doors = folderDoors({ root, publisher, quietMs: 1000, logger })
 */
export function folderDoors(settings: FolderDoorsSettings): FolderDoors {
  const logger = settings.logger.child({ component: 'folder-doors' });
  const timers = new Map<string, NodeJS.Timeout>();
  /** Each app folder's files (paths, sizes, times) as last published or withdrawn, for the recheck to compare. */
  const stamps = new Map<string, string>();
  /** Each app's publishing, one after another: a change during one is published by the next. */
  const turns = new Map<string, Promise<void>>();
  let closed = false;

  const publish = async (name: string) => {
    // Until the account exists there is no one to publish for; syncAll says so once, and runs again when it does.
    if ((await settings.publisher.published()) === undefined) return;
    const dir = join(settings.root, name);
    stamps.set(name, await stampOf(dir));
    if ((await look(dir)).kind === 'none') {
      const app = await settings.publisher.withdraw(name);
      if (app) logger.warn({ app: name, appId: app.id }, 'the folder app is gone, or declares no endpoints: its cloud app is stopped');
      return;
    }
    const listed = await listAppFiles(dir, () => false, []);
    const files = await Promise.all(listed.map(async (file) => ({ path: file.path, bytes: await readFile(file.hostPath) })));
    const { appId, version, created } = await settings.publisher.publish(name, files);
    logger.info({ app: name, appId, version, created }, 'the folder app is published as a cloud app');
  };

  const turn = (name: string) => {
    const next = (turns.get(name) ?? Promise.resolve())
      .then(() => (closed ? undefined : publish(name)))
      .catch((error: unknown) => {
        // Every refusal is the folder user's to fix (a clash of names, a broken app.json, no account yet): logged as such.
        if (error instanceof EdgeError) logger.error({ app: name, code: error.code }, `the folder app "${name}" is not published: ${error.message}`);
        else logger.error({ err: error, app: name }, `the folder app "${name}" could not be published`);
      });
    turns.set(name, next);
    return next;
  };

  const changed = (name: string) => {
    if (closed) return;
    clearTimeout(timers.get(name));
    timers.set(
      name,
      setTimeout(() => {
        timers.delete(name);
        void turn(name);
      }, settings.quietMs),
    );
  };

  /** Each app folder whose files are not as last published, and each published one gone, is taken as changed. */
  const recheck = async () => {
    if ((await settings.publisher.published()) === undefined) return;
    const entries = await readdir(settings.root, { withFileTypes: true }).catch(() => []);
    const names = new Set([...entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name), ...stamps.keys()]);
    for (const name of names) {
      if (timers.has(name) || (await stampOf(join(settings.root, name))) === stamps.get(name)) continue;
      changed(name);
    }
  };
  let rechecking = Promise.resolve();
  const recheckTimer = setInterval(() => {
    rechecking = rechecking.then(recheck).catch((error: unknown) => logger.warn({ err: error }, 'could not look at the app folders for changes'));
  }, settings.recheckMs ?? RECHECK_MS);

  return {
    changed,
    async syncAll() {
      // Not reaching the publisher (a fleet cloud down for a while) must not keep the folder's requests from being served: the recheck tries again.
      const published = await settings.publisher.published().catch((error: unknown) => {
        logger.warn(
          { code: error instanceof EdgeError ? error.code : undefined, error: (error as Error).message },
          'could not learn which apps are published; they are looked at again shortly',
        );
        return null;
      });
      if (published === null) return;
      if (published === undefined) {
        logger.warn("the folder's account does not exist yet: its apps with endpoints are published once it signs up");
        return;
      }
      const entries = await readdir(settings.root, { withFileTypes: true }).catch(() => []);
      const names = new Set([...entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name), ...published]);
      await Promise.all([...names].map(turn));
    },
    async close() {
      closed = true;
      clearInterval(recheckTimer);
      await rechecking;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.all(turns.values());
    },
  };
}
