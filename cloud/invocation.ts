/** @module The invocation envelope as it arrives over HTTP, and the response as it leaves, for test-invokes and endpoint calls. */
import type { Response } from 'express';
import { z } from 'zod';
import { ACTIVATION_HEADER } from '../api/activations.ts';
import { isPlatformError, type ErrorCode } from '../base/errors.ts';
import { invocationFields } from '../runtime/invocation-service.ts';
import type { Activated, InvocationEnvelope } from './app-runtime.ts';
import { httpStatusOf } from './http-status.ts';
import { validate } from './http.ts';

/** The invocation envelope of a request body: the invocation's fields, the function named by the URL; no body at all is an empty envelope (input null). */
export const envelopeSchema = z.preprocess((body) => body ?? {}, z.strictObject(invocationFields));

/** The envelope of an endpoint call, whose body is read outside Express (routes/run.ts). */
export function readEnvelope(body: unknown): InvocationEnvelope {
  return validate(envelopeSchema, body, 'envelope');
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

/** The header naming the response's activation; none when records are off. */
export function activationHeaders(response: Activated): Record<string, string> {
  return response.activationId ? { [ACTIVATION_HEADER]: response.activationId } : {};
}

/**
 * 200 with the output, or the error's status: the one its thrown error asked for (`statusCode`, 400–599), else
 * its code's; `logs` (the functions' console output) only for the owner's test-invokes; the activation's id in a
 * header and in the body.
 */
export function invocationReply(response: Activated, withLogs: boolean): InvocationReply {
  const logs = withLogs ? { logs: response.logs } : {};
  const activation = response.activationId ? { activationId: response.activationId } : {};
  if (!response.ok) {
    const { code, statusCode } = response.error;
    const body = { error: response.error, ...logs, stats: response.stats, ...activation };
    return { status: statusCode ?? httpStatusOf(code), body, headers: { ...retryHeaders(code), ...activationHeaders(response) } };
  }
  const { output, key, cache, stats } = response;
  return { status: 200, body: { output, key, ...(cache ? { cache } : {}), ...logs, stats, ...activation }, headers: activationHeaders(response) };
}

export function sendInvocation(res: Response, response: Activated, withLogs: boolean): void {
  const { status, body, headers } = invocationReply(response, withLogs);
  res.status(status).set(headers).json(body);
}
