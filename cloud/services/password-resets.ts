/** @module Password resets: a mailed single-use link, the new password's strength, and every session and API token revoked after. */
import type { Logger } from 'pino';
import { EdgeError } from '../../base/errors.ts';
import type { UserRecord } from '../data.ts';
import type { Mailer } from '../mailer.ts';
import { assertStrongPassword, hashPassword } from '../passwords.ts';
import type { ResetStore } from '../stores/resets.ts';
import type { TokenStore } from '../stores/tokens.ts';
import type { UserStore } from '../stores/users.ts';

const RESET_TTL_MS = 60 * 60 * 1000;

export interface PasswordResetServiceDeps {
  users: Pick<UserStore, 'byEmail' | 'byId' | 'setPasswordHash'>;
  resets: Pick<ResetStore, 'create' | 'userOf' | 'consume'>;
  tokens: Pick<TokenStore, 'revokeAll'>;
  mailer: Pick<Mailer, 'send'>;
  /** Where people reach the cloud, for the link in the mail; known only once it listens. */
  publicUrl: () => string;
  logger: Pick<Logger, 'error'>;
}

export interface PasswordResetService {
  /** Mails a reset link when an account has the address; returns at once either way, so its timing tells nothing. */
  request(email: string): void;
  /** Uses up the reset token, sets the password and revokes every session and API token of the account. */
  confirm(token: string, password: string): Promise<void>;
}

const invalidToken = () => new EdgeError('RESET_TOKEN_INVALID', 'this reset link is unknown, used already or expired; ask for a new one');

/**
 * The password reset service over the stores and the mailer.
 * @example resets.request('ada@example.com'); await resets.confirm(tokenFromTheMail, 'correct horse battery')
 */
export function passwordResetService(deps: PasswordResetServiceDeps): PasswordResetService {
  async function mailResetLink(user: UserRecord): Promise<void> {
    const token = await deps.resets.create(user.id, RESET_TTL_MS);
    // The console's reset page (console/pages/reset-password.tsx). The token rides in the fragment, which a browser
    // never sends: not in the page's request, not in a Referer, so no server or proxy log holds it.
    const link = `${deps.publicUrl()}/reset-password#token=${encodeURIComponent(token)}`;
    const text = [
      `Someone, hopefully you, asked to reset the password of the edgecourier account ${user.email}.`,
      '',
      'To choose a new password, open this link within an hour. It works once:',
      link,
      '',
      'Setting a new password also logs out every session and revokes every API token of the account:',
      'log in again with `edgecourier login`, and give couriers new tokens.',
      '',
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ].join('\n');
    await deps.mailer.send({ to: user.email, subject: 'Reset your edgecourier password', text });
  }

  return {
    request(email) {
      const user = deps.users.byEmail(email);
      // Not awaited: the answer must come as fast for an account as for an unknown address.
      if (user) mailResetLink(user).catch((error: unknown) => deps.logger.error({ err: error, userId: user.id }, 'could not send a reset mail'));
    },
    async confirm(token, password) {
      // A weak password leaves the link usable, so the person can try another.
      const user = deps.users.byId(deps.resets.userOf(token) ?? '');
      if (!user) throw invalidToken();
      await assertStrongPassword(password, user.email);
      const passwordHash = await hashPassword(password);
      // Consumed after the slow hash, so of two racing confirmations only one sets a password.
      const userId = await deps.resets.consume(token);
      if (!userId) throw invalidToken();
      await deps.users.setPasswordHash(userId, passwordHash);
      await deps.tokens.revokeAll(userId);
    },
  };
}
