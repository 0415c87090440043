/**
 * @module Mirrors a remote folder (Dropbox, OneDrive) into a local working folder that the courier serves,
 * and uploads the results the courier writes. Downloads follow the back end's change cursor; a reset
 * cursor means a full listing, in which files whose revision is already here are not fetched again (and
 * a re-fetched request with the same content is not run again: the journal knows it). A change that cannot be
 * applied is tried again at the next pull, a failed upload after a while: neither holds up the cursor.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { RemoteEntry, SyncBackend } from '../sync/backend.ts';
import { classify } from './layout.ts';
import { emptyMirrorState, forgetPath, MirrorStateFile, type MirrorState } from './mirror-state.ts';
import { writeFileAtomic } from '../base/atomic-file.ts';

export interface RemoteMirrorOptions {
  backend: SyncBackend;
  localRoot: string;
  stateFile: string;
  logger: Logger;
  /** Longest single wait for remote changes. */
  waitMs?: number;
  /** Downloads are held in memory: larger remote files are not mirrored (32 MiB by default). */
  maxFileBytes?: number;
  /** First wait before a failed upload or folder is tried again (30 s by default); it doubles up to ten times this. */
  uploadRetryMs?: number;
}

const defaultMaxFileBytes = 32 * 1024 * 1024;
const defaultUploadRetryMs = 30_000;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** Remote names become local paths: nothing may climb out of the working folder. */
const safe = (path: string) => path.length > 0 && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes(sep));

export class RemoteMirror {
  #options: RemoteMirrorOptions;
  #state: MirrorState = emptyMirrorState();
  #stateFile: MirrorStateFile;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #writes: Promise<void> = Promise.resolve();
  /** Path → the timer that tries its upload (or folder) again. */
  #writeRetries = new Map<string, NodeJS.Timeout>();

  constructor(options: RemoteMirrorOptions) {
    this.#options = options;
    this.#stateFile = new MirrorStateFile(options.stateFile, options.logger);
  }

  /** Brings the working folder up to date, uploads results a crash left behind, then follows changes until stopped. */
  async start(): Promise<void> {
    this.#state = await this.#stateFile.load();
    await mkdir(this.#options.localRoot, { recursive: true });
    await this.#pull();
    await this.#uploadPendingResults();
    this.#loop = this.#follow();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    this.#writeRetries.forEach((timer) => clearTimeout(timer));
    await this.#loop?.catch(() => undefined);
    await this.#writes;
  }

  /** Queues the upload of a result the courier wrote (path relative to the root). */
  resultWritten(path: string): void {
    this.#queueWrite(path, () => this.#upload(path), this.#options.uploadRetryMs ?? defaultUploadRetryMs);
  }

  /** Queues the making of a folder the courier made (path relative to the root), so that the remote's user sees it too. */
  folderMade(path: string): void {
    this.#queueWrite(path, () => this.#options.backend.createFolder(path.split(sep).join('/')), this.#options.uploadRetryMs ?? defaultUploadRetryMs);
  }

  /** Writes to the remote go one at a time, in order; a failed one is tried again later, not held against the rest. */
  #queueWrite(path: string, write: () => Promise<void>, retryMs: number): void {
    this.#writes = this.#writes.then(write).catch((error: unknown) => this.#writeFailed(path, write, retryMs, error));
  }

  /** The back end already retried: the network or the service is out for longer, so wait before the next try. */
  #writeFailed(path: string, write: () => Promise<void>, retryMs: number, error: unknown): void {
    const { logger, uploadRetryMs = defaultUploadRetryMs } = this.#options;
    if (this.#stop.signal.aborted) {
      logger.error({ err: error, path }, 'writing to the remote failed; a result is tried again at the next start');
      return;
    }
    logger.error({ err: error, path, retryInMs: retryMs }, 'writing to the remote failed; trying again later');
    clearTimeout(this.#writeRetries.get(path));
    const retry = () => {
      this.#writeRetries.delete(path);
      this.#queueWrite(path, write, Math.min(retryMs * 2, uploadRetryMs * 10));
    };
    this.#writeRetries.set(path, setTimeout(retry, retryMs));
  }

  async #follow(): Promise<void> {
    const { backend, logger, waitMs = 60_000 } = this.#options;
    while (!this.#stop.signal.aborted) {
      try {
        await backend.waitForChange(this.#state.cursor ?? '', waitMs, this.#stop.signal);
        if (!this.#stop.signal.aborted) await this.#pull();
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        logger.error({ err: error }, 'following remote changes failed; trying again shortly');
        await new Promise((resolve) => setTimeout(resolve, 5000));
      }
    }
  }

  async #pull(): Promise<void> {
    // Older than anything the cursor brings next, so applied first.
    for (const entry of Object.values(this.#state.failed)) await this.#applyOrKeep(entry);
    /** During a full listing after a reset: every path it named, so that what it did not name can go. */
    let listed: Set<string> | undefined;
    for (;;) {
      const batch = await this.#options.backend.changes(this.#state.cursor);
      if (batch.reset) {
        this.#options.logger.warn('the remote cursor was reset: listing everything again (finished requests do not run again)');
        listed = new Set();
        this.#state.failed = {};
      }
      for (const entry of batch.entries) {
        listed?.add(entry.path);
        await this.#applyOrKeep(entry);
      }
      this.#state.cursor = batch.cursor;
      if (!batch.hasMore && listed) await this.#dropUnlisted(listed);
      await this.#stateFile.save(this.#state);
      if (!batch.hasMore) return;
    }
  }

  async #dropUnlisted(listed: Set<string>): Promise<void> {
    for (const path of Object.keys(this.#state.revs).filter((known) => !listed.has(known))) {
      await this.#applyOrKeep({ path, kind: 'deleted', rev: '', size: 0 });
    }
  }

  /** One change that cannot be applied must not hold up the others or the cursor: it is kept to try again at the next pull. */
  async #applyOrKeep(entry: RemoteEntry): Promise<void> {
    delete this.#state.failed[entry.path];
    try {
      await this.#apply(entry);
    } catch (error) {
      this.#state.failed[entry.path] = entry;
      this.#options.logger.warn({ err: error, path: entry.path }, 'applying a remote change failed; trying again at the next pull');
    }
  }

  async #apply(entry: RemoteEntry): Promise<void> {
    if (!safe(entry.path)) return;
    const local = join(this.#options.localRoot, ...entry.path.split('/'));
    // A deleted folder comes as one entry, and an app or its requests folder alone is nothing classify accepts.
    if (entry.kind === 'deleted') return this.#remove(local, entry.path);
    if (classify(entry.path.split('/').join(sep)).kind === 'ignored') return;
    // mkdir and rename cannot replace a path of the other kind (a file that became a folder, or back).
    const present = await lstat(local).catch(() => undefined);
    if (present && present.isDirectory() !== (entry.kind === 'folder')) await this.#remove(local, entry.path);
    if (entry.kind === 'folder') await mkdir(local, { recursive: true });
    else await this.#download(entry, local);
  }

  async #remove(local: string, path: string): Promise<void> {
    await rm(local, { recursive: true, force: true });
    forgetPath(this.#state, path);
  }

  async #download(entry: RemoteEntry, local: string): Promise<void> {
    if (this.#state.revs[entry.path] === entry.rev) return;
    const { backend, logger, maxFileBytes = defaultMaxFileBytes } = this.#options;
    if (entry.size > maxFileBytes) {
      logger.warn({ path: entry.path, size: entry.size, maxFileBytes }, 'a remote file is over the size limit and is not mirrored');
      // An older version must not stand in for this one.
      return this.#remove(local, entry.path);
    }
    const content = await backend.download(entry.path);
    await mkdir(dirname(local), { recursive: true });
    await writeFileAtomic(local, content);
    this.#state.revs[entry.path] = entry.rev;
  }

  async #upload(path: string): Promise<void> {
    const content = await readFile(join(this.#options.localRoot, path)).catch(() => undefined);
    if (!content) return;
    const hash = sha256(content);
    if (this.#state.uploaded[path] === hash) return;
    await this.#options.backend.upload(path.split(sep).join('/'), content);
    this.#state.uploaded[path] = hash;
    await this.#stateFile.save(this.#state);
  }

  async #uploadPendingResults(): Promise<void> {
    const root = this.#options.localRoot;
    for (const app of await readdir(root, { withFileTypes: true })) {
      if (!app.isDirectory()) continue;
      const results = await readdir(join(root, app.name, 'results')).catch(() => [] as string[]);
      for (const name of results.filter((file) => file.endsWith('.json') && !file.startsWith('.') && !file.endsWith('.pending.json'))) {
        this.resultWritten(join(app.name, 'results', name));
      }
    }
    await this.#writes;
  }
}
