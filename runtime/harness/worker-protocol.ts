/** @module Messages between the harness's main thread and the worker threads that run function bodies. */
import type { CallResult, LogEntry } from '../protocol.ts';

/** Data a worker starts with: the module it serves. */
export interface WorkerSetup {
  file: string;
  fn: string;
}

export type ToWorker =
  | { t: 'invoke'; id: string; input: unknown }
  | { t: 'call-result'; callId: number; result: CallResult };

export type FromWorker =
  | { t: 'call'; id: string; callId: number; fn: string; input: unknown }
  /** `json` is the serialised CallResult, so the main thread forwards it without parsing it again. */
  | { t: 'result'; id: string; json: string; logs: LogEntry[] };
