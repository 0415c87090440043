/** @module Calls to an app's endpoints at /run/<appId><path>: the hot path, so it only reads memory and invokes. */
import { Router } from 'express';
import { EdgeError } from '../../runtime/errors.ts';
import type { InvocationEnvelope } from '../app-runtime.ts';
import { callerOf } from '../auth.ts';
import type { AppRecord, EndpointRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { readEnvelope, sendInvocation, strangerEnvelope, strangerResponse } from '../invocation.ts';

/** Segments as Express gives them; a trailing slash is forgiven, as Express forgives it on its own routes. */
function endpointPath(segments: string[] | undefined): string {
  const path = `/${(segments ?? []).join('/')}`;
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function noEndpoint(method: string, path: string): EdgeError {
  return new EdgeError('ENDPOINT_NOT_FOUND', `no endpoint ${method} ${path}`);
}

/** The endpoint a caller may use: strangers are told a private endpoint does not exist, callers without a token to log in. */
function reachableEndpoint(app: AppRecord, method: string, path: string, callerId: string | undefined): EndpointRecord {
  const endpoint = app.endpoints.find((candidate) => candidate.method === method && candidate.path === path);
  if (!endpoint) throw noEndpoint(method, path);
  if (endpoint.public || callerId === app.ownerId) return endpoint;
  if (callerId === undefined) throw new EdgeError('UNAUTHORIZED', `${method} ${path} is not public: send its owner's token as "Authorization: Bearer <token>"`);
  throw noEndpoint(method, path);
}

/**
 * Any method on /:appId and below, matched against the app's endpoints.
 * @example app.use('/run', runRoutes(deps))
 */
export function runRoutes(deps: Pick<CloudDeps, 'apps' | 'runtime'>): Router {
  const router = Router();

  router.all('/:appId{/*path}', async (req, res) => {
    const path = endpointPath(req.params.path);
    const app = deps.apps.byId(req.params.appId);
    // The answer for an app that does not exist is the one for someone else's app, so app ids cannot be probed.
    if (!app) throw noEndpoint(req.method, path);
    const callerId = callerOf(res)?.user.id;
    const endpoint = reachableEndpoint(app, req.method, path, callerId);
    if (app.status !== 'running') {
      throw new EdgeError('APP_STOPPED', `app ${app.name} is stopped; its owner can start it with POST /api/v1/apps/${app.id}/start`);
    }
    // A GET has no body: its query string is the input, and it carries no cache or precomputed results.
    const envelope: InvocationEnvelope = req.method === 'GET' ? { input: req.query } : readEnvelope(req.body);
    const owner = callerId === app.ownerId;
    const response = await deps.runtime.invoke(app, endpoint.function, owner ? envelope : strangerEnvelope(app, envelope));
    sendInvocation(res, owner ? response : strangerResponse(app, response), false);
  });

  return router;
}
