/**
 * @module The harness's worker threads, started ahead of need. A call tree is placed on one thread and
 * all its calls of that memory size run there, nested ones beside their callers. While few trees run,
 * each gets a thread of its own; past that they share the threads already running, since on a small
 * CPU share many threads cost more in hand-offs than they give.
 */
import { Worker } from 'node:worker_threads';
import { transferList } from './payload.ts';
import { START_SLOTS, type FromWorker, type ToWorker, type WorkerSetup } from './worker-protocol.ts';

/** Threads alive at once: each costs several MB of the sandbox's memory. */
const MAX_WORKERS = 48;
/** Trees that get a thread of their own before new trees share busy threads. */
export const SPREAD = 4;
/** Trees one thread serves at once. */
const TREES_PER_WORKER = 8;
/** Idle threads kept ready for each memory size in use, so a burst of new trees starts no thread. */
const PREPARED = 2;
/** An idle thread unused this long is ended, beyond the prepared ones. */
const IDLE_WORKER_TTL_MS = 60_000;

export interface TreeWorker {
  readonly thread: Worker;
  readonly memoryMb: number;
  /** Body start times of its calls, by slot, written by the thread. */
  readonly starts: BigInt64Array;
  /** The trees it serves and how many of their calls run in it. */
  readonly trees: Map<string, number>;
  /** Takes no new tree: a body it answered TIMEOUT for may still be running in it. */
  retiring: boolean;
  idleSince: number;
  freeSlots: number[];
  /** Messages for the thread not yet handed over: they go as one batch once the current task ends. */
  outbox: ToWorker[];
}

/** Hands `message` to the worker's thread, with every other message sent to it in the same task; its payload goes with it. */
export function sendToWorker(worker: TreeWorker, message: ToWorker): void {
  if (worker.outbox.push(message) > 1) return;
  queueMicrotask(() => {
    const batch = worker.outbox;
    worker.outbox = [];
    worker.thread.postMessage(batch, transferList(batch));
  });
}

export interface WorkerSetOptions {
  defaultMemoryMb: number;
  onMessage: (worker: TreeWorker, message: FromWorker) => void;
  /** The thread ended without being asked to: an error it threw, or its exit code. */
  onLost: (worker: TreeWorker, reason: Error | number) => void;
  /**
   * Idle threads kept ready beside the busy ones; PREPARED when not given. 0 for a harness that serves one call
   * (`run --local`): a thread started for nothing takes a tenth of a second of CPU from the call's own start.
   */
  spare?: number;
}

const workerUrl = new URL('./worker.mjs', import.meta.url);

export class WorkerSet {
  readonly max = MAX_WORKERS * TREES_PER_WORKER;
  #options: WorkerSetOptions;
  #all = new Set<TreeWorker>();
  /** Threads serving no tree, least recently used first. */
  #idle: TreeWorker[] = [];
  #byTree = new Map<string, TreeWorker[]>();
  #preparing: NodeJS.Immediate | undefined;
  /** The `process.env` each new thread starts with: the app's, once the host names it; the harness's own stays empty. */
  #env: Record<string, string> = {};
  #spare: number;

  constructor(options: WorkerSetOptions) {
    this.#options = options;
    this.#spare = options.spare ?? PREPARED;
    setInterval(() => this.#sweep(), IDLE_WORKER_TTL_MS / 4).unref();
  }

  /** A thread and a start slot for a call of `tree`; none when every thread and slot is taken. */
  take(tree: string, memoryMb: number): { worker: TreeWorker; slot: number } | undefined {
    const worker = this.#byTree.get(tree)?.find((candidate) => candidate.memoryMb === memoryMb) ?? this.#place(tree, memoryMb);
    const slot = worker?.freeSlots.pop();
    if (!worker || slot === undefined) return undefined;
    Atomics.store(worker.starts, slot, 0n);
    worker.trees.set(tree, (worker.trees.get(tree) ?? 0) + 1);
    return { worker, slot };
  }

  /** A call ended; its slot is free again unless `slotDone` is false (its body may still start). */
  release(worker: TreeWorker, tree: string, slot: number, slotDone = true): void {
    if (slotDone) worker.freeSlots.push(slot);
    const left = (worker.trees.get(tree) ?? 1) - 1;
    if (left > 0) {
      worker.trees.set(tree, left);
      return;
    }
    worker.trees.delete(tree);
    this.#unbind(worker, tree);
    if (worker.trees.size > 0 || !this.#all.has(worker)) return;
    if (worker.retiring) return this.discard(worker);
    worker.idleSince = Date.now();
    this.#idle.push(worker);
    if (this.#idle.length > this.#spare + SPREAD) this.discard(this.#idle[0]!);
  }

  /** The worker takes no new tree, and ends with its last one; at once when it has none. */
  retire(worker: TreeWorker): void {
    worker.retiring = true;
    if (worker.trees.size === 0) this.discard(worker);
  }

  discard(worker: TreeWorker): void {
    if (!this.#all.delete(worker)) return;
    this.#idle = this.#idle.filter((entry) => entry !== worker);
    for (const tree of worker.trees.keys()) this.#unbind(worker, tree);
    void worker.thread.terminate();
  }

  /**
   * The app's environment, for every thread from now on: the threads started ahead of need have none, so they
   * are ended (any busy one with its last tree) and started again with it.
   */
  setEnv(env: Record<string, string>): void {
    this.#env = env;
    for (const worker of [...this.#all]) this.retire(worker);
    this.prepare();
  }

  /** Starts the threads a first call will want, before it comes: one at least, whatever the spare ones. */
  prepare(memoryMb = this.#options.defaultMemoryMb): void {
    this.#keepReady(memoryMb, Math.max(1, this.#spare));
  }

  #keepReady(memoryMb: number, count: number): void {
    let ready = this.#idle.filter((worker) => worker.memoryMb === memoryMb).length;
    for (; ready < count && this.#all.size < MAX_WORKERS; ready++) this.#idle.push(this.#spawn(memoryMb));
  }

  /** A thread for a new tree: an idle one while few run, else the least loaded busy one with room. */
  #place(tree: string, memoryMb: number): TreeWorker | undefined {
    let busy = 0;
    let leastLoaded: TreeWorker | undefined;
    for (const worker of this.#all) {
      if (worker.trees.size === 0 || worker.memoryMb !== memoryMb) continue;
      busy++;
      if (
        !worker.retiring &&
        worker.trees.size < TREES_PER_WORKER &&
        worker.freeSlots.length > 0 &&
        (!leastLoaded || worker.trees.size < leastLoaded.trees.size)
      )
        leastLoaded = worker;
    }
    const worker = (busy >= SPREAD ? leastLoaded : undefined) ?? this.#takeIdle(memoryMb) ?? leastLoaded;
    if (!worker) return undefined;
    this.#byTree.set(tree, [...(this.#byTree.get(tree) ?? []), worker]);
    this.#prepareSoon(memoryMb);
    return worker;
  }

  #takeIdle(memoryMb: number): TreeWorker | undefined {
    const index = this.#idle.findLastIndex((worker) => worker.memoryMb === memoryMb);
    if (index !== -1) return this.#idle.splice(index, 1)[0];
    // At the cap an idle thread of another size makes room.
    if (this.#all.size >= MAX_WORKERS && this.#idle.length > 0) this.discard(this.#idle[0]!);
    return this.#all.size < MAX_WORKERS ? this.#spawn(memoryMb) : undefined;
  }

  #prepareSoon(memoryMb: number): void {
    this.#preparing ??= setImmediate(() => {
      this.#preparing = undefined;
      this.#keepReady(memoryMb, this.#spare);
    });
  }

  #unbind(worker: TreeWorker, tree: string): void {
    const others = (this.#byTree.get(tree) ?? []).filter((entry) => entry !== worker);
    if (others.length > 0) this.#byTree.set(tree, others);
    else this.#byTree.delete(tree);
  }

  #spawn(memoryMb: number): TreeWorker {
    const shared = new SharedArrayBuffer(START_SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
    const thread = new Worker(workerUrl, {
      // A copy of its own: what one thread's code writes into process.env no other thread sees.
      env: this.#env,
      workerData: { starts: shared } satisfies WorkerSetup,
      resourceLimits: {
        maxOldGenerationSizeMb: memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(memoryMb / 8))),
        stackSizeMb: 4,
      },
    });
    const freeSlots = Array.from({ length: START_SLOTS }, (_, index) => START_SLOTS - 1 - index);
    const worker: TreeWorker = {
      thread,
      memoryMb,
      starts: new BigInt64Array(shared),
      trees: new Map(),
      retiring: false,
      idleSince: Date.now(),
      freeSlots,
      outbox: [],
    };
    this.#all.add(worker);
    // Function code shares the thread and may post anything: only an array is a batch of ours.
    thread.on('message', (batch: unknown) => {
      if (!Array.isArray(batch)) return;
      for (const message of batch as FromWorker[]) if (this.#all.has(worker)) this.#options.onMessage(worker, message);
    });
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
    const cutoff = Date.now() - IDLE_WORKER_TTL_MS;
    const stale = this.#idle.filter((worker) => worker.idleSince < cutoff);
    // The prepared threads stay, however long they wait.
    for (const worker of stale.slice(0, Math.max(0, stale.length - this.#spare))) this.discard(worker);
  }
}
