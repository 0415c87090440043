/**
 * @module Watches the synced root with chokidar and reports requests and app changes. No awaitWriteFinish:
 * it would add its whole stability threshold to every event; the courier checks completeness itself.
 */
import { watch } from 'chokidar';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Logger } from 'pino';
import { isDebris } from './debris.ts';
import { classify, unwatchedAppFolders } from './layout.ts';

export interface RootEvents {
  request(path: string): void;
  requestRemoved(path: string): void;
  appChanged(app: string): void;
}

export interface RootWatch {
  /** Resolves once the initial scan reported everything already in the root. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Never descend into debris, results, installed packages or anything below a requests/ folder. */
function ignored(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (!rel) return false;
  const parts = rel.split(sep);
  if (parts.some(isDebris)) return true;
  if (parts.length >= 2 && unwatchedAppFolders.has(parts[1]!)) return true;
  return parts.length > 3 && parts[1] === 'requests';
}

export function watchRoot(root: string, events: RootEvents, logger: Logger): RootWatch {
  const watcher = watch(root, {
    ignored: (path) => ignored(root, path),
    followSymlinks: false,
    ignoreInitial: false,
    ignorePermissionErrors: true,
    depth: 6,
  });
  /** Request files chokidar reported, so a rescan only adds what it missed. */
  const known = new Set<string>();
  const onFile = (kind: 'add' | 'change' | 'unlink' | 'rescan') => (path: string) => {
    const rel = relative(root, path);
    const place = classify(rel);
    if (place.kind === 'request') {
      if (kind === 'unlink') {
        known.delete(rel);
        events.requestRemoved(rel);
      } else if (kind !== 'rescan' || !known.has(rel)) {
        known.add(rel);
        events.request(rel);
        // A file chokidar missed is not watched either: without this its removal would go unseen.
        if (kind === 'rescan') watcher.add(path);
      }
    } else if (place.kind === 'app-file') {
      events.appChanged(place.app);
    }
  };
  const onDir = (path: string) => {
    const place = classify(relative(root, path));
    if (place.kind === 'app-file') events.appChanged(place.app);
  };
  // chokidar misses a file renamed into a folder in the moments after the folder was created, so a
  // new app or requests folder is listed again by hand once the watch on it is in place.
  const rescans = new Set<NodeJS.Timeout>();
  let closed = false;
  const rescan = (dir: string) => {
    for (const delayMs of [200, 2000]) {
      const timer = setTimeout(() => {
        rescans.delete(timer);
        void readdir(dir).then(
          (names) => names.forEach((name) => !closed && onFile('rescan')(join(dir, name))),
          () => undefined,
        );
      }, delayMs);
      rescans.add(timer);
    }
  };
  const onAddDir = (path: string) => {
    onDir(path);
    const parts = relative(root, path).split(sep);
    if (parts.length === 1 && parts[0]) rescan(join(path, 'requests'));
    if (parts.length === 2 && parts[1] === 'requests') rescan(path);
  };
  watcher.on('add', onFile('add')).on('change', onFile('change')).on('unlink', onFile('unlink'));
  /** A removed folder takes its requests with it, whether or not chokidar reports each file. */
  const onUnlinkDir = (path: string) => {
    onDir(path);
    const prefix = relative(root, path) + sep;
    for (const rel of [...known].filter((candidate) => candidate.startsWith(prefix))) {
      known.delete(rel);
      events.requestRemoved(rel);
    }
  };
  watcher.on('addDir', onAddDir).on('unlinkDir', onUnlinkDir);
  watcher.on('error', (error) => logger.error({ err: error }, 'watching the root failed'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: () => {
      // A rescan after closing would make chokidar watch again, and the watch would keep the process alive.
      closed = true;
      for (const timer of rescans) clearTimeout(timer);
      return watcher.close();
    },
  };
}
