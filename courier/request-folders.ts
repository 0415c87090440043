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

/** A watch and the folder it was placed on: a folder of the same name found later may be another one. */
interface Watched {
  watcher: FSWatcher;
  dev: number;
  ino: number;
}

const sameFolder = (watched: Watched | undefined, info: { dev: number; ino: number } | undefined) => watched?.dev === info?.dev && watched?.ino === info?.ino;

export class RequestFolders {
  #root: string;
  #events: RequestFolderEvents;
  #logger: Logger;
  #watched = new Map<string, Watched>();
  /** The app folders above watched requests folders, watched for the requests folder's name only. */
  #parents = new Map<string, Watched>();
  /** One check at a time per folder, in the order asked for, so events that arrive out of order cannot undo a newer check. */
  #checks = new Map<string, Promise<void>>();
  #closed = false;

  constructor(root: string, events: RequestFolderEvents, logger: Logger) {
    this.#root = root;
    this.#events = events;
    this.#logger = logger;
  }

  /**
   * Brings the watch on `folder` (relative to the root) in line with what is there now: a new folder is
   * watched and every name in it reported; a removed one, or one replaced by another (renamed in over
   * it), is reported gone first.
   */
  check(folder: string): void {
    const next = (this.#checks.get(folder) ?? Promise.resolve()).then(() => this.#check(folder));
    this.#checks.set(folder, next);
    void next.finally(() => this.#checks.get(folder) === next && this.#checks.delete(folder));
  }

  /** Checks every watched folder at or below `path`, e.g. after chokidar saw `path` removed. */
  checkBelow(path: string): void {
    for (const folder of this.#watched.keys()) if (folder === path || folder.startsWith(path + sep)) this.check(folder);
  }

  /** Resolves once every check asked for so far is done. */
  async settled(): Promise<void> {
    while (this.#checks.size > 0) await Promise.all(this.#checks.values());
  }

  close(): void {
    this.#closed = true;
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
    const watched = this.#watch(folder, folderNow, (name) => this.#events.name(folder + sep + name));
    if (!watched) return;
    this.#watched.set(folder, watched);
    // Listed after the watch is in place: a file renamed in meanwhile is reported at least once.
    const names = await readdir(absolute).catch(() => []);
    for (const name of names) if (!this.#closed) this.#events.name(folder + sep + name);
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
    if (watched) this.#parents.set(parent, watched);
  }

  #watch(folder: string, info: { dev: number; ino: number }, onName: (name: string) => void): Watched | undefined {
    try {
      const watcher = watch(join(this.#root, folder), (_, name) => name && onName(name));
      watcher.on('error', (error) => this.#logger.debug({ err: error, folder }, 'a folder watch failed'));
      return { watcher, dev: info.dev, ino: info.ino };
    } catch (error) {
      // Gone again already: chokidar reports the removal.
      this.#logger.debug({ err: error, folder }, 'could not watch a folder');
      return undefined;
    }
  }
}
