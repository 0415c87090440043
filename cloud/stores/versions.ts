/**
 * @module Apps' versions in the cloud's database. They share its one file with the apps: a change of an app and of its
 * versions is made in memory here and saved by the one write that follows (the app's), so the two never part.
 */
import type { CloudDb } from '../db.ts';
import type { VersionRecord } from '../data.ts';

export interface VersionStore {
  /** The app's versions, oldest first. */
  list(appId: string): VersionRecord[];
  get(appId: string, id: string): VersionRecord | undefined;
  /** Makes the app's versions these, in memory only: the next write of the database saves them. */
  replace(appId: string, versions: VersionRecord[]): void;
  /** Saves changes made to versions this store returned (frozen, a dependency outcome). */
  save(): Promise<void>;
}

export function versionStore(db: CloudDb): VersionStore {
  return {
    list: (appId) => db.data.versions.filter((version) => version.appId === appId),
    get: (appId, id) => db.data.versions.find((version) => version.appId === appId && version.id === id),
    replace(appId, versions) {
      db.data.versions = [...db.data.versions.filter((version) => version.appId !== appId), ...versions];
    },
    save: () => db.write(),
  };
}
