/**
 * @module Folder apps: the apps of a synced folder that declare endpoints, published as apps of the account the folder
 * belongs to, through the same deploy path as `edgecourier deploy`, so that their endpoints answer over HTTP with the
 * folder's very files (docs/cloud.md, "Folder apps").
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { EdgeError } from '../../base/errors.ts';
import { appNameSchema } from '../app-schemas.ts';
import type { AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import type { UserStore } from '../stores/users.ts';
import type { AppService } from './apps.ts';
import type { DeployService } from './deploys.ts';

/** A file of a folder app, as the folder holds it. */
export interface FolderAppFile {
  path: string;
  bytes: Buffer;
}

/** What each version made from a folder says of itself. */
export const FOLDER_VERSION_MESSAGE = 'from the synced folder';

export interface FolderAppServiceDeps {
  users: Pick<UserStore, 'byEmail'>;
  apps: Pick<AppStore, 'list'>;
  deploys: Pick<DeployService, 'upload' | 'deploy'>;
  lifecycle: Pick<AppService, 'start' | 'stop'>;
}

export interface FolderAppService {
  /**
   * Makes the folder app `name` of the account `ownerEmail` hold `files` (a new version when they changed, by that
   * account, saying it came from the folder) and starts it. APP_FROM_FOLDER when the account has an app of that name made through the
   * API, which is left as it is; USER_NOT_FOUND while no account has that address.
   */
  publish(ownerEmail: string, name: string, files: FolderAppFile[]): Promise<{ app: AppRecord; created: boolean }>;
  /** The names of the account's folder apps; undefined while no account has that address. */
  names(ownerEmail: string): string[] | undefined;
  /** The folder app `name` left the folder, or declares no endpoints now: its cloud app is stopped, versions and all kept. Resolves with it, if there is one. */
  withdraw(ownerEmail: string, name: string): Promise<AppRecord | undefined>;
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The folder app service over the deploy service.
 * @example await folderAppService({ users, apps, deploys, lifecycle }).publish('ada@example.com', 'hello', files)
 */
export function folderAppService(deps: FolderAppServiceDeps): FolderAppService {
  const ownerOf = (email: string) => {
    const user = deps.users.byEmail(email);
    if (!user) throw new EdgeError('USER_NOT_FOUND', `no account has the address ${email} yet: the folder's apps are published once it signs up`);
    return user;
  };

  return {
    async publish(ownerEmail, name, files) {
      const owner = ownerOf(ownerEmail);
      const named = appNameSchema.safeParse(name);
      if (!named.success) throw new EdgeError('INVALID_INPUT', `the folder "${name}" cannot be a cloud app: ${named.error.issues[0]?.message}`);
      for (const file of files) await deps.deploys.upload(owner.id, sha256Of(file.bytes), Readable.from([file.bytes]));
      const manifest = { name, files: files.map((file) => ({ path: file.path, sha256: sha256Of(file.bytes) })), message: FOLDER_VERSION_MESSAGE };
      const { app, created } = await deps.deploys.deploy(owner.id, manifest, 'folder');
      // Running is the point of a folder app with endpoints; a stop through the API holds until the folder changes.
      const started = app.status === 'running' ? app : await deps.lifecycle.start(owner.id, app.id);
      return { app: started, created };
    },

    names(ownerEmail) {
      const owner = deps.users.byEmail(ownerEmail);
      return (
        owner &&
        deps.apps
          .list(owner.id)
          .filter((app) => app.source === 'folder')
          .map((app) => app.name)
      );
    },

    async withdraw(ownerEmail, name) {
      const owner = ownerOf(ownerEmail);
      const app = deps.apps.list(owner.id).find((candidate) => candidate.name === name && candidate.source === 'folder');
      if (!app || app.status === 'stopped') return app;
      return deps.lifecycle.stop(owner.id, app.id);
    },
  };
}
