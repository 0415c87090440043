/** @module Sessions: logging in with a password, logging out, and who a token names. */
import bcrypt from 'bcryptjs';
import { EdgeError } from '../../base/errors.ts';
import type { TokenRecord, UserRecord } from '../data.ts';
import { newToken } from '../ids.ts';
import { hashPassword } from '../passwords.ts';
import type { TokenStore } from '../stores/tokens.ts';
import type { UserStore } from '../stores/users.ts';

/** How long a session lasts; the session cookie lives as long. */
export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Who is calling: the account and the session or API token it came with. */
export interface Caller {
  user: UserRecord;
  token: TokenRecord;
}

export interface Session {
  /** The session token in the clear, shown only now. */
  token: string;
  expiresAt: string | null;
  user: UserRecord;
}

export interface SessionServiceDeps {
  users: Pick<UserStore, 'byEmail' | 'byId'>;
  tokens: Pick<TokenStore, 'create' | 'find' | 'revoke'>;
}

export interface SessionService {
  /** A new session; INVALID_CREDENTIALS for an unknown address and a wrong password alike. */
  logIn(email: string, password: string): Promise<Session>;
  /** Revokes the token the caller used, a session or an API token. */
  logOut(caller: Caller): Promise<void>;
  /** The caller a session or API token names, when it is live and its account exists. */
  identify(token: string): Caller | undefined;
}

/**
 * The session service over the user and token stores.
 * @example const { token } = await sessionService({ users, tokens }).logIn('ada@example.com', 'correct horse battery')
 */
export function sessionService(deps: SessionServiceDeps): SessionService {
  // Logging in as nobody still costs one bcrypt compare, against this, so the answer's timing does not tell who has an account.
  const dummyHash = hashPassword(newToken('dummy'));

  return {
    async logIn(email, password) {
      const user = deps.users.byEmail(email);
      const matches = await bcrypt.compare(password, user?.passwordHash ?? (await dummyHash));
      if (!user || !matches) throw new EdgeError('INVALID_CREDENTIALS', 'wrong email address or password');
      const { record, token } = await deps.tokens.create(user.id, 'session', 'session', SESSION_TTL_MS);
      return { token, expiresAt: record.expiresAt, user };
    },
    async logOut({ user, token }) {
      await deps.tokens.revoke(user.id, token.id);
    },
    identify(token) {
      const record = deps.tokens.find(token);
      const user = record ? deps.users.byId(record.userId) : undefined;
      return record && user ? { user, token: record } : undefined;
    },
  };
}
