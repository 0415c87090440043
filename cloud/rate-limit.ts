/** @module Limits on log-in and reset attempts: so many a minute per client IP and per email address. */
import type { Request, RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import type { Logger } from 'pino';
import { EdgeError } from '../runtime/errors.ts';

const WINDOW_MS = 60_000;

/** Longer than any address; bigger "addresses" are left to the body's validation rather than kept as keys. */
const MAX_KEY_LENGTH = 320;

/** The address an attempt is about, compared as accounts compare addresses (case-insensitively). */
function addressOf(req: Request): string | undefined {
  const email: unknown = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string' || email.length > MAX_KEY_LENGTH) return undefined;
  return email.trim().toLowerCase();
}

/**
 * Two limiters, per client IP and per address, each allowing `perMinute` attempts in a fixed minute.
 * express-rate-limit rather than a hand-written counter: its default key groups IPv6 clients by /56
 * subnet, so one host cannot walk its own address range to escape the limit.
 * @example router.post('/sessions', ...attemptLimits(10, logger), login)
 */
export function attemptLimits(perMinute: number, logger: Logger): RequestHandler[] {
  const common: Partial<Options> = {
    windowMs: WINDOW_MS,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
  };
  const limited = (message: string): Options['handler'] => (_req, _res, next) => next(new EdgeError('RATE_LIMITED', message));
  return [
    rateLimit({ ...common, handler: limited('too many attempts from your network; wait a minute and try again') }),
    rateLimit({
      ...common,
      skip: (req) => addressOf(req) === undefined,
      keyGenerator: (req) => `address:${addressOf(req)}`,
      handler: limited('too many attempts for this email address; wait a minute and try again'),
    }),
  ];
}
