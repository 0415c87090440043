/** @module Messages between the harness's main thread and the worker threads that run function bodies. */
import type { CallResult, LogEntry } from '../protocol.ts';

/**
 * A worker starts unbound, so one can be started before any app is known, and binds to the
 * function of its first invocation for the rest of its life.
 */
export type ToWorker =
  | { t: 'invoke'; id: string; fn: string; file: string; input: unknown }
  | { t: 'call-result'; callId: number; result: CallResult };

export type FromWorker =
  | { t: 'call'; id: string; callId: number; fn: string; input: unknown }
  /** `json` is the serialised CallResult, so the main thread forwards it without parsing it again. */
  | { t: 'result'; id: string; json: string; logs: LogEntry[] };
