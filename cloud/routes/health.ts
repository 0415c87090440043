/** @module The operator's endpoints: GET /metrics (Prometheus text) and GET /healthz, for scrapers and load balancers. */
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/**
 * GET /metrics and GET /healthz, open like a load balancer's probe expects: restrict /metrics at the proxy if it must not be public.
 * @example app.use('/', routerOf(healthRoutes(deps)))
 */
export function healthRoutes(deps: Pick<CloudDeps, 'observability'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/metrics',
      summary: 'Metrics for Prometheus',
      auth: 'anyone',
      answers: { 200: 'the metrics in the Prometheus text format' },
      produces: 'text/plain',
      async handle(_input, _req, res) {
        const { contentType, text } = await deps.observability.scrape();
        res.set('content-type', contentType).send(text);
      },
    }),
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Whether the service takes calls, for load balancers',
      auth: 'anyone',
      answers: { 200: '`{ status: "ok", sandboxes, queued }`', 503: '`{ status: "unavailable", reason }`' },
      handle(_input, _req, res) {
        const report = deps.observability.health();
        res.status(report.status === 'ok' ? 200 : 503).json(report);
      },
    }),
  ];
}
