/**
 * @module An app's activation records and their rules: those who may change the app (WRITE, as for its logs: the records
 * hold every caller's runs) read them, listed a page at a time, one by id, or followed as they come.
 */
import type { Activation, ActivationPage } from '../../api/activations.ts';
import { EdgeError } from '../../base/errors.ts';
import type { ActivationFilter, ActivationQuery } from '../activations/query.ts';
import type { ActivationStore } from '../activations/store.ts';
import type { AppStore } from '../stores/apps.ts';
import { accessOf, allows, appFor } from './app-access.ts';

/** What `caller` shows to a grantee for a call by another account: which accounts call the app is its owner's business. */
export const ANOTHER_ACCOUNT = 'user';

/** The record as `userId` may see it: the owner sees every caller, a grantee its own calls and anonymous ones. */
function shownTo(userId: string, ownerId: string, activation: Activation): Activation {
  if (userId === ownerId || activation.caller === userId || activation.caller === 'anonymous') return activation;
  return { ...activation, caller: ANOTHER_ACCOUNT };
}

/** Records a follower is sent of those it missed, the newest of them, before new ones. */
export const FOLLOW_BACKLOG = 100;

export interface ActivationServiceDeps {
  apps: Pick<AppStore, 'byId'>;
  activations: Pick<ActivationStore, 'list' | 'get' | 'follow'>;
}

/** Where a follow sends the records, and what it calls when the follower may no longer see them. */
export interface Follower {
  send(activation: Activation): void;
  end(): void;
}

export interface ActivationService {
  /** A page of the app's activations, newest first; `next` is the cursor of the next page when there may be more. */
  list(userId: string, appId: string, query: ActivationQuery): Promise<ActivationPage>;
  /** The activation `id` of an app the caller may change; ACTIVATION_NOT_FOUND for any other, as for one that does not exist. */
  get(userId: string, id: string): Promise<Activation>;
  /**
   * Sends `follower.send` the app's activations that pass `filter`: those after `after` first (at most FOLLOW_BACKLOG,
   * oldest first), then each new one as it is recorded, until the returned function is called. Access is checked at
   * every record, as at every request: once the caller may no longer change the app (a grant revoked or lowered, the
   * app deleted), nothing more is sent and `follower.end` is called.
   */
  follow(userId: string, appId: string, filter: ActivationFilter, after: number | undefined, follower: Follower): Promise<() => void>;
}

/**
 * The activation service over the app store and the activation store.
 * @example const { activations, next } = await service.list(user.id, appId, { function: 'greet', outcome: 'error', limit: 20 })
 */
export function activationService(deps: ActivationServiceDeps): ActivationService {
  return {
    async list(userId, appId, query) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      const activations = (await deps.activations.list(app.ownerId, app.id, query)).map((activation) => shownTo(userId, app.ownerId, activation));
      const last = activations.at(-1);
      return { activations, ...(last && activations.length === query.limit && { next: String(last.seq) }) };
    },
    async get(userId, id) {
      const found = await deps.activations.get(id);
      const app = found && deps.apps.byId(found.activation.appId);
      // A record of an app the caller may not change, or of one since deleted, answers as a missing one.
      if (!found || !app || app.ownerId !== found.ownerId || !allows(accessOf(app, userId), 'WRITE')) {
        throw new EdgeError('ACTIVATION_NOT_FOUND', `no activation ${id} of an app you may change`);
      }
      return shownTo(userId, app.ownerId, found.activation);
    },
    async follow(userId, appId, filter, after, follower) {
      const app = appFor(deps.apps, userId, appId, 'WRITE');
      const ownerId = app.ownerId;
      // New records are held while the missed ones are read, so none is lost between the two or sent twice.
      let held: Activation[] | undefined = [];
      let sent = after ?? 0;
      let ended = false;
      const deliver = (activation: Activation) => {
        if (ended || activation.seq <= sent) return;
        // A stream outlives the request that opened it: a grant revoked meanwhile must stop it as it stops a new request.
        const current = deps.apps.byId(app.id);
        if (current?.ownerId !== ownerId || !allows(accessOf(current, userId), 'WRITE')) {
          ended = true;
          stop();
          return follower.end();
        }
        sent = activation.seq;
        follower.send(shownTo(userId, ownerId, activation));
      };
      const stop = deps.activations.follow(ownerId, app.id, filter, (activation) => (held ? held.push(activation) : deliver(activation)));
      try {
        const missed = after === undefined ? [] : await deps.activations.list(ownerId, app.id, { ...filter, after, limit: FOLLOW_BACKLOG });
        for (const activation of missed.reverse()) deliver(activation);
      } catch (error) {
        stop();
        throw error;
      }
      for (const activation of held) deliver(activation);
      held = undefined;
      return stop;
    },
  };
}
