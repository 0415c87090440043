/**
 * @module Every saved change of an app's content makes a version: the app store every service writes through, which
 * takes a snapshot of the record at each insert and save and keeps it as the app's active version when its content is
 * new (the same content is the same version: nothing new is made), with its tag, author and message, and which
 * prunes the oldest versions past the app's bound. The versions are saved by the same write as the app.
 */
import { EdgeError } from '../../base/errors.ts';
import type { AppRecord, VersionRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import type { VersionStore } from '../stores/versions.ts';
import { describeChange, sha256, snapshotOf, versionFiles } from '../version-content.ts';

/** An app keeps its newest unfrozen versions up to this many, the active one always among them; older ones go as new ones come. */
export const MAX_UNFROZEN_VERSIONS = 20;

/** Frozen versions are kept for ever, so an app holds at most this many. */
export const MAX_FROZEN_VERSIONS = 20;

/** What a change says about the version it makes; every field may be left out. */
export interface VersionNote {
  /** The id of the account making the change; the app's owner when left out. */
  author?: string;
  /** A name for the version, unique among the app's versions. */
  tag?: string;
  /** What changed, in the author's words; the cloud sums the change up when left out. */
  message?: string;
}

/** The app store whose inserts and saves make versions. */
export interface VersionedAppStore extends AppStore {
  insert(app: AppRecord, note?: VersionNote): Promise<void>;
  save(app: AppRecord, note?: VersionNote): Promise<void>;
  /** Gives each app stored before there were versions its first one, as it is now; resolves with how many. */
  adopt(): Promise<number>;
}

export interface VersionedAppsDeps {
  apps: AppStore;
  versions: VersionStore;
  /** The email address of an account, which a version names as its author. */
  authorOf(userId: string): string;
  now?: () => number;
}

/** Where the cloud runs, which its sandboxes share: the same Node.js binary, on the same machine. */
const RUNTIME = { node: process.version, arch: process.arch, platform: process.platform };

const byAge = (a: VersionRecord, b: VersionRecord) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0);

/** Refuses a tag another version of the app has, or a second tag for a version that has one. */
function assertTaggable(versions: VersionRecord[], id: string, tag: string): void {
  const holder = versions.find((version) => version.tag === tag);
  if (holder && holder.id !== id) throw new EdgeError('TAG_TAKEN', `version ${holder.id.slice(0, 12)} of the app is tagged "${tag}" already`);
  const self = versions.find((version) => version.id === id);
  if (self?.tag !== undefined && self.tag !== tag)
    throw new EdgeError('TAG_TAKEN', `this content is version ${id.slice(0, 12)}, tagged "${self.tag}" already; a version has one tag`);
}

/**
 * The versions retention removes from `versions` (oldest first): the oldest unfrozen ones past the bound, never the
 * active one. Asked whenever the count of unfrozen versions grows: a new version, or one unfrozen.
 */
export function pruned(versions: VersionRecord[], activeId: string): VersionRecord[] {
  const excess = versions.filter((version) => !version.frozen).length - MAX_UNFROZEN_VERSIONS;
  if (excess <= 0) return [];
  return versions.filter((version) => !version.frozen && version.id !== activeId).slice(0, excess);
}

/**
 * The app store `apps`, making versions in `versions` as it saves.
 * @example const apps = versionedApps({ apps: appStore(db), versions: versionStore(db), authorOf: (id) => users.byId(id)!.email })
 */
export function versionedApps(deps: VersionedAppsDeps): VersionedAppStore {
  const now = deps.now ?? Date.now;
  /**
   * Each app's code (text → hash) as of its last save: every save takes a snapshot (a start or a stop too), and code
   * is most of an app's bytes, so only code new since then is hashed. A record keeps the same strings from save to save.
   */
  const codeHashes = new Map<string, Map<string, string>>();

  const hasher = (appId: string) => {
    const known = codeHashes.get(appId);
    const next = new Map<string, string>();
    codeHashes.set(appId, next);
    return (code: string) => {
      const hash = known?.get(code) ?? next.get(code) ?? sha256(code);
      next.set(code, hash);
      return hash;
    };
  };

  /**
   * Makes the app's content its active version, in memory, before the write that saves both; throws before anything
   * changes when the note's tag cannot be had. Resolves with what takes it back when that write fails.
   */
  const stage = (app: AppRecord, note: VersionNote = {}): (() => void) => {
    const snapshot = snapshotOf(app, hasher(app.id));
    const before = deps.versions.list(app.id);
    if (note.tag !== undefined) assertTaggable(before, snapshot.id, note.tag);
    const existing = before.find((version) => version.id === snapshot.id);
    if (existing && app.activeVersion === existing.id && (note.tag === undefined || existing.tag === note.tag)) return () => {};
    const previous = before.find((version) => version.id === app.activeVersion);
    let after: VersionRecord[];
    if (existing) {
      // The same content as an earlier version: that one is active again, given the tag when it has none.
      after = note.tag === undefined ? before : before.map((version) => (version === existing ? { ...existing, tag: note.tag } : version));
    } else {
      const made: VersionRecord = {
        id: snapshot.id,
        appId: app.id,
        ...(note.tag !== undefined && { tag: note.tag }),
        message: note.message ?? describeChange(previous && versionFiles(previous.content), snapshot.files),
        author: deps.authorOf(note.author ?? app.ownerId),
        createdAt: new Date(now()).toISOString(),
        frozen: false,
        size: snapshot.size,
        runtime: RUNTIME,
        content: snapshot.content,
      };
      const all = [...before, made];
      const gone = new Set(pruned(all, made.id));
      after = all.filter((version) => !gone.has(version));
    }
    const activeBefore = app.activeVersion;
    const added = after.filter((version) => !before.includes(version));
    const removed = before.filter((version) => !after.includes(version));
    deps.versions.replace(app.id, after);
    app.activeVersion = snapshot.id;
    return () => {
      // Only what this change did: another change of the app may have been made while its write waited. A write
      // refused for STORAGE_FULL put the file's records back already (cloud/db.ts), the pruned versions among them.
      if (app.activeVersion === snapshot.id) app.activeVersion = activeBefore;
      const others = deps.versions.list(app.id).filter((version) => !added.includes(version));
      const back = removed.filter((version) => !others.some((other) => other.id === version.id));
      deps.versions.replace(app.id, [...back, ...others].sort(byAge));
    };
  };

  const staged = async (app: AppRecord, note: VersionNote | undefined, write: () => Promise<unknown>) => {
    const undo = stage(app, note);
    try {
      await write();
    } catch (error) {
      undo();
      throw error;
    }
  };

  return {
    all: () => deps.apps.all(),
    list: (ownerId) => deps.apps.list(ownerId),
    sharedWith: (userId) => deps.apps.sharedWith(userId),
    byId: (id) => deps.apps.byId(id),
    insert: (app, note) => staged(app, note, () => deps.apps.insert(app)),
    save: (app, note) => staged(app, note, () => deps.apps.save(app)),
    async remove(ownerId, id) {
      if (deps.apps.byId(id)?.ownerId !== ownerId) return false;
      // The app's versions go with it, in the same write, and the bytes only they name after it.
      const versions = deps.versions.list(id);
      deps.versions.replace(id, []);
      codeHashes.delete(id);
      try {
        return await deps.apps.remove(ownerId, id);
      } catch (error) {
        deps.versions.replace(id, [...versions, ...deps.versions.list(id)]);
        throw error;
      }
    },
    async adopt() {
      const unversioned = deps.apps.all().filter((app) => app.activeVersion === undefined);
      const undos = unversioned.map((app) => stage(app, { message: 'the app as it was before it had versions' }));
      if (undos.length === 0) return 0;
      try {
        await deps.versions.save();
      } catch (error) {
        for (const undo of undos) undo();
        throw error;
      }
      return unversioned.length;
    },
  };
}
