/**
 * @module An app's versions: listed, shown and read file by file with READ of the app, made active (a rollback) with
 * WRITE, frozen, unfrozen and deleted with FULL_CONTROL.
 */
import { z } from 'zod';
import { appFilePathSchema, versionRefSchema } from '../app-schemas.ts';
import type { CloudDeps } from '../deps.ts';
import { presentVersion, presentVersionSummary } from '../present.ts';
import { route, type Route } from '../route.ts';
import { startErrors } from './apps.ts';
import { sendAppFile } from './files.ts';

const versionParams = z.object({ appId: z.string(), version: versionRefSchema });
const fileParams = versionParams.extend({ path: appFilePathSchema });

/**
 * GET /:appId/versions, GET, PATCH and DELETE /:appId/versions/:version, GET …/files/:path and …/lock, POST …/activate.
 * `:version` is a tag, an id, or the start of an id.
 * @example app.use('/api/v1/apps', routerOf(versionRoutes(deps)))
 */
export function versionRoutes(deps: Pick<CloudDeps, 'versions'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/versions',
      summary: "List an app's versions, newest first",
      auth: 'user',
      answers: { 200: '`{ versions: [{ id, tag, message, author, createdAt, active, frozen, size, dependencies }] }`' },
      errors: ['APP_NOT_FOUND'],
      handle({ caller: { user } }, req, res) {
        const { app, versions } = deps.versions.list(user.id, req.params.appId);
        res.json({ versions: versions.map((version) => presentVersionSummary(app, version, user)) });
      },
    }),
    route({
      method: 'get',
      path: '/:appId/versions/:version',
      summary: 'Show a version: its files, package.json, runtime and how its dependencies installed',
      auth: 'user',
      params: versionParams,
      answers: { 200: 'the version, with `files: [{ path, size, sha256 }]`, `packageJson`, `runtime` and `dependencies: { outcome, at?, log?, lockFile? }`' },
      errors: ['APP_NOT_FOUND', 'VERSION_NOT_FOUND'],
      handle({ caller: { user }, params }, _req, res) {
        const { app, version } = deps.versions.get(user.id, params.appId, params.version);
        res.json(presentVersion(app, version, user));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/versions/:version/files/:path',
      summary: 'Read one file of a version: its bytes',
      auth: 'user',
      params: fileParams,
      answers: { 200: "the file's bytes, its media type guessed from its extension, its SHA-256 as the ETag" },
      produces: 'application/octet-stream',
      errors: ['APP_NOT_FOUND', 'VERSION_NOT_FOUND', 'FILE_NOT_FOUND'],
      async handle({ caller: { user }, params }, _req, res) {
        await sendAppFile(res, await deps.versions.readFile(user.id, params.appId, params.version, params.path));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/versions/:version/lock',
      summary: 'Read the package-lock.json npm wrote when it installed the dependencies of a version',
      auth: 'user',
      params: versionParams,
      answers: { 200: 'the lock file' },
      produces: 'application/octet-stream',
      errors: ['APP_NOT_FOUND', 'VERSION_NOT_FOUND', 'FILE_NOT_FOUND'],
      async handle({ caller: { user }, params }, _req, res) {
        await sendAppFile(res, await deps.versions.readLock(user.id, params.appId, params.version));
      },
    }),
    route({
      method: 'post',
      path: '/:appId/versions/:version/activate',
      summary:
        "Make a version the app's active one at once (a rollback); a running app is warm on it when this answers, or, when it cannot be, on the version that was active, which is active again",
      auth: 'user',
      params: versionParams,
      answers: { 200: 'the version, `"active": true`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'VERSION_NOT_FOUND', 'APP_FROM_FOLDER', ...startErrors],
      async handle({ caller: { user }, params }, _req, res) {
        const { app, version } = await deps.versions.activate(user.id, params.appId, params.version);
        res.json(presentVersion(app, version, user));
      },
    }),
    route({
      method: 'patch',
      path: '/:appId/versions/:version',
      summary: 'Freeze a version (never deleted) or unfreeze it',
      auth: 'user',
      params: versionParams,
      body: z.strictObject({ frozen: z.boolean() }),
      answers: { 200: 'the version; `"removed": true` when, unfrozen, it was older than the 20 newest unfrozen ones and retention removed it' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'VERSION_NOT_FOUND', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ caller: { user }, params, body }, _req, res) {
        const { app, version, removed } = await deps.versions.setFrozen(user.id, params.appId, params.version, body.frozen);
        res.json({ ...presentVersion(app, version, user), ...(removed && { removed: true }) });
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/versions/:version',
      summary: 'Delete a version that is neither active nor frozen',
      auth: 'user',
      params: versionParams,
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'VERSION_NOT_FOUND', 'VERSION_ACTIVE', 'VERSION_FROZEN', 'STORAGE_FULL'],
      async handle({ caller: { user }, params }, _req, res) {
        await deps.versions.remove(user.id, params.appId, params.version);
        res.status(204).end();
      },
    }),
  ];
}
