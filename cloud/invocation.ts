/** @module The invocation envelope as it arrives over HTTP, and the response as it leaves, for test-invokes and endpoint calls. */
import type { Response } from 'express';
import { z } from 'zod';
import { errorCatalogue, isPlatformError, type ErrorBody, type ErrorCode } from '../base/errors.ts';
import { invocationFields } from '../runtime/invocation-service.ts';
import type { CallEntries, InvokeResponse } from '../runtime/protocol.ts';
import type { InvocationEnvelope } from './app-runtime.ts';
import { httpStatusOf } from './http-status.ts';
import type { AppRecord } from './data.ts';
import { validate } from './http.ts';

/** The invocation envelope of a request body: the invocation's fields, the function named by the URL; no body at all is an empty envelope (input null). */
export const envelopeSchema = z.preprocess((body) => body ?? {}, z.strictObject(invocationFields));

/** The envelope of an endpoint call, whose body is read outside Express (routes/run.ts). */
export function readEnvelope(body: unknown): InvocationEnvelope {
  return validate(envelopeSchema, body, 'envelope');
}

/** Tells the call keys of the app's public functions: a key starts with `<function name>@`, and names hold no "@". */
function isPublicKey(app: AppRecord): (key: string) => boolean {
  const prefixes = app.functions.filter((fn) => fn.public).map((fn) => `${fn.name}@`);
  return (key) => prefixes.some((prefix) => key.startsWith(prefix));
}

function publicEntries(app: AppRecord, entries: CallEntries | undefined): CallEntries | undefined {
  if (!entries) return undefined;
  const isPublic = isPublicKey(app);
  return Object.fromEntries(Object.entries(entries).filter(([key]) => isPublic(key)));
}

/**
 * The envelope of a caller other than the app's owner, without results of private functions. Marking a
 * function public lets anyone download it and so substitute its result; a private function's result must
 * come from the cloud, or a caller could forge, say, an access check it makes.
 */
export function strangerEnvelope(app: AppRecord, envelope: InvocationEnvelope): InvocationEnvelope {
  return { input: envelope.input, cache: publicEntries(app, envelope.cache), precomputed: publicEntries(app, envelope.precomputed) };
}

/**
 * An error as a caller other than the app's owner sees it. Only a function's own error keeps its words (the
 * first line, without the stack's host paths): its owner wrote them. Any other message may hold host paths,
 * an install log, or names of the app and its private functions; strangers get the catalogue's summary.
 */
export function strangerError(error: ErrorBody): ErrorBody {
  if (error.code === 'FUNCTION_THREW') return { code: error.code, message: error.message.split('\n', 1)[0]! };
  return { code: error.code, message: errorCatalogue[error.code].summary };
}

/** The response as a caller other than the owner sees it: cache entries of public functions only, and the error as strangerError tells it. */
export function strangerResponse(app: AppRecord, response: InvokeResponse): InvokeResponse {
  if (!response.ok) return { ...response, error: strangerError(response.error) };
  return response.cache ? { ...response, cache: publicEntries(app, response.cache) } : response;
}

/** Seconds a caller refused for a platform reason (BUSY above all) is asked to wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

/** The headers of an answer that failed with `code`: platform failures ask the caller to come back later. */
export function retryHeaders(code: ErrorCode): Record<string, string> {
  return isPlatformError(code) ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
}

export interface InvocationReply {
  status: number;
  body: object;
  headers: Record<string, string>;
}

/** 200 with the output, or the error's own status; `logs` (the functions' console output) only for the owner's test-invokes. */
export function invocationReply(response: InvokeResponse, withLogs: boolean): InvocationReply {
  const logs = withLogs ? { logs: response.logs } : {};
  if (!response.ok) {
    const { code } = response.error;
    return { status: httpStatusOf(code), body: { error: response.error, ...logs, stats: response.stats }, headers: retryHeaders(code) };
  }
  const { output, key, cache, stats } = response;
  return { status: 200, body: { output, key, ...(cache ? { cache } : {}), ...logs, stats }, headers: {} };
}

export function sendInvocation(res: Response, response: InvokeResponse, withLogs: boolean): void {
  const { status, body, headers } = invocationReply(response, withLogs);
  res.status(status).set(headers).json(body);
}
