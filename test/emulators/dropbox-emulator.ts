/**
 * @module A loopback Dropbox for tests: the files, change-log and upload-session routes plus OAuth refresh on one
 * port, an in-memory tree, and controls to act as another client, expire cursors or tokens and inject failures.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodeFetch from 'node-fetch';
import type { DropboxFetch } from '../../sync/dropbox/dropbox-backend.ts';
import { ApiFailure, conflict, injected, routes, send, sendFailure, type Answer } from './dropbox-routes.ts';

export type StoredNode =
  { kind: 'folder'; path: string; id: string } | { kind: 'file'; path: string; id: string; content: Buffer; rev: string; serverModified: string };

export interface DropboxEmulatorOptions {
  /** A token valid from the start. */
  accessToken?: string;
  /** The refresh token /oauth2/token accepts, for the app `appKey` (and `appSecret` when set). */
  refreshToken?: string;
  appKey?: string;
  appSecret?: string;
  /** Most entries in one listing page (default 1000). */
  pageSize?: number;
}

/** An injected answer: an HTTP error (429 and 503 carry Retry-After), or a request done whose answer is lost. */
export type Failure = { status: number; retryAfterSeconds?: number } | { loseAnswer: true };

/** The SDK's hosts, and the prefix each gets on the emulator's one port. */
const hosts: Record<string, string> = {
  'https://api.dropboxapi.com': 'api',
  'https://content.dropboxapi.com': 'content',
  'https://notify.dropboxapi.com': 'notify',
  'https://api.dropbox.com': 'api',
};

const under = (root: string, lower: string) => root === '' || lower.startsWith(`${root}/`);

export class DropboxEmulator {
  /** Requests per route (`files/list_folder`, `oauth2/token`), failed ones included. */
  readonly calls: Record<string, number> = {};
  uploadSessions = 0;
  /** When set, every longpoll answer asks for this much backoff. */
  longpollBackoffSeconds: number | undefined;
  readonly pageSize: number;
  readonly sessions = new Map<string, { chunks: Buffer[] }>();
  /** Bumped by expireCursors: older cursors are answered with `reset`. */
  epoch = 0;
  #options: DropboxEmulatorOptions;
  #server = createServer((req, res) => void this.#serve(req, res).catch(() => res.destroy()));
  #nodes = new Map<string, StoredNode>();
  #log: Array<{ lower: string; display: string }> = [];
  #waiters = new Set<{ root: string; wake: () => void }>();
  #failures = new Map<string, Failure[]>();
  #validTokens = new Set<string>();
  #issuedTokens = new Set<string>();
  #counter = 0;

  private constructor(options: DropboxEmulatorOptions) {
    this.#options = options;
    this.pageSize = options.pageSize ?? 1000;
    if (options.accessToken) this.#issue(options.accessToken);
  }

  static async start(options: DropboxEmulatorOptions = {}): Promise<DropboxEmulator> {
    const emulator = new DropboxEmulator(options);
    emulator.#server.listen(0, '127.0.0.1');
    await once(emulator.#server, 'listening');
    return emulator;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get seq(): number {
    return this.#log.length;
  }

  /** Every access token handed out or given at the start, to check that none is logged. */
  get issuedTokens(): string[] {
    return [...this.#issuedTokens];
  }

  get pendingLongpolls(): number {
    return this.#waiters.size;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  /** As a user saving through another client (parent folders appear as needed). */
  putFile(path: string, content: Buffer | string): StoredNode {
    return this.write(path, Buffer.from(content), 'overwrite');
  }

  /** Deletes a file, or a folder with everything in it. */
  deleteFile(path: string): void {
    const gone = this.nodesUnder(path.toLowerCase());
    if (gone.length === 0) throw new Error(`no ${path} in the emulated Dropbox`);
    for (const node of gone.reverse()) {
      this.#nodes.delete(node.path.toLowerCase());
      this.#changed(node.path);
    }
  }

  getFile(path: string): Buffer | undefined {
    const node = this.#nodes.get(path.toLowerCase());
    return node?.kind === 'file' ? node.content : undefined;
  }

  expireCursors(): void {
    this.epoch++;
  }

  expireAccessTokens(): void {
    this.#validTokens.clear();
  }

  /** The next call to `route` (as `files/upload`) fails this way; calls queue up. */
  failNext(route: string, failure: Failure): void {
    this.#failures.set(route, [...(this.#failures.get(route) ?? []), failure]);
  }

  node(lower: string): StoredNode | undefined {
    return this.#nodes.get(lower);
  }

  /** The root folder itself (unless it is the app root) and everything under it, parents before children. */
  nodesUnder(root: string): StoredNode[] {
    const nodes = [...this.#nodes.values()].filter((node) => node.path.toLowerCase() === root || under(root, node.path.toLowerCase()));
    return nodes.sort((a, b) => (a.path.toLowerCase() < b.path.toLowerCase() ? -1 : 1));
  }

  /** Paths under `root` changed since log position `seq`, each once, at most a page of them. */
  changesSince(root: string, seq: number): { changed: Array<{ lower: string; display: string }>; seq: number; hasMore: boolean } {
    const changed = new Map<string, { lower: string; display: string }>();
    let at = seq;
    for (; at < this.#log.length; at++) {
      const change = this.#log[at]!;
      if (!under(root, change.lower)) continue;
      if (!changed.has(change.lower) && changed.size === this.pageSize) break;
      changed.set(change.lower, change);
    }
    return { changed: [...changed.values()], seq: at, hasMore: at < this.#log.length };
  }

  /** Resolves true at the first change under `root` after `seq`, false after `timeoutMs` or when the client hangs up. */
  waitForChange(root: string, seq: number, timeoutMs: number, closed: AbortSignal): Promise<boolean> {
    if (this.changesSince(root, seq).changed.length > 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (changes: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        closed.removeEventListener('abort', hangUp);
        resolve(changes);
      };
      const waiter = { root, wake: () => finish(true) };
      const timer = setTimeout(() => finish(false), timeoutMs);
      const hangUp = () => finish(false);
      closed.addEventListener('abort', hangUp, { once: true });
      this.#waiters.add(waiter);
    });
  }

  write(path: string, content: Buffer, mode: 'add' | 'overwrite'): StoredNode {
    const existing = this.#nodes.get(path.toLowerCase());
    if (existing?.kind === 'folder' || (existing && mode === 'add'))
      throw conflict({ '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': existing.kind } } }, `path/conflict/${existing.kind}`);
    const parts = path.split('/');
    for (let depth = 2; depth < parts.length; depth++) this.#ensureFolder(parts.slice(0, depth).join('/'));
    const serverModified = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const file: StoredNode = {
      kind: 'file',
      path: existing?.path ?? path,
      id: existing?.id ?? this.#newId(),
      content,
      rev: (++this.#counter).toString(16).padStart(9, '0'),
      serverModified,
    };
    this.#nodes.set(path.toLowerCase(), file);
    this.#changed(file.path);
    return file;
  }

  /** A folder and its missing parents; anything of that name already is a `path/conflict`, as the service answers. */
  createFolder(path: string): StoredNode {
    const existing = this.#nodes.get(path.toLowerCase());
    if (existing) throw conflict({ '.tag': 'path', path: { '.tag': 'conflict', conflict: { '.tag': existing.kind } } }, `path/conflict/${existing.kind}`);
    const parts = path.split('/');
    for (let depth = 2; depth <= parts.length; depth++) this.#ensureFolder(parts.slice(0, depth).join('/'));
    return this.#nodes.get(path.toLowerCase())!;
  }

  startSession(firstChunk: Buffer): string {
    const id = randomUUID();
    this.sessions.set(id, { chunks: [firstChunk] });
    this.uploadSessions++;
    return id;
  }

  #ensureFolder(path: string): void {
    const existing = this.#nodes.get(path.toLowerCase());
    if (existing?.kind === 'file') throw conflict({ '.tag': 'path', reason: { '.tag': 'conflict', conflict: { '.tag': 'file' } } }, 'path/conflict/file');
    if (existing) return;
    this.#nodes.set(path.toLowerCase(), { kind: 'folder', path, id: this.#newId() });
    this.#changed(path);
  }

  #newId(): string {
    return `id:emu${(++this.#counter).toString(36)}`;
  }

  #changed(display: string): void {
    const lower = display.toLowerCase();
    this.#log.push({ lower, display });
    for (const waiter of this.#waiters) if (under(waiter.root, lower)) waiter.wake();
  }

  #issue(token: string): void {
    this.#validTokens.add(token);
    this.#issuedTokens.add(token);
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const [host = '', ...rest] = url.pathname.split('/').slice(1);
    const name = (rest[0] === '2' ? rest.slice(1) : rest).join('/');
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const closed = new AbortController();
    res.on('close', () => closed.abort());
    try {
      const failure = this.#failures.get(name)?.shift();
      if (failure && 'status' in failure) throw injected(failure);
      const answer =
        name === 'oauth2/token' && host === 'api'
          ? this.#grant(url.searchParams, Buffer.concat(chunks), req.headers.authorization)
          : await this.#call(host, name, req, Buffer.concat(chunks), closed.signal);
      if (failure) req.socket.destroy();
      else send(res, answer);
    } catch (error) {
      sendFailure(res, error instanceof ApiFailure ? error : new ApiFailure(500, `emulator error: ${String(error)}`));
    }
  }

  async #call(host: string, name: string, req: IncomingMessage, body: Buffer, closed: AbortSignal): Promise<Answer> {
    const route = routes[name];
    if (!route || route.host !== host) throw new ApiFailure(404, `Unknown API function "${name}" on the ${host} host`);
    const authorization = req.headers.authorization;
    if (route.auth === 'none' && authorization) throw new ApiFailure(400, `Error in call to API function "${name}": this route takes no Authorization header`);
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (route.auth === 'user' && !(token && this.#validTokens.has(token))) {
      const tag = token && this.#issuedTokens.has(token) ? 'expired_access_token' : 'invalid_access_token';
      throw new ApiFailure(401, { error_summary: `${tag}/..`, error: { '.tag': tag } });
    }
    const contentType = route.style === 'rpc' ? 'application/json' : route.style === 'upload' ? 'application/octet-stream' : undefined;
    if (contentType && req.headers['content-type'] !== contentType)
      throw new ApiFailure(400, `Error in call to API function "${name}": Bad HTTP "Content-Type" header: expected ${contentType}`);
    const argText = route.style === 'rpc' ? body.toString() : req.headers['dropbox-api-arg'];
    let arg: unknown;
    try {
      arg = JSON.parse(typeof argText === 'string' ? argText : '');
    } catch {
      throw new ApiFailure(400, `Error in call to API function "${name}": could not decode input as JSON`);
    }
    return route.run(this, arg, route.style === 'upload' ? body : Buffer.alloc(0), closed);
  }

  /** The refresh_token grant, its fields in the query (as the SDK sends them), a form body or Basic auth. */
  #grant(query: URLSearchParams, body: Buffer, authorization: string | undefined): Answer {
    const form = new URLSearchParams(body.toString());
    const field = (key: string) => query.get(key) ?? form.get(key) ?? undefined;
    const basic = /^Basic (.+)$/.exec(authorization ?? '')?.[1];
    const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
    const { refreshToken, appKey, appSecret } = this.#options;
    if (field('grant_type') !== 'refresh_token')
      throw new ApiFailure(400, { error: 'unsupported_grant_type', error_description: 'only refresh_token is emulated' });
    if (!refreshToken || field('refresh_token') !== refreshToken)
      throw new ApiFailure(400, { error: 'invalid_grant', error_description: 'refresh token is malformed' });
    if ((field('client_id') ?? basicId) !== appKey || (appSecret !== undefined && (field('client_secret') ?? basicSecret) !== appSecret)) {
      throw new ApiFailure(400, { error: 'invalid_client', error_description: 'Invalid client_id or client_secret' });
    }
    const token = `emu.${randomUUID()}`;
    this.#issue(token);
    return { json: { access_token: token, token_type: 'bearer', expires_in: 14_400 } };
  }
}

/** A fetch for the SDK that sends its requests for the Dropbox hosts to the emulator at `baseUrl` (test-only). */
export function dropboxEmulatorFetch(baseUrl: string): DropboxFetch {
  return async (url, init) => {
    const origin = Object.keys(hosts).find((candidate) => url.startsWith(`${candidate}/`));
    if (!origin) throw new Error(`the Dropbox emulator does not serve ${new URL(url).origin}`);
    return nodeFetch(`${baseUrl}/${hosts[origin]!}${url.slice(origin.length)}`, init);
  };
}
