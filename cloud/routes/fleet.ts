/** @module The fleet routes, for couriers with an operator's token: register, heartbeat, deregister, list (docs/fleet-api.md). */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { requireOperator } from '../auth.ts';
import type { CloudDeps } from '../deps.ts';
import { validate } from '../http.ts';

const registerSchema = z.strictObject({ name: z.string().trim().min(1).max(100) });
const heartbeatSchema = z.strictObject({ serving: z.array(z.string().max(100)).max(10_000) });

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
    const { name } = validate(registerSchema, req.body);
    const courier = await deps.fleet.register(name);
    logger.info({ courierId: courier.id, name }, 'courier registered');
    res.status(201).json({ id: courier.id, name: courier.name, leaseMs: deps.fleet.leaseMs, heartbeatMs: deps.fleet.heartbeatMs });
  });

  router.post('/couriers/:id/heartbeat', async (req, res) => {
    const { serving } = validate(heartbeatSchema, req.body);
    const assignments = await deps.fleet.heartbeat(req.params.id, serving);
    if (!assignments) throw courierNotFound(req.params.id);
    res.json({ assignments });
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
