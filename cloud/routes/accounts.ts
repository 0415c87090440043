/** @module Accounts and sessions: signing up, logging in and out, and who am I. */
import bcrypt from 'bcryptjs';
import type { CookieOptions, Request } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import { SESSION_COOKIE } from '../auth.ts';
import type { UserRecord } from '../data.ts';
import type { CloudDeps } from '../deps.ts';
import { newToken } from '../ids.ts';
import { assertStrongPassword, hashPassword, passwordSchema } from '../passwords.ts';
import { attemptLimits } from '../rate-limit.ts';
import { route, type Route } from '../route.ts';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

const signUpSchema = z.object({ email: z.email().max(254), password: passwordSchema });
const logInSchema = z.object({ email: z.string().max(320), password: z.string().max(200) });

/** A user as the API shows it: never the password hash. */
function publicUser(user: UserRecord): { id: string; email: string; createdAt: string } {
  return { id: user.id, email: user.email, createdAt: user.createdAt };
}

function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: req.secure };
}

/**
 * POST /accounts, POST /sessions, DELETE /sessions/current and GET /me.
 * @example app.use('/api/v1', routerOf(accountRoutes(deps)))
 */
export function accountRoutes(deps: Pick<CloudDeps, 'users' | 'tokens' | 'logger' | 'attemptsPerMinute'>): Route[] {
  const logger = deps.logger.child({ component: 'accounts' });
  // Logging in as nobody still costs one bcrypt compare, against this, so the answer's timing does not tell who has an account.
  const dummyHash = hashPassword(newToken('dummy'));

  return [
    route({
      method: 'post',
      path: '/accounts',
      summary: 'Sign up',
      auth: 'anyone',
      // Limited like log-ins, but a client gets no more over all addresses: each sign-up costs a bcrypt hash and a stored account.
      use: attemptLimits({ perMinute: deps.attemptsPerMinute, perClient: deps.attemptsPerMinute, logger }),
      body: signUpSchema,
      answers: { 201: '`{ user: { id, email, createdAt } }`' },
      errors: ['WEAK_PASSWORD', 'EMAIL_TAKEN', 'RATE_LIMITED', 'STORAGE_FULL'],
      async handle({ body: { email, password } }, _req, res) {
        await assertStrongPassword(password, email);
        const passwordHash = await hashPassword(password);
        // Checked after the slow hash, right before the (synchronous) insert, so two racing sign-ups cannot both pass.
        if (deps.users.byEmail(email)) throw new EdgeError('EMAIL_TAKEN', 'an account with that email address exists; log in or reset its password');
        const user = await deps.users.create(email, passwordHash);
        logger.info({ userId: user.id }, 'account created');
        res.status(201).json({ user: publicUser(user) });
      },
    }),
    route({
      method: 'post',
      path: '/sessions',
      summary: 'Log in: a session token, also set as the session cookie',
      auth: 'anyone',
      use: attemptLimits({ perMinute: deps.attemptsPerMinute, logger }),
      body: logInSchema,
      answers: { 201: '`{ token, expiresAt, user }`, and the session cookie' },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED', 'STORAGE_FULL'],
      async handle({ body: { email, password } }, req, res) {
        const user = deps.users.byEmail(email);
        const matches = await bcrypt.compare(password, user?.passwordHash ?? (await dummyHash));
        if (!user || !matches) throw new EdgeError('INVALID_CREDENTIALS', 'wrong email address or password');
        const { record, token } = await deps.tokens.create(user.id, 'session', 'session', SESSION_TTL_MS);
        res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: SESSION_TTL_MS });
        res.status(201).json({ token, expiresAt: record.expiresAt, user: publicUser(user) });
      },
    }),
    route({
      method: 'delete',
      path: '/sessions/current',
      summary: 'Log out: revoke the token used, a session or an API token, and clear the cookie',
      auth: 'user',
      answers: { 204: 'revoked' },
      errors: ['STORAGE_FULL'],
      async handle({ caller: { user, token } }, req, res) {
        await deps.tokens.revoke(user.id, token.id);
        res.clearCookie(SESSION_COOKIE, cookieOptions(req));
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/me',
      summary: 'Who am I',
      auth: 'user',
      answers: { 200: '`{ user: { id, email, createdAt } }`' },
      handle: ({ caller }, _req, res) => res.json({ user: publicUser(caller.user) }),
    }),
  ];
}
