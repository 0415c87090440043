/**
 * @module An app's grants and their rules: listed, given and revoked with FULL_CONTROL only; to an account by its
 * address (one that exists) or to everyone (READ or RUN only); how many an app holds. Access is read from the record
 * at every request (app-access.ts), so a change counts from the next one.
 */
import type { Grant } from '../../api/grants.ts';
import { EdgeError } from '../../base/errors.ts';
import { EVERYONE, type Access, type AppRecord, type GrantRecord } from '../data.ts';
import type { AppStore } from '../stores/apps.ts';
import type { UserStore } from '../stores/users.ts';
import { appFor } from './app-access.ts';
import { commit, draftOf } from './drafts.ts';

/** Grants to accounts: every request to the app reads them, and FULL_CONTROL lists them whole. An app is shared with a team, not a crowd: that is what everyone is for. */
export const MAX_GRANTS_PER_APP = 100;

export interface GrantServiceDeps {
  apps: Pick<AppStore, 'byId' | 'save'>;
  users: Pick<UserStore, 'byEmail' | 'byId'>;
  now?: () => number;
}

/** Each method names the caller (`userId`), who needs FULL_CONTROL of the app; `grantee` is an address or `*`. */
export interface GrantService {
  list(userId: string, appId: string): Grant[];
  /** Gives `grantee` exactly `access` (more or less than before); `created` when it had none. */
  set(userId: string, appId: string, grantee: string, access: Access): Promise<{ grant: Grant; created: boolean }>;
  /** GRANT_NOT_FOUND unless the app grants `grantee` something. */
  revoke(userId: string, appId: string, grantee: string): Promise<void>;
}

/**
 * The grant service over the app and user stores.
 * @example await grantService({ apps, users }).set(owner.id, app.id, 'ada@example.com', 'RUN')
 */
export function grantService(deps: GrantServiceDeps): GrantService {
  const now = deps.now ?? Date.now;

  const shown = (grant: GrantRecord): Grant => ({
    // An account is never deleted, so its address is always there; an id is shown only if that ever changes.
    grantee: grant.grantee === EVERYONE ? EVERYONE : (deps.users.byId(grant.grantee)?.email ?? grant.grantee),
    access: grant.access,
    createdAt: grant.createdAt,
    updatedAt: grant.updatedAt,
  });

  /**
   * The grantee's id in the app's grants. An address without an account is said to be one: whoever has FULL_CONTROL
   * is signed in, and sign-up tells anyone as much (409 EMAIL_TAKEN), so this gives nothing away.
   */
  const granteeId = (app: AppRecord, grantee: string): string => {
    if (grantee === EVERYONE) return EVERYONE;
    const user = deps.users.byEmail(grantee);
    if (!user) throw new EdgeError('USER_NOT_FOUND', `no account has the address ${grantee}: ask them to sign up, then share "${app.name}" again`);
    if (user.id === app.ownerId) throw new EdgeError('INVALID_INPUT', `${grantee} owns "${app.name}" and may do everything with it already`);
    return user.id;
  };

  return {
    list: (userId, appId) => (appFor(deps.apps, userId, appId, 'FULL_CONTROL').grants ?? []).map(shown),

    async set(userId, appId, grantee, access) {
      const app = appFor(deps.apps, userId, appId, 'FULL_CONTROL');
      if (grantee === EVERYONE && access !== 'READ' && access !== 'RUN')
        throw new EdgeError('INVALID_INPUT', `everyone may be granted READ or RUN only; give ${access} to accounts, by their address`);
      const id = granteeId(app, grantee);
      const at = new Date(now()).toISOString();
      const grants = app.grants ?? [];
      const old = grants.find((grant) => grant.grantee === id);
      if (!old && id !== EVERYONE && grants.filter((candidate) => candidate.grantee !== EVERYONE).length >= MAX_GRANTS_PER_APP)
        throw new EdgeError('QUOTA_EXCEEDED', `app "${app.name}" holds at most ${MAX_GRANTS_PER_APP} grants to accounts; revoke one first, or grant everyone`);
      const grant: GrantRecord = { grantee: id, access, createdAt: old?.createdAt ?? at, updatedAt: at };
      const draft = draftOf(app);
      draft.grants = old ? grants.map((candidate) => (candidate === old ? grant : candidate)) : [...grants, grant];
      await commit(deps.apps, app, draft);
      return { grant: shown(grant), created: !old };
    },

    async revoke(userId, appId, grantee) {
      const app = appFor(deps.apps, userId, appId, 'FULL_CONTROL');
      const id = grantee === EVERYONE ? EVERYONE : deps.users.byEmail(grantee)?.id;
      const kept = (app.grants ?? []).filter((grant) => grant.grantee !== id);
      if (id === undefined || kept.length === (app.grants ?? []).length)
        throw new EdgeError('GRANT_NOT_FOUND', `app "${app.name}" grants nothing to ${grantee === EVERYONE ? 'everyone' : grantee}`);
      const draft = draftOf(app);
      draft.grants = kept;
      await commit(deps.apps, app, draft);
    },
  };
}
