/** @module API tokens, for the CLI and couriers: how many an account holds, and revoking only API tokens, never a session. */
import { EdgeError } from '../../base/errors.ts';
import type { TokenRecord } from '../data.ts';
import type { TokenStore } from '../stores/tokens.ts';

/** Each token is a record in the database: one account must not grow it without end. */
export const MAX_API_TOKENS_PER_USER = 100;

export interface ApiTokenServiceDeps {
  tokens: Pick<TokenStore, 'create' | 'listApi' | 'revoke'>;
}

export interface ApiTokenService {
  /** A new API token; `token` is in the clear, shown only now. */
  create(userId: string, name: string): Promise<{ record: TokenRecord; token: string }>;
  list(userId: string): TokenRecord[];
  /** NOT_FOUND unless the user has an API token of that id. */
  revoke(userId: string, id: string): Promise<void>;
}

/**
 * The API token service over the token store.
 * @example const { token } = await apiTokenService({ tokens }).create(user.id, 'laptop')
 */
export function apiTokenService(deps: ApiTokenServiceDeps): ApiTokenService {
  return {
    async create(userId, name) {
      if (deps.tokens.listApi(userId).length >= MAX_API_TOKENS_PER_USER) {
        throw new EdgeError('QUOTA_EXCEEDED', `an account holds at most ${MAX_API_TOKENS_PER_USER} API tokens; revoke one first`);
      }
      return deps.tokens.create(userId, 'api', name, null);
    },
    list: (userId) => deps.tokens.listApi(userId),
    async revoke(userId, id) {
      // Only API tokens: a session is ended by logging out, and this must not reach one.
      const known = deps.tokens.listApi(userId).some((record) => record.id === id);
      if (!known || !(await deps.tokens.revoke(userId, id))) throw new EdgeError('NOT_FOUND', `no API token ${id} of yours`);
    },
  };
}
