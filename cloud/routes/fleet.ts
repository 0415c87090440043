/** @module The fleet routes, for couriers with an operator's token: register, heartbeat, deregister, list (docs/fleet-api.md). */
import { heartbeatRequest, registerRequest, type HeartbeatAnswer, type Registration } from '../../api/fleet.ts';
import type { CloudDeps } from '../deps.ts';
import { route, type Route } from '../route.ts';

/**
 * POST /couriers, POST /couriers/:id/heartbeat, DELETE /couriers/:id and GET /couriers, every one for operators only.
 * @example app.use('/api/v1/fleet', routerOf(fleetRoutes(deps)))
 */
export function fleetRoutes(deps: Pick<CloudDeps, 'fleet' | 'logger'>): Route[] {
  const logger = deps.logger.child({ component: 'fleet' });
  return [
    route({
      method: 'post',
      path: '/couriers',
      summary: 'Register a courier',
      auth: 'operator',
      body: registerRequest,
      answers: { 201: '`{ id, name, leaseMs, heartbeatMs }`' },
      errors: ['STORAGE_FULL'],
      async handle({ body: { name } }, _req, res) {
        const courier = await deps.fleet.register(name);
        logger.info({ courierId: courier.id, name }, 'courier registered');
        res.status(201).json({ id: courier.id, name: courier.name, leaseMs: deps.fleet.leaseMs, heartbeatMs: deps.fleet.heartbeatMs } satisfies Registration);
      },
    }),
    route({
      method: 'post',
      path: '/couriers/:id/heartbeat',
      summary: "A courier's heartbeat: the roots it serves in, the roots it is to serve out",
      auth: 'operator',
      body: heartbeatRequest,
      answers: { 200: '`{ assignments: [{ rootId, kind, path, credentials?, leaseExpiresAt }] }`' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle({ body: { serving } }, req, res) {
        res.json({ assignments: await deps.fleet.heartbeat(req.params.id, serving) } satisfies HeartbeatAnswer);
      },
    }),
    route({
      method: 'delete',
      path: '/couriers/:id',
      summary: 'Deregister a courier: its roots are free at once',
      auth: 'operator',
      answers: { 204: 'deregistered' },
      errors: ['NOT_FOUND', 'STORAGE_FULL'],
      async handle(_input, req, res) {
        await deps.fleet.deregister(req.params.id);
        logger.info({ courierId: req.params.id }, 'courier deregistered');
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/couriers',
      summary: 'List the couriers',
      auth: 'operator',
      answers: { 200: '`{ couriers: [{ id, name, lastHeartbeatAt, roots }] }`' },
      handle: (_input, _req, res) => res.json({ couriers: deps.fleet.list() }),
    }),
  ];
}
