/**
 * @module An app's versions and their rules: listed, found by id, id prefix or tag, read file by file (READ), made
 * active (a rollback, which warms a running app, or puts the version that was active back when it cannot: WRITE),
 * frozen, unfrozen (retention applying again) and deleted (FULL_CONTROL); the active one and frozen ones are never
 * deleted, and an app holds at most so many frozen ones.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { EdgeError } from '../../base/errors.ts';
import type { AppRuntime } from '../app-runtime.ts';
import { renderVersion, type TreeFile, describeEntry } from '../app-tree.ts';
import type { BlobStore } from '../blob-store.ts';
import type { Access, AppRecord, VersionRecord } from '../data.ts';
import type { VersionStore } from '../stores/versions.ts';
import { restoredParts } from '../version-content.ts';
import { appFor } from './app-access.ts';
import { commit, draftOf } from './drafts.ts';
import { MAX_FROZEN_VERSIONS, pruned, type VersionedAppStore } from './versioned-apps.ts';
import { assertNotFromFolder } from './folder-source.ts';

/** A version with the app it belongs to, which says whether it is active. */
export interface AppVersion {
  app: AppRecord;
  version: VersionRecord;
}

/** A version frozen or unfrozen; `removed` when, unfrozen, it was past retention's bound and retention removed it. */
export interface FrozenChange extends AppVersion {
  removed: boolean;
}

/** Bytes to send, with their path, size and hash. */
export interface VersionFile {
  file: TreeFile;
  content: Readable;
}

export interface VersionServiceDeps {
  apps: Pick<VersionedAppStore, 'byId' | 'save'>;
  versions: VersionStore;
  blobs: Pick<BlobStore, 'holder' | 'path' | 'read'>;
  /** Warms a running app on the version made active, after the app's starts and stops asked for before. */
  runtime: Pick<AppRuntime, 'changeInTurn' | 'start'>;
  /** Told when the version that was active could not be made active and warm again after a rollback failed to warm. */
  onPutBackFailed?: (error: unknown, app: AppRecord) => void;
  now?: () => number;
}

/** Each call is made by `userId`, who needs READ to see an app's versions, WRITE to activate one, FULL_CONTROL for the rest. */
export interface VersionService {
  /** The app's versions, newest first. */
  list(userId: string, appId: string): { app: AppRecord; versions: VersionRecord[] };
  /** The version `ref` names: a tag, a full id, or the start of one that names a single version. */
  get(userId: string, appId: string, ref: string): AppVersion;
  readFile(userId: string, appId: string, ref: string, path: string): Promise<VersionFile>;
  /** The package-lock.json npm wrote when it installed the version's dependencies. */
  readLock(userId: string, appId: string, ref: string): Promise<VersionFile>;
  /**
   * Makes the version the app's content and its active one at once; a running app is warmed on it before this resolves.
   * When it cannot be (its dependencies do not install, say), the version that was active is made active again and
   * this rejects with why.
   */
  activate(userId: string, appId: string, ref: string): Promise<AppVersion>;
  /**
   * Freezing keeps a version for ever, and unfreezing lets retention remove it, at once when the app holds more
   * unfrozen versions than its bound then: FULL_CONTROL, as deleting it is.
   */
  setFrozen(userId: string, appId: string, ref: string, frozen: boolean): Promise<FrozenChange>;
  remove(userId: string, appId: string, ref: string): Promise<void>;
}

/** A version's id is hex; at least this much of it names one, as git's short ids do. */
const MIN_ID_PREFIX = 7;

function versionNotFound(app: AppRecord, ref: string): EdgeError {
  return new EdgeError('VERSION_NOT_FOUND', `app "${app.name}" has no version ${JSON.stringify(ref)}`);
}

function fileNotFound(version: VersionRecord, path: string): EdgeError {
  return new EdgeError('FILE_NOT_FOUND', `version ${version.id.slice(0, 12)} has no file ${JSON.stringify(path)}`);
}

/** Every blob the version's files are, held until the holder is released. */
function holdAll(blobs: Pick<BlobStore, 'holder'>, version: VersionRecord) {
  const holder = blobs.holder();
  for (const entry of renderVersion(version.content)) if ('blob' in entry) holder.hold(entry.blob.sha256);
  return holder;
}

/** Opened while held: the file stays readable even if the version is deleted while it is sent. */
async function openBlob(blobs: Pick<BlobStore, 'holder' | 'path'>, file: TreeFile): Promise<VersionFile> {
  const holder = blobs.holder();
  holder.hold(file.sha256);
  try {
    const handle = await open(blobs.path(file.sha256));
    return { file, content: handle.createReadStream() };
  } finally {
    holder.release();
  }
}

/**
 * The version service over the versioned app store, the version store, the blob store and the runtime.
 * @example await versionService({ apps, versions, blobs, runtime }).activate(user.id, app.id, '1.2.0')
 */
export function versionService(deps: VersionServiceDeps): VersionService {
  const now = deps.now ?? Date.now;

  const find = (userId: string, appId: string, ref: string, needed: Access): AppVersion => {
    const app = appFor(deps.apps, userId, appId, needed);
    const versions = deps.versions.list(app.id);
    const tagged = versions.find((version) => version.tag === ref);
    if (tagged) return { app, version: tagged };
    if (ref.length >= MIN_ID_PREFIX && /^[0-9a-f]+$/.test(ref)) {
      const matches = versions.filter((version) => version.id.startsWith(ref));
      if (matches.length > 1) throw new EdgeError('INVALID_INPUT', `"${ref}" is the start of ${matches.length} versions' ids; give more of it`);
      if (matches.length === 1) return { app, version: matches[0]! };
    }
    throw versionNotFound(app, ref);
  };

  /** Saves a change of a version's own fields, taken back when the save fails. */
  const saveChange = async (version: VersionRecord, change: Partial<VersionRecord>) => {
    const before = { ...version };
    Object.assign(version, change);
    try {
      await deps.versions.save();
    } catch (error) {
      Object.assign(version, before);
      throw error;
    }
  };

  /** The version's content put into the app's record, which the store then finds is that version. */
  const restore = async (userId: string, { app, version }: AppVersion) => {
    const holder = holdAll(deps.blobs, version);
    try {
      const codes = new Map<string, string>();
      for (const fn of version.content.functions) codes.set(fn.codeSha256, (await deps.blobs.read(fn.codeSha256)).toString('utf8'));
      // Looked up again: the app or the version may have been deleted, or the grant revoked, while the code was read.
      const current = appFor(deps.apps, userId, app.id, 'WRITE');
      if (deps.versions.get(app.id, version.id) !== version) throw versionNotFound(app, version.id);
      const draft = draftOf(current);
      const { network, schedules, ...parts } = restoredParts(version.content, codes, new Date(now()).toISOString());
      Object.assign(draft, parts);
      if (network) draft.network = network;
      else delete draft.network;
      if (schedules) draft.schedules = schedules;
      else delete draft.schedules;
      await commit(deps.apps, current, draft, { author: userId });
      return current;
    } finally {
      holder.release();
    }
  };

  /**
   * Makes `versionId` the app's active version again and warms it: the undo of a rollback that could not warm. As the
   * owner, who may always: the caller's grant may have been revoked meanwhile, and the app must not stay on a version
   * that does not run.
   */
  const putBack = async (app: AppRecord, versionId: string) => {
    const version = deps.versions.get(app.id, versionId);
    if (!version) throw versionNotFound(app, versionId);
    const current = await restore(app.ownerId, { app, version });
    await deps.runtime.start(current);
  };

  /**
   * Unfreezes the version and applies retention in the same write, as a new version would: the app never holds more
   * unfrozen versions than the bound. Resolves with whether the version itself was removed.
   */
  const unfreeze = async ({ app, version }: AppVersion): Promise<boolean> => {
    const before = deps.versions.list(app.id);
    version.frozen = false;
    const gone = new Set(pruned(before, app.activeVersion ?? ''));
    deps.versions.replace(
      app.id,
      before.filter((candidate) => !gone.has(candidate)),
    );
    try {
      await deps.versions.save();
    } catch (error) {
      version.frozen = true;
      deps.versions.replace(app.id, before);
      throw error;
    }
    return gone.has(version);
  };

  return {
    list(userId, appId) {
      const app = appFor(deps.apps, userId, appId, 'READ');
      return { app, versions: deps.versions.list(app.id).reverse() };
    },
    get: (userId, appId, ref) => find(userId, appId, ref, 'READ'),
    async readFile(userId, appId, ref, path) {
      const { version } = find(userId, appId, ref, 'READ');
      const entry = renderVersion(version.content).find((candidate) => candidate.path === path);
      if (!entry) throw fileNotFound(version, path);
      if ('text' in entry) return { file: describeEntry(entry), content: Readable.from([Buffer.from(entry.text)]) };
      return openBlob(deps.blobs, describeEntry(entry));
    },
    async readLock(userId, appId, ref) {
      const { version } = find(userId, appId, ref, 'READ');
      const lock = version.dependencies?.lockFile;
      if (!lock) throw fileNotFound(version, 'package-lock.json');
      return openBlob(deps.blobs, { path: 'package-lock.json', ...lock });
    },
    async activate(userId, appId, ref) {
      const found = find(userId, appId, ref, 'WRITE');
      if (found.app.activeVersion !== found.version.id) assertNotFromFolder(found.app);
      const previous = found.app.activeVersion;
      const app = previous === found.version.id ? found.app : await restore(userId, found);
      // At once for a running app: its next call finds the version loaded and a sandbox warm, its dependencies cached.
      await deps.runtime.changeInTurn(app.id, async () => {
        if (app.status !== 'running') return;
        try {
          await deps.runtime.start(app);
        } catch (error) {
          // In the same turn, so no start or stop asked for meanwhile runs between the failure and the put-back.
          if (previous !== undefined && previous !== found.version.id)
            await putBack(app, previous).catch((failed: unknown) => deps.onPutBackFailed?.(failed, app));
          throw error;
        }
      });
      return { app, version: deps.versions.get(app.id, found.version.id) ?? found.version };
    },
    async setFrozen(userId, appId, ref, frozen) {
      const found = find(userId, appId, ref, 'FULL_CONTROL');
      if (frozen && !found.version.frozen) {
        const count = deps.versions.list(found.app.id).filter((version) => version.frozen).length;
        if (count >= MAX_FROZEN_VERSIONS)
          throw new EdgeError('QUOTA_EXCEEDED', `app "${found.app.name}" holds at most ${MAX_FROZEN_VERSIONS} frozen versions; unfreeze one first`);
      }
      if (found.version.frozen === frozen) return { ...found, removed: false };
      if (frozen) {
        await saveChange(found.version, { frozen });
        return { ...found, removed: false };
      }
      return { ...found, removed: await unfreeze(found) };
    },
    async remove(userId, appId, ref) {
      const { app, version } = find(userId, appId, ref, 'FULL_CONTROL');
      const short = version.id.slice(0, 12);
      if (app.activeVersion === version.id) throw new EdgeError('VERSION_ACTIVE', `version ${short} is the active version of app "${app.name}"`);
      if (version.frozen) throw new EdgeError('VERSION_FROZEN', `version ${short} of app "${app.name}" is frozen; unfreeze it first`);
      const before = deps.versions.list(app.id);
      deps.versions.replace(
        app.id,
        before.filter((candidate) => candidate !== version),
      );
      try {
        await deps.versions.save();
      } catch (error) {
        deps.versions.replace(app.id, before);
        throw error;
      }
    },
  };
}
