/** @module The invocation envelope as it arrives over HTTP, and the response as it leaves, for test-invokes and endpoint calls. */
import type { Response } from 'express';
import { z } from 'zod';
import { errorCatalogue } from '../runtime/errors.ts';
import type { InvokeResponse } from '../runtime/protocol.ts';
import type { InvocationEnvelope } from './app-runtime.ts';
import { validate } from './http.ts';

const entriesSchema = z.record(z.string(), z.unknown());
const envelopeSchema = z.strictObject({
  input: z.unknown().optional(),
  cache: entriesSchema.optional(),
  precomputed: entriesSchema.optional(),
});

/** The envelope in a request body; no body at all is an empty envelope (input null). */
export function readEnvelope(body: unknown): InvocationEnvelope {
  return validate(envelopeSchema, body ?? {}, 'envelope');
}

/** 200 with the output, or the error's own status; `logs` (the functions' console output) only for the owner's test-invokes. */
export function sendInvocation(res: Response, response: InvokeResponse, withLogs: boolean): void {
  const logs = withLogs ? { logs: response.logs } : {};
  if (!response.ok) {
    res.status(errorCatalogue[response.error.code].status).json({ error: response.error, ...logs, stats: response.stats });
    return;
  }
  const { output, key, cache, stats } = response;
  res.json({ output, key, ...(cache ? { cache } : {}), ...logs, stats });
}
