/** @module Retries transient failures of remote calls (both sync back ends): exponential backoff with full jitter, or the server's own delay. */
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A failure worth trying again; `retryAfterMs` is the delay the server asked for (Retry-After), if any.
 * @example throw new RetryableError('HTTP 429 too_many_requests', 2000)
 */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

export interface RetryInfo {
  what: string;
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** Ceiling of the first backoff (default 500 ms); it doubles on each retry up to `maxDelayMs`. */
  baseDelayMs?: number;
  /** Ceiling of any backoff (default 30 s); a server-given delay is honoured even when longer. */
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
}

/** Socket-level failures that say nothing about the request itself. */
const transientCodes = new Set(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * True for a failure of the connection rather than of the request: a socket error code on the error or its
 * causes (node-fetch sets `code`; Node's fetch throws `TypeError('fetch failed')` with the socket error as cause).
 */
export function isNetworkFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && transientCodes.has(code)) return true;
    if (current.message === 'fetch failed') return true;
  }
  return false;
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Turns a failed HTTP answer into a RetryableError when trying again can help: 429 and 5xx (with the
 * Retry-After delay of a 429 or 503). Other statuses give `undefined`: the caller reports them as they are.
 */
export function classifyHttpFailure(status: number, headers: { get(name: string): string | null }, bodyText: string): RetryableError | undefined {
  if (status !== 429 && status < 500) return undefined;
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers.get('retry-after')) : undefined;
  const detail = bodyText.trim().slice(0, 200);
  return new RetryableError(`HTTP ${status}${detail ? `: ${detail}` : ''}`, retryAfterMs);
}

/**
 * Runs `attempt` until it succeeds, retrying RetryableErrors and network failures; anything else, or the
 * last failure once `retries` are spent, is thrown as it is. An abort of `signal` ends the wait at once.
 * @example const list = await withRetry('list', () => api.list(), { onRetry: (i) => log(`${i.what}: ${i.reason}`) })
 */
export async function withRetry<T>(what: string, attempt: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 5, baseDelayMs = 500, maxDelayMs = 30_000, signal, onRetry } = options;
  for (let failures = 0; ; failures++) {
    signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof RetryableError || isNetworkFailure(error);
      if (!retryable || failures >= retries || signal?.aborted) throw error;
      const serverDelay = error instanceof RetryableError ? error.retryAfterMs : undefined;
      const delayMs = serverDelay ?? Math.round(Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** failures));
      onRetry?.({ what, attempt: failures + 1, delayMs, reason: error instanceof Error ? error.message : String(error) });
      await sleep(delayMs, undefined, { signal });
    }
  }
}
