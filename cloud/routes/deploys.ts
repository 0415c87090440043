/** @module Deploys: the bytes of an app's files uploaded one by one, then the whole app made or replaced from them at once. */
import { z } from 'zod';
import { APP_CAPS } from '../../runtime/app-files.ts';
import { appNameSchema, deployFilesSchema, sha256Schema, versionTagSchema } from '../app-schemas.ts';
import type { CloudDeps } from '../deps.ts';
import { presentApp } from '../present.ts';
import { route, type Route } from '../route.ts';

/** A version's message is a line or a paragraph, kept with each of an app's versions. */
const MAX_VERSION_MESSAGE_CHARS = 1000;

const deploySchema = z
  .strictObject({
    name: appNameSchema.optional(),
    appId: z.string().max(64).optional(),
    files: deployFilesSchema,
    /** Names the version the deploy makes. */
    tag: versionTagSchema.optional(),
    /** Says what the version changes. */
    message: z.string().max(MAX_VERSION_MESSAGE_CHARS).optional(),
  })
  .refine((body) => (body.name === undefined) !== (body.appId === undefined), 'name the app by "name" (one of yours) or by "appId", not both');

/**
 * PUT /uploads/:sha256 and POST /deploys.
 * @example app.use('/api/v1', routerOf(deployRoutes(deps)))
 */
export function deployRoutes(deps: Pick<CloudDeps, 'deploys' | 'apps' | 'publicUrl'>): Route[] {
  return [
    route({
      method: 'put',
      path: '/uploads/:sha256',
      summary: 'Upload the bytes of a file for a deploy; kept for an hour, for you alone',
      auth: 'user',
      params: z.object({ sha256: sha256Schema }),
      raw: { maxBytes: APP_CAPS.fileBytes },
      answers: { 201: '`{ sha256, size, expiresAt }`' },
      errors: ['QUOTA_EXCEEDED'],
      async handle({ caller: { user }, params: { sha256 }, bytes }, _req, res) {
        res.status(201).json(await deps.deploys.upload(user.id, sha256, bytes!));
      },
    }),
    route({
      method: 'post',
      path: '/deploys',
      summary:
        'Make your app of that name, or the app of that id you may change, hold exactly these files; a name you have no app of makes one; all or nothing',
      auth: 'user',
      body: deploySchema,
      answers: { 201: 'the new app', 200: 'the replaced app' },
      errors: [
        'APP_NOT_FOUND',
        'FORBIDDEN',
        'APP_NAME_TAKEN',
        'ENDPOINT_TAKEN',
        'QUOTA_EXCEEDED',
        'INVALID_APP',
        'DEPENDENCY_NOT_ALLOWED',
        'TAG_TAKEN',
        'APP_FROM_FOLDER',
        'STORAGE_FULL',
      ],
      async handle({ caller: { user }, body }, _req, res) {
        const { app, created } = await deps.deploys.deploy(user.id, body);
        res.status(created ? 201 : 200).json(presentApp(app, deps.publicUrl, user.id, deps.apps.startOf(app.id)));
      },
    }),
  ];
}
