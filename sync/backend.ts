/**
 * @module The sync back-end interface the courier drives to mirror a remote folder (Dropbox, OneDrive):
 * changes since a cursor, a wait for the next change, download, upload and folders. It knows nothing of functions.
 */

/** One file or folder of the remote root, or its deletion. Paths are relative to the root, '/'-separated, no leading slash. */
export interface RemoteEntry {
  path: string;
  kind: 'file' | 'folder' | 'deleted';
  /** The service's revision of a file (Dropbox `rev`, Graph `eTag`/`cTag`); empty for folders and deletions. */
  rev: string;
  size: number;
}

export interface ChangeBatch {
  entries: RemoteEntry[];
  /** Where the next `changes` call continues. */
  cursor: string;
  /** True when the given cursor was reset or expired: `entries` is then a full listing and anything not in it is gone. */
  reset: boolean;
  /** More changes are ready at once: call `changes(cursor)` again before waiting. */
  hasMore: boolean;
}

export interface SyncBackend {
  readonly kind: 'dropbox' | 'onedrive';
  /** Changes since `cursor`; without a cursor, a full listing of the root. */
  changes(cursor: string | undefined): Promise<ChangeBatch>;
  /** Resolves when something may have changed after `cursor`, or after about `timeoutMs`, whichever is first. */
  waitForChange(cursor: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  download(path: string): Promise<Buffer>;
  /**
   * Writes a file the courier owns (a result), replacing an earlier version of it. Large content goes
   * through an upload session so that no partial file ever appears.
   */
  upload(path: string, content: Buffer): Promise<{ rev: string }>;
  /**
   * Makes a folder the courier owns (an app's requests/ or results/), its parents too. Whatever already stands at
   * that name, a folder or a file, is left as it is, and that is no error: the folder is there, or the user's
   * file is theirs to keep.
   */
  createFolder(path: string): Promise<void>;
}
