/** @module Password resets: asking for a mailed link, and setting the new password with its token (the console's reset page calls both). */
import { z } from 'zod';
import type { CloudDeps } from '../deps.ts';
import { attemptLimits } from '../rate-limit.ts';
import { passwordSchema } from '../passwords.ts';
import { route, type Route } from '../route.ts';
const ACCEPTED = 'if an account has that address, a mail with a reset link is on its way; it works for one hour';

const requestSchema = z.object({ email: z.email().max(254) });
const confirmSchema = z.object({ token: z.string().min(1).max(200), password: passwordSchema });

/**
 * POST /password-resets and POST /password-resets/confirm.
 * @example app.use('/api/v1', routerOf(passwordResetRoutes(deps)))
 */
export function passwordResetRoutes(deps: Pick<CloudDeps, 'passwordResets' | 'logger' | 'attemptsPerMinute'>): Route[] {
  const logger = deps.logger.child({ component: 'password-resets' });

  return [
    route({
      method: 'post',
      path: '/password-resets',
      summary: 'Ask for a mail with a link to reset the password',
      auth: 'anyone',
      use: attemptLimits({ perMinute: deps.attemptsPerMinute, logger, perAddress: true }),
      body: requestSchema,
      answers: { 202: '`{ message }`, the same whether or not the address has an account' },
      errors: ['RATE_LIMITED', 'STORAGE_FULL'],
      handle({ body: { email } }, _req, res) {
        deps.passwordResets.request(email);
        res.status(202).json({ message: ACCEPTED });
      },
    }),
    route({
      method: 'post',
      path: '/password-resets/confirm',
      summary: "Set a new password with the mailed link's token; every session and API token of the account is revoked",
      auth: 'anyone',
      body: confirmSchema,
      answers: { 204: 'the password is changed' },
      errors: ['RESET_TOKEN_INVALID', 'WEAK_PASSWORD', 'STORAGE_FULL'],
      async handle({ body: { token, password } }, _req, res) {
        await deps.passwordResets.confirm(token, password);
        res.status(204).end();
      },
    }),
  ];
}
