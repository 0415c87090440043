/** @module An app's secrets: set, listed (names and dates) and removed with FULL_CONTROL of the app; a value goes in and never comes back out. */
import { z } from 'zod';
import { envNameSchema, envValueSchema } from '../../runtime/app-env.ts';
import type { CloudDeps } from '../deps.ts';
import { presentSecret } from '../present.ts';
import { route, type Route } from '../route.ts';

const paramsSchema = z.object({ appId: z.string(), name: envNameSchema });

const putSchema = z.strictObject({ value: envValueSchema });

/**
 * PUT and DELETE /:appId/secrets/:name, GET /:appId/secrets.
 * @example app.use('/api/v1/apps', routerOf(secretRoutes(deps)))
 */
export function secretRoutes(deps: Pick<CloudDeps, 'secrets'>): Route[] {
  return [
    route({
      method: 'put',
      path: '/:appId/secrets/:name',
      summary: "Set a secret of the app's functions' process.env; the app's sandboxes are replaced, so the next call has it",
      auth: 'user',
      params: paramsSchema,
      body: putSchema,
      answers: { 201: 'the new secret: `{ name, createdAt, updatedAt }`, never its value', 200: 'the secret, its value replaced' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, name }, body }, _req, res) {
        const { secret, created } = await deps.secrets.set(user.id, appId, name, body.value);
        res.status(created ? 201 : 200).json(presentSecret(secret));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/secrets',
      summary: "List an app's secrets by name and dates, never their values",
      auth: 'user',
      answers: { 200: '`{ secrets: [{ name, createdAt, updatedAt }] }`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN'],
      handle: ({ caller: { user } }, req, res) => res.json({ secrets: deps.secrets.list(user.id, req.params.appId).map(presentSecret) }),
    }),
    route({
      method: 'delete',
      path: '/:appId/secrets/:name',
      summary: "Remove a secret; the app's sandboxes are replaced, so the next call is without it",
      auth: 'user',
      params: paramsSchema,
      answers: { 204: 'removed' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'SECRET_NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, name } }, _req, res) {
        await deps.secrets.remove(user.id, appId, name);
        res.status(204).end();
      },
    }),
  ];
}
