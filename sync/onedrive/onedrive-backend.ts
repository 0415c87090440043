/** @module The OneDrive back end: one folder of the user's drive through Microsoft Graph (delta, download, simple and session uploads). */
import { Client, ResponseType, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ChangeBatch, SyncBackend } from '../backend.ts';
import { withRetry } from '../retry.ts';
import { answer, fromGraphError, GraphRequestError, httpFailure } from './graph-failures.ts';
import { driveItemSchema, ItemTree, revOf, type DriveItem } from './item-tree.ts';
import { tokenProviderFromEnv, type TokenProvider } from './token-provider.ts';

export { GraphRequestError } from './graph-failures.ts';

export interface OneDriveBackendOptions {
  /** The synced folder in the user's drive, e.g. '/edge'; '/' is the whole drive. */
  rootPath: string;
  tokenProvider: TokenProvider;
  /** Graph's address, https://graph.microsoft.com unless a test points it at an emulator (whose host goes in `customHosts`). */
  baseUrl?: string;
  /** Hosts besides Graph's own that get the bearer token. */
  customHosts?: Set<string>;
  /** The longest wait of `waitForChange` (default 5000 ms). */
  pollIntervalMs?: number;
  log?: (line: string) => void;
}

/** Graph's simple upload takes up to 4 MiB; more goes through an upload session. */
const simpleUploadLimit = 4 * 1024 * 1024;
/** Upload-session ranges must be multiples of 320 KiB: twelve of them, 3.75 MiB. */
const uploadRangeSize = 12 * 320 * 1024;
/** The SDK's own retry handler is turned off on every request: withRetry is the one policy (logged, with a limit). */
const noSdkRetries = new RetryHandlerOptions(0, 0);

const deltaPageSchema = z.object({ value: z.array(driveItemSchema), '@odata.nextLink': z.string().optional(), '@odata.deltaLink': z.string().optional() });
const uploadSessionSchema = z.object({ uploadUrl: z.url({ protocol: /^https$/ }) });

/**
 * Mirrors `rootPath` of the signed-in user's OneDrive. The cursor is Graph's deltaLink; the id → path tree a
 * deltaLink continues from lives in this object, so a cursor from another process (or an expired one) is
 * answered with a full listing and `reset: true`.
 * @example const backend = new OneDriveBackend({ rootPath: '/edge', tokenProvider: () => Promise.resolve(token) })
 */
export class OneDriveBackend implements SyncBackend {
  readonly kind = 'onedrive';
  readonly #client: Client;
  readonly #tokenProvider: TokenProvider;
  readonly #rootSegments: string[];
  readonly #pollIntervalMs: number;
  readonly #log: (line: string) => void;
  #tree: ItemTree | undefined;
  #treeCursor: string | undefined;

  constructor(options: OneDriveBackendOptions) {
    const { tokenProvider, baseUrl, customHosts } = options;
    this.#tokenProvider = tokenProvider;
    this.#client = Client.init({
      authProvider: (done) =>
        void tokenProvider().then(
          (token) => done(null, token),
          (error: unknown) => done(error, null),
        ),
      defaultVersion: 'v1.0',
      ...(baseUrl && { baseUrl }),
      ...(customHosts && { customHosts }),
    });
    this.#rootSegments = options.rootPath.split('/').filter((segment) => segment !== '');
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.#log = options.log ?? (() => undefined);
  }

  /**
   * Follows every page of one delta round in this call (`hasMore` is always false): Graph warns that a round
   * is consistent only once its last page is in, and the paths of its items depend on items of other pages.
   */
  async changes(cursor: string | undefined): Promise<ChangeBatch> {
    if (cursor !== undefined && cursor === this.#treeCursor && this.#tree) {
      try {
        return await this.#round(this.#tree, cursor, false);
      } catch (error) {
        if (!(error instanceof GraphRequestError && (error.status === 410 || error.status === 404))) throw error;
        this.#log(`onedrive: the delta link is no longer valid (HTTP ${error.status}); listing the folder again`);
      }
    }
    const what = `read the synced folder /${this.#rootSegments.join('/')}`;
    const root = await this.#call(what, driveItemSchema, () => this.#api(this.#itemUrl('')).get());
    return this.#round(new ItemTree(root.id), `/me/drive/items/${encodeURIComponent(root.id)}/delta`, true);
  }

  /**
   * Graph has no long poll for drives; webhooks would need a public URL that an edge courier lacks. So this
   * only paces the polling: the next `changes` call is the actual look.
   */
  async waitForChange(_cursor: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    await sleep(Math.min(timeoutMs, this.#pollIntervalMs), undefined, { signal }).catch((error: unknown) => {
      if (!signal?.aborted) throw error;
    });
  }

  async download(path: string): Promise<Buffer> {
    const what = `download ${path}`;
    // Graph answers with a redirect to a pre-authenticated URL; the SDK follows it and drops the token on the way.
    // RAW, not ARRAYBUFFER: for a failed binary answer the SDK's GraphError carries no headers, so no Retry-After.
    return this.#call(what, z.instanceof(Buffer), async () => {
      const response = z.instanceof(Response).parse(await this.#api(this.#itemUrl(path, 'content')).responseType(ResponseType.RAW).get());
      if (!response.ok) throw httpFailure(what, response.status, response.headers, await response.text());
      return Buffer.from(await response.arrayBuffer());
    });
  }

  async upload(path: string, content: Buffer): Promise<{ rev: string }> {
    const written =
      content.length <= simpleUploadLimit
        ? await this.#call(`upload ${path}`, driveItemSchema, () =>
            this.#api(this.#itemUrl(path, 'content')).header('Content-Type', 'application/octet-stream').put(content),
          )
        : await this.#uploadInSession(path, content);
    return { rev: revOf(written) };
  }

  async createFolder(path: string): Promise<void> {
    const segments = path.split('/').filter((segment) => segment !== '');
    const name = segments.pop();
    if (name === undefined) return;
    const parent = segments.join('/');
    const body = { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' };
    const create = () => this.#call(`create the folder ${path}`, driveItemSchema, () => this.#api(this.#itemUrl(parent, 'children')).post(body));
    await create()
      .catch(async (error: unknown) => {
        // Graph makes a folder only in a parent that exists: the parent first, then this one again.
        if (!(error instanceof GraphRequestError && error.status === 404 && parent)) throw error;
        await this.createFolder(parent);
        return create();
      })
      .catch((error: unknown) => {
        // nameAlreadyExists: a folder or a file has the name already, and stays.
        if (!(error instanceof GraphRequestError && error.status === 409)) throw error;
      });
  }

  async #round(tree: ItemTree, link: string, reset: boolean): Promise<ChangeBatch> {
    const items: DriveItem[] = [];
    let page = await this.#deltaPage(link);
    for (let next = page['@odata.nextLink']; next; next = page['@odata.nextLink']) {
      items.push(...page.value);
      page = await this.#deltaPage(next);
    }
    items.push(...page.value);
    const deltaLink = page['@odata.deltaLink'];
    if (!deltaLink) throw new Error('Microsoft Graph ended a delta round without a deltaLink');
    const entries = tree.apply(items);
    this.#tree = tree;
    this.#treeCursor = deltaLink;
    return { entries, cursor: deltaLink, reset, hasMore: false };
  }

  async #deltaPage(link: string): Promise<z.infer<typeof deltaPageSchema>> {
    return this.#call('read changes', deltaPageSchema, () => this.#api(link).get());
  }

  /** Ranges go to the session's pre-authenticated URL with plain fetch: a bearer token there may even be refused. */
  async #uploadInSession(path: string, content: Buffer): Promise<DriveItem> {
    const { uploadUrl } = await this.#call(`start an upload session for ${path}`, uploadSessionSchema, () =>
      this.#api(this.#itemUrl(path, 'createUploadSession')).post({ item: { '@microsoft.graph.conflictBehavior': 'replace' } }),
    );
    try {
      let last: unknown;
      for (let start = 0; start < content.length; start += uploadRangeSize) {
        const end = Math.min(start + uploadRangeSize, content.length);
        const what = `upload bytes ${start}-${end - 1} of ${path}`;
        last = await this.#retrying(what, () => putRange(what, uploadUrl, content, start, end));
      }
      // The answer to the last range is the finished item.
      return answer(driveItemSchema, last, `upload ${path}`);
    } catch (error) {
      // Best effort: an abandoned session also expires on its own.
      await fetch(uploadUrl, { method: 'DELETE' }).catch(() => undefined);
      throw error;
    }
  }

  #api(path: string) {
    return this.#client.api(path).middlewareOptions([noSdkRetries]);
  }

  /** The Graph address of a path under the root, optionally with an action such as 'content'. */
  #itemUrl(path: string, action?: string): string {
    const segments = [...this.#rootSegments, ...path.split('/').filter((segment) => segment !== '')];
    if (segments.length === 0) return action ? `/me/drive/root/${action}` : '/me/drive/root';
    const itemPath = segments.map(encodeURIComponent).join('/');
    return action ? `/me/drive/root:/${itemPath}:/${action}` : `/me/drive/root:/${itemPath}`;
  }

  /** One Graph request, retried while the failure is transient, its answer checked against `schema`. */
  async #call<T>(what: string, schema: z.ZodType<T>, request: () => Promise<unknown>): Promise<T> {
    // The SDK turns a failing token provider into a GraphError without status or cause: ask for the token
    // here first, where its own error (a refused refresh token, say) surfaces as it is.
    await this.#tokenProvider();
    return this.#retrying(what, async () => answer(schema, await request().catch((error: unknown) => Promise.reject(fromGraphError(error, what))), what));
  }

  #retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    return withRetry(what, attempt, {
      onRetry: (info) => this.#log(`onedrive: ${info.what} failed (${info.reason}); retry ${info.attempt} in ${info.delayMs} ms`),
    });
  }
}

async function putRange(what: string, uploadUrl: string, content: Buffer, start: number, end: number): Promise<unknown> {
  const response = await fetch(uploadUrl, {
    method: 'PUT',
    headers: { 'Content-Range': `bytes ${start}-${end - 1}/${content.length}` },
    body: content.subarray(start, end),
  });
  const text = await response.text();
  if (response.ok) return JSON.parse(text);
  throw httpFailure(what, response.status, response.headers, text);
}

export type OneDriveEnvOverrides = Partial<Omit<OneDriveBackendOptions, 'rootPath'>> & {
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** The identity platform's address for the refresh grant (tests point it at an emulator). */
  authorityUrl?: string;
};

/**
 * A OneDrive back end with credentials from the environment (see tokenProviderFromEnv); throws INVALID_INPUT
 * naming the variables when none are set.
 */
export function oneDriveBackendFromEnv(rootPath: string, overrides: OneDriveEnvOverrides = {}): OneDriveBackend {
  const { env = process.env, authorityUrl, ...options } = overrides;
  const tokenProvider = options.tokenProvider ?? tokenProviderFromEnv(env, { ...(authorityUrl && { authorityUrl }), ...(options.log && { log: options.log }) });
  return new OneDriveBackend({ ...options, rootPath, tokenProvider });
}
