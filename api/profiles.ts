/**
 * @module Performance profiles on the wire (docs/http-api.md, "Profiles"; docs/fleet-api.md, "Profile reports"),
 * written once for both sides: what the cloud answers when asked for an app's profiles, and what an edge run
 * (`run --local --report`) and a fleet courier send it of the calls they ran.
 */
import { z } from 'zod';
import { profileDigestSchema, type ProfileSummary } from '../runtime/profiles.ts';

/** Digests in one report: a report is one app's (or one courier's) function versions called since the last one. */
export const MAX_DIGESTS_PER_REPORT = 200;

export const profilePaths = {
  /** GET: the app's profiles, one per function version; POST: an edge run's report. */
  app: (appId: string) => `/api/v1/apps/${encodeURIComponent(appId)}/profile`,
  /** POST: a fleet courier's report of the folder apps of the roots it holds. */
  fleet: '/api/v1/fleet/profiles',
};

/** POST /api/v1/apps/:appId/profile: what runs of the app's code on an edge machine measured; every call in it counts as run at the edge. */
export const edgeReportRequest = z.strictObject({ digests: z.array(profileDigestSchema).min(1).max(MAX_DIGESTS_PER_REPORT) });
export type EdgeReport = z.infer<typeof edgeReportRequest>;

/** An app folder's name in a root: one path segment. */
const appFolder = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^/\\]+$/, 'one folder name')
  .refine((name) => name !== '.' && name !== '..', 'one folder name');

/**
 * POST /api/v1/fleet/profiles: per root the courier holds a lease on, per app folder, the digests of the calls it ran
 * since its last report. `courierId` is the id its registration gave it: only the roots that courier holds now are merged.
 */
export const fleetReportRequest = z.strictObject({
  courierId: z.string().regex(/^[\w-]{1,100}$/, 'the id the courier was registered with'),
  roots: z
    .array(
      z.strictObject({
        rootId: z.string().regex(/^[\w-]+$/, 'an id of letters, digits, _ and -'),
        apps: z.array(z.strictObject({ app: appFolder, digests: z.array(profileDigestSchema).min(1).max(MAX_DIGESTS_PER_REPORT) })).max(1000),
      }),
    )
    .max(100),
});
export type FleetReport = z.infer<typeof fleetReportRequest>;

/** GET /api/v1/apps/:appId/profile: one summary per function version, the most recently called first. */
export interface ProfileList {
  profiles: Array<ProfileSummary & { appVersion?: string }>;
}

/** POST /api/v1/fleet/profiles answers which roots it merged and which it ignored: those the courier holds no lease on now. */
export interface FleetReportAnswer {
  merged: string[];
  ignored: string[];
}
