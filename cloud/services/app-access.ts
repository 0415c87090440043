/**
 * @module Who may do what with an app: its owner everything, anyone else what the grants to them and to everyone
 * allow. The one lookup every service asks; an app the caller may not see at all answers exactly as a missing one.
 */
import { allows } from '../../api/grants.ts';
import { EdgeError } from '../../base/errors.ts';
import { EVERYONE, type Access, type AppRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import { appNotFound } from './app-lookup.ts';

// The order of the levels is the wire's (api/grants.ts), which the console reads too.
export { allows };

/** The higher of two levels; undefined is none. */
function higher(a: Access | undefined, b: Access): Access {
  return allows(a, b) ? a! : b;
}

/** What everyone, signed in or not, may do with the app; undefined: nothing beyond its public functions and endpoints. */
export function everyoneAccess(app: AppRecord): Access | undefined {
  return app.grants?.find((grant) => grant.grantee === EVERYONE)?.access;
}

/**
 * What `userId` (undefined: nobody signed in) may do with the app: FULL_CONTROL for its owner, else the higher of the
 * grant to that account and the grant to everyone; undefined when neither exists.
 */
export function accessOf(app: AppRecord, userId: string | undefined): Access | undefined {
  if (userId !== undefined && userId === app.ownerId) return 'FULL_CONTROL';
  let access: Access | undefined;
  for (const grant of app.grants ?? []) if (grant.grantee === EVERYONE || grant.grantee === userId) access = higher(access, grant.access);
  return access;
}

/**
 * Whether the caller sees a call as the owner does: every cache and precomputed entry it sends counts, and errors and
 * console output are shown whole. WRITE could change the code anyway, so trusting its results gives nothing away;
 * READ and RUN are treated as any other caller.
 */
export function seesInside(app: AppRecord, userId: string | undefined): boolean {
  return allows(accessOf(app, userId), 'WRITE');
}

/**
 * Whose fair share of the sandboxes a call of the app by `callerId` takes (docs/under-load.md): an account the app's
 * grants name is charged for its own calls, so that a grantee cannot use up its owner's share, nor the owner a
 * grantee's. Every other call is the owner's: its own, anonymous ones, and those let in by everyone's grant or by a
 * public endpoint, so a crowd of callers never gets more of the machine than the one tenant whose app they call.
 */
export function shareOf(app: AppRecord, callerId: string | undefined): string {
  if (callerId === undefined || callerId === app.ownerId) return app.ownerId;
  return app.grants?.some((grant) => grant.grantee === callerId) ? callerId : app.ownerId;
}

const PURPOSE: Record<Access, string> = {
  READ: 'see it',
  RUN: 'run its functions',
  WRITE: 'change it',
  FULL_CONTROL: 'delete it, or change its grants or secrets',
};

/**
 * The app `appId` if `userId` may do with it what `needed` allows. APP_NOT_FOUND when the caller may not see it at
 * all, exactly as for a missing app; FORBIDDEN, naming both levels, when it may see it but not do this.
 * @example const app = appFor(deps.apps, user.id, appId, 'WRITE')
 */
export function appFor(apps: Pick<AppStore, 'byId'>, userId: string | undefined, appId: string, needed: Access): AppRecord {
  const app = apps.byId(appId);
  const access = app && accessOf(app, userId);
  if (!app || !access) throw appNotFound(appId);
  if (!allows(access, needed)) throw new EdgeError('FORBIDDEN', `you have ${access} access to app "${app.name}"; ${needed} is needed to ${PURPOSE[needed]}`);
  return app;
}
