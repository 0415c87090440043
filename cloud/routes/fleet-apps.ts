/**
 * @module The second door of a fleet root: the courier holding a root's lease publishes the root's apps with endpoints
 * as apps of the account the root is linked to, through the same uploads, deploy and caps as `edgecourier deploy`
 * (docs/fleet-api.md, "Folder apps of roots").
 */
import { z } from 'zod';
import { type RootAppList, type RootAppPublished, type RootAppWithdrawn } from '../../api/fleet.ts';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { deployFilesSchema, sha256Schema } from '../app-schemas.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

const ROOT = '/couriers/:id/roots/:rootId';

/**
 * GET …/apps, PUT …/uploads/:sha256, PUT and DELETE …/apps/:name under /couriers/:id/roots/:rootId, for operators'
 * tokens, each refused with ROOT_NOT_HELD unless courier `:id` holds the root's lease now.
 * @example app.use('/api/v1/fleet', routerOf(fleetAppRoutes(deps)))
 */
export function fleetAppRoutes(deps: Pick<CloudDeps, 'fleet' | 'deploys' | 'folderApps' | 'logger'>): Route[] {
  const logger = deps.logger.child({ component: 'fleet-apps' });
  // Looked up at each call: the lease, not the token, says which courier acts for the root's account now.
  const ownerOf = (params: Record<string, string>) => deps.fleet.ownerOfHeld(params.id!, params.rootId!);
  return [
    route({
      method: 'get',
      path: `${ROOT}/apps`,
      summary: "The names of the folder apps of the root's account",
      auth: 'operator',
      answers: { 200: '`{ apps: [name] }`' },
      errors: ['ROOT_NOT_HELD'],
      handle(_input, req, res) {
        res.json({ apps: deps.folderApps.names(ownerOf(req.params)) } satisfies RootAppList);
      },
    }),
    route({
      method: 'put',
      path: `${ROOT}/uploads/:sha256`,
      summary: "Upload the bytes of a root's app file, for the root's account, as `PUT /api/v1/uploads/:sha256` does",
      auth: 'operator',
      params: z.object({ sha256: sha256Schema }),
      raw: { maxBytes: APP_CAPS.fileBytes },
      answers: { 201: '`{ sha256, size, expiresAt }`' },
      errors: ['ROOT_NOT_HELD', 'QUOTA_EXCEEDED'],
      async handle({ params: { sha256 }, bytes }, req, res) {
        res.status(201).json(await deps.deploys.upload(ownerOf(req.params), sha256, bytes!));
      },
    }),
    route({
      method: 'put',
      path: `${ROOT}/apps/:name`,
      summary: "Publish a root's app with endpoints as the folder app of that name of the root's account, and run it",
      auth: 'operator',
      body: z.strictObject({ files: deployFilesSchema }),
      answers: { 201: '`{ appId, version, created: true }`', 200: '`{ appId, version, created: false }`' },
      errors: [
        'ROOT_NOT_HELD',
        'APP_FROM_FOLDER',
        'ENDPOINT_TAKEN',
        'QUOTA_EXCEEDED',
        'INVALID_APP',
        'DEPENDENCY_NOT_ALLOWED',
        'PAYLOAD_TOO_LARGE',
        'STORAGE_FULL',
      ],
      async handle({ body: { files } }, req, res) {
        const { app, created } = await deps.folderApps.publishUploaded(ownerOf(req.params), req.params.name!, files, {
          id: req.params.rootId!,
          assertHeld: () => ownerOf(req.params),
        });
        logger.info({ courierId: req.params.id, rootId: req.params.rootId, appId: app.id, version: app.activeVersion, created }, 'folder app published');
        res.status(created ? 201 : 200).json({ appId: app.id, version: app.activeVersion, created } satisfies RootAppPublished);
      },
    }),
    route({
      method: 'delete',
      path: `${ROOT}/apps/:name`,
      summary: "Stop the folder app of that name of the root's account: it left the root, or declares no endpoints now",
      auth: 'operator',
      answers: { 200: '`{ appId }`, null when there was none' },
      errors: ['ROOT_NOT_HELD', 'STORAGE_FULL'],
      async handle(_input, req, res) {
        const app = await deps.folderApps.withdraw(ownerOf(req.params), req.params.name!);
        res.json({ appId: app?.id ?? null } satisfies RootAppWithdrawn);
      },
    }),
  ];
}
