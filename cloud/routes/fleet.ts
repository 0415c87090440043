/** @module The fleet routes, for couriers with an operator's token: register, heartbeat, deregister, list (docs/fleet-api.md). */
import { Router, type RequestHandler } from 'express';
import { heartbeatRequest, registerRequest, type HeartbeatAnswer, type Registration } from '../../api/fleet.ts';
import { EdgeError } from '../../base/errors.ts';
import { requireOperator } from '../auth.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';

const courierNotFound = (id: string) => new EdgeError('NOT_FOUND', `no courier ${id}: it deregistered or was silent too long; register again`);

/** Every fleet route is for operators only, checked before anything else. */
const operatorsOnly: RequestHandler = (_req, res, next) => {
  requireOperator(res);
  next();
};

/**
 * POST /couriers, POST /couriers/:id/heartbeat, DELETE /couriers/:id and GET /couriers.
 * @example app.use('/api/v1/fleet', fleetRoutes(deps))
 */
export function fleetRoutes(deps: Pick<CloudDeps, 'fleet' | 'logger'>): Router {
  const router = Router();
  const logger = deps.logger.child({ component: 'fleet' });
  router.use(operatorsOnly);

  router.post('/couriers', async (req, res) => {
    const { name } = validate(registerRequest, req.body);
    const courier = await deps.fleet.register(name);
    logger.info({ courierId: courier.id, name }, 'courier registered');
    res.status(201).json({ id: courier.id, name: courier.name, leaseMs: deps.fleet.leaseMs, heartbeatMs: deps.fleet.heartbeatMs } satisfies Registration);
  });

  router.post('/couriers/:id/heartbeat', async (req, res) => {
    const { serving } = validate(heartbeatRequest, req.body);
    const assignments = await deps.fleet.heartbeat(req.params.id, serving);
    if (!assignments) throw courierNotFound(req.params.id);
    res.json({ assignments } satisfies HeartbeatAnswer);
  });

  router.delete('/couriers/:id', async (req, res) => {
    if (!(await deps.fleet.deregister(req.params.id))) throw courierNotFound(req.params.id);
    logger.info({ courierId: req.params.id }, 'courier deregistered');
    res.status(204).end();
  });

  router.get('/couriers', (_req, res) => {
    res.json({ couriers: deps.fleet.list() });
  });

  return router;
}
