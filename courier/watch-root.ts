/**
 * @module Watches the synced root and reports requests and app changes: chokidar for the apps'
 * folders and files, one folder watch per requests/ folder for the requests (see request-folders.ts).
 * No awaitWriteFinish: it would add its whole stability threshold to every event; the courier checks
 * completeness itself.
 */
import { watch } from 'chokidar';
import { watch as watchFolder } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { isDebris } from './debris.ts';
import { classify, unwatchedAppFolders } from './layout.ts';
import { RequestFolders } from './request-folders.ts';

export interface RootEvents {
  /** A request file appeared, changed or vanished (path relative to the root). */
  request(path: string): void;
  /** A requests folder was removed, moved away or replaced: the requests it held are gone. */
  folderRemoved(path: string): void;
  appChanged(app: string): void;
  /** A folder with a `functions/` folder was seen (at the first scan, or since): it may be an app new to the root. */
  appFound(app: string): void;
}

export interface RootWatch {
  /** Resolves once the initial scan reported everything already in the root. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** chokidar never descends into debris, results or installed packages, and leaves requests/ folders to RequestFolders. */
function ignored(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (!rel) return false;
  const parts = rel.split(sep);
  if (parts.some(isDebris)) return true;
  if (parts.length >= 2 && unwatchedAppFolders.has(parts[1]!)) return true;
  return parts.length >= 2 && parts[1] === 'requests';
}

export function watchRoot(root: string, events: RootEvents, logger: Logger): RootWatch {
  const watcher = watch(root, {
    ignored: (path) => ignored(root, path),
    followSymlinks: false,
    ignoreInitial: false,
    ignorePermissionErrors: true,
    depth: 6,
  });
  const folders = new RequestFolders(
    root,
    { name: (rel) => classify(rel).kind === 'request' && events.request(rel), gone: (folder) => events.folderRemoved(folder) },
    logger,
  );
  const onAppPath = (path: string) => {
    const place = classify(relative(root, path));
    if (place.kind === 'app-file') events.appChanged(place.app);
  };
  // An app's requests folder is watched by RequestFolders, which also watches the app folder for it to
  // appear, be renamed in or be swapped.
  const onAddDir = (path: string) => {
    onAppPath(path);
    const parts = relative(root, path).split(sep);
    if (parts.length === 1 && parts[0]) folders.check(join(parts[0], 'requests'));
    if (parts.length === 2 && parts[1] === 'functions') events.appFound(parts[0]!);
  };
  const onUnlinkDir = (path: string) => {
    onAppPath(path);
    folders.checkBelow(relative(root, path));
  };
  // chokidar reports nothing when an app folder is swapped for another of the same name in quick
  // succession, so a watch on the root itself has RequestFolders check each top-level name it hears of.
  const rootWatch = watchFolder(root, (_, name) => name && !isDebris(name) && folders.check(join(name, 'requests')));
  rootWatch.on('error', (error) => logger.error({ err: error }, 'watching the root folder itself failed'));
  watcher.on('add', onAppPath).on('change', onAppPath).on('unlink', onAppPath);
  watcher.on('addDir', onAddDir).on('unlinkDir', onUnlinkDir);
  watcher.on('error', (error) => logger.error({ err: error }, 'watching the root failed'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve())).then(() => folders.settled());
  return {
    ready,
    close: () => {
      rootWatch.close();
      folders.close();
      return watcher.close();
    },
  };
}
