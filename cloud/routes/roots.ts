/** @module Users' synced roots: registered, listed and deleted by their owner; credentials go in sealed and never come back out. */
import { z } from 'zod';
import type { CloudDeps } from '../deps.ts';
import { presentRoot } from '../present.ts';
import { route, type Route } from '../route.ts';

const pathSchema = z
  .string()
  .max(1024)
  .refine(
    (path) => path.startsWith('/') && !path.includes('\0') && !path.split('/').some((part) => part === '.' || part === '..'),
    'a path is absolute ("/edge"), without "." or ".." parts',
  );

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
export function rootRoutes(deps: Pick<CloudDeps, 'roots'>): Route[] {
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
        res.status(201).json(presentRoot(await deps.roots.create(user, body)));
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'List your roots, each with the courier serving it now',
      auth: 'user',
      answers: { 200: '`{ roots: [{ id, kind, path, createdAt, courier }] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ roots: deps.roots.list(user.id).map(presentRoot) }),
    }),
    route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete a root; its courier lets it go at its next heartbeat, and the folder apps it published last are stopped',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        await deps.roots.remove(user.id, req.params.id);
        res.status(204).end();
      },
    }),
  ];
}
