/** @module Code download for edge computing: an app bundle holding the function, for its owner, or for anyone when the function is public. */
import { appNotFound, functionOf } from '../app-lookup.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/**
 * GET /:appId/functions/:name/code. Works without a caller for public functions, so it checks ownership itself.
 * @example app.use('/api/v1/apps', routerOf(codeRoutes(deps)))
 */
export function codeRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/functions/:name/code',
      summary: "An app bundle holding the function: all of the app's functions for its owner, the public ones for anyone else",
      auth: 'anyone',
      answers: { 200: '`{ format: "edgecourier-app-bundle/1", name, entry, files }`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND'],
      handle({ caller }, req, res) {
        const { appId, name } = req.params;
        const app = deps.apps.byId(appId);
        if (!app) throw appNotFound(appId);
        if (caller?.user.id === app.ownerId) {
          res.json(deps.runtime.bundle(app, functionOf(app, name).name, true));
          return;
        }
        // Anyone else learns nothing about a private function, not even that the app exists.
        if (!app.functions.some((fn) => fn.name === name && fn.public)) throw appNotFound(appId);
        res.json(deps.runtime.bundle(app, name, false));
      },
    }),
  ];
}
