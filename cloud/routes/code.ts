/** @module Code download for edge computing: an app bundle holding the function, for its owner, or for anyone when the function is public. */
import { Router } from 'express';
import { appNotFound, functionOf } from '../app-lookup.ts';
import { callerOf } from '../auth.ts';
import type { CloudDeps } from '../deps.ts';

/**
 * GET /:appId/functions/:name/code. Works without a caller for public functions, so it checks ownership itself.
 * @example app.use('/api/v1/apps', codeRoutes(deps))
 */
export function codeRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime'>): Router {
  const router = Router();

  router.get('/:appId/functions/:name/code', (req, res) => {
    const { appId, name } = req.params;
    const app = deps.apps.byId(appId);
    if (!app) throw appNotFound(appId);
    if (callerOf(res)?.user.id === app.ownerId) {
      res.json(deps.runtime.bundle(app, functionOf(app, name).name, true));
      return;
    }
    // Anyone else learns nothing about a private function, not even that the app exists.
    if (!app.functions.some((fn) => fn.name === name && fn.public)) throw appNotFound(appId);
    res.json(deps.runtime.bundle(app, name, false));
  });

  return router;
}
