/**
 * @module Loaded apps of the synced root. An app is reloaded when a watch event says it changed, and, in
 * case an event comes late, when a quick look at the sizes and times of all its files finds a change (at
 * most every `recheckMs`).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../runtime/app.ts';
import { appFileStamps } from '../runtime/app-files.ts';
import { EdgeError } from '../base/errors.ts';

interface Entry {
  loaded: Promise<LoadedApp>;
  fingerprint: string;
  checkedAt: number;
}

export interface AppCacheOptions {
  /** How long a loaded app is trusted before its files are looked at again. */
  recheckMs?: number;
  /** Files outside the root that belong to the app (its secrets file): a change to one reloads it too. */
  outside?: (app: string) => string[];
}

export class AppCache {
  #root: string;
  #load: (dir: string) => Promise<LoadedApp>;
  #recheckMs: number;
  #outside: (app: string) => string[];
  #apps = new Map<string, Entry>();
  #changedAt = new Map<string, number>();

  constructor(root: string, load: (dir: string) => Promise<LoadedApp>, options: AppCacheOptions = {}) {
    this.#root = root;
    this.#load = load;
    this.#recheckMs = options.recheckMs ?? 250;
    this.#outside = options.outside ?? (() => []);
  }

  /** The app in folder `app` of the root; a broken app's error is kept too, until the app changes. */
  async get(app: string): Promise<LoadedApp> {
    const entry = this.#apps.get(app);
    if (entry && Date.now() - entry.checkedAt < this.#recheckMs) return entry.loaded;
    const fingerprint = await this.#fingerprint(app);
    if (entry && entry.fingerprint === fingerprint && this.#apps.get(app) === entry) {
      entry.checkedAt = Date.now();
      return entry.loaded;
    }
    const loaded = this.#loadApp(app);
    loaded.catch(() => undefined);
    this.#apps.set(app, { loaded, fingerprint, checkedAt: Date.now() });
    return loaded;
  }

  /** A file of the app was added, changed or removed. */
  changed(app: string): void {
    this.#apps.delete(app);
    this.#changedAt.set(app, Date.now());
  }

  /**
   * Waits until no file of the app changed for `quietMs`: a sync client writes an app folder file by
   * file, and a request that arrives with it should see the whole app.
   */
  async settled(app: string, quietMs: number): Promise<void> {
    for (;;) {
      const wait = (this.#changedAt.get(app) ?? 0) + quietMs - Date.now();
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Every file a function can load counts (a template, a helper), as it does for the app's version. */
  async #fingerprint(app: string): Promise<string> {
    // A folder that cannot be walked is loaded, so that loading says what is wrong with it.
    const inside = await appFileStamps(join(this.#root, app)).catch((error: unknown) => `unreadable: ${String(error)}`);
    const outside = await Promise.all(
      this.#outside(app).map((path) =>
        stat(path).then(
          // The change time too: a chmod that makes a refused secrets file private changes nothing else.
          (info) => `${path}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`,
          () => '',
        ),
      ),
    );
    return [inside, ...outside].join('|');
  }

  async #loadApp(app: string): Promise<LoadedApp> {
    const dir = join(this.#root, app);
    const functions = await stat(join(dir, 'functions')).catch(() => undefined);
    if (!functions?.isDirectory()) {
      throw new EdgeError(
        'NOT_AN_APP',
        `"${app}" is not an app: it has no functions/ folder. Put a request into the requests/ folder of an app, next to its functions/ folder.`,
      );
    }
    return this.#load(dir);
  }
}
