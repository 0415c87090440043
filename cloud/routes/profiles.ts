/** @module Performance profiles: an app's read and reported from the edge, a fleet courier's reports, and a root's app folders' read by its owner. */
import { z } from 'zod';
import { edgeReportRequest, fleetReportRequest, type FleetReportAnswer, type ProfileList } from '../../api/profiles.ts';
import { functionNamePattern } from '../../runtime/app-config.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

const listQuery = z.strictObject({
  function: z.string().regex(functionNamePattern, 'a function name').optional(),
  version: z
    .string()
    .regex(/^[\w.-]{1,128}$/, "a function's version, or the app's version id or tag")
    .optional(),
});

const rootQuery = z.strictObject({
  app: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^/\\]+$/, 'an app folder name'),
});

const PROFILE_ANSWER =
  '`{ profiles: [{ function, version, appVersion?, calls, errorRate, served, durationMs?, coldStart, peakMemoryBytes?, inputBytes?, outputBytes?, places, firstAt, lastAt }] }`';

/**
 * GET and POST /apps/:appId/profile, GET /roots/:rootId/profile, POST /fleet/profiles.
 * @example app.use('/api/v1', routerOf(profileRoutes(deps)))
 */
export function profileRoutes(deps: Pick<CloudDeps, 'profiles'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/apps/:appId/profile',
      summary: "An app's performance profiles, one per function version, the most recently called first",
      auth: 'user',
      query: listQuery,
      answers: { 200: PROFILE_ANSWER },
      errors: ['APP_NOT_FOUND', 'VERSION_NOT_FOUND'],
      handle({ caller: { user }, query }, req, res) {
        res.json({ profiles: deps.profiles.list(user.id, req.params.appId, query) } satisfies ProfileList);
      },
    }),
    route({
      method: 'post',
      path: '/apps/:appId/profile',
      summary: "Report what runs of the app's code measured on an edge machine (`run --local --report`); every call counts as run at the edge",
      auth: 'user',
      body: edgeReportRequest,
      answers: { 204: 'merged' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN'],
      handle({ caller: { user }, body }, req, res) {
        deps.profiles.reportEdge(user.id, req.params.appId, body);
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/roots/:rootId/profile',
      summary: "The profiles of an app folder of one of your roots, as the fleet's couriers reported them",
      auth: 'user',
      query: rootQuery,
      answers: { 200: PROFILE_ANSWER },
      errors: ['NOT_FOUND'],
      handle({ caller: { user }, query }, req, res) {
        res.json({ profiles: deps.profiles.listRoot(user.id, req.params.rootId, query.app) } satisfies ProfileList);
      },
    }),
    route({
      method: 'post',
      path: '/fleet/profiles',
      summary: "A fleet courier's report of its folder apps' calls: merged for the roots it holds a lease on now, the others ignored and named",
      auth: 'operator',
      body: fleetReportRequest,
      answers: { 200: '`{ merged: [rootId], ignored: [rootId] }`' },
      handle({ body }, _req, res) {
        res.json(deps.profiles.reportFleet(body) satisfies FleetReportAnswer);
      },
    }),
  ];
}
