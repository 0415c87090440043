/** @module The wire format of the Dropbox API routes the emulator speaks: argument shapes, metadata, cursors and errors. */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { DropboxEmulator, StoredNode } from './dropbox-emulator.ts';

/** An API error answer: `{ error_summary, error }` JSON (or plain text for a 400), with extra headers. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** An injected failure: a 429 as the service sends it (Retry-After, and retry_after in the body), others as plain text. */
export function injected(failure: { status: number; retryAfterSeconds?: number }): ApiFailure {
  const seconds = failure.retryAfterSeconds;
  const headers: Record<string, string> = seconds === undefined ? {} : { 'Retry-After': String(seconds) };
  if (failure.status !== 429) return new ApiFailure(failure.status, 'injected failure', headers);
  return new ApiFailure(429, { error_summary: 'too_many_requests/..', error: { reason: { '.tag': 'too_many_requests' }, retry_after: seconds ?? 1 } }, headers);
}

/** Download results travel in a header, so non-ASCII is escaped the way the service does it. */
export function send(res: ServerResponse, answer: Answer): void {
  if ('bytes' in answer) {
    const result = JSON.stringify(answer.result).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Dropbox-API-Result': result });
    res.end(answer.bytes);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(answer.json));
}

export function sendFailure(res: ServerResponse, failure: ApiFailure): void {
  const json = typeof failure.body !== 'string';
  res.writeHead(failure.status, { 'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8', ...failure.headers });
  res.end(json ? JSON.stringify(failure.body) : failure.body);
}

export type Answer = { json: unknown } | { bytes: Buffer; result: unknown };
export interface Route {
  host: 'api' | 'content' | 'notify';
  auth: 'user' | 'none';
  /** rpc: JSON body; download and upload: the argument in the Dropbox-API-Arg header. */
  style: 'rpc' | 'download' | 'upload';
  run(emulator: DropboxEmulator, arg: unknown, body: Buffer, closed: AbortSignal): Promise<Answer>;
}

interface RouteSpec<S extends z.ZodType> extends Omit<Route, 'run'> {
  arg: S;
  handle(emulator: DropboxEmulator, arg: z.output<S>, body: Buffer, closed: AbortSignal): Answer | Promise<Answer>;
}

/** A route whose argument is checked against its schema first: a bad one is a 400 in plain text, as the service answers. */
function route<S extends z.ZodType>({ arg, handle, ...where }: RouteSpec<S>): Route {
  return {
    ...where,
    async run(emulator, raw, body, closed) {
      const parsed = arg.safeParse(raw);
      if (!parsed.success) throw new ApiFailure(400, `Error in call to API function: ${z.prettifyError(parsed.error)}`);
      return handle(emulator, parsed.data, body, closed);
    },
  };
}

/** A 409 whose summary is the tag path, the way the service writes it: `path/not_found/..`. */
export function conflict(error: Record<string, unknown>, summary: string): ApiFailure {
  return new ApiFailure(409, { error_summary: `${summary}/..`, error });
}
const notFound = () => conflict({ '.tag': 'path', path: { '.tag': 'not_found' } }, 'path/not_found');

const blockSize = 4 * 1024 * 1024;
/** Dropbox's content_hash: SHA-256 of the SHA-256 digests of each 4 MiB block. */
function contentHash(content: Buffer): string {
  const outer = createHash('sha256');
  for (let offset = 0; offset < content.length; offset += blockSize)
    outer.update(
      createHash('sha256')
        .update(content.subarray(offset, offset + blockSize))
        .digest(),
    );
  return outer.digest('hex');
}

export function metadata(node: StoredNode): Record<string, unknown> {
  const names = { name: node.path.split('/').pop(), path_lower: node.path.toLowerCase(), path_display: node.path, id: node.id };
  if (node.kind === 'folder') return { '.tag': 'folder', ...names };
  const { content, rev, serverModified } = node;
  return {
    '.tag': 'file',
    ...names,
    client_modified: serverModified,
    server_modified: serverModified,
    rev,
    size: content.length,
    is_downloadable: true,
    content_hash: contentHash(content),
  };
}

/** Opaque to clients; here the change-log position, the root and, while a full listing is paged, the last path listed. */
const cursorSchema = z.object({ epoch: z.number(), seq: z.number(), root: z.string(), after: z.string().optional() });
type Cursor = z.infer<typeof cursorSchema>;
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decodeCursor(emulator: DropboxEmulator, text: string): Cursor {
  const parsed = cursorSchema.safeParse(
    (() => {
      try {
        return JSON.parse(Buffer.from(text, 'base64url').toString());
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) throw new ApiFailure(400, 'Error in call to API function: invalid cursor');
  if (parsed.data.epoch !== emulator.epoch) throw conflict({ '.tag': 'reset' }, 'reset');
  return parsed.data;
}

function listingPage(emulator: DropboxEmulator, cursor: Cursor) {
  const rest = emulator.nodesUnder(cursor.root).filter((node) => cursor.after === undefined || node.path.toLowerCase() > cursor.after);
  const page = rest.slice(0, emulator.pageSize);
  const hasMore = rest.length > page.length;
  const after = hasMore ? page.at(-1)!.path.toLowerCase() : undefined;
  return { entries: page.map(metadata), cursor: encodeCursor({ ...cursor, after }), has_more: hasMore };
}

function changesPage(emulator: DropboxEmulator, cursor: Cursor) {
  const { changed, seq, hasMore } = emulator.changesSince(cursor.root, cursor.seq);
  const entries = changed.map(({ lower, display }) => {
    const node = emulator.node(lower);
    return node ? metadata(node) : { '.tag': 'deleted', name: display.split('/').pop(), path_lower: lower, path_display: display };
  });
  return { entries, cursor: encodeCursor({ ...cursor, seq }), has_more: hasMore };
}

const apiPath = z.string().regex(/^(\/.*[^/])?$/, 'a path is "" or starts with "/" and does not end with one');
const filePath = z.string().regex(/^\/.*[^/]$/);
const writeMode = z.object({ '.tag': z.enum(['add', 'overwrite']) }).default({ '.tag': 'add' });
const commitInfo = z.object({ path: filePath, mode: writeMode, autorename: z.boolean().optional(), mute: z.boolean().optional() });
const sessionCursor = z.object({ session_id: z.string(), offset: z.number().int().nonnegative() });

function session(
  emulator: DropboxEmulator,
  cursor: z.infer<typeof sessionCursor>,
  body: Buffer,
  wrap: (error: Record<string, unknown>) => Record<string, unknown>,
) {
  const stored = emulator.sessions.get(cursor.session_id);
  if (!stored) throw conflict(wrap({ '.tag': 'not_found' }), 'not_found');
  const offset = stored.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  if (offset !== cursor.offset) throw conflict(wrap({ '.tag': 'incorrect_offset', correct_offset: offset }), 'incorrect_offset');
  stored.chunks.push(body);
  return stored;
}

/** The routes by name, as the SDK names them (`files/list_folder`). */
export const routes: Record<string, Route> = {
  'files/list_folder': route({
    host: 'api',
    auth: 'user',
    style: 'rpc',
    arg: z.object({ path: apiPath, recursive: z.literal(true), include_deleted: z.boolean().optional() }),
    handle(emulator, arg) {
      const root = arg.path.toLowerCase();
      if (root && emulator.node(root)?.kind !== 'folder') throw notFound();
      return { json: listingPage(emulator, { epoch: emulator.epoch, seq: emulator.seq, root }) };
    },
  }),
  'files/list_folder/continue': route({
    host: 'api',
    auth: 'user',
    style: 'rpc',
    arg: z.object({ cursor: z.string() }),
    handle(emulator, arg) {
      const cursor = decodeCursor(emulator, arg.cursor);
      return { json: cursor.after === undefined ? changesPage(emulator, cursor) : listingPage(emulator, cursor) };
    },
  }),
  'files/list_folder/longpoll': route({
    host: 'notify',
    auth: 'none',
    style: 'rpc',
    arg: z.object({ cursor: z.string(), timeout: z.number().int().min(30).max(480).default(30) }),
    async handle(emulator, arg, _body, closed) {
      const cursor = decodeCursor(emulator, arg.cursor);
      const changes = await emulator.waitForChange(cursor.root, cursor.seq, arg.timeout * 1000, closed);
      return { json: { changes, ...(emulator.longpollBackoffSeconds ? { backoff: emulator.longpollBackoffSeconds } : {}) } };
    },
  }),
  'files/download': route({
    host: 'content',
    auth: 'user',
    style: 'download',
    arg: z.object({ path: filePath }),
    handle(emulator, arg) {
      const node = emulator.node(arg.path.toLowerCase());
      if (node?.kind !== 'file') throw notFound();
      return { bytes: node.content, result: metadata(node) };
    },
  }),
  'files/upload': route({
    host: 'content',
    auth: 'user',
    style: 'upload',
    arg: commitInfo,
    handle: (emulator, arg, body) => ({ json: metadata(emulator.write(arg.path, body, arg.mode['.tag'])) }),
  }),
  'files/create_folder_v2': route({
    host: 'api',
    auth: 'user',
    style: 'rpc',
    arg: z.object({ path: filePath, autorename: z.boolean().optional() }),
    handle: (emulator, arg) => ({ json: { metadata: metadata(emulator.createFolder(arg.path)) } }),
  }),
  'files/upload_session/start': route({
    host: 'content',
    auth: 'user',
    style: 'upload',
    arg: z.object({ close: z.boolean().optional() }),
    handle: (emulator, _arg, body) => ({ json: { session_id: emulator.startSession(body) } }),
  }),
  'files/upload_session/append_v2': route({
    host: 'content',
    auth: 'user',
    style: 'upload',
    arg: z.object({ cursor: sessionCursor, close: z.boolean().optional() }),
    handle(emulator, arg, body) {
      session(emulator, arg.cursor, body, (error) => error);
      return { json: null };
    },
  }),
  'files/upload_session/finish': route({
    host: 'content',
    auth: 'user',
    style: 'upload',
    arg: z.object({ cursor: sessionCursor, commit: commitInfo }),
    handle(emulator, arg, body) {
      const stored = session(emulator, arg.cursor, body, (error) => ({ '.tag': 'lookup_failed', lookup_failed: error }));
      emulator.sessions.delete(arg.cursor.session_id);
      return { json: metadata(emulator.write(arg.commit.path, Buffer.concat(stored.chunks), arg.commit.mode['.tag'])) };
    },
  }),
};
