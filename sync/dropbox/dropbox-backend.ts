/** @module The Dropbox sync back end: the official SDK under a root folder, every call retried and its answer validated. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dropbox, DropboxAuth, type files } from 'dropbox';
import nodeFetch, { type RequestInit, type Response } from 'node-fetch';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import type { ChangeBatch, RemoteEntry, SyncBackend } from '../backend.ts';
import { classifyHttpFailure, isNetworkFailure, RetryableError, withRetry, type RetryOptions } from '../retry.ts';

/** The fetch the SDK is given: node-fetch 2 or a wrapper of it (the SDK's download needs node-fetch's `buffer()`). */
export type DropboxFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface DropboxBackendOptions {
  /** The synced folder, e.g. '/edge'; '' is the root of the app folder. */
  rootPath: string;
  accessToken?: string;
  refreshToken?: string;
  appKey?: string;
  appSecret?: string;
  fetch?: DropboxFetch;
  domain?: string;
  domainDelimiter?: string;
  log?: (line: string) => void;
  retry?: Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs'>;
  /** Content above this size goes through an upload session, in chunks of half of it at most 4 MiB; 8 MiB by default (Dropbox allows 150 MB in one upload). */
  singleUploadLimitBytes?: number;
}

/** A Dropbox answer that retrying cannot fix, with the service's error tag (`reset`, `path`, ...). */
export class DropboxCallError extends Error {
  constructor(
    what: string,
    readonly status: number,
    readonly tag: string | undefined,
    readonly correctOffset: number | undefined,
    summary: string,
  ) {
    super(`Dropbox ${what} failed: HTTP ${status}${summary ? ` ${summary}` : ''}`);
    this.name = 'DropboxCallError';
    this.conflict = summary.startsWith('path/conflict/');
  }

  /** The write met something of that name already (`path/conflict/…`). */
  readonly conflict: boolean;
}

const defaultSingleUploadLimit = 8 * 1024 * 1024;
const maxChunkSize = 4 * 1024 * 1024;
const missingCredentials =
  'Dropbox needs credentials: set DROPBOX_ACCESS_TOKEN, or DROPBOX_REFRESH_TOKEN with DROPBOX_APP_KEY (and DROPBOX_APP_SECRET unless the app uses PKCE)';

const entrySchema = z.object({
  '.tag': z.enum(['file', 'folder', 'deleted']),
  path_lower: z.string().optional(),
  path_display: z.string().optional(),
  rev: z.string().optional(),
  size: z.number().optional(),
});
const listSchema = z.object({ entries: z.array(entrySchema), cursor: z.string(), has_more: z.boolean() });
const longpollSchema = z.object({ changes: z.boolean(), backoff: z.number().optional() });
const fileSchema = z.object({ rev: z.string() });
const downloadSchema = z.object({ fileBinary: z.instanceof(Buffer) });
const sessionSchema = z.object({ session_id: z.string() });
/** What the SDK throws for an HTTP error: DropboxResponseError, whose typings do not extend Error. */
const responseErrorSchema = z.object({
  name: z.literal('DropboxResponseError'),
  status: z.number(),
  headers: z.custom<{ get(name: string): string | null }>((value) => typeof (value as { get?: unknown } | null)?.get === 'function'),
  error: z.unknown(),
});
/** API errors are `{ error_summary, error: { '.tag', ... } }`; the OAuth endpoint answers `{ error, error_description }`. */
const apiErrorSchema = z
  .object({
    error_summary: z.string().optional(),
    error_description: z.string().optional(),
    error: z
      .union([z.string(), z.looseObject({ '.tag': z.string().optional(), retry_after: z.number().optional(), correct_offset: z.number().optional() })])
      .optional(),
  })
  .catch({});

export class DropboxBackend implements SyncBackend {
  readonly kind = 'dropbox' as const;
  #root: string;
  #rootParts: string[];
  #auth: DropboxAuth;
  #dbx: Dropbox;
  #options: DropboxBackendOptions;
  /** First spelling seen of each path, by its lower-case form. */
  #casing = new Map<string, string>();
  /** The signal that may cut the requests of the call under way (a longpoll past its wait). */
  #requestSignal = new AsyncLocalStorage<AbortSignal>();

  constructor(options: DropboxBackendOptions) {
    const { accessToken, refreshToken, appKey, appSecret } = options;
    if (!accessToken && !(refreshToken && appKey)) throw new EdgeError('INVALID_INPUT', missingCredentials);
    this.#options = options;
    const parts = options.rootPath.split('/').filter(Boolean);
    this.#root = parts.map((part) => `/${part}`).join('');
    this.#rootParts = parts.map((part) => part.toLowerCase());
    const baseFetch = options.fetch ?? nodeFetch;
    const fetch: DropboxFetch = (url, init) => {
      const signal = this.#requestSignal.getStore();
      return baseFetch(url, signal ? { ...init, signal } : init);
    };
    // The SDK refreshes by itself (before a call, by the clock) when it holds a refresh token and the app key.
    this.#auth = new DropboxAuth({
      accessToken,
      refreshToken,
      clientId: appKey,
      clientSecret: appSecret,
      fetch,
      domain: options.domain,
      domainDelimiter: options.domainDelimiter,
    });
    this.#dbx = new Dropbox({ auth: this.#auth });
  }

  async changes(cursor: string | undefined): Promise<ChangeBatch> {
    if (cursor === undefined) return this.#fullListing(false);
    try {
      return this.#batch(await this.#call('list_folder/continue', listSchema, () => this.#dbx.filesListFolderContinue({ cursor })), false);
    } catch (error) {
      if (!(error instanceof DropboxCallError && error.tag === 'reset')) throw error;
      this.#log('Dropbox: the cursor was reset; listing the root again');
      return this.#fullListing(true);
    }
  }

  async waitForChange(cursor: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Not AbortSignal.timeout/any: on Node 20 a timeout signal nobody holds can be collected before it fires.
    const stopper = new AbortController();
    const stop = stopper.signal;
    const timer = setTimeout(() => stopper.abort(), timeoutMs);
    const onAbort = () => stopper.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stopper.abort();
    // The service holds a longpoll 30 to 480 s (plus jitter); a shorter wait is cut here by `stop`.
    const timeout = Math.min(480, Math.max(30, Math.ceil(timeoutMs / 1000)));
    try {
      const answer = await this.#requestSignal.run(stop, () =>
        this.#call('list_folder/longpoll', longpollSchema, () => this.#dbx.filesListFolderLongpoll({ cursor, timeout }), stop),
      );
      if (answer.backoff) {
        this.#log(`Dropbox: the longpoll asks for ${answer.backoff} s of backoff`);
        await sleep(answer.backoff * 1000, undefined, { signal });
      }
    } catch (error) {
      // A reset cursor is news too: the next `changes` call answers it with a full listing.
      if (stop.aborted || (error instanceof DropboxCallError && error.tag === 'reset')) return;
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async download(path: string): Promise<Buffer> {
    return (await this.#call('download', downloadSchema, () => this.#dbx.filesDownload({ path: this.#remote(path) }))).fileBinary;
  }

  async upload(path: string, content: Buffer): Promise<{ rev: string }> {
    const commit = { path: this.#remote(path), mode: { '.tag': 'overwrite' as const }, mute: true };
    if (content.length <= (this.#options.singleUploadLimitBytes ?? defaultSingleUploadLimit)) {
      return this.#call('upload', fileSchema, () => this.#dbx.filesUpload({ ...commit, contents: content }));
    }
    return this.#uploadInSession(commit, content);
  }

  async createFolder(path: string): Promise<void> {
    await this.#call('create_folder_v2', z.unknown(), () => this.#dbx.filesCreateFolderV2({ path: this.#remote(path), autorename: false })).catch(
      (error: unknown) => {
        // `path/conflict/folder` or `path/conflict/file`: something has the name already, and stays.
        if (!(error instanceof DropboxCallError && error.status === 409 && error.conflict)) throw error;
      },
    );
  }

  /** A session's file appears only at `finish`, so nobody ever reads part of it. */
  async #uploadInSession(commit: files.CommitInfo, content: Buffer): Promise<{ rev: string }> {
    const chunkSize = Math.min(maxChunkSize, Math.ceil((this.#options.singleUploadLimitBytes ?? defaultSingleUploadLimit) / 2));
    const chunk = (offset: number) => content.subarray(offset, offset + chunkSize);
    const { session_id } = await this.#call('upload_session/start', sessionSchema, () =>
      this.#dbx.filesUploadSessionStart({ close: false, contents: chunk(0) }),
    );
    let offset = chunkSize;
    for (; offset + chunkSize < content.length; offset += chunkSize) {
      const end = offset + chunkSize;
      await this.#call('upload_session/append_v2', z.unknown(), () =>
        this.#dbx.filesUploadSessionAppendV2({ cursor: { session_id, offset }, close: false, contents: chunk(offset) }),
      ).catch((error: unknown) => {
        // A retry after a lost answer finds the chunk already stored: the service says so with the offset past it.
        if (!(error instanceof DropboxCallError && error.tag === 'incorrect_offset' && error.correctOffset === end)) throw error;
      });
    }
    return this.#call('upload_session/finish', fileSchema, () =>
      this.#dbx.filesUploadSessionFinish({ cursor: { session_id, offset }, commit, contents: chunk(offset) }),
    );
  }

  /** A reset promises a complete listing, so every page is read before answering. */
  async #fullListing(reset: boolean): Promise<ChangeBatch> {
    let page = await this.#call('list_folder', listSchema, () => this.#dbx.filesListFolder({ path: this.#root, recursive: true, include_deleted: false }));
    const entries = [...page.entries];
    while (page.has_more) {
      const { cursor } = page;
      page = await this.#call('list_folder/continue', listSchema, () => this.#dbx.filesListFolderContinue({ cursor }));
      entries.push(...page.entries);
    }
    return this.#batch({ ...page, entries }, reset);
  }

  #batch(page: z.infer<typeof listSchema>, reset: boolean): ChangeBatch {
    const entries = page.entries.map((entry) => this.#toEntry(entry)).filter((entry): entry is RemoteEntry => entry !== undefined);
    return { entries, cursor: page.cursor, reset, hasMore: page.has_more };
  }

  #toEntry(raw: z.infer<typeof entrySchema>): RemoteEntry | undefined {
    const lower = raw.path_lower?.split('/').slice(1);
    const display = (raw.path_display ?? raw.path_lower)?.split('/').slice(1);
    const depth = this.#rootParts.length;
    // Unmounted entries have no path; the root itself and anything outside it are not entries of the root.
    if (!lower || !display || lower.length <= depth || display.length !== lower.length || this.#rootParts.some((part, i) => part !== lower[i]))
      return undefined;
    const path = this.#canonical(lower.slice(depth), display.slice(depth), raw['.tag'] === 'deleted');
    return { path, kind: raw['.tag'], rev: raw['.tag'] === 'file' ? (raw.rev ?? '') : '', size: raw.size ?? 0 };
  }

  /**
   * Dropbox names are case-insensitive, and only the last component of `path_display` is sure to be spelt as
   * the user did: the first spelling seen of each folder is kept, so one remote file is always one local path.
   */
  #canonical(lower: string[], display: string[], deleted: boolean): string {
    let path = '';
    for (let i = 0; i < lower.length; i++) {
      const key = lower.slice(0, i + 1).join('/');
      path = this.#casing.get(key) ?? (i === 0 ? display[i]! : `${path}/${display[i]!}`);
      this.#casing.set(key, path);
    }
    const gone = lower.join('/');
    if (deleted) for (const key of this.#casing.keys()) if (key === gone || key.startsWith(`${gone}/`)) this.#casing.delete(key);
    return path;
  }

  #remote(path: string): string {
    return `${this.#root}/${path}`;
  }

  #call<T>(what: string, schema: z.ZodType<T>, request: () => Promise<{ result: unknown }>, signal?: AbortSignal): Promise<T> {
    const attempt = async () => schema.parse((await request().catch((error: unknown) => Promise.reject(this.#translate(what, error)))).result);
    return withRetry(`Dropbox ${what}`, attempt, {
      ...this.#options.retry,
      signal,
      onRetry: (info) => this.#log(`${info.reason}; retry ${info.attempt} in ${info.delayMs} ms`),
    });
  }

  /** SDK failures become RetryableError (429, 5xx, network, an expired token the SDK can refresh) or DropboxCallError. */
  #translate(what: string, error: unknown): Error {
    const failure = responseErrorSchema.safeParse(error);
    if (!failure.success) {
      // node-fetch names the URL in its message, and the SDK's token refresh puts the refresh token in it.
      const message = `Dropbox ${what}: ${this.#redact(error instanceof Error ? error.message : String(error))}`;
      return isNetworkFailure(error) ? new RetryableError(message) : new Error(message);
    }
    const { status, headers, error: body } = failure.data;
    const api = apiErrorSchema.parse(body);
    const detail = typeof api.error === 'object' ? api.error : {};
    if (status === 401 && this.#options.refreshToken && this.#options.appKey) {
      // The SDK refreshes only by the clock: an expiry in the past makes its next call fetch a new token.
      this.#auth.setAccessTokenExpiresAt(new Date(0));
      return new RetryableError(`Dropbox ${what}: the access token was refused (${String(detail['.tag'])}); refreshing it`, 0);
    }
    const summary = api.error_summary ?? api.error_description ?? (typeof body === 'string' ? body : '');
    const retryable = classifyHttpFailure(status, headers, summary);
    if (!retryable) return new DropboxCallError(what, status, detail['.tag'], detail.correct_offset, this.#redact(summary));
    const bodyDelayMs = detail.retry_after === undefined ? undefined : detail.retry_after * 1000;
    return new RetryableError(`Dropbox ${what}: ${this.#redact(retryable.message)}`, retryable.retryAfterMs ?? bodyDelayMs);
  }

  #redact(text: string): string {
    const { accessToken, refreshToken, appSecret } = this.#options;
    const secrets = [accessToken, refreshToken, appSecret, this.#auth.getAccessToken()].filter((secret): secret is string => Boolean(secret));
    return secrets.reduce((clean, secret) => clean.replaceAll(secret, '[secret]'), text.replace(/(https?:\/\/[^\s?]*)\?\S*/g, '$1?[query]'));
  }

  #log(line: string): void {
    this.#options.log?.(this.#redact(line));
  }
}

/** A DropboxBackend with the credentials of DROPBOX_ACCESS_TOKEN, or DROPBOX_REFRESH_TOKEN + DROPBOX_APP_KEY (+ DROPBOX_APP_SECRET). */
export function dropboxBackendFromEnv(rootPath: string, overrides: Partial<DropboxBackendOptions> = {}, env: NodeJS.ProcessEnv = process.env): DropboxBackend {
  const read = (name: string) => env[`DROPBOX_${name}`]?.trim() || undefined;
  return new DropboxBackend({
    rootPath,
    accessToken: read('ACCESS_TOKEN'),
    refreshToken: read('REFRESH_TOKEN'),
    appKey: read('APP_KEY'),
    appSecret: read('APP_SECRET'),
    ...overrides,
  });
}
