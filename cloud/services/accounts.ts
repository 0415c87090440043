/** @module Accounts: signing up with a password hard to guess, one account per address. */
import { EdgeError } from '../../base/errors.ts';
import type { UserRecord } from '../data.ts';
import { assertStrongPassword, hashPassword } from '../passwords.ts';
import type { UserStore } from '../stores/users.ts';

export interface AccountServiceDeps {
  users: Pick<UserStore, 'byEmail' | 'create'>;
  /** Told of each account made, once stored. */
  onSignUp?: (email: string) => void;
}

export interface AccountService {
  /** A new account; WEAK_PASSWORD and EMAIL_TAKEN say why not. */
  signUp(email: string, password: string): Promise<UserRecord>;
}

/**
 * The account service over the user store.
 * @example const user = await accountService({ users }).signUp('ada@example.com', 'correct horse battery')
 */
export function accountService(deps: AccountServiceDeps): AccountService {
  return {
    async signUp(email, password) {
      await assertStrongPassword(password, email);
      const passwordHash = await hashPassword(password);
      // Checked after the slow hash, right before the (synchronous) insert, so two racing sign-ups cannot both pass.
      if (deps.users.byEmail(email)) throw new EdgeError('EMAIL_TAKEN', 'an account with that email address exists; log in or reset its password');
      const user = await deps.users.create(email, passwordHash);
      deps.onSignUp?.(user.email);
      return user;
    },
  };
}
