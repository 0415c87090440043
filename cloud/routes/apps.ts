/** @module Apps: created, listed, read, changed and deleted by their owner, and started and stopped. */
import type { Response } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { assertRegistryOnly } from '../../runtime/registry-only.ts';
import { ownedApp } from '../app-lookup.ts';
import type { AppRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { newId } from '../ids.ts';
import { presentApp } from '../present.ts';
import { route, type Route } from '../route.ts';

/** Each app costs disk and, running, warm sandboxes: one account must not hold the service's share of them. */
const MAX_APPS_PER_USER = 100;

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an app name starts with a letter or digit and holds only letters, digits, - and _ (at most 64)');

/** package.json stays in the database's JSON (code does not): a real one is a few KiB. */
const MAX_PACKAGE_JSON_BYTES = 64 * 1024;

/** The text of package.json; its specs are checked by `assertRegistryOnlyIn`, and whether they install when the app starts. */
const packageJsonSchema = z
  .string()
  .refine((text) => Buffer.byteLength(text) <= MAX_PACKAGE_JSON_BYTES, `packageJson must be at most ${MAX_PACKAGE_JSON_BYTES} bytes`)
  .refine((text) => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}, 'packageJson must be the text of a JSON object, e.g. "{\\"dependencies\\": {}}"');

const createSchema = z.strictObject({
  name: nameSchema,
  description: z.string().max(2000).optional(),
  packageJson: packageJsonSchema.nullable().optional(),
});

const patchSchema = createSchema.partial();

/**
 * The body, with a package.json naming registry packages only: anything else would make the cloud's host fetch
 * URLs, clone repositories or read paths for a stranger, so it is refused before it is stored.
 */
async function assertRegistryOnlyIn(body: { packageJson?: string | null }): Promise<void> {
  if (typeof body.packageJson === 'string') await assertRegistryOnly(body.packageJson);
}

function assertNameFree(apps: AppRecord[], name: string, self?: AppRecord): void {
  if (apps.some((app) => app.name === name && app !== self)) throw new EdgeError('APP_NAME_TAKEN', `you already have an app named "${name}"`);
}

/**
 * POST /, GET /, GET /:appId, PATCH /:appId, DELETE /:appId, POST /:appId/start and POST /:appId/stop.
 * @example app.use('/api/v1/apps', routerOf(appRoutes(deps)))
 */
export function appRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime' | 'publicUrl'>): Route[] {
  const answer = (app: AppRecord) => presentApp(app, deps.publicUrl);

  /**
   * Runs `change` on the caller's app after the starts, stops and deletes asked for before it, on the
   * record as it is by then: an app deleted while the change waited is not found.
   */
  const inTurn = <T>(res: Response, appId: string, change: (app: AppRecord) => Promise<T>): Promise<T> => {
    // Looked up before waiting too, so a stranger is answered at once and queues nothing.
    ownedApp(deps.apps, res, appId);
    return deps.runtime.changeInTurn(appId, () => change(ownedApp(deps.apps, res, appId)));
  };

  /** Starting fails when, say, the dependencies do not install: the status changes only once the runtime did its part. */
  const switchTo = (status: AppRecord['status'], act: (app: AppRecord) => Promise<void>): Route['handle'] => async (_input, req, res) => {
    const app = await inTurn(res, req.params.appId, async (current) => {
      await act(current);
      current.status = status;
      await deps.apps.save(current);
      return current;
    });
    res.json(answer(app));
  };

  return [
    route({
      method: 'post',
      path: '/',
      summary: 'Create an app',
      auth: 'user',
      body: createSchema,
      answers: { 201: 'the app' },
      errors: ['APP_NAME_TAKEN', 'QUOTA_EXCEEDED', 'DEPENDENCY_NOT_ALLOWED', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, _req, res) {
        await assertRegistryOnlyIn(body);
        const owned = deps.apps.list(user.id);
        if (owned.length >= MAX_APPS_PER_USER) throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_APPS_PER_USER} apps; delete one first`);
        assertNameFree(owned, body.name);
        const now = new Date().toISOString();
        const app: AppRecord = {
          id: newId('app'),
          ownerId: user.id,
          name: body.name,
          description: body.description ?? '',
          packageJson: body.packageJson ?? null,
          status: 'stopped',
          functions: [],
          endpoints: [],
          createdAt: now,
          updatedAt: now,
        };
        await deps.apps.insert(app);
        res.status(201).json(answer(app));
      },
    }),
    route({
      method: 'get',
      path: '/',
      summary: 'List your apps',
      auth: 'user',
      answers: { 200: '`{ apps: [app] }`' },
      handle: ({ caller: { user } }, _req, res) => res.json({ apps: deps.apps.list(user.id).map(answer) }),
    }),
    route({
      method: 'get',
      path: '/:appId',
      summary: 'Read an app',
      auth: 'user',
      answers: { 200: 'the app' },
      errors: ['APP_NOT_FOUND'],
      handle: (_input, req, res) => res.json(answer(ownedApp(deps.apps, res, req.params.appId))),
    }),
    route({
      method: 'patch',
      path: '/:appId',
      summary: "Change an app's name, description or package.json",
      auth: 'user',
      body: patchSchema,
      answers: { 200: 'the app' },
      errors: ['APP_NOT_FOUND', 'APP_NAME_TAKEN', 'DEPENDENCY_NOT_ALLOWED', 'STORAGE_FULL'],
      async handle({ body }, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        await assertRegistryOnlyIn(body);
        if (body.name !== undefined) {
          assertNameFree(deps.apps.list(app.ownerId), body.name, app);
          app.name = body.name;
        }
        if (body.description !== undefined) app.description = body.description;
        if (body.packageJson !== undefined) app.packageJson = body.packageJson;
        await deps.apps.save(app);
        res.json(answer(app));
      },
    }),
    route({
      method: 'delete',
      path: '/:appId',
      summary: 'Delete an app, stopping it first',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'STORAGE_FULL'],
      async handle(_input, req, res) {
        await inTurn(res, req.params.appId, async (app) => {
          await deps.runtime.forget(app);
          await deps.apps.remove(app.ownerId, app.id);
        });
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/:appId/start',
      summary: "Start an app: its dependencies installed, its containers warm",
      auth: 'user',
      answers: { 200: 'the app, `"status": "running"`' },
      errors: ['APP_NOT_FOUND', 'DEPENDENCY_INSTALL_FAILED', 'DEPENDENCY_NOT_ALLOWED', 'INVALID_APP', 'ENGINE_UNAVAILABLE', 'SANDBOX_FAILED', 'STORAGE_FULL'],
      handle: switchTo('running', (app) => deps.runtime.start(app)),
    }),
    route({
      method: 'post',
      path: '/:appId/stop',
      summary: "Stop an app, releasing its containers",
      auth: 'user',
      answers: { 200: 'the app, `"status": "stopped"`' },
      errors: ['APP_NOT_FOUND', 'STORAGE_FULL'],
      handle: switchTo('stopped', (app) => deps.runtime.stop(app)),
    }),
  ];
}
