/**
 * @module The fleet API on the wire (docs/fleet-api.md), written once for both sides: the cloud validates what
 * couriers send with these schemas and answers in these shapes; the courier checks the cloud's answers with them.
 */
import { z } from 'zod';

/** Paths under the cloud's base URL. */
export const fleetPaths = {
  couriers: '/api/v1/fleet/couriers',
  courier: (id: string) => `/api/v1/fleet/couriers/${encodeURIComponent(id)}`,
  heartbeat: (id: string) => `/api/v1/fleet/couriers/${encodeURIComponent(id)}/heartbeat`,
};

/** POST /couriers: a courier registers under a name people recognise (its container's). */
export const registerRequest = z.strictObject({ name: z.string().trim().min(1).max(100) });

/** POST /couriers/:id/heartbeat: the root ids the courier serves now. */
export const heartbeatRequest = z.strictObject({ serving: z.array(z.string().max(100)).max(10_000) });

/** The answer to a registration: the courier's id and how often it must beat. */
export const registration = z.object({ id: z.string().min(1), name: z.string(), leaseMs: z.number().positive(), heartbeatMs: z.number().positive() });

/** A root a courier holds a lease on; `credentials` are secrets and must never be logged. */
export const assignment = z.object({
  // It names a folder in the courier's state folder: nothing that could climb out of it.
  rootId: z.string().regex(/^[\w-]+$/, 'an id of letters, digits, _ and -'),
  kind: z.enum(['local', 'dropbox', 'onedrive']),
  path: z.string().min(1),
  credentials: z.record(z.string(), z.string()).optional(),
  leaseExpiresAt: z.iso.datetime({ offset: true }),
});

/** The answer to a heartbeat: every root the courier is to serve until its next beat. */
export const heartbeatAnswer = z.object({ assignments: z.array(assignment) });

export type RegisterRequest = z.infer<typeof registerRequest>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;
export type Registration = z.infer<typeof registration>;
export type Assignment = z.infer<typeof assignment>;
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswer>;
