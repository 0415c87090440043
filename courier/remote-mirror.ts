/**
 * @module Mirrors a remote folder (Dropbox, OneDrive) into a local working folder that the courier serves,
 * and uploads the results the courier writes. Downloads follow the back end's change cursor; a reset
 * cursor means a full listing, in which files whose revision is already here are not fetched again (and
 * a re-fetched request with the same content is not run again: the journal knows it).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { RemoteEntry, SyncBackend } from '../sync/backend.ts';
import { classify } from './layout.ts';
import { loadMirrorState, saveMirrorState, type MirrorState } from './mirror-state.ts';

export interface RemoteMirrorOptions {
  backend: SyncBackend;
  localRoot: string;
  stateFile: string;
  logger: Logger;
  /** Longest single wait for remote changes. */
  waitMs?: number;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** Remote names become local paths: nothing may climb out of the working folder. */
const safe = (path: string) => path.length > 0 && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes(sep));

export class RemoteMirror {
  #options: RemoteMirrorOptions;
  #state: MirrorState = { revs: {}, uploaded: {} };
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #uploads: Promise<void> = Promise.resolve();

  constructor(options: RemoteMirrorOptions) {
    this.#options = options;
  }

  /** Brings the working folder up to date, uploads results a crash left behind, then follows changes until stopped. */
  async start(): Promise<void> {
    this.#state = await loadMirrorState(this.#options.stateFile);
    await mkdir(this.#options.localRoot, { recursive: true });
    await this.#pull();
    await this.#uploadPendingResults();
    this.#loop = this.#follow();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop?.catch(() => undefined);
    await this.#uploads;
  }

  /** Queues the upload of a result the courier wrote (path relative to the root). */
  resultWritten(path: string): void {
    this.#uploads = this.#uploads.then(() => this.#upload(path)).catch((error: unknown) => this.#options.logger.error({ err: error, path }, 'uploading a result failed; it is retried at the next start'));
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
    /** During a full listing after a reset: every path it named, so that what it did not name can go. */
    let listed: Set<string> | undefined;
    for (;;) {
      const batch = await this.#options.backend.changes(this.#state.cursor);
      if (batch.reset) {
        this.#options.logger.warn('the remote cursor was reset: listing everything again (finished requests do not run again)');
        listed = new Set();
      }
      for (const entry of batch.entries) {
        listed?.add(entry.path);
        await this.#apply(entry);
      }
      this.#state.cursor = batch.cursor;
      if (!batch.hasMore && listed) await this.#dropUnlisted(listed);
      await saveMirrorState(this.#options.stateFile, this.#state);
      if (!batch.hasMore) return;
    }
  }

  async #dropUnlisted(listed: Set<string>): Promise<void> {
    for (const path of Object.keys(this.#state.revs).filter((known) => !listed.has(known))) {
      await this.#apply({ path, kind: 'deleted', rev: '', size: 0 });
    }
  }

  async #apply(entry: RemoteEntry): Promise<void> {
    if (!safe(entry.path) || classify(entry.path.split('/').join(sep)).kind === 'ignored') return;
    const local = join(this.#options.localRoot, ...entry.path.split('/'));
    if (entry.kind === 'folder') {
      await mkdir(local, { recursive: true });
    } else if (entry.kind === 'deleted') {
      delete this.#state.revs[entry.path];
      await rm(local, { recursive: true, force: true });
    } else if (this.#state.revs[entry.path] !== entry.rev) {
      const content = await this.#options.backend.download(entry.path);
      await mkdir(dirname(local), { recursive: true });
      const temp = join(dirname(local), `.${entry.path.split('/').pop()}.download.tmp`);
      await writeFile(temp, content);
      await rename(temp, local);
      this.#state.revs[entry.path] = entry.rev;
    }
  }

  async #upload(path: string): Promise<void> {
    const content = await readFile(join(this.#options.localRoot, path)).catch(() => undefined);
    if (!content) return;
    const hash = sha256(content);
    if (this.#state.uploaded[path] === hash) return;
    await this.#options.backend.upload(path.split(sep).join('/'), content);
    this.#state.uploaded[path] = hash;
    await saveMirrorState(this.#options.stateFile, this.#state);
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
    await this.#uploads;
  }
}
