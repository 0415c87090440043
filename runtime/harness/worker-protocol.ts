/** @module Messages between the harness's main thread and the worker threads that run function bodies. */
import type { CallResult, LogEntry } from '../protocol.ts';

/**
 * A worker serves one call tree at a time: its top call and every nested call of that tree, which run
 * side by side in it while their callers await them. It imports each function module once and keeps it.
 */
export type ToWorker =
  | { t: 'invoke'; id: string; fn: string; file: string; input: unknown; timeoutMs: number }
  | { t: 'call-result'; callId: number; result: CallResult }
  /** The call took too long to start: its body must not start any more. */
  | { t: 'cancel'; id: string };

export type FromWorker =
  /** The body starts now: from here on its own time (`timeoutMs`) runs. */
  | { t: 'started'; id: string }
  | { t: 'call'; id: string; callId: number; fn: string; input: unknown }
  /**
   * `json` is the serialised CallResult, so the main thread forwards it without parsing it again.
   * `abandoned` says the body was still running when the answer was given (its time ran out while it
   * awaited something): the worker must not serve another tree after this one.
   */
  | { t: 'result'; id: string; json: string; logs: LogEntry[]; abandoned?: boolean };
