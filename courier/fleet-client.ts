/** @module The courier's side of the fleet API (docs/fleet-api.md): register, heartbeat, deregister, with the cloud's answers checked where they enter. */
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { describeIssues } from '../base/zod-issues.ts';

/**
 * What the fleet client needs of an HTTP client: the body of a successful answer, an error answer thrown as
 * EdgeError. The CLI's `cloudClient` fits; courier/ does not import cli/ (cli/ depends on courier/, not back).
 */
export interface FleetTransport {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
}

const registration = z.object({ id: z.string().min(1), name: z.string(), leaseMs: z.number().positive(), heartbeatMs: z.number().positive() });

const assignment = z.object({
  // It names a folder in the state folder: nothing that could climb out of it.
  rootId: z.string().regex(/^[\w-]+$/, 'an id of letters, digits, _ and -'),
  kind: z.enum(['local', 'dropbox', 'onedrive']),
  path: z.string().min(1),
  credentials: z.record(z.string(), z.string()).optional(),
  // ISO time or epoch milliseconds: either reads as epoch milliseconds.
  leaseExpiresAt: z.union([z.number(), z.iso.datetime({ offset: true })]).transform((value) => (typeof value === 'number' ? value : Date.parse(value))),
});

const heartbeatAnswer = z.object({ assignments: z.array(assignment) });

export type Registration = z.infer<typeof registration>;
/** A root this courier holds a lease on; `credentials` are secrets and must never be logged. */
export type Assignment = z.infer<typeof assignment>;

/** The fleet API as this courier's `id` calls it. */
export interface FleetClient {
  register(name: string): Promise<Registration>;
  heartbeat(courierId: string, serving: string[]): Promise<Assignment[]>;
  deregister(courierId: string): Promise<void>;
}

function check<S extends z.ZodType>(schema: S, what: string, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new EdgeError('CLOUD_UNREACHABLE', describeIssues(`the cloud's answer to ${what}`, parsed.error));
  return parsed.data;
}

/**
 * A fleet client over `transport`, which sends an operator's API token.
 * @example const fleet = fleetClient(cloudClient(url, token)); const { id } = await fleet.register('courier-1')
 */
export function fleetClient(transport: FleetTransport): FleetClient {
  const courierPath = (id: string) => `/api/v1/fleet/couriers/${encodeURIComponent(id)}`;
  return {
    async register(name) {
      return check(registration, 'a registration', await transport.request('POST', '/api/v1/fleet/couriers', { name }));
    },
    async heartbeat(courierId, serving) {
      return check(heartbeatAnswer, 'a heartbeat', await transport.request('POST', `${courierPath(courierId)}/heartbeat`, { serving })).assignments;
    },
    async deregister(courierId) {
      await transport.request('DELETE', courierPath(courierId));
    },
  };
}
