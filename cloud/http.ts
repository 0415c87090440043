/** @module The cloud's one error boundary, and input validation that turns zod issues into INVALID_INPUT. */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import { httpStatusOf } from './http-status.ts';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../runtime/json-depth.ts';
import { describeIssues } from '../base/zod-issues.ts';

/**
 * Parses untrusted input where it enters; `what` names it in the message ("body", "query").
 * @example const { email } = validate(credentialsSchema, req.body, 'body')
 */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what = 'body'): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new EdgeError('INVALID_INPUT', describeIssues(what, parsed.error));
  return parsed.data;
}

/**
 * The bytes of a request body that is a file, checked before any is read: not compressed, and no longer than `maxBytes`
 * by its Content-Length (a body sent without one is counted as it arrives, by whoever reads it). A reader that stops
 * early leaves the request open, so the refusal still reaches the client.
 */
export function requestBytes(req: Request, maxBytes: number): AsyncIterable<Uint8Array> {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding !== 'identity') throw new EdgeError('INVALID_INPUT', 'the request body is compressed; send the bytes as they are');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw bodyErrors.tooLarge(maxBytes);
  return req.iterator({ destroyOnReturn: false });
}

/**
 * Reads what is left of a request body and throws it away: a client still sending when it is refused would otherwise
 * never see the answer (its upload stalls, or the connection is reset under it). As Express's body parser does.
 */
export function drain(req: Request): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.once('end', resolve).once('close', resolve).once('error', resolve).resume();
  });
}

export const routeNotFound: RequestHandler = (req) => {
  throw new EdgeError('NOT_FOUND', `no route ${req.method} ${req.path}`);
};

/** What a bad request body is told, by Express's body parser and by the /run handler alike. */
export const bodyErrors = {
  invalidJson: () => new EdgeError('INVALID_JSON', 'the request body is not valid JSON'),
  tooLarge: (limit: number | undefined) => new EdgeError('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`),
  unsupportedEncoding: () => new EdgeError('INVALID_INPUT', 'the request body has an unsupported encoding; send uncompressed UTF-8 JSON'),
  tooDeep: () => new EdgeError('INVALID_INPUT', `the request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`),
  unreadable: (reason: string) => new EdgeError('INVALID_INPUT', `the request body could not be read: ${reason}`),
};

/** Runs after the body parser: a value nested this deep would overflow the stack of whatever serialises or hashes it. */
export const rejectDeepBodies: RequestHandler = (req, _res, next) => {
  if (nestedDeeperThan(req.body)) throw bodyErrors.tooDeep();
  next();
};

/** The answer to an error nobody expected; the details go to the log only. */
export const internalErrorBody = { error: { code: 'INTERNAL_ERROR', message: 'something went wrong on our side' } };

/** What the body parser and the router throw carries a 4xx `status` (and the parser a `type`): the client's fault, and said so. */
interface LibraryError {
  type?: string;
  limit?: number;
  status?: number;
  expose?: boolean;
  message?: string;
}

function clientError(error: LibraryError): EdgeError | undefined {
  const { status } = error;
  if (error.type === 'entity.parse.failed') return bodyErrors.invalidJson();
  if (error.type === 'entity.too.large') return bodyErrors.tooLarge(error.limit);
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') return bodyErrors.unsupportedEncoding();
  // The router's only 4xx: a path parameter that is not valid %-encoding.
  if (error instanceof URIError && status === 400) return new EdgeError('INVALID_INPUT', 'the URL path has a malformed %-escape');
  // The parser's others (a body shorter or longer than its Content-Length, an aborted upload) say what went wrong in words meant for a client.
  if (error.expose === true && typeof status === 'number' && status >= 400 && status < 500) return bodyErrors.unreadable(String(error.message));
  return undefined;
}

/** Known errors become their status and `{ error: { code, message } }`; anything else is logged and answered with a bare 500. */
export function errorBoundary(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error instanceof EdgeError ? error : clientError(error as LibraryError);
    if (known) {
      res.status(httpStatusOf(known.code)).json({ error: known.toBody() });
      return;
    }
    logger.error({ err: error, method: req.method, path: req.path }, 'unexpected error');
    res.status(500).json(internalErrorBody);
  };
}
