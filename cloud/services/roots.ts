/** @module Users' synced roots and their rules: how many an account holds, local paths for operators only, credentials sealed before they are stored. */
import { EdgeError } from '../../base/errors.ts';
import type { CourierRecord, RootRecord, UserRecord } from '../data.ts';
import { newId } from '../ids.ts';
import type { SecretBox } from '../secret-box.ts';
import type { RootStore } from '../stores/roots.ts';
import type { FleetRegistry } from './fleet.ts';
import type { FolderAppService } from './folder-apps.ts';

/** Each root costs a courier a watcher and, for Dropbox and OneDrive, polling: one account must not take a fleet's share. */
export const MAX_ROOTS_PER_USER = 100;

/** A root as its owner registers it: a local one has no credentials, the others the courier's DROPBOX_* or ONEDRIVE_* values. */
export type NewRoot = { kind: 'local'; path: string } | { kind: 'dropbox' | 'onedrive'; path: string; credentials: Record<string, string> };

/** A root with the courier serving it now, if any. */
export interface HeldRoot {
  root: RootRecord;
  courier: CourierRecord | undefined;
}

export interface RootServiceDeps {
  roots: Pick<RootStore, 'list' | 'insert' | 'remove'>;
  fleet: Pick<FleetRegistry, 'holderOf'>;
  secrets: Pick<SecretBox, 'seal'>;
  folderApps: Pick<FolderAppService, 'withdrawRoot'>;
  now?: () => number;
}

export interface RootService {
  create(owner: Pick<UserRecord, 'id' | 'role'>, root: NewRoot): Promise<HeldRoot>;
  list(ownerId: string): HeldRoot[];
  /**
   * NOT_FOUND unless the owner has a root of that id; its courier lets it go at its next heartbeat, and the folder
   * apps it published last are stopped, their versions kept, once any start of theirs under way ends.
   */
  remove(ownerId: string, id: string): Promise<void>;
}

/**
 * The root service over the root store, the fleet and the secret box.
 * @example await roots.create(user, { kind: 'dropbox', path: '/edge', credentials: { DROPBOX_REFRESH_TOKEN: '…' } })
 */
export function rootService(deps: RootServiceDeps): RootService {
  const now = deps.now ?? Date.now;
  const held = (root: RootRecord): HeldRoot => ({ root, courier: deps.fleet.holderOf(root) });

  return {
    async create(owner, input) {
      // A local path is on the couriers' hosts, which are the operator's to hand out, not any user's to name.
      if (input.kind === 'local' && owner.role !== 'operator') {
        throw new EdgeError('FORBIDDEN', 'only operators may register local roots; link a Dropbox or OneDrive folder instead');
      }
      if (deps.roots.list(owner.id).length >= MAX_ROOTS_PER_USER) {
        throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_ROOTS_PER_USER} roots; delete one first`);
      }
      const id = newId('root');
      const credentials = 'credentials' in input ? deps.secrets.seal(JSON.stringify(input.credentials), id) : null;
      const root: RootRecord = {
        id,
        ownerId: owner.id,
        kind: input.kind,
        path: input.path,
        credentials,
        createdAt: new Date(now()).toISOString(),
        courierId: null,
        leaseExpiresAt: null,
      };
      await deps.roots.insert(root);
      return held(root);
    },
    list: (ownerId) => deps.roots.list(ownerId).map(held),
    async remove(ownerId, id) {
      if (!(await deps.roots.remove(ownerId, id))) throw new EdgeError('NOT_FOUND', `no root ${id} of yours`);
      // Their endpoints answered for the root; with it gone, nothing would ever change or withdraw them again. Not
      // awaited: a start of one under way may take minutes, and the stop waits for it.
      void deps.folderApps.withdrawRoot(ownerId, id);
    },
  };
}
