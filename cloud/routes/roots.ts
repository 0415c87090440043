/** @module Users' synced roots: registered, listed and deleted by their owner; credentials go in sealed and never come back out. */
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import type { RootRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { newId } from '../ids.ts';
import { route, type Route } from '../route.ts';

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
 * @example app.use('/api/v1/roots', routerOf(rootRoutes(deps)))
 */
export function rootRoutes(deps: Pick<CloudDeps, 'roots' | 'fleet' | 'secrets'>): Route[] {
  /** A root as its owner sees it: never its credentials. */
  const answer = (root: RootRecord) => {
    const courier = deps.fleet.holderOf(root);
    return { id: root.id, kind: root.kind, path: root.path, createdAt: root.createdAt, courier: courier ? { id: courier.id, name: courier.name } : null };
  };

  return [
    route({
      method: 'post',
      path: '/',
      summary: 'Register a synced folder for the fleet to serve',
      auth: 'user',
      body: createSchema,
      answers: { 201: '`{ id, kind, path, createdAt, courier: null }`' },
      errors: ['FORBIDDEN', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, _req, res) {
        // A local path is on the couriers' hosts, which are the operator's to hand out, not any user's to name.
        if (body.kind === 'local' && user.role !== 'operator') throw new EdgeError('FORBIDDEN', 'only operators may register local roots; link a Dropbox or OneDrive folder instead');
        if (deps.roots.list(user.id).length >= MAX_ROOTS_PER_USER) throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_ROOTS_PER_USER} roots; delete one first`);
        const id = newId('root');
        const credentials = 'credentials' in body ? deps.secrets.seal(JSON.stringify(body.credentials), id) : null;
        const root: RootRecord = { id, ownerId: user.id, kind: body.kind, path: body.path, credentials, createdAt: new Date().toISOString(), courierId: null, leaseExpiresAt: null };
        await deps.roots.insert(root);
        res.status(201).json(answer(root));
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'List your roots, each with the courier serving it now',
      auth: 'user',
      answers: { 200: '`{ roots: [{ id, kind, path, createdAt, courier }] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ roots: deps.roots.list(user.id).map(answer) }),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a root; its courier lets it go at its next heartbeat',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        if (!(await deps.roots.remove(user.id, req.params.id))) throw new EdgeError('NOT_FOUND', `no root ${req.params.id} of yours`);
        res.status(204).end();
      },
    }),
  ];
}
