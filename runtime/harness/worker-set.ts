/**
 * @module The harness's worker threads: started ahead of need, bound to one call tree while it runs
 * (every call of that tree with the same memory limit shares the thread), then idle for the next tree.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker } from './worker-protocol.ts';

/** Threads alive at once: each costs several MB of the sandbox's memory. */
const MAX_WORKERS = 48;
/** Idle threads kept ready for each memory size in use, so a burst of new trees starts no thread. */
const PREPARED = 2;
/** Idle threads kept beyond PREPARED: as many trees as ran at once lately; the peak decays with the sweep. */
const IDLE_WORKER_TTL_MS = 60_000;

export interface TreeWorker {
  readonly thread: Worker;
  readonly memoryMb: number;
  /** The call tree it serves, while it serves one. */
  tree: string | undefined;
  /** Calls of that tree running in it. */
  calls: number;
  /** Takes no new tree: a body it answered TIMEOUT for may still be running in it. */
  retiring: boolean;
  idleSince: number;
}

export interface WorkerSetOptions {
  defaultMemoryMb: number;
  onMessage: (worker: TreeWorker, message: FromWorker) => void;
  /** The thread ended without being asked to: an error it threw, or its exit code. */
  onLost: (worker: TreeWorker, reason: Error | number) => void;
}

const workerUrl = new URL('./worker.mjs', import.meta.url);

export class WorkerSet {
  readonly max = MAX_WORKERS;
  #options: WorkerSetOptions;
  #all = new Set<TreeWorker>();
  /** Least recently used first. */
  #idle: TreeWorker[] = [];
  #trees = new Map<string, TreeWorker[]>();
  #recentPeak = 0;
  #preparing: NodeJS.Immediate | undefined;

  constructor(options: WorkerSetOptions) {
    this.#options = options;
    setInterval(() => this.#sweep(), IDLE_WORKER_TTL_MS / 4).unref();
  }

  /** A thread for a call of `tree`: the one already serving that tree, else an idle or new one; none at the cap. */
  take(tree: string, memoryMb: number): TreeWorker | undefined {
    const bound = this.#trees.get(tree)?.find((worker) => worker.memoryMb === memoryMb);
    if (bound) {
      bound.calls++;
      return bound;
    }
    const worker = this.#takeIdle(memoryMb) ?? this.#spawn(memoryMb);
    if (!worker) return undefined;
    worker.tree = tree;
    worker.calls = 1;
    this.#trees.set(tree, [...(this.#trees.get(tree) ?? []), worker]);
    this.#recentPeak = Math.max(this.#recentPeak, this.#all.size - this.#idle.length);
    this.#prepareSoon(memoryMb);
    return worker;
  }

  /** One call of the worker's tree ended; with the last one the thread is free for another tree. */
  release(worker: TreeWorker): void {
    if (--worker.calls > 0 || !this.#all.has(worker)) return;
    this.#unbind(worker);
    if (worker.retiring) {
      this.discard(worker);
      return;
    }
    worker.idleSince = Date.now();
    this.#idle.push(worker);
    const keep = PREPARED + Math.max(4, this.#recentPeak);
    if (this.#idle.length > keep) this.discard(this.#idle[0]!);
  }

  retire(worker: TreeWorker): void {
    worker.retiring = true;
  }

  discard(worker: TreeWorker): void {
    if (!this.#all.delete(worker)) return;
    this.#idle = this.#idle.filter((entry) => entry !== worker);
    this.#unbind(worker);
    void worker.thread.terminate();
  }

  /** Starts the threads a first call will want, before it comes. */
  prepare(memoryMb = this.#options.defaultMemoryMb): void {
    let ready = this.#idle.filter((worker) => worker.memoryMb === memoryMb).length;
    while (ready < PREPARED && this.#all.size < MAX_WORKERS) {
      const worker = this.#spawn(memoryMb)!;
      worker.idleSince = Date.now();
      this.#idle.push(worker);
      ready++;
    }
  }

  #prepareSoon(memoryMb: number): void {
    this.#preparing ??= setImmediate(() => {
      this.#preparing = undefined;
      this.prepare(memoryMb);
    });
  }

  #takeIdle(memoryMb: number): TreeWorker | undefined {
    const index = this.#idle.findLastIndex((worker) => worker.memoryMb === memoryMb);
    if (index !== -1) return this.#idle.splice(index, 1)[0];
    // At the cap an idle thread of another size makes room.
    if (this.#all.size >= MAX_WORKERS && this.#idle.length > 0) this.discard(this.#idle[0]!);
    return undefined;
  }

  #unbind(worker: TreeWorker): void {
    if (worker.tree === undefined) return;
    const siblings = (this.#trees.get(worker.tree) ?? []).filter((entry) => entry !== worker);
    if (siblings.length > 0) this.#trees.set(worker.tree, siblings);
    else this.#trees.delete(worker.tree);
    worker.tree = undefined;
  }

  #spawn(memoryMb: number): TreeWorker | undefined {
    if (this.#all.size >= MAX_WORKERS) return undefined;
    const thread = new Worker(workerUrl, {
      env: {},
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    const worker: TreeWorker = { thread, memoryMb, tree: undefined, calls: 0, retiring: false, idleSince: Date.now() };
    this.#all.add(worker);
    thread.on('message', (message: FromWorker) => this.#options.onMessage(worker, message));
    const lost = (reason: Error | number) => {
      if (!this.#all.has(worker)) return;
      this.#options.onLost(worker, reason);
      this.discard(worker);
    };
    thread.on('error', lost);
    thread.on('exit', lost);
    return worker;
  }

  #sweep(): void {
    this.#recentPeak = this.#all.size - this.#idle.length;
    const cutoff = Date.now() - IDLE_WORKER_TTL_MS;
    const stale = this.#idle.filter((worker) => worker.idleSince < cutoff);
    // The prepared threads of the default size stay, however long they wait.
    for (const worker of stale.slice(0, Math.max(0, stale.length - PREPARED))) this.discard(worker);
  }
}
