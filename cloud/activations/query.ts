/** @module Which activations a list or a follower asks for: by function, version, outcome, trigger and start time, and a page of them by `seq`. */
import type { ActivationOutcome, ActivationTrigger } from '../../api/activations.ts';
import type { ErrorCode } from '../../base/errors.ts';

export interface ActivationFilter {
  function?: string;
  version?: string;
  /** `ok`, `error` (any error) or one error's code. */
  outcome?: 'ok' | 'error' | ErrorCode;
  trigger?: ActivationTrigger;
  /** Milliseconds since the epoch: activations that began at or after `since`, and before `until`. */
  since?: number;
  until?: number;
}

export interface ActivationQuery extends ActivationFilter {
  /** Only activations of a smaller `seq` (the list's cursor: older ones). */
  before?: number;
  /** Only activations of a larger `seq` (a follower's: newer ones). */
  after?: number;
  /** At most this many, the newest first. */
  limit: number;
}

/** What the filter looks at, as the store's index holds it. */
export interface Filterable {
  function: string;
  version?: string;
  outcome: ActivationOutcome;
  trigger: ActivationTrigger;
  startMs: number;
}

export function matches(activation: Filterable, filter: ActivationFilter): boolean {
  const { outcome } = filter;
  if (filter.function !== undefined && activation.function !== filter.function) return false;
  if (filter.version !== undefined && activation.version !== filter.version) return false;
  if (filter.trigger !== undefined && activation.trigger !== filter.trigger) return false;
  if (outcome === 'error' ? activation.outcome === 'ok' : outcome !== undefined && activation.outcome !== outcome) return false;
  if (filter.since !== undefined && activation.startMs < filter.since) return false;
  return filter.until === undefined || activation.startMs < filter.until;
}
