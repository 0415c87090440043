/** @module App bundles for edge computing: the whole app for those who may read it, or for anyone else its public functions and its other files, and only when the asked function is public. */
import type { AppBundle, AppRuntime } from '../app-runtime.ts';
import type { AppStore } from '../stores/apps.ts';
import { accessOf, allows } from './app-access.ts';
import { appNotFound, functionOf } from './app-lookup.ts';

export interface BundleServiceDeps {
  apps: Pick<AppStore, 'byId'>;
  runtime: Pick<AppRuntime, 'bundle'>;
}

export interface BundleService {
  /** The bundle whose entry is `name`, as `callerId` (undefined: nobody signed in) may have it. */
  bundle(callerId: string | undefined, appId: string, name: string): Promise<AppBundle>;
}

/**
 * The bundle service; it checks access itself, since public functions need no caller.
 * @example bundleService({ apps, runtime }).bundle(undefined, 'app_3f9c0a1b2c4d5e6f', 'greet')
 */
export function bundleService(deps: BundleServiceDeps): BundleService {
  return {
    async bundle(callerId, appId, name) {
      const app = deps.apps.byId(appId);
      if (!app) throw appNotFound(appId);
      // READ is "see the code": the owner's view, the whole app (secrets are in no view).
      if (allows(accessOf(app, callerId), 'READ')) return deps.runtime.bundle(app, functionOf(app, name).name, 'owner');
      // Anyone else learns nothing about a private function, not even that the app exists.
      if (!app.functions.some((fn) => fn.name === name && fn.public)) throw appNotFound(appId);
      return deps.runtime.bundle(app, name, 'public');
    },
  };
}
