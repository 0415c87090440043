/** @module An app's grants: who else may read, run, change or control it, listed, given and revoked with FULL_CONTROL of the app. */
import { z } from 'zod';
import { ACCESS_LEVELS, EVERYONE } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/** An account's address, as sign-up takes it, or `*` for everyone. */
const granteeSchema = z.union([z.literal(EVERYONE), z.email().max(254)], { error: 'a grantee is an account\'s email address, or "*" for everyone' });

const paramsSchema = z.object({ appId: z.string(), grantee: granteeSchema });

const putSchema = z.strictObject({ access: z.enum(ACCESS_LEVELS) });

/**
 * GET /:appId/grants, PUT and DELETE /:appId/grants/:grantee.
 * @example app.use('/api/v1/apps', routerOf(grantRoutes(deps)))
 */
export function grantRoutes(deps: Pick<CloudDeps, 'grants'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/grants',
      summary: "List an app's grants: each grantee's address (or `*`, everyone) and access",
      auth: 'user',
      answers: { 200: '`{ grants: [{ grantee, access, createdAt, updatedAt }] }`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN'],
      handle: ({ caller: { user } }, req, res) => res.json({ grants: deps.grants.list(user.id, req.params.appId) }),
    }),
    route({
      method: 'put',
      path: '/:appId/grants/:grantee',
      summary: 'Grant an account (by address) or everyone (`*`: READ or RUN only) an access level, in place of any it had',
      auth: 'user',
      params: paramsSchema,
      body: putSchema,
      answers: { 201: 'the new grant: `{ grantee, access, createdAt, updatedAt }`', 200: 'the grant, its access changed' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'USER_NOT_FOUND', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, grantee }, body }, _req, res) {
        const { grant, created } = await deps.grants.set(user.id, appId, grantee, body.access);
        res.status(created ? 201 : 200).json(grant);
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/grants/:grantee',
      summary: 'Revoke the grant to an account or to everyone; it counts from the next request',
      auth: 'user',
      params: paramsSchema,
      answers: { 204: 'revoked' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'GRANT_NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user }, params: { appId, grantee } }, _req, res) {
        await deps.grants.revoke(user.id, appId, grantee);
        res.status(204).end();
      },
    }),
  ];
}
