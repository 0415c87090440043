/** @module Apps: created, listed, read, changed, deleted, started and stopped, each by those the app's grants allow. */
import { z } from 'zod';
import { appNameSchema, packageJsonSchema } from '../app-schemas.ts';
import { envSchema } from '../../runtime/app-env.ts';
import type { AppRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { presentApp } from '../present.ts';
import { route, type Route } from '../route.ts';

const createSchema = z.strictObject({
  name: appNameSchema,
  description: z.string().max(2000).optional(),
  packageJson: packageJsonSchema.nullable().optional(),
  /** app.json's "env": plain settings, shown with the app. Secrets have routes of their own. */
  env: envSchema.optional(),
});

const patchSchema = createSchema.partial();

/** What can stop an app's start, and so any route that warms a version: a start, a rollback. */
export const startErrors = [
  'DEPENDENCY_INSTALL_FAILED',
  'DEPENDENCY_NOT_ALLOWED',
  'INVALID_APP',
  'ENGINE_UNAVAILABLE',
  'SANDBOX_FAILED',
  'STORAGE_FULL',
] as const;

/**
 * POST /, GET /, GET /:appId, PATCH /:appId, DELETE /:appId, POST /:appId/start and POST /:appId/stop.
 * @example app.use('/api/v1/apps', routerOf(appRoutes(deps)))
 */
export function appRoutes(deps: Pick<CloudDeps, 'apps' | 'publicUrl'>): Route[] {
  const answer = (app: AppRecord, userId: string) => presentApp(app, deps.publicUrl, userId, deps.apps.startOf(app.id));

  return [
    route({
      method: 'post',
      path: '/',
      summary: 'Create an app',
      auth: 'user',
      body: createSchema,
      answers: { 201: 'the app' },
      errors: ['APP_NAME_TAKEN', 'QUOTA_EXCEEDED', 'DEPENDENCY_NOT_ALLOWED', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, _req, res) {
        res.status(201).json(answer(await deps.apps.create(user.id, body), user.id));
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'List your apps, then those shared with you, each with your `access`',
      auth: 'user',
      answers: { 200: '`{ apps: [app] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ apps: deps.apps.list(user.id).map((app) => answer(app, user.id)) }),
    }),
    route({
      method: 'get',
      path: '/:appId',
      summary: 'Read an app',
      auth: 'user',
      answers: { 200: 'the app' },
      errors: ['APP_NOT_FOUND'],
      handle: ({ caller: { user } }, req, res) => res.json(answer(deps.apps.get(user.id, req.params.appId), user.id)),
    }),
    route({
      method: 'patch',
      path: '/:appId',
      summary: "Change an app's name, description, package.json or env settings",
      auth: 'user',
      body: patchSchema,
      answers: { 200: 'the app' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'APP_NAME_TAKEN', 'DEPENDENCY_NOT_ALLOWED', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, req, res) {
        res.json(answer(await deps.apps.update(user.id, req.params.appId, body), user.id));
      },
    }),
    route({
      method: 'delete',
      path: '/:appId',
      summary: 'Delete an app, stopping it first',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        await deps.apps.remove(user.id, req.params.appId);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/:appId/start',
      summary: 'Start an app: its dependencies installed, its containers warm',
      auth: 'user',
      answers: { 200: 'the app, `"status": "running"`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', ...startErrors],
      handle: async ({ caller: { user } }, req, res) => res.json(answer(await deps.apps.start(user.id, req.params.appId), user.id)),
    }),
    route({
      method: 'post',
      path: '/:appId/stop',
      summary: 'Stop an app, releasing its containers',
      auth: 'user',
      answers: { 200: 'the app, `"status": "stopped"`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'STORAGE_FULL'],
      handle: async ({ caller: { user } }, req, res) => res.json(answer(await deps.apps.stop(user.id, req.params.appId), user.id)),
    }),
  ];
}
