/** @module Messages between the harness's main thread and the worker threads that run function bodies. */
import type { LogEntry } from '../protocol.ts';
import type { Payload } from './payload.ts';

/**
 * Each call in a worker has a slot in memory shared with the main thread: the worker writes the time its
 * body started there (0 until then), so the main thread can tell a call still starting from one running
 * past its limit without a message per call.
 */
export const START_SLOTS = 8192;

/** What a worker is started with. */
export interface WorkerSetup {
  /** A BigInt64Array of START_SLOTS body start times (ms since the epoch), over shared memory. */
  starts: SharedArrayBuffer;
}

/**
 * Both directions carry arrays of these: the messages of one turn of the sending thread's event loop
 * travel as one batch, so a burst of calls costs one hand-off between threads, not one each.
 *
 * A worker serves the call trees given to it: a tree's nested calls run beside the callers that await
 * them. It imports each function module once and keeps it.
 *
 * A `payload` is JSON (see payload.ts): the main thread moves it between the socket and the worker,
 * and only the worker parses or serialises it.
 */
export type ToWorker =
  /** `payload` is the call's input. */
  | { t: 'invoke'; id: string; slot: number; fn: string; file: string; payload: Payload; timeoutMs: number }
  /** `payload` is the CallResult as the host sent it. */
  | { t: 'call-result'; callId: number; payload: Payload }
  /** The call took too long to start: its body must not start any more. */
  | { t: 'cancel'; id: string };

export type FromWorker =
  /** `payload` is the nested call's input. */
  | { t: 'call'; id: string; callId: number; fn: string; payload: Payload }
  /**
   * `payload` is the CallResult.
   * `retire` says the worker must not serve another tree after this one: the body was still running
   * when the answer was given (its time ran out while it awaited something), or the calls left timers
   * or threads running.
   * `memoryBytes` is the thread's memory as the call ended (worker.ts, `memoryInUse`).
   */
  | { t: 'result'; id: string; payload: Payload; logs: LogEntry[]; retire?: boolean; memoryBytes?: number };
