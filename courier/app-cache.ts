/** @module Loaded apps of the synced root, kept until a file of the app changes, and a way to wait for a syncing app to settle. */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedApp } from '../runtime/app.ts';
import { EdgeError } from '../runtime/errors.ts';

export class AppCache {
  #root: string;
  #load: (dir: string) => Promise<LoadedApp>;
  #apps = new Map<string, Promise<LoadedApp>>();
  #changedAt = new Map<string, number>();

  constructor(root: string, load: (dir: string) => Promise<LoadedApp>) {
    this.#root = root;
    this.#load = load;
  }

  /** The app in folder `app` of the root; a broken app's error is kept too, until the app changes. */
  get(app: string): Promise<LoadedApp> {
    let loaded = this.#apps.get(app);
    if (!loaded) {
      loaded = this.#loadApp(app);
      loaded.catch(() => undefined);
      this.#apps.set(app, loaded);
    }
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

  async #loadApp(app: string): Promise<LoadedApp> {
    const dir = join(this.#root, app);
    const functions = await stat(join(dir, 'functions')).catch(() => undefined);
    if (!functions?.isDirectory()) {
      throw new EdgeError('NOT_AN_APP', `"${app}" is not an app: it has no functions/ folder. Put a request into the requests/ folder of an app, next to its functions/ folder.`);
    }
    return this.#load(dir);
  }
}
