/**
 * @module Folder apps: the apps of a synced folder that declare endpoints, published as apps of the account the folder
 * belongs to, through the same deploy path as `edgecourier deploy`, so that their endpoints answer over HTTP with the
 * folder's very files (docs/cloud.md, "Folder apps").
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Readable } from 'node:stream';
import { EdgeError } from '../../base/errors.ts';
import { appNameSchema } from '../app-schemas.ts';
import type { AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import type { UserStore } from '../stores/users.ts';
import type { AppService } from './apps.ts';
import type { DeployFile, DeployService } from './deploys.ts';

/** A file of a folder app, as the folder holds it. */
export interface FolderAppFile {
  path: string;
  bytes: Buffer;
}

/** What each version made from a folder says of itself. */
export const FOLDER_VERSION_MESSAGE = 'from the synced folder';

export interface FolderAppServiceDeps {
  users: Pick<UserStore, 'byEmail'>;
  apps: Pick<AppStore, 'list' | 'byId' | 'save'>;
  deploys: Pick<DeployService, 'upload' | 'deploy'>;
  lifecycle: Pick<AppService, 'start' | 'stop'>;
  logger: Logger;
}

/** The fleet root a publish comes from (cloud/routes/fleet-apps.ts). */
export interface PublishingRoot {
  id: string;
  /** Throws ROOT_NOT_HELD once the root is deleted or its lease is another courier's. */
  assertHeld(): void;
}

/**
 * A synced folder's apps as apps of the account the folder is linked to, by that account's id: the `edgecourier start`
 * folder's owner (`accountOf` its address), or the owner of a root a fleet courier serves (cloud/routes/fleet-apps.ts).
 */
export interface FolderAppService {
  /** The id of the account with that address; undefined while there is none. */
  accountOf(email: string): string | undefined;
  /**
   * Makes the folder app `name` of account `ownerId` hold `files` (a new version when they changed, by that account,
   * saying it came from the folder) and starts it. APP_FROM_FOLDER when the account has an app of that name made
   * through the API, which is left as it is.
   */
  publish(ownerId: string, name: string, files: FolderAppFile[]): Promise<{ app: AppRecord; created: boolean }>;
  /**
   * As `publish`, of files the account uploaded already (DeployService.upload) or the app holds, named by their
   * SHA-256; `root` is the fleet root publishing them, which the app then belongs to (`withdrawRoot`).
   */
  publishUploaded(ownerId: string, name: string, files: DeployFile[], root?: PublishingRoot): Promise<{ app: AppRecord; created: boolean }>;
  /** The names of the account's folder apps. */
  names(ownerId: string): string[];
  /** The folder app `name` left the folder, or declares no endpoints now: its cloud app is stopped, versions and all kept. Resolves with it, if there is one. */
  withdraw(ownerId: string, name: string): Promise<AppRecord | undefined>;
  /**
   * The root `rootId` of the account was deleted: the folder apps it published last are stopped, each after any start
   * of it under way, versions and all kept. Never rejects: an app that cannot be stopped is logged and left as it is.
   * Resolves with those stopped.
   */
  withdrawRoot(ownerId: string, rootId: string): Promise<AppRecord[]>;
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function assertAppName(name: string): void {
  const named = appNameSchema.safeParse(name);
  if (!named.success) throw new EdgeError('INVALID_INPUT', `the folder "${name}" cannot be a cloud app: ${named.error.issues[0]?.message}`);
}

/**
 * The folder app service over the deploy service.
 * @example await folderAppService({ users, apps, deploys, lifecycle, logger }).publish(user.id, 'hello', files)
 */
export function folderAppService(deps: FolderAppServiceDeps): FolderAppService {
  const folderApps = (ownerId: string) => deps.apps.list(ownerId).filter((app) => app.source === 'folder');

  /** Two roots of one account share its app names: an app belongs to the root that published it last. */
  const belongTo = async (app: AppRecord, rootId: string | undefined): Promise<AppRecord> => {
    const held = deps.apps.byId(app.id);
    if (!held || held.rootId === rootId) return held ?? app;
    if (rootId === undefined) delete held.rootId;
    else held.rootId = rootId;
    await deps.apps.save(held);
    return held;
  };

  const publishUploaded: FolderAppService['publishUploaded'] = async (ownerId, name, files, root) => {
    assertAppName(name);
    const { app, created } = await deps.deploys.deploy(ownerId, { name, files, message: FOLDER_VERSION_MESSAGE }, 'folder');
    // Checked and marked with no wait between, before the start: a root deleted before this is refused here, and
    // one deleted after finds the app its own, to stop once the start ends.
    root?.assertHeld();
    const owned = await belongTo(app, root?.id);
    // Running is the point of a folder app with endpoints; a stop through the API holds until the folder changes.
    const started = owned.status === 'running' ? owned : await deps.lifecycle.start(ownerId, owned.id);
    return { app: started, created };
  };

  return {
    accountOf: (email) => deps.users.byEmail(email)?.id,

    async publish(ownerId, name, files) {
      // Before the uploads, which would wait an hour for a deploy that never comes.
      assertAppName(name);
      for (const file of files) await deps.deploys.upload(ownerId, sha256Of(file.bytes), Readable.from([file.bytes]));
      return publishUploaded(
        ownerId,
        name,
        files.map((file) => ({ path: file.path, sha256: sha256Of(file.bytes) })),
      );
    },

    publishUploaded,

    names: (ownerId) => folderApps(ownerId).map((app) => app.name),

    async withdraw(ownerId, name) {
      const app = folderApps(ownerId).find((candidate) => candidate.name === name);
      if (!app || app.status === 'stopped') return app;
      return deps.lifecycle.stop(ownerId, app.id);
    },

    async withdrawRoot(ownerId, rootId) {
      const stopped: AppRecord[] = [];
      // Stopped ones too: a start under way, which the stop waits for, has not said "running" yet.
      for (const app of folderApps(ownerId).filter((candidate) => candidate.rootId === rootId)) {
        try {
          stopped.push(await deps.lifecycle.stop(ownerId, app.id));
        } catch (err) {
          // Deleted meanwhile: there is nothing left to stop.
          if (err instanceof EdgeError && err.code === 'APP_NOT_FOUND') continue;
          deps.logger.error({ err, appId: app.id, rootId }, 'could not stop a folder app of a deleted root; it runs until stopped');
        }
      }
      return stopped;
    },
  };
}
