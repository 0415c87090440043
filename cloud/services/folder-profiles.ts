/**
 * @module The profile side of a folder app's two doors: the calls its folder requests make (in the courier beside the
 * cloud under `edgecourier start --owner`, or in a fleet courier's report for a root) are counted in the book of the
 * folder app of that name as well, so that the app's profile shows both doors, each call at the place it ran.
 */
import type { ProfileDigest, ProfileSample } from '../../runtime/profiles.ts';
import type { AppRecord } from '../data.ts';
import { appProfileKey } from '../profiles/keys.ts';
import type { ProfileStore } from '../profiles/store.ts';
import type { AppStore } from '../stores/apps.ts';

/** Counts an account's folder requests in the profiles of its published folder apps; those of folders not published are left out. */
export interface FolderProfiles {
  /** One call of a request of app folder `name`, as the courier beside the cloud saw it end. */
  record(ownerId: string, name: string, sample: ProfileSample): void;
  /** A fleet courier's digests of app folder `name` of a root of account `ownerId`, every call counted in a courier. */
  merge(ownerId: string, name: string, digests: readonly ProfileDigest[]): void;
}

export interface FolderProfilesDeps {
  apps: Pick<AppStore, 'list'>;
  store: Pick<ProfileStore, 'record' | 'merge'>;
}

/**
 * @example folderProfiles({ apps, store }).record(ownerId, 'hello', sample)
 */
export function folderProfiles(deps: FolderProfilesDeps): FolderProfiles {
  // By name among the folder apps only: an app of that name made through the API is another app (APP_FROM_FOLDER).
  const published = (ownerId: string, name: string): AppRecord | undefined =>
    deps.apps.list(ownerId).find((app) => app.source === 'folder' && app.name === name);
  return {
    record(ownerId, name, sample) {
      const app = published(ownerId, name);
      // No app version: the folder may hold files not published yet, and the function version keeps calls apart anyway.
      if (app) deps.store.record(appProfileKey(app.id), ownerId, sample);
    },
    merge(ownerId, name, digests) {
      const app = published(ownerId, name);
      if (app && digests.length > 0) deps.store.merge(appProfileKey(app.id), ownerId, digests, 'courier');
    },
  };
}
