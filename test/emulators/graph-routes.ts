/** @module The Microsoft Graph (OneDrive) routes the emulator serves: items, delta pages, content, simple and session uploads, the token endpoint. */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DriveConflict, type EmulatedItem } from './graph-drive.ts';
import { driveItemJson, graphError, notFound, written, type EmulatorState, type Reply, type Request } from './graph-wire.ts';

export type GraphRoute =
  'item' | 'delta' | 'content' | 'download' | 'upload' | 'createFolder' | 'createUploadSession' | 'uploadRange' | 'cancelUploadSession' | 'token';

export interface Match {
  route: GraphRoute;
  /** bearer: Graph itself; signed: a pre-authenticated URL, which must not get a token; open: the token endpoint. */
  access: 'bearer' | 'signed' | 'open';
  run(state: EmulatorState, request: Request): Reply;
}

const simpleUploadLimit = 4 * 1024 * 1024;
const fragmentUnit = 320 * 1024;
const newFolderBody = z.object({ name: z.string().min(1), folder: z.object({}), '@microsoft.graph.conflictBehavior': z.literal('fail') });
const uploadSessionBody = z.object({ item: z.object({ '@microsoft.graph.conflictBehavior': z.enum(['fail', 'replace']).optional() }).optional() });
const refreshGrant = z.object({
  grant_type: z.literal('refresh_token'),
  client_id: z.string(),
  refresh_token: z.string(),
  scope: z.string(),
  client_secret: z.string().optional(),
});
const linkToken = z.union([
  z.object({ generation: z.number(), since: z.number() }),
  z.object({ generation: z.number(), round: z.string(), offset: z.number() }),
]);

/** An item addressed by id (items/{id}) or by path (root:/a/b:), then an optional action such as content. */
function parseDriveAddress(pathname: string): { id?: string; path?: string; action?: string } | undefined {
  const rest = pathname.startsWith('/v1.0/me/drive/') ? pathname.slice('/v1.0/me/drive/'.length) : undefined;
  if (rest === undefined) return undefined;
  const byId = /^items\/([^/:]+)(?:\/(\w+))?$/.exec(rest);
  if (byId) return { id: decodeURIComponent(byId[1]!), ...(byId[2] && { action: byId[2] }) };
  const root = /^root(?:\/(\w+))?$/.exec(rest);
  if (root) return { path: '', ...(root[1] && { action: root[1] }) };
  const byPath = /^root:\/([^:]*?)(?::(?:\/(\w+))?)?$/.exec(rest);
  if (!byPath) return undefined;
  return { path: byPath[1]!.split('/').map(decodeURIComponent).join('/'), ...(byPath[2] && { action: byPath[2] }) };
}

/** The route a request is for, or undefined for something Graph would not know either. */
export function matchRoute(method: string, url: URL): Match | undefined {
  const [, first, second] = url.pathname.split('/');
  if (method === 'POST' && /^\/login\/[^/]+\/oauth2\/v2\.0\/token$/.test(url.pathname)) return { route: 'token', access: 'open', run: token };
  if (first === 'download' && second && method === 'GET')
    return { route: 'download', access: 'signed', run: (state) => download(state, decodeURIComponent(second)) };
  if (first === 'upload' && second && method === 'PUT')
    return { route: 'uploadRange', access: 'signed', run: (state, request) => uploadRange(state, second, request) };
  if (first === 'upload' && second && method === 'DELETE')
    return { route: 'cancelUploadSession', access: 'signed', run: (state) => cancelSession(state, second) };
  const address = parseDriveAddress(url.pathname);
  if (!address) return undefined;
  const target = (state: EmulatorState) => (address.id === undefined ? state.drive.find(address.path ?? '') : state.drive.item(address.id));
  const graph = (route: GraphRoute, run: Match['run']): Match => ({ route, access: 'bearer', run });
  const { path } = address;
  const key = `${method} ${address.action ?? ''}`;
  if (key === 'GET ') return graph('item', (state) => itemReply(state, target(state)));
  if (key === 'GET delta') return graph('delta', (state, request) => delta(state, target(state), request.url));
  if (key === 'GET content') return graph('content', (state) => contentRedirect(state, target(state)));
  if (key === 'PUT content' && path) return graph('upload', (state, request) => simpleUpload(state, path, request.body));
  if (key === 'POST children' && path !== undefined) return graph('createFolder', (state, request) => createFolder(state, path, request.body));
  if (key === 'POST createUploadSession' && path) return graph('createUploadSession', (state, request) => createSession(state, path, request.body));
  return undefined;
}

function itemReply(state: EmulatorState, item: EmulatedItem | undefined): Reply {
  return item ? { status: 200, json: driveItemJson(state, item, false) } : notFound();
}

function deltaLink(state: EmulatorState, folderId: string, token: z.infer<typeof linkToken>): string {
  const encoded = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${state.graphUrl}/v1.0/me/drive/items/${encodeURIComponent(folderId)}/delta?token=${encoded}`;
}

function delta(state: EmulatorState, folder: EmulatedItem | undefined, url: URL): Reply {
  if (folder?.kind !== 'folder') return notFound();
  const raw = url.searchParams.get('token');
  const parsed = raw === null ? undefined : linkToken.safeParse(safeJson(Buffer.from(raw, 'base64url').toString()));
  if (parsed && !parsed.success) return graphError(400, 'invalidRequest', 'Invalid delta token.');
  const link = parsed?.data;
  if (link && link.generation !== state.deltaGeneration) {
    return graphError(410, 'resyncRequired', 'Resync required. Replace any local items with the server version (including deletes).', {
      Location: deltaLink(state, folder.id, { generation: state.deltaGeneration, since: 0 }),
    });
  }
  const continued = link && 'round' in link ? link : undefined;
  const roundId = continued?.round ?? startRound(state, folder.id, link && 'since' in link ? link.since : 0);
  const offset = continued?.offset ?? 0;
  const round = state.rounds.get(roundId);
  if (!round) return graphError(400, 'invalidRequest', 'Unknown delta round.');
  const value = round.items.slice(offset, offset + state.pageSize);
  const more = offset + state.pageSize < round.items.length;
  if (!more) state.rounds.delete(roundId);
  const generation = state.deltaGeneration;
  const next = more
    ? { '@odata.nextLink': deltaLink(state, folder.id, { generation, round: roundId, offset: offset + state.pageSize }) }
    : { '@odata.deltaLink': deltaLink(state, folder.id, { generation, since: round.upTo }) };
  return { status: 200, json: { '@odata.context': `${state.graphUrl}/v1.0/$metadata#Collection(driveItem)`, value, ...next } };
}

/** Snapshots the items of a round as they are now, so that its pages stay consistent while the drive changes. */
function startRound(state: EmulatorState, folderId: string, since: number): string {
  const id = randomUUID();
  const items = state.drive.changesBelow(folderId, since).map((item) => driveItemJson(state, item, true));
  state.rounds.set(id, { items, upTo: state.drive.seq });
  return id;
}

function contentRedirect(state: EmulatorState, item: EmulatedItem | undefined): Reply {
  if (item?.kind !== 'file') return notFound();
  return { status: 302, headers: { Location: `${state.otherHostUrl}/download/${encodeURIComponent(item.id)}?sig=${state.signature}` } };
}

function download(state: EmulatorState, id: string): Reply {
  const item = state.drive.item(id);
  return item?.kind === 'file' ? { status: 200, headers: { 'Content-Type': 'application/octet-stream' }, bytes: item.content } : notFound();
}

function simpleUpload(state: EmulatorState, path: string, body: Buffer): Reply {
  if (body.length > simpleUploadLimit) return graphError(413, 'requestBodyTooLarge', 'Simple upload takes up to 4 MiB; use an upload session.');
  return written(state, path, body, true);
}

/** Only what the back end sends is understood: a new folder that fails when its name is taken. */
function createFolder(state: EmulatorState, parentPath: string, body: Buffer): Reply {
  const parsed = newFolderBody.safeParse(safeJson(body.toString('utf8')));
  if (!parsed.success) return graphError(400, 'invalidRequest', z.prettifyError(parsed.error));
  try {
    const folder = state.drive.makeFolder(parentPath, parsed.data.name);
    return folder ? { status: 201, json: driveItemJson(state, folder, false) } : notFound();
  } catch (error) {
    if (error instanceof DriveConflict) return graphError(409, 'nameAlreadyExists', `The name is already in use: ${error.message}.`);
    throw error;
  }
}

function createSession(state: EmulatorState, path: string, body: Buffer): Reply {
  const parsed = uploadSessionBody.safeParse(body.length === 0 ? {} : safeJson(body.toString('utf8')));
  if (!parsed.success) return graphError(400, 'invalidRequest', z.prettifyError(parsed.error));
  const id = randomUUID();
  state.sessions.set(id, { path, replace: parsed.data.item?.['@microsoft.graph.conflictBehavior'] === 'replace', chunks: [], received: 0 });
  state.uploadSessions++;
  const expirationDateTime = new Date(Date.now() + 3600_000).toISOString();
  return { status: 200, json: { uploadUrl: `${state.otherHostUrl}/upload/${id}?sig=${state.signature}`, expirationDateTime, nextExpectedRanges: ['0-'] } };
}

function uploadRange(state: EmulatorState, id: string, request: Request): Reply {
  const session = state.sessions.get(id);
  if (!session) return graphError(404, 'itemNotFound', 'The upload session was not found.');
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(request.headers['content-range'] ?? ''));
  if (!range) return graphError(400, 'invalidRequest', 'A Content-Range header of the form "bytes a-b/total" is required.');
  const [start, end, total] = range.slice(1).map(Number) as [number, number, number];
  if (start < session.received) return graphError(416, 'invalidRange', 'The range was received already.');
  const last = end + 1 === total;
  if (start !== session.received || end - start + 1 !== request.body.length || (session.total ?? total) !== total || end >= total) {
    return graphError(400, 'invalidRange', 'The fragment does not continue the upload, or its length does not match its range.');
  }
  if (!last && request.body.length % fragmentUnit !== 0) return graphError(400, 'invalidRange', 'Fragments but the last must be multiples of 320 KiB.');
  Object.assign(session, { total, received: end + 1 });
  session.chunks.push(request.body);
  if (!last) return { status: 202, json: { expirationDateTime: new Date(Date.now() + 3600_000).toISOString(), nextExpectedRanges: [`${end + 1}-`] } };
  state.sessions.delete(id);
  return written(state, session.path, Buffer.concat(session.chunks), session.replace);
}

function cancelSession(state: EmulatorState, id: string): Reply {
  return state.sessions.delete(id) ? { status: 204 } : graphError(404, 'itemNotFound', 'The upload session was not found.');
}

function token(state: EmulatorState, request: Request): Reply {
  const grant = refreshGrant.safeParse(Object.fromEntries(new URLSearchParams(request.body.toString('utf8'))));
  if (!grant.success) return { status: 400, json: { error: 'invalid_request', error_description: `AADSTS900144: ${z.prettifyError(grant.error)}` } };
  const issued = state.issueTokens(grant.data);
  if (!issued)
    return { status: 400, json: { error: 'invalid_grant', error_description: 'AADSTS70000: The provided value for the refresh_token is not valid.' } };
  return { status: 200, json: { token_type: 'Bearer', scope: grant.data.scope, ext_expires_in: issued.expires_in, ...issued } };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
