/** @module An app's files, one at a time by path: listed and read (READ), put and deleted (WRITE). */
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Response } from 'express';
import { z } from 'zod';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { appFilePathSchema } from '../app-schemas.ts';
import type { TreeFile } from '../app-tree.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

const fileParams = z.object({ appId: z.string(), path: appFilePathSchema });

/** Sends a file of an app (or of a version) as a download, its media type guessed from its extension, its SHA-256 as the ETag. */
export async function sendAppFile(res: Response, { file, content }: { file: TreeFile; content: Readable }): Promise<void> {
  res.type(extname(file.path) || 'application/octet-stream');
  // A download, never a page: an app's HTML must not run as the API's own.
  res.set({ 'content-length': String(file.size), etag: `"${file.sha256}"`, 'content-disposition': 'attachment', 'x-content-type-options': 'nosniff' });
  await pipeline(content, res);
}

/**
 * GET /:appId/files, and GET, PUT and DELETE /:appId/files/:path, the path one URL segment (`/` sent as `%2F`).
 * @example app.use('/api/v1/apps', routerOf(fileRoutes(deps)))
 */
export function fileRoutes(deps: Pick<CloudDeps, 'files'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/files',
      summary: "List an app's files, app.json, package.json and its functions' among them",
      auth: 'user',
      answers: { 200: '`{ files: [{ path, size, sha256 }] }`, sorted by path' },
      errors: ['APP_NOT_FOUND'],
      handle: ({ caller: { user } }, req, res) => res.json({ files: deps.files.list(user.id, req.params.appId) }),
    }),
    route({
      method: 'get',
      path: '/:appId/files/:path',
      summary: "Read one of an app's files: its bytes",
      auth: 'user',
      params: fileParams,
      answers: { 200: "the file's bytes, its media type guessed from its extension, its SHA-256 as the ETag" },
      produces: 'application/octet-stream',
      errors: ['APP_NOT_FOUND', 'FILE_NOT_FOUND'],
      async handle({ caller: { user }, params: { appId, path } }, _req, res) {
        await sendAppFile(res, await deps.files.read(user.id, appId, path));
      },
    }),
    route({
      method: 'put',
      path: '/:appId/files/:path',
      summary: 'Create or replace a file of an app with the bytes of the body',
      auth: 'user',
      params: fileParams,
      raw: { maxBytes: APP_CAPS.fileBytes },
      answers: { 201: '`{ path, size, sha256 }` of the new file', 200: '`{ path, size, sha256 }` of the replaced file' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'ENDPOINT_TAKEN', 'QUOTA_EXCEEDED', 'INVALID_APP', 'DEPENDENCY_NOT_ALLOWED', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, path }, bytes }, _req, res) {
        const { file, created } = await deps.files.put(user.id, appId, path, bytes!);
        res.status(created ? 201 : 200).json(file);
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/files/:path',
      summary: 'Delete a file of an app (a function no endpoint calls, package.json, or any other file but app.json)',
      auth: 'user',
      params: fileParams,
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FILE_NOT_FOUND', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, path } }, _req, res) {
        await deps.files.remove(user.id, appId, path);
        res.status(204).end();
      },
    }),
  ];
}
