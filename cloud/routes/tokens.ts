/** @module API tokens, for the CLI and couriers: made, listed and revoked by their user. */
import { z } from 'zod';
import type { CloudDeps } from '../deps.ts';
import { presentToken } from '../present.ts';
import { route, type Route } from '../route.ts';

const createSchema = z.object({ name: z.string().trim().min(1).max(100) });

/**
 * POST /tokens, GET /tokens and DELETE /tokens/:id.
 * @example app.use('/api/v1', routerOf(tokenRoutes(deps)))
 */
export function tokenRoutes(deps: Pick<CloudDeps, 'apiTokens'>): Route[] {
  return [
    route({
      method: 'post',
      path: '/tokens',
      summary: 'Create an API token, for the CLI or a courier',
      auth: 'user',
      body: createSchema,
      answers: { 201: '`{ id, name, token, createdAt }`: the token is shown only here' },
      errors: ['QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ caller: { user }, body: { name } }, _req, res) {
        const { record, token } = await deps.apiTokens.create(user.id, name);
        res.status(201).json({ ...presentToken(record), token });
      },
    }),
    route({
      method: 'get',
      path: '/tokens',
      summary: 'List your API tokens',
      auth: 'user',
      answers: { 200: '`{ tokens: [{ id, name, createdAt }] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ tokens: deps.apiTokens.list(user.id).map(presentToken) }),
    }),
    route({
      method: 'delete',
      path: '/tokens/:id',
      summary: 'Revoke an API token',
      auth: 'user',
      answers: { 204: 'revoked' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        await deps.apiTokens.revoke(user.id, req.params.id);
        res.status(204).end();
      },
    }),
  ];
}
