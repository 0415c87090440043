/** @module Users' synced roots: registered, listed and deleted by their owner; credentials go in sealed and never come back out. */
import { Router } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { requireCaller } from '../auth.ts';
import type { RootRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';
import { newId } from '../ids.ts';

/** Each root costs a courier a watcher and, for Dropbox and OneDrive, polling: one account must not take a fleet's share. */
const MAX_ROOTS_PER_USER = 100;

const pathSchema = z
  .string()
  .max(1024)
  .refine((path) => path.startsWith('/') && !path.includes('\0') && !path.split('/').some((part) => part === '.' || part === '..'), 'a path is absolute ("/edge"), without "." or ".." parts');

/** The same names as the courier's environment, e.g. DROPBOX_REFRESH_TOKEN and DROPBOX_APP_KEY. */
const credentialsSchema = (service: 'DROPBOX' | 'ONEDRIVE') =>
  z
    .record(z.string().regex(new RegExp(`^${service}_[A-Z_]+$`), `credential names are ${service}_* variables`), z.string().min(1).max(4096))
    .refine((values) => Object.keys(values).length > 0 && Object.keys(values).length <= 20, `credentials hold 1 to 20 ${service}_* values`);

// A local root has no credentials: strictObject refuses them by name.
const createSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), path: pathSchema }),
  z.strictObject({ kind: z.literal('dropbox'), path: pathSchema, credentials: credentialsSchema('DROPBOX') }),
  z.strictObject({ kind: z.literal('onedrive'), path: pathSchema, credentials: credentialsSchema('ONEDRIVE') }),
]);

/**
 * POST /, GET / and DELETE /:id.
 * @example app.use('/api/v1/roots', rootRoutes(deps))
 */
export function rootRoutes(deps: Pick<CloudDeps, 'roots' | 'fleet' | 'secrets'>): Router {
  const router = Router();
  /** A root as its owner sees it: never its credentials. */
  const answer = (root: RootRecord) => {
    const courier = deps.fleet.holderOf(root);
    return { id: root.id, kind: root.kind, path: root.path, createdAt: root.createdAt, courier: courier ? { id: courier.id, name: courier.name } : null };
  };

  router.post('/', async (req, res) => {
    const { user } = requireCaller(res);
    const body = validate(createSchema, req.body);
    // A local path is on the couriers' hosts, which are the operator's to hand out, not any user's to name.
    if (body.kind === 'local' && user.role !== 'operator') throw new EdgeError('FORBIDDEN', 'only operators may register local roots; link a Dropbox or OneDrive folder instead');
    if (deps.roots.list(user.id).length >= MAX_ROOTS_PER_USER) throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_ROOTS_PER_USER} roots; delete one first`);
    const id = newId('root');
    const credentials = 'credentials' in body ? deps.secrets.seal(JSON.stringify(body.credentials), id) : null;
    const root: RootRecord = { id, ownerId: user.id, kind: body.kind, path: body.path, credentials, createdAt: new Date().toISOString(), courierId: null, leaseExpiresAt: null };
    await deps.roots.insert(root);
    res.status(201).json(answer(root));
  });

  router.get('/', (_req, res) => {
    const { user } = requireCaller(res);
    res.json({ roots: deps.roots.list(user.id).map(answer) });
  });

  router.delete('/:id', async (req, res) => {
    const { user } = requireCaller(res);
    if (!(await deps.roots.remove(user.id, req.params.id))) throw new EdgeError('NOT_FOUND', `no root ${req.params.id} of yours`);
    res.status(204).end();
  });

  return router;
}
