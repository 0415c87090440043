/** @module API tokens, for the CLI and couriers: made, listed and revoked by their user. */
import { Router } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { requireCaller } from '../auth.ts';
import type { TokenRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';

const createSchema = z.object({ name: z.string().trim().min(1).max(100) });
/** Each token is a record in the database: one account must not grow it without end. */
const MAX_API_TOKENS_PER_USER = 100;

/** A token as listed: never its hash. */
const listed = (record: TokenRecord) => ({ id: record.id, name: record.name, createdAt: record.createdAt });

/**
 * POST /tokens, GET /tokens and DELETE /tokens/:id.
 * @example app.use('/api/v1', tokenRoutes(deps))
 */
export function tokenRoutes(deps: Pick<CloudDeps, 'tokens'>): Router {
  const router = Router();

  router.post('/tokens', async (req, res) => {
    const { user } = requireCaller(res);
    const { name } = validate(createSchema, req.body);
    if (deps.tokens.listApi(user.id).length >= MAX_API_TOKENS_PER_USER) {
      throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_API_TOKENS_PER_USER} API tokens; revoke one first`);
    }
    const { record, token } = await deps.tokens.create(user.id, 'api', name, null);
    res.status(201).json({ ...listed(record), token });
  });

  router.get('/tokens', (_req, res) => {
    const { user } = requireCaller(res);
    res.json({ tokens: deps.tokens.listApi(user.id).map(listed) });
  });

  router.delete('/tokens/:id', async (req, res) => {
    const { user } = requireCaller(res);
    const { id } = req.params;
    // Only API tokens: a session is ended by logging out, and this route must not reach one.
    const known = deps.tokens.listApi(user.id).some((record) => record.id === id);
    if (!known || !(await deps.tokens.revoke(user.id, id))) throw new EdgeError('NOT_FOUND', `no API token ${id} of yours`);
    res.status(204).end();
  });

  return router;
}
