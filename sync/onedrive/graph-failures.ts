/** @module What a failed or unexpected Microsoft Graph answer becomes: a RetryableError when trying again can help, else an error that says what failed. */
import { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { classifyHttpFailure, RetryableError } from '../retry.ts';

/** A Graph answer that trying again will not change, with its HTTP status. */
export class GraphRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GraphRequestError';
  }
}

/** A failed HTTP answer to `what` (a phrase such as 'download a/b.json'). */
export function httpFailure(what: string, status: number, headers: { get(name: string): string | null }, body: string, cause?: unknown): Error {
  return (
    classifyHttpFailure(status, headers, body) ??
    new GraphRequestError(status, `Microsoft Graph refused to ${what}: HTTP ${status} ${body.slice(0, 300)}`, { cause })
  );
}

/** The SDK's GraphError as httpFailure has it; anything else stays as it is. */
export function fromGraphError(error: unknown, what: string): unknown {
  if (!(error instanceof GraphError)) return error;
  // Status -1 with a TypeError is how the SDK reports that fetch itself failed: no answer at all.
  if (error.statusCode === -1) return error.code === 'TypeError' ? new RetryableError(`no answer from Microsoft Graph (${error.message})`) : error;
  // The SDK keeps the error's body as JSON text.
  return httpFailure(what, error.statusCode, error.headers ?? new Headers(), typeof error.body === 'string' ? error.body : '', error);
}

/** An answer checked against the shape the back end relies on. */
export function answer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`Microsoft Graph gave an unexpected answer to "${what}": ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
