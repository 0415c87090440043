/** @module Who is calling: a bearer token or the session cookie, checked once per request. */
import type { RequestHandler, Response } from 'express';
import { EdgeError } from '../base/errors.ts';
import type { Caller, SessionService } from './services/sessions.ts';

export const SESSION_COOKIE = 'ec_session';

/** The caller a bearer token (the Authorization header) or a session cookie names, when it is valid. */
export function findCaller(
  sessions: Pick<SessionService, 'identify'>,
  authorization: string | undefined,
  sessionCookie: string | undefined,
): Caller | undefined {
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : undefined;
  const token = bearer || sessionCookie;
  return token ? sessions.identify(token) : undefined;
}

/** Reads the caller into `res.locals.caller` when the token is valid; it rejects nothing itself. */
export function identifyCaller(sessions: Pick<SessionService, 'identify'>): RequestHandler {
  return (req, res, next) => {
    const caller = findCaller(sessions, req.headers.authorization, (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE]);
    if (caller) res.locals.caller = caller;
    next();
  };
}

/** The caller, if any. */
export function callerOf(res: Response): Caller | undefined {
  return res.locals.caller as Caller | undefined;
}

/** The caller of a route that needs one; throws UNAUTHORIZED otherwise. */
export function requireCaller(res: Response): Caller {
  const caller = callerOf(res);
  if (!caller) throw new EdgeError('UNAUTHORIZED', 'log in first: send "Authorization: Bearer <token>" with a session or API token');
  return caller;
}

/** The caller of an operator-only route; throws UNAUTHORIZED without a caller and FORBIDDEN for anyone else. */
export function requireOperator(res: Response): Caller {
  const caller = requireCaller(res);
  if (caller.user.role !== 'operator')
    throw new EdgeError('FORBIDDEN', "this route is for operators: accounts made operators on the cloud's host with `edgecourier cloud operators add <email>`");
  return caller;
}
