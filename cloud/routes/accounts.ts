/** @module Accounts and sessions: signing up, logging in and out, and who am I. */
import type { CookieOptions, Request } from 'express';
import { z } from 'zod';
import { csrfTokenOf, csrfTokenOfRequest, SESSION_COOKIE } from '../auth.ts';
import type { CloudDeps } from '../deps.ts';
import { passwordSchema } from '../passwords.ts';
import { presentUser } from '../present.ts';
import { attemptLimits } from '../rate-limit.ts';
import { route, type Route } from '../route.ts';
import { SESSION_TTL_MS } from '../services/sessions.ts';

const signUpSchema = z.object({ email: z.email().max(254), password: passwordSchema });
const logInSchema = z.object({ email: z.string().max(320), password: z.string().max(200) });

/** Strict: no other site's page or link makes the browser send it; the console's own requests always do. */
function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure };
}

/**
 * POST /accounts, POST /sessions, GET and DELETE /sessions/current, and GET /me.
 * @example app.use('/api/v1', routerOf(accountRoutes(deps)))
 */
export function accountRoutes(deps: Pick<CloudDeps, 'accounts' | 'sessions' | 'logger' | 'attemptsPerMinute'>): Route[] {
  const logger = deps.logger.child({ component: 'accounts' });

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
        const user = await deps.accounts.signUp(email, password);
        logger.info({ userId: user.id }, 'account created');
        res.status(201).json({ user: presentUser(user) });
      },
    }),
    route({
      method: 'post',
      path: '/sessions',
      summary: 'Log in: a session token, also set as the session cookie, and its CSRF token',
      auth: 'anyone',
      use: attemptLimits({ perMinute: deps.attemptsPerMinute, logger }),
      body: logInSchema,
      answers: { 201: '`{ token, expiresAt, user, csrfToken }`, and the session cookie' },
      errors: ['INVALID_CREDENTIALS', 'RATE_LIMITED', 'STORAGE_FULL'],
      async handle({ body: { email, password } }, req, res) {
        const { token, expiresAt, user } = await deps.sessions.logIn(email, password);
        res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: SESSION_TTL_MS });
        res.status(201).json({ token, expiresAt, user: presentUser(user), csrfToken: csrfTokenOf(token) });
      },
    }),
    route({
      method: 'delete',
      path: '/sessions/current',
      summary: 'Log out: revoke the token used, a session or an API token, and clear the cookie',
      auth: 'user',
      answers: { 204: 'revoked' },
      errors: ['STORAGE_FULL'],
      async handle({ caller }, req, res) {
        await deps.sessions.logOut(caller);
        res.clearCookie(SESSION_COOKIE, cookieOptions(req));
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/sessions/current',
      summary: 'The session this request presents, if any: the web console asks so when it loads, and is told "nobody" without an error',
      auth: 'anyone',
      answers: { 200: '`{ user: { id, email, createdAt }, csrfToken }`, or `{ user: null }` without a valid session or token' },
      handle: ({ caller }, req, res) => res.json(caller ? { user: presentUser(caller.user), csrfToken: csrfTokenOfRequest(req.headers) } : { user: null }),
    }),
    route({
      method: 'get',
      path: '/me',
      summary: 'Who am I, and the CSRF token of the session or token used',
      auth: 'user',
      answers: { 200: '`{ user: { id, email, createdAt }, csrfToken }`' },
      handle: ({ caller }, req, res) => res.json({ user: presentUser(caller.user), csrfToken: csrfTokenOfRequest(req.headers) }),
    }),
  ];
}
