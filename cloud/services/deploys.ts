/**
 * @module Deploys: an app made, or replaced, from a whole folder of files at once, all or nothing; and the uploads
 * of the bytes a deploy names, held for their uploader for an hour.
 */
import { EdgeError } from '../../base/errors.ts';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { describeEntry, renderTree } from '../app-tree.ts';
import type { BlobHolder, BlobStore } from '../blob-store.ts';
import type { AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';
import { assertCanCreate, newAppRecord } from './apps.ts';
import { applyAppJson, assertFits, checkedPackageJson, commit, draftOf, kindOf, textCap, textOf, type PathKind } from './drafts.ts';
import { assertNotFromFolder } from './folder-source.ts';
import { setFunction } from './functions.ts';
import type { VersionedAppStore, VersionNote } from './versioned-apps.ts';

/** How long an upload waits for the deploy that names it. */
export const UPLOAD_TTL_MS = 60 * 60_000;

/** One file of a deploy: its path in the app, and the SHA-256 of its bytes, uploaded before or already in the app. */
export interface DeployFile {
  path: string;
  sha256: string;
}

/** Names the app by `name` (the caller's own) or by `appId` (any app the caller may change), never both. */
export interface DeployManifest {
  /** The caller's app of that name is replaced, or made when there is none. */
  name?: string;
  /** This app is replaced: one of the caller's or one granting it WRITE. */
  appId?: string;
  /** Every file of the app, app.json and package.json among them. */
  files: DeployFile[];
  /** A name for the version the deploy makes (or is, when the content is an earlier version's). */
  tag?: string;
  /** What the version changes, in the deployer's words. */
  message?: string;
}

export interface Upload {
  sha256: string;
  size: number;
  expiresAt: string;
}

export interface DeployServiceDeps {
  apps: Pick<AppStore, 'list' | 'byId'> & Pick<VersionedAppStore, 'insert' | 'save'>;
  blobs: Pick<BlobStore, 'holder' | 'read'>;
  now?: () => number;
}

export interface DeployService {
  /** Keeps the bytes of `body` for a deploy by `ownerId`; they must hash to `sha256`. */
  upload(ownerId: string, sha256: string, body: AsyncIterable<Uint8Array>): Promise<Upload>;
  /**
   * Makes the app the manifest names hold exactly the manifest's files; `created` when it is new. Nothing changes when
   * it fails. `source` "folder" deploys a folder app (folder-apps.ts): it makes or replaces only a folder app, whose
   * app.json is kept as it is; without it, a folder app is refused (folder-source.ts).
   */
  deploy(userId: string, manifest: DeployManifest, source?: 'folder'): Promise<{ app: AppRecord; created: boolean }>;
}

interface Staged {
  size: number;
  expiresAt: number;
  holder: BlobHolder;
  /**
   * A deploy named it: an app holds its bytes now, so it no longer counts against the uploader's room, but it stays
   * usable until it expires, for another deploy sent at the same time with the same file.
   */
  deployed: boolean;
}

/** Where a deploy's bytes are: a blob (an upload, or a file of the app it replaces), or text the app's record holds. */
interface Source {
  size: number;
  text?: string;
}

/** A file of the manifest, with what it is and where its bytes are. */
interface Part extends DeployFile, Source {
  kind: PathKind;
}

/** A deploy replaces an app of its own kind only: the API's deploys leave folder apps alone, and a folder's deploys the API's apps. */
function assertSameSource(existing: AppRecord, source: 'folder' | undefined): void {
  if (source === undefined) return assertNotFromFolder(existing);
  if (existing.source !== source)
    throw new EdgeError(
      'APP_FROM_FOLDER',
      `the account has an app "${existing.name}" made through the API, which the folder app of that name would replace: it is left as it is, and the folder app is not published until one of the two is renamed`,
    );
}

/**
 * The deploy service over the app store and the blob store.
 * @example await deployService({ apps, blobs }).deploy(user.id, { name: 'shop', files: [{ path: 'functions/greet.js', sha256 }] })
 */
export function deployService(deps: DeployServiceDeps): DeployService {
  const now = deps.now ?? Date.now;
  const uploads = new Map<string, Map<string, Staged>>();

  const prune = () => {
    for (const [ownerId, staged] of uploads) {
      for (const [sha256, upload] of staged) {
        if (upload.expiresAt > now()) continue;
        upload.holder.release();
        staged.delete(sha256);
      }
      if (staged.size === 0) uploads.delete(ownerId);
    }
  };

  const stagedOf = (ownerId: string) => {
    let staged = uploads.get(ownerId);
    if (!staged) uploads.set(ownerId, (staged = new Map()));
    return staged;
  };

  const assertRoom = (staged: Map<string, Staged>, sha256: string, size: number) => {
    let count = 1;
    let bytes = size;
    for (const [hash, upload] of staged) {
      if (hash === sha256 || upload.deployed) continue;
      count++;
      bytes += upload.size;
    }
    if (count > APP_CAPS.files || bytes > APP_CAPS.totalBytes)
      throw new EdgeError(
        'QUOTA_EXCEEDED',
        `your uploads not yet deployed would be ${count} files of ${bytes} bytes; at most ${APP_CAPS.files} files of ${APP_CAPS.totalBytes} bytes wait for a deploy (an hour each)`,
      );
  };

  /** The bytes the caller may name: its uploads, and the files of the app the deploy replaces. */
  const sourcesOf = (ownerId: string, existing: AppRecord | undefined): Map<string, Source> => {
    const sources = new Map<string, Source>();
    for (const [sha256, upload] of uploads.get(ownerId) ?? []) sources.set(sha256, { size: upload.size });
    for (const entry of existing ? renderTree(existing, 'owner') : []) {
      const { sha256, size } = describeEntry(entry);
      sources.set(sha256, 'text' in entry ? { size, text: entry.text } : { size });
    }
    return sources;
  };

  /** Each file's kind and source, the blobs held; synchronous, so nothing removes a blob between finding and holding it. */
  const partsOf = (manifest: DeployManifest, sources: Map<string, Source>, holder: BlobHolder): Part[] => {
    const seen = new Set<string>();
    return manifest.files.map((file) => {
      if (seen.has(file.path)) throw new EdgeError('INVALID_INPUT', `${file.path} is named twice`);
      seen.add(file.path);
      const kind = kindOf(file.path);
      const source = sources.get(file.sha256);
      if (!source)
        throw new EdgeError(
          'INVALID_INPUT',
          `${file.path}: nothing with SHA-256 ${file.sha256} was uploaded in the last hour: PUT /api/v1/uploads/${file.sha256} with its bytes first`,
        );
      if (source.text === undefined) holder.hold(file.sha256);
      return { ...file, ...source, kind };
    });
  };

  /** The text of each function, app.json and package.json of the deploy, read and checked. */
  const readTexts = async (parts: Part[]): Promise<Map<string, string>> => {
    const texts = new Map<string, string>();
    for (const part of parts) {
      if (part.kind.kind === 'file') continue;
      const cap = textCap(part.kind.kind);
      if (part.size > cap) throw new EdgeError('PAYLOAD_TOO_LARGE', `${part.path} is ${part.size} bytes; it may be at most ${cap}`);
      const text = textOf(part.path, part.text === undefined ? await deps.blobs.read(part.sha256) : Buffer.from(part.text), cap);
      texts.set(part.path, part.kind.kind === 'package.json' ? await checkedPackageJson(text) : text);
    }
    return texts;
  };

  /** The app the deploy makes, as a draft: nothing here waits, so it is built from the record as it is at that moment. */
  const build = (
    ownerId: string,
    name: string,
    existing: AppRecord | undefined,
    parts: Part[],
    texts: Map<string, string>,
    source: 'folder' | undefined,
  ): AppRecord => {
    const at = new Date(now()).toISOString();
    const draft = existing ? draftOf(existing) : newAppRecord(ownerId, name, at);
    draft.functions = [];
    draft.files = [];
    draft.packageJson = texts.get('package.json') ?? null;
    for (const part of parts) {
      const { kind } = part;
      if (kind.kind === 'file') draft.files.push({ path: part.path, sha256: part.sha256, size: part.size });
      if (kind.kind !== 'function') continue;
      const twin = draft.functions.find((fn) => fn.name === kind.name);
      if (twin) throw new EdgeError('INVALID_INPUT', `function "${kind.name}" is defined twice: functions/${kind.name}.${twin.language} and ${part.path}`);
      setFunction(draft, { name: kind.name, code: texts.get(part.path)!, language: kind.language, idempotent: false, public: false, updatedAt: at });
    }
    draft.files.sort((a, b) => (a.path < b.path ? -1 : 1));
    applyAppJson(draft, texts.get('app.json') ?? '{}', at);
    if (source === 'folder') Object.assign(draft, { source, appJson: texts.get('app.json') ?? '{}' });
    assertFits(draft);
    return draft;
  };

  return {
    async upload(ownerId, sha256, body) {
      prune();
      assertRoom(stagedOf(ownerId), sha256, 0);
      const holder = deps.blobs.holder();
      let size: number;
      try {
        const ref = await holder.receive(
          body,
          APP_CAPS.fileBytes,
          () => new EdgeError('PAYLOAD_TOO_LARGE', `a file may be at most ${APP_CAPS.fileBytes} bytes`),
        );
        if (ref.sha256 !== sha256) throw new EdgeError('INVALID_INPUT', `the body's SHA-256 is ${ref.sha256}, not ${sha256} as the path says`);
        assertRoom(stagedOf(ownerId), sha256, ref.size);
        size = ref.size;
      } catch (error) {
        holder.release();
        throw error;
      }
      const staged = stagedOf(ownerId);
      staged.get(sha256)?.holder.release();
      const expiresAt = now() + UPLOAD_TTL_MS;
      staged.set(sha256, { size, expiresAt, holder, deployed: false });
      return { sha256, size, expiresAt: new Date(expiresAt).toISOString() };
    },

    async deploy(userId, manifest, source) {
      prune();
      const existing =
        manifest.appId === undefined ? deps.apps.list(userId).find((app) => app.name === manifest.name) : appFor(deps.apps, userId, manifest.appId, 'WRITE');
      if (existing) assertSameSource(existing, source);
      const name = existing?.name ?? manifest.name!;
      const holder = deps.blobs.holder();
      try {
        const parts = partsOf(manifest, sourcesOf(userId, existing), holder);
        const texts = await readTexts(parts);
        // Looked up again: the app may have been deleted or the grant revoked while the files were read, or its record
        // replaced by a reload after a refused write (cloud/db.ts); a new one's name is checked as it is made.
        const current = existing && appFor(deps.apps, userId, existing.id, 'WRITE');
        const draft = build(userId, name, current, parts, texts, source);
        // The version is the deployer's, a grantee's as much as the owner's.
        const note: VersionNote = { author: userId, tag: manifest.tag, message: manifest.message };
        if (current) await commit(deps.apps, current, draft, note);
        else {
          assertCanCreate(deps.apps.list(userId), name);
          await deps.apps.insert(draft, note);
        }
        const staged = uploads.get(userId);
        for (const { sha256 } of parts) {
          const upload = staged?.get(sha256);
          if (upload) upload.deployed = true;
        }
        return { app: current ?? draft, created: !current };
      } finally {
        holder.release();
      }
    },
  };
}
