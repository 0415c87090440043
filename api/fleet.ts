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
  /** A held root's folder apps published as its account's apps ("Folder apps of roots"). */
  rootApps: (id: string, rootId: string) => `/api/v1/fleet/couriers/${encodeURIComponent(id)}/roots/${encodeURIComponent(rootId)}/apps`,
  rootApp: (id: string, rootId: string, name: string) =>
    `/api/v1/fleet/couriers/${encodeURIComponent(id)}/roots/${encodeURIComponent(rootId)}/apps/${encodeURIComponent(name)}`,
  rootUpload: (id: string, rootId: string, sha256: string) =>
    `/api/v1/fleet/couriers/${encodeURIComponent(id)}/roots/${encodeURIComponent(rootId)}/uploads/${sha256}`,
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

/** GET …/roots/:rootId/apps: the names of the folder apps of the root's account. */
export const rootAppList = z.object({ apps: z.array(z.string()) });

/** PUT …/roots/:rootId/apps/:name: the folder app as published; `version` is its active version. */
export const rootAppPublished = z.object({ appId: z.string(), version: z.string().optional(), created: z.boolean() });

/** DELETE …/roots/:rootId/apps/:name: the stopped app, or null when the account had no folder app of that name. */
export const rootAppWithdrawn = z.object({ appId: z.string().nullable() });

export type RegisterRequest = z.infer<typeof registerRequest>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequest>;
export type Registration = z.infer<typeof registration>;
export type Assignment = z.infer<typeof assignment>;
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswer>;
export type RootAppList = z.infer<typeof rootAppList>;
export type RootAppPublished = z.infer<typeof rootAppPublished>;
export type RootAppWithdrawn = z.infer<typeof rootAppWithdrawn>;
