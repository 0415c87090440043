/**
 * @module What the invoker tells a trigger about each call of a call tree, the top one and every nested `ctx.call`,
 * when the trigger asks (`InvokeOptions.onCall`): the cloud makes an activation record of each. Nothing is traced
 * unless asked, so a trigger that keeps no records pays nothing for it.
 */
import type { ErrorBody } from '../base/errors.ts';
import type { LogEntry } from './protocol.ts';

/** How a call was answered: its body ran, or a result the caller sent (`precomputed`) or an earlier response returned (`cache`) stood in for it. */
export type CallSource = 'executed' | 'cache' | 'precomputed';

/** One call of a tree, as it ended. */
export interface CallTrace {
  /** Its place in the tree: 0 for the top call, then 1, 2, … in the order the calls began. */
  index: number;
  /** The index of the call whose `ctx.call` made it; undefined for the top call. */
  parent?: number;
  fn: string;
  /** The function's version, as in its call keys; undefined when the app has no such function. */
  version?: string;
  /** When it began, in milliseconds since the epoch. */
  startedAt: number;
  durationMs: number;
  /** Undefined when it failed before it could be answered at all (no such function, a chain too deep). */
  source?: CallSource;
  /** Set when it failed. */
  error?: ErrorBody;
  /** The console lines of its own body (none for a result that stood in), capped as the protocol caps them. */
  logs: readonly LogEntry[];
  /** For a call whose body ran and had to prepare a sandbox first: how long that took. */
  coldStartMs?: number;
  /** For a call whose body ran: the most memory it was seen to hold (docs/functions.md says what is counted). */
  peakMemoryBytes?: number;
  /** Size of its input as JSON. */
  inputBytes?: number;
  /** Size of its output as JSON, for a call whose body ran and answered. */
  outputBytes?: number;
}

/** Told about each call when it ends: nested calls before the call that made them. */
export type CallObserver = (trace: CallTrace) => void;
