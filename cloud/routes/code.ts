/** @module Code download for edge computing: an app bundle holding the function, for those who may read its app, or for anyone when the function is public. */
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/**
 * GET /:appId/functions/:name/code. Works without a caller for public functions.
 * @example app.use('/api/v1/apps', routerOf(codeRoutes(deps)))
 */
export function codeRoutes(deps: Pick<CloudDeps, 'bundles'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/functions/:name/code',
      summary:
        'An app bundle holding the function: the whole app for those who may read it; for anyone else its public functions and every file that is not a function',
      auth: 'anyone',
      answers: { 200: '`{ format: "edgecourier-app-bundle/2", name, entry, files: [{ path, text } or { path, base64 }] }`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND'],
      handle: async ({ caller }, req, res) => res.json(await deps.bundles.bundle(caller?.user.id, req.params.appId, req.params.name)),
    }),
  ];
}
