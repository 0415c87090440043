/**
 * @module Retry chains: a request whose run failed for the platform's sake (BUSY, SANDBOX_FAILED, ...)
 * is tried again with back-off, for a bound, before its last error becomes its result. A function's
 * own failure ends the chain at once. One chain per request path, for one content: an edit starts over.
 */
import { isPlatformError, type ErrorBody } from '../base/errors.ts';

export interface RetryPolicy {
  /** How long after its first try a request that keeps failing for the platform's sake is tried again; 0 makes such failures final at once. */
  retryForMs: number;
  /** The first wait; each later one doubles, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** For tests; Math.random and Date.now otherwise. */
  random?: () => number;
  now?: () => number;
}

export const defaultRetryPolicy: RetryPolicy = { retryForMs: 5 * 60_000, firstDelayMs: 500, maxDelayMs: 30_000 };

/** What a request's pending file says about its retries. */
export interface RetryState {
  /** Tries made so far. */
  attempts: number;
  /** The last try's platform failure. */
  lastError: ErrorBody;
  nextTryAt: string;
  /** After this a platform failure is final. */
  retryUntil: string;
}

export type RetryDecision =
  | { kind: 'retry'; delayMs: number; state: RetryState; since: string; first: boolean }
  /** The result stands; `error` is the one to write (a platform failure past the bound says so), `attempts` counts every try of this content. */
  | { kind: 'final'; error?: ErrorBody; attempts: number };

interface Chain {
  hash: string;
  attempts: number;
  startedAt: number;
  nextTryAt: number;
  state: RetryState;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class RetryChains {
  #policy: RetryPolicy;
  #chains = new Map<string, Chain>();

  constructor(policy: RetryPolicy) {
    this.#policy = policy;
  }

  /** Requests in a chain: waiting for their next try, or on it. */
  get size(): number {
    return this.#chains.size;
  }

  get retryForMs(): number {
    return this.#policy.retryForMs;
  }

  /** Decides what a finished try of `hash` at `path` (started at `startedAt`, a Date.now() time) leads to. */
  settle(path: string, hash: string, error: ErrorBody | undefined, startedAt: number): RetryDecision {
    const earlier = this.#chains.get(path);
    const chain = earlier?.hash === hash ? earlier : undefined;
    const attempts = (chain?.attempts ?? 0) + 1;
    if (!error || !isPlatformError(error.code)) {
      this.#chains.delete(path);
      return { kind: 'final', error, attempts };
    }
    const now = (this.#policy.now ?? Date.now)();
    const firstStart = chain?.startedAt ?? startedAt;
    const left = firstStart + this.#policy.retryForMs - now;
    if (left <= 0) {
      this.#chains.delete(path);
      if (this.#policy.retryForMs === 0) return { kind: 'final', error, attempts };
      const note = ` (a platform failure: tried ${attempts === 1 ? 'once' : `${attempts} times`} over ${seconds(now - firstStart)}; the courier retries for ${seconds(this.#policy.retryForMs)})`;
      return { kind: 'final', error: { code: error.code, message: error.message + note }, attempts };
    }
    const { firstDelayMs, maxDelayMs, random = Math.random } = this.#policy;
    const full = Math.min(firstDelayMs * 2 ** (attempts - 1), maxDelayMs);
    // Half fixed, half random: requests refused together (a BUSY flood) come back spread out, never sooner than half the step.
    // The last try falls on the bound itself, so a bound shorter than a step still gets its try.
    const delayMs = Math.max(1, Math.round(Math.min(full / 2 + (random() * full) / 2, left)));
    const state: RetryState = {
      attempts,
      lastError: error,
      nextTryAt: new Date(now + delayMs).toISOString(),
      retryUntil: new Date(firstStart + this.#policy.retryForMs).toISOString(),
    };
    this.#chains.set(path, { hash, attempts, startedAt: firstStart, nextTryAt: now + delayMs, state });
    return { kind: 'retry', delayMs, state, since: new Date(firstStart).toISOString(), first: attempts === 1 };
  }

  /** Milliseconds until `hash` at `path` is due for its next try; undefined when it is not waiting (no chain, another content, or due). */
  waiting(path: string, hash: string): number | undefined {
    const chain = this.#chains.get(path);
    if (chain?.hash !== hash) return undefined;
    const left = chain.nextTryAt - (this.#policy.now ?? Date.now)();
    return left > 0 ? left : undefined;
  }

  /** The retry state of `hash` at `path`, for the pending file while its next try runs. */
  state(path: string, hash: string): RetryState | undefined {
    const chain = this.#chains.get(path);
    return chain?.hash === hash ? chain.state : undefined;
  }

  /** Whether `path` has a chain, of any content: its pending file says so and must go when it ends. */
  has(path: string): boolean {
    return this.#chains.has(path);
  }

  /** The request is gone: its chain ends with no result. Returns whether it had one. */
  drop(path: string): boolean {
    return this.#chains.delete(path);
  }
}
