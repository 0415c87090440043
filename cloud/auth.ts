/** @module Who is calling: a bearer token or the session cookie, checked once per request, with the session's CSRF token on every change the cookie authenticates. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import { EdgeError } from '../base/errors.ts';
import type { Caller, SessionService } from './services/sessions.ts';

export const SESSION_COOKIE = 'ec_session';
/** The header in which a page sends its session's CSRF token with every request that changes something. */
export const CSRF_HEADER = 'x-csrf-token';
/** Methods that change nothing: a browser sends them cross-site freely, so they never need the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A session's CSRF token: a MAC of its secret token, so nothing more is stored, and only a page that can read the
 * cloud's answers (its own origin: no CORS is offered) learns it from a log-in or `GET /me`.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('edgecourier csrf token').digest('base64url');
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Who a request names: a caller, or the refusal of a cookie that came without its CSRF token on a change. */
export interface Identified {
  caller?: Caller;
  refusal?: EdgeError;
}

/** The token a request presents: a bearer token (the Authorization header) before the session cookie. */
function presentedToken(headers: IncomingHttpHeaders): { token?: string; byCookie: boolean } {
  const { authorization, cookie } = headers;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
  if (bearer) return { token: bearer, byCookie: false };
  return { token: cookie ? parseCookies(cookie)[SESSION_COOKIE] : undefined, byCookie: true };
}

/**
 * The caller a request's bearer token or session cookie names, when it is valid. A browser sends the cookie with
 * requests other sites' pages make, so the cookie authenticates a change (any method but GET, HEAD, OPTIONS) only
 * with its session's CSRF token in `X-CSRF-Token`; without it the request names no caller and says why.
 */
export function findCaller(sessions: Pick<SessionService, 'identify'>, method: string, headers: IncomingHttpHeaders): Identified {
  const { token, byCookie } = presentedToken(headers);
  const caller = token ? sessions.identify(token) : undefined;
  if (!caller || !byCookie || SAFE_METHODS.has(method.toUpperCase())) return { caller };
  const sent = headers[CSRF_HEADER];
  if (typeof sent === 'string' && sameText(sent, csrfTokenOf(token!))) return { caller };
  const refusal = new EdgeError(
    'CSRF_TOKEN_INVALID',
    `this ${method.toUpperCase()} came with the session cookie but without its CSRF token: send the "csrfToken" of the log-in or of GET /api/v1/me in the ${CSRF_HEADER} header, or use "Authorization: Bearer <token>"`,
  );
  return { refusal };
}

/** The CSRF token of the session or API token a request presents, for the answers that hand it to a page. */
export function csrfTokenOfRequest(headers: IncomingHttpHeaders): string | undefined {
  const { token } = presentedToken(headers);
  return token && csrfTokenOf(token);
}

/** Reads the caller into `res.locals.caller` when the token is valid, or the cookie's refusal; it rejects nothing itself. */
export function identifyCaller(sessions: Pick<SessionService, 'identify'>): RequestHandler {
  return (req, res, next) => {
    const { caller, refusal } = findCaller(sessions, req.method, req.headers);
    if (caller) res.locals.caller = caller;
    if (refusal) res.locals.refusal = refusal;
    next();
  };
}

/** The caller, if any. */
export function callerOf(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

/** The caller of a route that needs one; throws CSRF_TOKEN_INVALID for a cookie without its token, UNAUTHORIZED otherwise. */
export function requireCaller(res: Response): Caller {
  const caller = callerOf(res);
  if (caller) return caller;
  throw (
    (res.locals.refusal as EdgeError | undefined) ??
    new EdgeError('UNAUTHORIZED', 'log in first: send "Authorization: Bearer <token>" with a session or API token')
  );
}

/** The caller of an operator-only route; throws UNAUTHORIZED without a caller and FORBIDDEN for anyone else. */
export function requireOperator(res: Response): Caller {
  const caller = requireCaller(res);
  if (caller.user.role !== 'operator')
    throw new EdgeError('FORBIDDEN', "this route is for operators: accounts made operators on the cloud's host with `edgecourier cloud operators add <email>`");
  return caller;
}
