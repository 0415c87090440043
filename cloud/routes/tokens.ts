/** @module API tokens, for the CLI and couriers: made, listed and revoked by their user. */
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import type { TokenRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

const createSchema = z.object({ name: z.string().trim().min(1).max(100) });
/** Each token is a record in the database: one account must not grow it without end. */
const MAX_API_TOKENS_PER_USER = 100;

/** A token as listed: never its hash. */
const listed = (record: TokenRecord) => ({ id: record.id, name: record.name, createdAt: record.createdAt });

/**
 * POST /tokens, GET /tokens and DELETE /tokens/:id.
 * @example app.use('/api/v1', routerOf(tokenRoutes(deps)))
 */
export function tokenRoutes(deps: Pick<CloudDeps, 'tokens'>): Route[] {
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
        if (deps.tokens.listApi(user.id).length >= MAX_API_TOKENS_PER_USER) {
          throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_API_TOKENS_PER_USER} API tokens; revoke one first`);
        }
        const { record, token } = await deps.tokens.create(user.id, 'api', name, null);
        res.status(201).json({ ...listed(record), token });
      },
    }),
    route({
      method: 'get',
      path: '/tokens',
      summary: 'List your API tokens',
      auth: 'user',
      answers: { 200: '`{ tokens: [{ id, name, createdAt }] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ tokens: deps.tokens.listApi(user.id).map(listed) }),
    }),
    route({
      method: 'delete',
      path: '/tokens/:id',
      summary: 'Revoke an API token',
      auth: 'user',
      answers: { 204: 'revoked' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        const { id } = req.params;
        // Only API tokens: a session is ended by logging out, and this route must not reach one.
        const known = deps.tokens.listApi(user.id).some((record) => record.id === id);
        if (!known || !(await deps.tokens.revoke(user.id, id))) throw new EdgeError('NOT_FOUND', `no API token ${id} of yours`);
        res.status(204).end();
      },
    }),
  ];
}
