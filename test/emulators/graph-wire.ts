/** @module The shapes the Graph emulator speaks in: requests and replies, Graph's error and driveItem JSON, and the state its routes share. */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DriveConflict, type EmulatedDrive, type EmulatedItem } from './graph-drive.ts';

export interface Request {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  bytes?: Buffer;
}

interface UploadSession {
  path: string;
  replace: boolean;
  chunks: Buffer[];
  received: number;
  total?: number;
}

/** What the routes read and change; the emulator holds it. */
export interface EmulatorState {
  readonly drive: EmulatedDrive;
  /** Where Graph answers: https://localhost:PORT. */
  readonly graphUrl: string;
  /** Another authority on the same port (https://127.0.0.1:PORT) for pre-authenticated URLs, as download and upload hosts differ from Graph's. */
  readonly otherHostUrl: string;
  /** The secret in pre-authenticated URLs. */
  readonly signature: string;
  readonly pageSize: number;
  /** Delta links of an older generation answer 410. */
  deltaGeneration: number;
  /** Delta rounds as they stood when they started, so that their pages stay consistent. */
  readonly rounds: Map<string, { items: unknown[]; upTo: number }>;
  readonly sessions: Map<string, UploadSession>;
  uploadSessions: number;
  /** Checks a refresh grant and issues tokens, or refuses it (undefined). */
  issueTokens(grant: RefreshGrant): { access_token: string; refresh_token: string; expires_in: number } | undefined;
}

/** The form fields of the identity platform's refresh grant. */
export interface RefreshGrant {
  grant_type: 'refresh_token';
  client_id: string;
  refresh_token: string;
  scope: string;
  client_secret?: string | undefined;
}

/** Graph's error shape. */
export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  const innerError = { date: new Date().toISOString(), 'request-id': randomUUID(), 'client-request-id': randomUUID() };
  return { status, ...(headers && { headers }), json: { error: { code, message, innerError } } };
}

export const notFound = (): Reply => graphError(404, 'itemNotFound', 'The resource could not be found.');

/** An item as Graph describes it; in a delta page, as delta does. */
export function driveItemJson(state: EmulatorState, item: EmulatedItem, inDelta: boolean): unknown {
  const { drive } = state;
  // Delta items carry no parentReference.path; deleted ones no cTag or size (OneDrive personal).
  const parentReference = {
    driveId: 'emulated',
    driveType: 'personal',
    ...(item.parentId && { id: item.parentId }),
    ...(item.parentId && !inDelta && { path: drive.parentPath(item) }),
  };
  return {
    id: item.id,
    name: item.name,
    eTag: `"{${item.id}},${item.version}"`,
    ...(!item.deleted && { cTag: `"c:{${item.id}},${item.version}"`, size: item.kind === 'file' ? item.content.length : 0 }),
    lastModifiedDateTime: item.modified,
    parentReference,
    ...(item.kind === 'file'
      ? { file: { mimeType: 'application/octet-stream', hashes: { sha256Hash: createHash('sha256').update(item.content).digest('hex').toUpperCase() } } }
      : { folder: { childCount: drive.childCount(item.id) } }),
    ...(item === drive.root && { root: {} }),
    ...(item.deleted && { deleted: { state: 'deleted' } }),
  };
}

/** Writes a file and answers with its item (201 when new), or 409 nameAlreadyExists. */
export function written(state: EmulatorState, path: string, content: Buffer, replace: boolean): Reply {
  try {
    const { item, created } = state.drive.writeFile(path, content, replace);
    return { status: created ? 201 : 200, json: driveItemJson(state, item, false) };
  } catch (error) {
    if (error instanceof DriveConflict) return graphError(409, 'nameAlreadyExists', `The name is already in use: ${error.message}.`);
    throw error;
  }
}
