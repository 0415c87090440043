/** @module Users' synced roots in the cloud's database, and who holds them. Owners see only their own. */
import { removeWhere, type CloudDb } from '../db.ts';
import type { RootRecord } from '../data.ts';

export interface RootStore {
  /** Every root, for handing them out at heartbeats. Changes made to them are kept by `save`. */
  all(): RootRecord[];
  list(ownerId: string): RootRecord[];
  insert(root: RootRecord): Promise<void>;
  /** The owner's root of that id is deleted; false when they have none (another user's root looks missing). */
  remove(ownerId: string, id: string): Promise<boolean>;
  /** Writes changes made to records returned by `all`. */
  save(): Promise<void>;
}

export function rootStore(db: CloudDb): RootStore {
  return {
    all: () => db.data.roots,
    list: (ownerId) => db.data.roots.filter((root) => root.ownerId === ownerId),
    async insert(root) {
      db.data.roots.push(root);
      await db.write();
    },
    remove: (ownerId, id) => removeWhere(db, 'roots', (root) => root.id === id && root.ownerId === ownerId),
    save: () => db.write(),
  };
}
