/**
 * @module Runs in a worker thread of the harness: tells whether the calls that just ended left timers or
 * threads running on it. Such leftovers keep working (and burning the app's CPU) after their call was
 * answered, and later calls placed on the thread would see their state, so the thread is retired.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker as ThreadWorker } from 'node:worker_threads';

/** Resource kinds that run code later on their own: what `setTimeout`, `setInterval` and `setImmediate` leave. */
const TIMER_KINDS = new Set(['Timeout', 'Immediate']);

const timers = () => process.getActiveResourcesInfo().filter((kind) => TIMER_KINDS.has(kind)).length;

export interface Leftovers {
  /** Takes what runs now as the thread's own, e.g. a timer a module set up as it was imported. */
  rebase(): void;
  /** With no call running on the thread: what the calls left behind, or undefined when nothing. */
  describe(): string | undefined;
}

/**
 * Starts counting the threads that code on this thread starts. Call it before any function module is
 * imported, so that their `Worker` is the counted one. Timers left unreferenced (`unref()`) are not seen:
 * Node lists only the ones that keep a thread alive.
 */
export function watchLeftovers(): Leftovers {
  const threads = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const running = new Set<ThreadWorker>();
  const Original = threads.Worker;
  threads.Worker = class CountedWorker extends Original {
    constructor(...args: ConstructorParameters<typeof Original>) {
      super(...args);
      running.add(this);
      this.once('exit', () => running.delete(this));
    }
  };
  // `import { Worker } from 'node:worker_threads'` in a function module sees the counted one too.
  syncBuiltinESMExports();
  let ownTimers = timers();
  return {
    rebase() {
      ownTimers = Math.max(ownTimers, timers());
    },
    describe() {
      const leftTimers = timers() - ownTimers;
      const parts = [
        ...(leftTimers > 0 ? [`${leftTimers} timer${leftTimers === 1 ? '' : 's'}`] : []),
        ...(running.size > 0 ? [`${running.size} thread${running.size === 1 ? '' : 's'}`] : []),
      ];
      return parts.length > 0 ? parts.join(' and ') : undefined;
    },
  };
}
