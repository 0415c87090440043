/** @module Apps, their functions, endpoints and grants in the cloud's database. Lookups by id leave access to the caller (cloud/services/app-access.ts). */
import { EdgeError } from '../../base/errors.ts';
import { droppedChange } from '../code-split-file.ts';
import { removeWhere, type CloudDb } from '../db.ts';
import type { AppRecord } from '../data.ts';

export interface AppStore {
  /** Every app, for restarting the running ones when the service starts. */
  all(): AppRecord[];
  /** The apps `ownerId` owns. */
  list(ownerId: string): AppRecord[];
  /** Apps of others that grant `userId`'s account something (a grant to everyone does not count). */
  sharedWith(userId: string): AppRecord[];
  /** Any app by id: whoever asks checks access to it (app-access.ts). */
  byId(id: string): AppRecord | undefined;
  insert(app: AppRecord): Promise<void>;
  /** Saves changes made to a record returned by this store, while it still holds that record. */
  save(app: AppRecord): Promise<void>;
  remove(ownerId: string, id: string): Promise<boolean>;
}

export function appStore(db: CloudDb): AppStore {
  return {
    all: () => db.data.apps,
    list: (ownerId) => db.data.apps.filter((app) => app.ownerId === ownerId),
    sharedWith: (userId) => db.data.apps.filter((app) => app.ownerId !== userId && app.grants?.some((grant) => grant.grantee === userId)),
    byId: (id) => db.data.apps.find((app) => app.id === id),
    async insert(app) {
      db.data.apps.push(app);
      try {
        await db.write();
      } catch (error) {
        // Not saved, so not made: a write that fails (a full database puts the file's records back itself) leaves no app behind.
        db.data.apps = db.data.apps.filter((candidate) => candidate !== app);
        throw error;
      }
    },
    async save(app) {
      // A record held across a wait may be gone meanwhile, or replaced by a reload after a refused write (cloud/db.ts):
      // writing then would answer that a change was saved that no record holds.
      const current = db.data.apps.find((candidate) => candidate.id === app.id);
      if (current !== app) throw current ? droppedChange() : new EdgeError('APP_NOT_FOUND', `app ${app.id} was deleted while it was being changed`);
      app.updatedAt = new Date().toISOString();
      await db.write();
    },
    remove: (ownerId, id) => removeWhere(db, 'apps', (app) => app.id === id && app.ownerId === ownerId),
  };
}
