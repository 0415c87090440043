/** @module The courier's side of the fleet API (docs/fleet-api.md): register, heartbeat, deregister, with the cloud's answers checked where they enter. */
import type { z } from 'zod';
import { fleetPaths, heartbeatAnswer, registration, type Assignment as WireAssignment, type Registration } from '../api/fleet.ts';
import { EdgeError } from '../base/errors.ts';
import { describeIssues } from '../base/zod-issues.ts';

/**
 * What the fleet client needs of an HTTP client: the body of a successful answer, an error answer thrown as
 * EdgeError. The CLI's `cloudClient` fits; courier/ does not import cli/ (cli/ depends on courier/, not back).
 */
export interface FleetTransport {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** PUTs `bytes` as they are (a file's), and answers as `request` does. */
  putBytes<T>(path: string, bytes: Uint8Array): Promise<T>;
}

/** A root this courier holds a lease on, its lease's end in epoch milliseconds; `credentials` are secrets and must never be logged. */
export type Assignment = Omit<WireAssignment, 'leaseExpiresAt'> & { leaseExpiresAt: number };

/** The fleet API as this courier's `id` calls it. */
export interface FleetClient {
  register(name: string): Promise<Registration>;
  heartbeat(courierId: string, serving: string[]): Promise<Assignment[]>;
  deregister(courierId: string): Promise<void>;
}

/** The cloud's answer to `what` as `schema` says it is; CLOUD_UNREACHABLE, saying what is wrong, when it is not. */
export function checkAnswer<S extends z.ZodType>(schema: S, what: string, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new EdgeError('CLOUD_UNREACHABLE', describeIssues(`the cloud's answer to ${what}`, parsed.error));
  return parsed.data;
}

/**
 * A fleet client over `transport`, which sends an operator's API token.
 * @example const fleet = fleetClient(cloudClient(url, token)); const { id } = await fleet.register('courier-1')
 */
export function fleetClient(transport: FleetTransport): FleetClient {
  return {
    async register(name) {
      return checkAnswer(registration, 'a registration', await transport.request('POST', fleetPaths.couriers, { name }));
    },
    async heartbeat(courierId, serving) {
      const { assignments } = checkAnswer(heartbeatAnswer, 'a heartbeat', await transport.request('POST', fleetPaths.heartbeat(courierId), { serving }));
      return assignments.map((held) => ({ ...held, leaseExpiresAt: Date.parse(held.leaseExpiresAt) }));
    },
    async deregister(courierId) {
      await transport.request('DELETE', fleetPaths.courier(courierId));
    },
  };
}
