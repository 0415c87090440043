/** @module An app's endpoints: the method and path under /run/<appId> that call one of its functions. */
import { z } from 'zod';
import { endpointPathSchema } from '../app-schemas.ts';
import type { CloudDeps } from '../deps.ts';
import { presentEndpoint } from '../present.ts';
import type { AppEndpoint } from '../services/endpoints.ts';
import { route, type Route } from '../route.ts';

const fields = {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: endpointPathSchema,
  function: z.string(),
  public: z.boolean(),
  response: z.enum(['json', 'http']),
};
const createSchema = z.strictObject({ ...fields, public: fields.public.default(false), response: fields.response.default('json') });
// No defaults here: a field left out of a PATCH keeps its value.
const patchSchema = z.strictObject(fields).partial();

/**
 * POST and GET /:appId/endpoints, PATCH and DELETE /:appId/endpoints/:id.
 * @example app.use('/api/v1/apps', routerOf(endpointRoutes(deps)))
 */
export function endpointRoutes(deps: Pick<CloudDeps, 'endpoints' | 'publicUrl'>): Route[] {
  const answer = ({ app, endpoint }: AppEndpoint) => presentEndpoint(app, endpoint, deps.publicUrl);

  return [
    route({
      method: 'post',
      path: '/:appId/endpoints',
      summary: "Add an endpoint: a method and path under the app's URL that call one of its functions",
      auth: 'user',
      body: createSchema,
      answers: { 201: 'the endpoint, with its `url`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'FUNCTION_NOT_FOUND', 'ENDPOINT_TAKEN', 'QUOTA_EXCEEDED', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, req, res) {
        res.status(201).json(answer(await deps.endpoints.add(user.id, req.params.appId, body)));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/endpoints',
      summary: "List an app's endpoints",
      auth: 'user',
      answers: { 200: '`{ endpoints: [endpoint] }`' },
      errors: ['APP_NOT_FOUND'],
      handle: ({ caller: { user } }, req, res) => res.json({ endpoints: deps.endpoints.list(user.id, req.params.appId).map(answer) }),
    }),
    route({
      method: 'patch',
      path: '/:appId/endpoints/:id',
      summary: "Change an endpoint's method, path, function, whether it is public, or how it answers",
      auth: 'user',
      body: patchSchema,
      answers: { 200: 'the endpoint' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'ENDPOINT_NOT_FOUND', 'FUNCTION_NOT_FOUND', 'ENDPOINT_TAKEN', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user }, body }, req, res) {
        res.json(answer(await deps.endpoints.update(user.id, req.params.appId, req.params.id, body)));
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/endpoints/:id',
      summary: 'Delete an endpoint',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN', 'ENDPOINT_NOT_FOUND', 'APP_FROM_FOLDER', 'STORAGE_FULL'],
      async handle({ caller: { user } }, req, res) {
        await deps.endpoints.remove(user.id, req.params.appId, req.params.id);
        res.status(204).end();
      },
    }),
  ];
}
