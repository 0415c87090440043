/**
 * @module An app's files, one at a time: listed and read by those who may read the app, put and deleted by those who may change it. A function's file is its code,
 * app.json its description, function settings and endpoints, package.json its packageJson; any other file is bytes in
 * the blob store.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { EdgeError } from '../../base/errors.ts';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { describeEntry, renderTree, type TreeFile } from '../app-tree.ts';
import type { BlobHolder, BlobStore } from '../blob-store.ts';
import type { AppFileRecord, AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { appFor } from './app-access.ts';
import { applyAppJson, assertFits, checkedPackageJson, commit, draftOf, kindOf, textCap, textOf, type PathKind } from './drafts.ts';
import { assertNotCalled, setFunction } from './functions.ts';
import type { VersionedAppStore } from './versioned-apps.ts';
import { assertNotFromFolder } from './folder-source.ts';

export interface FileServiceDeps {
  apps: Pick<AppStore, 'byId'> & Pick<VersionedAppStore, 'save'>;
  blobs: Pick<BlobStore, 'holder' | 'path'>;
  now?: () => number;
}

/** Each method names the caller (`userId`): READ lists and reads, WRITE puts and removes. */
export interface FileService {
  /** Every file of the app, app.json and package.json included, sorted by path. */
  list(userId: string, appId: string): TreeFile[];
  read(userId: string, appId: string, path: string): Promise<{ file: TreeFile; content: Readable }>;
  /** Creates or replaces the file with the bytes of `body`; `created` tells which. */
  put(userId: string, appId: string, path: string, body: AsyncIterable<Uint8Array>): Promise<{ file: TreeFile; created: boolean }>;
  remove(userId: string, appId: string, path: string): Promise<void>;
}

function fileNotFound(app: AppRecord, path: string): EdgeError {
  return new EdgeError('FILE_NOT_FOUND', `app "${app.name}" has no file ${JSON.stringify(path)}`);
}

const tooLarge = (path: string, maxBytes: number) => () => new EdgeError('PAYLOAD_TOO_LARGE', `${path} may be at most ${maxBytes} bytes`);

async function readAll(body: AsyncIterable<Uint8Array>, path: string, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(path, maxBytes)();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The file of `path` in the draft, replaced or added in path order; true when it is new. */
function putFile(draft: AppRecord, file: AppFileRecord): boolean {
  const index = draft.files.findIndex((candidate) => candidate.path >= file.path);
  if (index !== -1 && draft.files[index]!.path === file.path) {
    draft.files[index] = file;
    return false;
  }
  draft.files.splice(index === -1 ? draft.files.length : index, 0, file);
  return true;
}

/** What a put changes, read from its body before the record is touched: bytes in the store, or text. */
type Received = { kind: 'file'; file: AppFileRecord } | (Exclude<PathKind, { kind: 'file' }> & { text: string });

/**
 * The file service over the app store and the blob store.
 * @example await fileService({ apps, blobs }).put(user.id, app.id, 'templates/page.html', request)
 */
export function fileService(deps: FileServiceDeps): FileService {
  const now = deps.now ?? Date.now;

  const receive = async (path: string, kind: PathKind, body: AsyncIterable<Uint8Array>, holder: BlobHolder): Promise<Received> => {
    if (kind.kind === 'file') return { kind: 'file', file: { path, ...(await holder.receive(body, APP_CAPS.fileBytes, tooLarge(path, APP_CAPS.fileBytes))) } };
    const text = textOf(path, await readAll(body, path, textCap(kind.kind)), textCap(kind.kind));
    return { ...kind, text: kind.kind === 'package.json' ? await checkedPackageJson(text) : text };
  };

  /** Applies what was received to a draft of the app as it is now; nothing here waits, so no other change can come between. */
  const change = (app: AppRecord, received: Received): { draft: AppRecord; created: boolean } => {
    const draft = draftOf(app);
    const at = new Date(now()).toISOString();
    if (received.kind === 'file') return { draft, created: putFile(draft, received.file) };
    if (received.kind === 'app.json') {
      applyAppJson(draft, received.text, at);
      return { draft, created: false };
    }
    if (received.kind === 'package.json') {
      draft.packageJson = received.text;
      return { draft, created: app.packageJson === null };
    }
    const old = draft.functions.find((fn) => fn.name === received.name);
    setFunction(draft, {
      ...(old ?? { idempotent: false, public: false }),
      name: received.name,
      code: received.text,
      language: received.language,
      updatedAt: at,
    });
    return { draft, created: old?.language !== received.language };
  };

  return {
    list: (userId, appId) => renderTree(appFor(deps.apps, userId, appId, 'READ'), 'owner').map(describeEntry),

    async read(userId, appId, path) {
      kindOf(path);
      const app = appFor(deps.apps, userId, appId, 'READ');
      const entry = renderTree(app, 'owner').find((candidate) => candidate.path === path);
      if (!entry) throw fileNotFound(app, path);
      if ('text' in entry) return { file: describeEntry(entry), content: Readable.from([Buffer.from(entry.text)]) };
      const holder = deps.blobs.holder();
      holder.hold(entry.blob.sha256);
      try {
        // Open, the file stays readable even if a change removes the blob while it is sent.
        const handle = await open(deps.blobs.path(entry.blob.sha256));
        return { file: describeEntry(entry), content: handle.createReadStream() };
      } finally {
        holder.release();
      }
    },

    async put(userId, appId, path, body) {
      const kind = kindOf(path);
      assertNotFromFolder(appFor(deps.apps, userId, appId, 'WRITE'));
      const holder = deps.blobs.holder();
      try {
        const received = await receive(path, kind, body, holder);
        // Looked up again: the app may have been deleted, or the grant revoked, while the body came in.
        const app = appFor(deps.apps, userId, appId, 'WRITE');
        const { draft, created } = change(app, received);
        assertFits(draft);
        await commit(deps.apps, app, draft, { author: userId });
        return { file: describeEntry(renderTree(app, 'owner').find((entry) => entry.path === path)!), created };
      } finally {
        holder.release();
      }
    },

    async remove(userId, appId, path) {
      const kind = kindOf(path);
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      assertNotFromFolder(app);
      const draft = draftOf(app);
      if (kind.kind === 'app.json')
        throw new EdgeError('INVALID_INPUT', "app.json is made from the app's description, function settings and endpoints: put a new one to change them");
      if (kind.kind === 'package.json') {
        if (app.packageJson === null) throw fileNotFound(app, path);
        draft.packageJson = null;
      } else if (kind.kind === 'function') {
        const fn = app.functions.find((candidate) => candidate.name === kind.name && candidate.language === kind.language);
        if (!fn) throw fileNotFound(app, path);
        assertNotCalled(app, fn);
        draft.functions = draft.functions.filter((candidate) => candidate.name !== fn.name);
      } else {
        const kept = draft.files.filter((file) => file.path !== path);
        if (kept.length === draft.files.length) throw fileNotFound(app, path);
        draft.files = kept;
      }
      await commit(deps.apps, app, draft, { author: userId });
    },
  };
}
