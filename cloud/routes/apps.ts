/** @module Apps: created, listed, read, changed and deleted by their owner, and started and stopped. */
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { assertRegistryOnly } from '../../runtime/registry-only.ts';
import { ownedApp } from '../app-lookup.ts';
import { requireCaller } from '../auth.ts';
import type { AppRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';
import { newId } from '../ids.ts';
import { presentApp } from '../present.ts';

/** Each app costs disk and, running, warm sandboxes: one account must not hold the service's share of them. */
const MAX_APPS_PER_USER = 100;

const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'an app name starts with a letter or digit and holds only letters, digits, - and _ (at most 64)');

/** package.json stays in the database's JSON (code does not): a real one is a few KiB. */
const MAX_PACKAGE_JSON_BYTES = 64 * 1024;

/** The text of package.json; its specs are checked by `checkedBody`, and whether they install when the app starts. */
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
async function checkedBody<T extends { packageJson?: string | null }>(body: T): Promise<T> {
  if (typeof body.packageJson === 'string') await assertRegistryOnly(body.packageJson);
  return body;
}

function assertNameFree(apps: AppRecord[], name: string, self?: AppRecord): void {
  if (apps.some((app) => app.name === name && app !== self)) throw new EdgeError('APP_NAME_TAKEN', `you already have an app named "${name}"`);
}

/**
 * POST /, GET /, GET /:appId, PATCH /:appId, DELETE /:appId, POST /:appId/start and POST /:appId/stop.
 * @example app.use('/api/v1/apps', appRoutes(deps))
 */
export function appRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime' | 'publicUrl'>): Router {
  const router = Router();
  const answer = (app: AppRecord) => presentApp(app, deps.publicUrl);

  router.post('/', async (req, res) => {
    const { user } = requireCaller(res);
    const body = await checkedBody(validate(createSchema, req.body));
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
  });

  router.get('/', (_req, res) => {
    const { user } = requireCaller(res);
    res.json({ apps: deps.apps.list(user.id).map(answer) });
  });

  router.get('/:appId', (req, res) => {
    res.json(answer(ownedApp(deps.apps, res, req.params.appId)));
  });

  router.patch('/:appId', async (req, res) => {
    const app = ownedApp(deps.apps, res, req.params.appId);
    const body = await checkedBody(validate(patchSchema, req.body));
    if (body.name !== undefined) {
      assertNameFree(deps.apps.list(app.ownerId), body.name, app);
      app.name = body.name;
    }
    if (body.description !== undefined) app.description = body.description;
    if (body.packageJson !== undefined) app.packageJson = body.packageJson;
    await deps.apps.save(app);
    res.json(answer(app));
  });

  /**
   * Runs `change` on the caller's app after the starts, stops and deletes asked for before it, on the
   * record as it is by then: an app deleted while the change waited is not found.
   */
  const inTurn = <T>(res: Response, appId: string, change: (app: AppRecord) => Promise<T>): Promise<T> => {
    // Looked up before waiting too, so a stranger is answered at once and queues nothing.
    ownedApp(deps.apps, res, appId);
    return deps.runtime.changeInTurn(appId, () => change(ownedApp(deps.apps, res, appId)));
  };

  router.delete('/:appId', async (req, res) => {
    await inTurn(res, req.params.appId, async (app) => {
      await deps.runtime.forget(app);
      await deps.apps.remove(app.ownerId, app.id);
    });
    res.status(204).end();
  });

  /** Starting fails when, say, the dependencies do not install: the status changes only once the runtime did its part. */
  const switchTo =
    (status: AppRecord['status'], act: (app: AppRecord) => Promise<void>): RequestHandler<{ appId: string }> =>
    async (req, res) => {
      const app = await inTurn(res, req.params.appId, async (current) => {
        await act(current);
        current.status = status;
        await deps.apps.save(current);
        return current;
      });
      res.json(answer(app));
    };
  router.post('/:appId/start', switchTo('running', (app) => deps.runtime.start(app)));
  router.post('/:appId/stop', switchTo('stopped', (app) => deps.runtime.stop(app)));

  return router;
}
