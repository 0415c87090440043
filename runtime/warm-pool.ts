/**
 * @module A pool of warm sandboxes behind the Executor interface: one or more sandboxes per app version,
 * each serving several calls at once, pre-started generic sandboxes for new apps, idle reaping,
 * a global cap and a bounded waiting line. The Docker and process executors are this pool over
 * their own SandboxLauncher.
 */
import { randomUUID } from 'node:crypto';
import type { LoadedApp } from './app.ts';
import type { DependencyInstaller } from './deps.ts';
import { EdgeError } from './errors.ts';
import type { CallHandler, ExecutionOutcome, ExecutionRequest, Executor } from './executor.ts';
import { materializeApp } from './materialize.ts';
import type { Sandbox, SandboxLauncher } from './sandbox.ts';

export interface WarmPoolOptions {
  launcher: SandboxLauncher;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** Generic sandboxes kept started so a new app's first call skips the start. */
  prestart: number;
  /** Sandboxes alive at once, generic ones included. */
  maxSandboxes: number;
  /** Top-level calls one sandbox runs at once. */
  concurrency: number;
  /** Calls that may wait for a free sandbox before BUSY is answered. */
  maxQueue: number;
  /** An app's sandbox idle this long is ended. */
  idleTtlMs: number;
}

/** A sandbox, started or starting, and the app it serves once claimed. */
interface Slot {
  sandbox?: Sandbox;
  ready: Promise<Sandbox>;
  appId?: string;
  appDir?: string;
  inFlight: number;
  lastUsed: number;
  retiring: boolean;
}

interface Waiter {
  app: LoadedApp;
  depsDir: string | undefined;
  resolve: (slot: Slot) => void;
}

export class WarmPool implements Executor {
  #options: WarmPoolOptions;
  #slots: Slot[] = [];
  #queue: Waiter[] = [];
  #closed = false;
  #pumping = false;
  /** Launches that failed in a row; generic sandboxes are then topped up with growing pauses, not at once. */
  #launchFailures = 0;
  #replenishTimer: NodeJS.Timeout | undefined;
  #reaper: NodeJS.Timeout;

  constructor(options: WarmPoolOptions) {
    this.#options = options;
    this.#reaper = setInterval(() => this.#reap(), Math.max(250, Math.min(5000, options.idleTtlMs / 4)));
    this.#reaper.unref();
  }

  /** Removes leftovers of an earlier run and starts the generic sandboxes; fails when none of them starts. */
  async start(): Promise<void> {
    await this.#options.launcher.cleanup();
    this.#replenish();
    const started = await Promise.allSettled(this.#slots.map((slot) => slot.ready));
    const failed = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed && started.every((outcome) => outcome.status === 'rejected')) {
      await this.close();
      throw failed.reason;
    }
  }

  /** Sandboxes alive or starting, for metrics and tests. */
  get size(): { total: number; generic: number; queued: number } {
    return { total: this.#slots.length, generic: this.#slots.filter((s) => !s.appId).length, queued: this.#queue.length };
  }

  /** True once close() was called: the pool takes no new calls. For health checks. */
  get closed(): boolean {
    return this.#closed;
  }

  async execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome> {
    const { app, fn } = request;
    if (fn.loadError) return { result: { ok: false, error: { code: 'FUNCTION_LOAD_FAILED', message: fn.loadError } }, logs: [], coldStart: false, bytes: 0 };
    const slot = await this.#admit(app, request.nested);
    const coldStart = !slot.sandbox;
    try {
      const sandbox = await slot.ready;
      const message = {
        t: 'invoke' as const,
        id: randomUUID(),
        fn: fn.name,
        file: `${sandbox.appPath}/functions/${fn.name}.mjs`,
        input: request.input,
        ...fn.limits,
      };
      const outcome = await sandbox.connection.invoke(message, onCall);
      if (outcome.tainted) slot.retiring = true;
      return { result: outcome.result, logs: outcome.logs, coldStart, bytes: outcome.bytes };
    } finally {
      slot.inFlight--;
      slot.lastUsed = Date.now();
      if (slot.retiring && slot.inFlight === 0) this.#remove(slot);
      this.#pump();
    }
  }

  async warm(app: LoadedApp): Promise<void> {
    const slot = await this.#admit(app, false);
    try {
      await slot.ready;
    } finally {
      slot.inFlight--;
      slot.lastUsed = Date.now();
      this.#pump();
    }
  }

  async release(appDir: string): Promise<void> {
    for (const slot of this.#slots.filter((s) => s.appDir === appDir)) {
      slot.retiring = true;
      if (slot.inFlight === 0) this.#remove(slot);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reaper);
    clearTimeout(this.#replenishTimer);
    for (const waiter of this.#queue.splice(0)) waiter.resolve(this.#closedSlot());
    await Promise.allSettled(this.#slots.splice(0).map((slot) => this.#kill(slot)));
  }

  /** A slot that fails every use: how queued calls learn the pool closed. */
  #closedSlot(): Slot {
    const ready = Promise.reject(new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down'));
    ready.catch(() => undefined);
    return { ready, inFlight: 1, lastUsed: 0, retiring: true };
  }

  async #admit(app: LoadedApp, nested: boolean): Promise<Slot> {
    if (this.#closed) throw new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down');
    const depsDir = app.dependencies ? await this.#options.installer.ensure(app.dependencies) : undefined;
    if (this.#closed) throw new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down');
    // A nested call's caller holds a place in one of the app's sandboxes, retiring or not: it goes there.
    const slot = (nested ? this.#leastBusy(app, Infinity, true) : undefined) ?? this.#acquire(app, depsDir);
    if (slot) return slot;
    if (this.#queue.length >= this.#options.maxQueue) {
      throw new EdgeError('BUSY', `all ${this.#options.maxSandboxes} sandboxes are busy and ${this.#queue.length} calls are already waiting`);
    }
    return new Promise((resolve) => this.#queue.push({ app, depsDir, resolve }));
  }

  #leastBusy(app: LoadedApp, limit: number, evenRetiring = false): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.appId !== app.id || (slot.retiring && !evenRetiring) || slot.inFlight >= limit) continue;
      if (!best || slot.inFlight < best.inFlight) best = slot;
    }
    if (best) best.inFlight++;
    return best;
  }

  #acquire(app: LoadedApp, depsDir: string | undefined): Slot | undefined {
    const own = this.#leastBusy(app, this.#options.concurrency);
    if (own) return own;
    let slot = this.#slots.find((s) => !s.appId && !s.retiring);
    if (!slot && this.#slots.length >= this.#options.maxSandboxes) {
      const idle = this.#slots.filter((s) => s.inFlight === 0 && s.appId).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) return undefined;
      this.#detach(idle);
    }
    slot ??= this.#launch();
    slot.appId = app.id;
    slot.appDir = app.dir;
    slot.inFlight = 1;
    slot.ready = slot.ready.then(async (sandbox) => {
      await materializeApp(app, sandbox.hostAppDir, depsDir);
      return sandbox;
    });
    slot.ready.catch(() => this.#remove(slot));
    this.#replenish();
    return slot;
  }

  #launch(): Slot {
    const slot: Slot = { ready: this.#options.launcher.launch(), inFlight: 0, lastUsed: Date.now(), retiring: false };
    slot.ready.then(
      (sandbox) => {
        this.#launchFailures = 0;
        slot.sandbox = sandbox;
        sandbox.connection.onClose(() => this.#remove(slot));
        sandbox.connection.onTainted(() => {
          slot.retiring = true;
          if (slot.inFlight === 0) this.#remove(slot);
        });
        if (this.#closed) void sandbox.kill();
      },
      () => {
        this.#launchFailures++;
        this.#remove(slot);
      },
    );
    this.#slots.push(slot);
    return slot;
  }

  #replenish(): void {
    if (this.#closed || this.#replenishTimer) return;
    if (this.#launchFailures > 0) {
      const pauseMs = Math.min(30_000, 100 * 2 ** Math.min(this.#launchFailures, 9));
      this.#replenishTimer = setTimeout(() => {
        this.#replenishTimer = undefined;
        this.#topUp();
      }, pauseMs);
      this.#replenishTimer.unref();
      return;
    }
    this.#topUp();
  }

  #topUp(): void {
    if (this.#closed) return;
    let generic = this.#slots.filter((s) => !s.appId).length;
    while (generic < this.#options.prestart && this.#slots.length < this.#options.maxSandboxes) {
      this.#launch();
      generic++;
    }
  }

  #remove(slot: Slot): void {
    if (!this.#detach(slot)) return;
    this.#pump();
    this.#replenish();
  }

  #detach(slot: Slot): boolean {
    const index = this.#slots.indexOf(slot);
    if (index === -1) return false;
    this.#slots.splice(index, 1);
    void this.#kill(slot);
    return true;
  }

  async #kill(slot: Slot): Promise<void> {
    const sandbox = slot.sandbox ?? (await slot.ready.catch(() => undefined));
    await sandbox?.kill();
  }

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const waiter = this.#queue[0]!;
        const slot = this.#acquire(waiter.app, waiter.depsDir);
        if (!slot) return;
        this.#queue.shift();
        waiter.resolve(slot);
      }
    } finally {
      this.#pumping = false;
    }
  }

  #reap(): void {
    const now = Date.now();
    for (const slot of [...this.#slots]) {
      if (slot.appId && slot.inFlight === 0 && now - slot.lastUsed > this.#options.idleTtlMs) this.#remove(slot);
    }
  }
}
