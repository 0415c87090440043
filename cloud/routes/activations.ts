/** @module An app's activation records: listed and filtered a page at a time, fetched one by id, followed live as Server-Sent Events; owner only. */
import { z } from 'zod';
import { ACTIVATION_TRIGGERS } from '../../api/activations.ts';
import { errorCatalogue, type ErrorCode } from '../../base/errors.ts';
import { functionNamePattern } from '../../runtime/app-config.ts';
import type { CloudDeps } from '../deps.ts';
import { EventStream } from '../event-stream.ts';
import { route, type Route } from '../route.ts';

/** A `seq`, as cursors and `after` carry it. */
const seq = z
  .string()
  .regex(/^\d{1,16}$/, 'a number from an activation record')
  .transform(Number);
const time = z.iso.datetime({ offset: true, message: 'an ISO 8601 time such as 2025-01-31T12:00:00Z' }).transform((text) => Date.parse(text));

const filterFields = {
  function: z.string().regex(functionNamePattern, 'a function name').optional(),
  version: z
    .string()
    .regex(/^[\w.-]{1,128}$/, 'a version as records show it')
    .optional(),
  outcome: z.enum(['ok', 'error', ...(Object.keys(errorCatalogue) as ErrorCode[])]).optional(),
  trigger: z.enum(ACTIVATION_TRIGGERS).optional(),
  since: time.optional(),
  until: time.optional(),
};

const listQuery = z.strictObject({
  ...filterFields,
  cursor: seq.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const followQuery = z.strictObject({
  ...filterFields,
  after: seq.optional(),
  seconds: z.coerce.number().int().min(0).max(3600).default(600),
});

/**
 * GET /apps/:appId/activations, GET /apps/:appId/activations/follow and GET /activations/:id.
 * @example app.use('/api/v1', routerOf(activationRoutes(deps)))
 */
export function activationRoutes(deps: Pick<CloudDeps, 'activations'>): Route[] {
  return [
    route({
      method: 'get',
      path: '/apps/:appId/activations',
      summary: "List an app's activations, newest first, filtered",
      auth: 'user',
      query: listQuery,
      answers: { 200: '`{ activations: [activation], next? }`' },
      errors: ['APP_NOT_FOUND', 'FORBIDDEN'],
      async handle({ caller: { user }, query: { cursor, ...query } }, req, res) {
        res.json(await deps.activations.list(user.id, req.params.appId, { ...query, before: cursor }));
      },
    }),
    route({
      method: 'get',
      path: '/apps/:appId/activations/follow',
      summary: "Follow an app's new activations as Server-Sent Events",
      auth: 'user',
      query: followQuery,
      answers: { 200: 'an `activation` event for each activation, its `seq` as the event id' },
      produces: 'text/event-stream',
      errors: ['APP_NOT_FOUND', 'FORBIDDEN'],
      async handle({ caller: { user }, query: { after, seconds, ...filter } }, req, res) {
        // EventSource sends the last id it got when it connects again: it takes up from there.
        const lastSeen = req.get('last-event-id');
        const from = after ?? (lastSeen && /^\d{1,16}$/.test(lastSeen) ? Number(lastSeen) : undefined);
        let stop = () => {};
        const stream = new EventStream(res, { lifetimeMs: seconds * 1000, onEnd: () => stop() });
        stop = await deps.activations.follow(user.id, req.params.appId, filter, from, {
          send: (activation) => stream.send(String(activation.seq), 'activation', activation),
          end: () => stream.end(),
        });
        stream.start();
      },
    }),
    route({
      method: 'get',
      path: '/activations/:id',
      summary: 'Read one activation: its record, console output and the ids of its nested calls',
      auth: 'user',
      answers: { 200: 'the activation' },
      errors: ['ACTIVATION_NOT_FOUND'],
      handle: async ({ caller: { user } }, req, res) => res.json(await deps.activations.get(user.id, req.params.id)),
    }),
  ];
}
