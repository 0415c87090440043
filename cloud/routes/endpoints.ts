/** @module An app's endpoints: the method and path under /run/<appId> that call one of its functions. */
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { functionOf, ownedApp } from '../app-lookup.ts';
import type { AppRecord, EndpointRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { newId } from '../ids.ts';
import { presentEndpoint } from '../present.ts';
import { route, type Route } from '../route.ts';

/** Plain segments only: clients rewrite "." and ".." segments, so an endpoint at such a path could never be reached. */
const pathSchema = z
  .string()
  .max(200)
  .regex(/^\/(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/, 'a path starts with "/" and its segments hold only letters, digits and . _ ~ -, e.g. "/orders/list"')
  .refine((path) => path.split('/').every((segment) => segment !== '.' && segment !== '..'), 'a path has no "." or ".." segments');

/** Every call to the app searches its endpoints: the list must stay short enough to search on each call. */
const MAX_ENDPOINTS_PER_APP = 100;

const fields = {
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  path: pathSchema,
  function: z.string(),
  public: z.boolean(),
};
const createSchema = z.strictObject({ ...fields, public: fields.public.default(false) });
// No defaults here: a field left out of a PATCH keeps its value.
const patchSchema = z.strictObject(fields).partial();

function endpointOf(app: AppRecord, id: string): EndpointRecord {
  const endpoint = app.endpoints.find((candidate) => candidate.id === id);
  if (!endpoint) throw new EdgeError('ENDPOINT_NOT_FOUND', `app "${app.name}" has no endpoint ${id}`);
  return endpoint;
}

/** Refuses an endpoint that would call a missing function or take another endpoint's method and path. */
function assertUsable(app: AppRecord, endpoint: Omit<EndpointRecord, 'id'>, self?: EndpointRecord): void {
  functionOf(app, endpoint.function);
  const taken = app.endpoints.some((other) => other !== self && other.method === endpoint.method && other.path === endpoint.path);
  if (taken) throw new EdgeError('ENDPOINT_TAKEN', `app "${app.name}" already has an endpoint ${endpoint.method} ${endpoint.path}`);
}

/**
 * POST and GET /:appId/endpoints, PATCH and DELETE /:appId/endpoints/:id.
 * @example app.use('/api/v1/apps', routerOf(endpointRoutes(deps)))
 */
export function endpointRoutes(deps: Pick<CloudDeps, 'apps' | 'publicUrl'>): Route[] {
  return [
    route({
      method: 'post',
      path: '/:appId/endpoints',
      summary: "Add an endpoint: a method and path under the app's URL that call one of its functions",
      auth: 'user',
      body: createSchema,
      answers: { 201: 'the endpoint, with its `url`' },
      errors: ['APP_NOT_FOUND', 'FUNCTION_NOT_FOUND', 'ENDPOINT_TAKEN', 'QUOTA_EXCEEDED', 'STORAGE_FULL'],
      async handle({ body }, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        assertUsable(app, body);
        if (app.endpoints.length >= MAX_ENDPOINTS_PER_APP) throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_ENDPOINTS_PER_APP} endpoints; delete one first`);
        const endpoint: EndpointRecord = { id: newId('ep'), ...body };
        app.endpoints.push(endpoint);
        await deps.apps.save(app);
        res.status(201).json(presentEndpoint(app, endpoint, deps.publicUrl));
      },
    }),
    route({
      method: 'get',
      path: '/:appId/endpoints',
      summary: "List an app's endpoints",
      auth: 'user',
      answers: { 200: '`{ endpoints: [endpoint] }`' },
      errors: ['APP_NOT_FOUND'],
      handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        res.json({ endpoints: app.endpoints.map((endpoint) => presentEndpoint(app, endpoint, deps.publicUrl)) });
      },
    }),
    route({
      method: 'patch',
      path: '/:appId/endpoints/:id',
      summary: "Change an endpoint's method, path, function or whether it is public",
      auth: 'user',
      body: patchSchema,
      answers: { 200: 'the endpoint' },
      errors: ['APP_NOT_FOUND', 'ENDPOINT_NOT_FOUND', 'FUNCTION_NOT_FOUND', 'ENDPOINT_TAKEN', 'STORAGE_FULL'],
      async handle({ body }, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        const endpoint = endpointOf(app, req.params.id);
        const changed = { ...endpoint, ...body };
        assertUsable(app, changed, endpoint);
        Object.assign(endpoint, changed);
        await deps.apps.save(app);
        res.json(presentEndpoint(app, endpoint, deps.publicUrl));
      },
    }),
    route({
      method: 'delete',
      path: '/:appId/endpoints/:id',
      summary: 'Delete an endpoint',
      auth: 'user',
      answers: { 204: 'deleted' },
      errors: ['APP_NOT_FOUND', 'ENDPOINT_NOT_FOUND', 'STORAGE_FULL'],
      async handle(_input, req, res) {
        const app = ownedApp(deps.apps, res, req.params.appId);
        const endpoint = endpointOf(app, req.params.id);
        app.endpoints = app.endpoints.filter((candidate) => candidate !== endpoint);
        await deps.apps.save(app);
        res.status(204).end();
      },
    }),
  ];
}
