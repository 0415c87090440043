/** @module The operator's endpoints: GET /metrics (Prometheus text) and GET /healthz, for scrapers and load balancers. */
import { Router } from 'express';
import type { CloudDeps } from '../deps.ts';

/**
 * GET /metrics and GET /healthz, open like a load balancer's probe expects: restrict /metrics at the proxy if it must not be public.
 * @example app.use('/', healthRoutes(deps))
 */
export function healthRoutes(deps: Pick<CloudDeps, 'observability'>): Router {
  const router = Router();

  router.get('/metrics', async (_req, res) => {
    const { contentType, text } = await deps.observability.scrape();
    res.set('content-type', contentType).send(text);
  });

  router.get('/healthz', (_req, res) => {
    const report = deps.observability.health();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });

  return router;
}
