/** @module An app's schedules, listed with their next slots and last runs; declared in its app.json. */
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/**
 * GET /apps/:appId/schedules.
 * @example app.use('/api/v1/apps', routerOf(scheduleRoutes(deps)))
 */
export function scheduleRoutes(deps: Pick<CloudDeps, 'schedules'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/:appId/schedules',
      summary: "List an app's schedules, with each one's next slot and last run",
      auth: 'user',
      answers: { 200: '`{ appId, status, schedules: [{ name, function, every | cron, timezone?, input?, overlap?, next?, running?, skipped, lastRun? }] }`' },
      errors: ['APP_NOT_FOUND'],
      handle({ caller: { user } }, req, res) {
        res.json(deps.schedules.list(user.id, req.params.appId));
      },
    }),
  ];
}
