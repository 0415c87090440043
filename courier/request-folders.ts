/**
 * @module Watches each app's requests/ folder with one inotify watch on the folder, and its app folder
 * for the requests folder being swapped. chokidar (which watches the rest of the root) puts a watch, a
 * stat and an event object on every file; a backlog of thousands of requests would pay that for each
 * file before any of them ran. And chokidar reports nothing when a folder is renamed away and another
 * renamed in under the same name in quick succession.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { Logger } from 'pino';

export interface RequestFolderEvents {
  /** A name appeared, changed or vanished in a watched folder (path relative to the root). */
  name(path: string): void;
  /** A watched folder was removed or replaced: what it held is gone. */
  gone(folder: string): void;
}

/** Which folder a path named when it was looked at: the file system may give a new folder an old one's inode, never its birth time. */
interface FolderIdentity {
  dev: number;
  ino: number;
  birthtimeMs: number;
}

/** A watch and the folder it was placed on: a folder of the same name found later may be another one. */
interface Watched extends FolderIdentity {
  watcher: FSWatcher;
  /** For a parent's watch: the folder below it that it looks out for. */
  child?: string;
  /** For a requests folder's watch: the names it was last known to hold, so a listing again reports only what no event did. */
  seen?: Set<string>;
}

const sameFolder = (watched: Watched | undefined, info: FolderIdentity | undefined) =>
  watched?.dev === info?.dev && watched?.ino === info?.ino && watched?.birthtimeMs === info?.birthtimeMs;

/**
 * How often every watched folder is listed again for names no event reported: the kernel drops
 * events when its queue overflows (16,384 by default), which a sync client landing thousands of
 * files at once can do.
 */
const RELIST_MS = 5000;

export class RequestFolders {
  #root: string;
  #events: RequestFolderEvents;
  #logger: Logger;
  #watched = new Map<string, Watched>();
  /** The app folders above watched requests folders, watched for the requests folder's name only. */
  #parents = new Map<string, Watched>();
  /** One check at a time per folder, in the order asked for, so events that arrive out of order cannot undo a newer check. */
  #checks = new Map<string, Promise<void>>();
  #relistTimer: NodeJS.Timeout;
  #closed = false;

  constructor(root: string, events: RequestFolderEvents, logger: Logger) {
    this.#root = root;
    this.#events = events;
    this.#logger = logger;
    this.#relistTimer = setInterval(() => {
      for (const folder of this.#watched.keys()) this.#inTurn(folder, () => this.#relist(folder));
    }, RELIST_MS).unref();
  }

  /**
   * Brings the watch on `folder` (relative to the root) in line with what is there now: a new folder is
   * watched and every name in it reported; a removed one, or one replaced by another (renamed in over
   * it), is reported gone first.
   */
  check(folder: string): void {
    this.#inTurn(folder, () => this.#check(folder));
  }

  #inTurn(folder: string, task: () => Promise<void>): void {
    const next = (this.#checks.get(folder) ?? Promise.resolve())
      .then(task)
      .catch((error: unknown) => this.#logger.error({ err: error, folder }, 'checking a requests folder failed'));
    this.#checks.set(folder, next);
    void next.finally(() => this.#checks.get(folder) === next && this.#checks.delete(folder));
  }

  /** What dropped events may have hidden: the folder swapped for another, names never reported. */
  async #relist(folder: string): Promise<void> {
    await this.#check(folder);
    if (this.#watched.has(folder)) await this.#list(folder, true);
  }

  /** Checks every watched folder at or below `path`, e.g. after chokidar saw `path` removed. */
  checkBelow(path: string): void {
    const below = (folder: string) => folder === path || folder.startsWith(path + sep);
    const folders = new Set([...this.#watched.keys()].filter(below));
    for (const [parent, { child }] of this.#parents) if (below(parent) && child) folders.add(join(parent, child));
    for (const folder of folders) this.check(folder);
  }

  /** Resolves once every check asked for so far is done. */
  async settled(): Promise<void> {
    while (this.#checks.size > 0) await Promise.all(this.#checks.values());
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#relistTimer);
    for (const { watcher } of [...this.#watched.values(), ...this.#parents.values()]) watcher.close();
    this.#watched.clear();
    this.#parents.clear();
  }

  async #check(folder: string): Promise<void> {
    if (this.#closed) return;
    await this.#watchParent(folder);
    const absolute = join(this.#root, folder);
    // lstat: a symlinked requests folder would lead out of the root, as fs.watch and readdir follow links.
    const info = await lstat(absolute).catch(() => undefined);
    const folderNow = info?.isDirectory() ? info : undefined;
    const current = this.#watched.get(folder);
    if (current && sameFolder(current, folderNow)) return;
    if (current) {
      current.watcher.close();
      this.#watched.delete(folder);
      this.#events.gone(folder);
    }
    if (!folderNow || this.#closed) return;
    const seen = new Set<string>();
    const watched = this.#watch(folder, folderNow, (name) => {
      seen.add(name);
      this.#events.name(folder + sep + name);
    });
    if (!watched) return;
    this.#watched.set(folder, { ...watched, seen });
    // Listed after the watch is in place: a file renamed in meanwhile is reported at least once.
    await this.#list(folder, false);
  }

  /** Lists `folder` and reports its names: all of them, or only those not seen since the last listing. */
  async #list(folder: string, onlyUnseen: boolean): Promise<void> {
    const names = await readdir(join(this.#root, folder)).catch(() => undefined);
    const seen = this.#watched.get(folder)?.seen;
    if (!names || !seen || this.#closed) return;
    for (const name of names) if (!onlyUnseen || !seen.has(name)) this.#events.name(folder + sep + name);
    seen.clear();
    for (const name of names) seen.add(name);
  }

  /** Watches the folder holding `folder` for entries named like it, while that parent is a folder. */
  async #watchParent(folder: string): Promise<void> {
    const parent = dirname(folder);
    const name = basename(folder);
    const info = await lstat(join(this.#root, parent)).catch(() => undefined);
    const parentNow = info?.isDirectory() ? info : undefined;
    const current = this.#parents.get(parent);
    if (sameFolder(current, parentNow) || this.#closed) return;
    current?.watcher.close();
    this.#parents.delete(parent);
    const watched = parentNow && this.#watch(parent, parentNow, (changed) => changed === name && this.check(folder));
    if (watched) this.#parents.set(parent, { ...watched, child: name });
  }

  #watch(folder: string, info: FolderIdentity, onName: (name: string) => void): Watched | undefined {
    try {
      const watcher = watch(join(this.#root, folder), (_, name) => name && onName(name));
      watcher.on('error', (error) => this.#logger.debug({ err: error, folder }, 'a folder watch failed'));
      return { watcher, dev: info.dev, ino: info.ino, birthtimeMs: info.birthtimeMs };
    } catch (error) {
      // Gone again already: chokidar reports the removal.
      this.#logger.debug({ err: error, folder }, 'could not watch a folder');
      return undefined;
    }
  }
}
