/** @module Limits on sign-up, log-in and reset attempts: per client IP, per address from one client, and optionally per address. */
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Logger } from 'pino';
import { EdgeError } from '../base/errors.ts';

const WINDOW_MS = 60_000;

/** By default a client may try this many times as many addresses as one address: a few people behind one NAT, not a password spray. */
const CLIENT_FACTOR = 3;

/** Longer than any address; bigger "addresses" are left to the body's validation rather than kept as keys. */
const MAX_KEY_LENGTH = 320;

/** The address an attempt is about, compared as accounts compare addresses (case-insensitively). */
function addressOf(req: Request): string | undefined {
  const email: unknown = (req.body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string' || email.length > MAX_KEY_LENGTH) return undefined;
  return email.trim().toLowerCase();
}

export interface AttemptLimitOptions {
  /** Attempts a minute for one address from one client. */
  perMinute: number;
  /** Attempts a minute from one client over all addresses; CLIENT_FACTOR times `perMinute` unless set. */
  perClient?: number;
  logger: Logger;
  /**
   * Also limit one address over all clients to `perMinute`. Right for reset mails, whose flood would fill an inbox;
   * wrong for log-ins, where strangers anywhere could lock the owner out.
   */
  perAddress?: boolean;
}

/**
 * Rate limiters for an attempt route, each allowing so many attempts in a fixed minute.
 * express-rate-limit rather than a hand-written counter: its IP keys group IPv6 clients by /56
 * subnet, so one host cannot walk its own address range to escape the limit.
 * @example router.post('/sessions', ...attemptLimits({ perMinute: 10, logger }), login)
 */
export function attemptLimits({ perMinute, perClient = perMinute * CLIENT_FACTOR, logger, perAddress = false }: AttemptLimitOptions): RequestHandler[] {
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
  const limited =
    (message: string): Options['handler'] =>
    (_req, _res, next) =>
      next(new EdgeError('RATE_LIMITED', message));
  const noAddress = (req: Request) => addressOf(req) === undefined;
  const limiters = [
    rateLimit({ ...common, limit: perClient, handler: limited('too many attempts from your network; wait a minute and try again') }),
    rateLimit({
      ...common,
      skip: noAddress,
      keyGenerator: (req) => `client-address:${ipKeyGenerator(req.ip ?? '')} ${addressOf(req)}`,
      handler: limited('too many attempts for this email address from your network; wait a minute and try again'),
    }),
  ];
  if (!perAddress) return limiters;
  return [
    ...limiters,
    rateLimit({
      ...common,
      // Its count is everyone's attempts for the address: in a RateLimit header it would tell anyone that the address's owner just asked for a mail.
      standardHeaders: false,
      skip: noAddress,
      keyGenerator: (req) => `address:${addressOf(req)}`,
      handler: limited('too many attempts for this email address; wait a minute and try again'),
    }),
  ];
}
