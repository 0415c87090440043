/**
 * @module A pool of warm sandboxes behind the Executor interface: one or more sandboxes per app version,
 * each serving several calls at once, pre-started generic sandboxes for new apps, idle reaping,
 * a global cap and a bounded waiting line. The Docker and process executors are this pool over
 * their own SandboxLauncher.
 */
import { randomUUID } from 'node:crypto';
import type { LoadedApp } from './app.ts';
import type { DependencyInstaller } from './deps.ts';
import { EdgeError } from '../base/errors.ts';
import type { CallHandler, CallSite, ExecutionOutcome, ExecutionRequest, Executor } from './executor.ts';
import { materializeApp } from './materialize.ts';
import { FairShares } from './fair-shares.ts';
import { plainSandbox, sameKind, type Sandbox, type SandboxKind, type SandboxLauncher, type SandboxNetwork } from './sandbox.ts';

/** A call waits this long for a place before it is answered BUSY: long enough for a burst, short of any caller's patience. */
const DEFAULT_MAX_WAIT_MS = 10_000;

export interface WarmPoolOptions {
  launcher: SandboxLauncher;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** Generic sandboxes kept started so a new app's first call skips the start. */
  prestart: number;
  /** Sandboxes alive at once, generic ones included. */
  maxSandboxes: number;
  /** Top-level calls one sandbox runs at once. */
  concurrency: number;
  /** Sandboxes one app may have at once (every version of it together); unbounded when unset. */
  maxSandboxesPerApp?: number;
  /** Calls that may wait for a free sandbox before BUSY is answered. */
  maxQueue: number;
  /** Calls one owner may have waiting; past it that owner's calls are answered BUSY at once. */
  maxQueuePerOwner?: number;
  /** How long a call may wait for a place before it is answered BUSY. */
  maxWaitMs?: number;
  /** An app's sandbox idle this long is ended. */
  idleTtlMs: number;
  /** The real clock unless a test moves time by hand. */
  clock?: PoolClock;
}

/** Time as the pool reads it for idle reaping. */
export interface PoolClock {
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called, without keeping the process alive. */
  every(ms: number, tick: () => void): () => void;
}

const realClock: PoolClock = {
  now: () => Date.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** A sandbox, started or starting, and the app it serves once claimed. */
interface Slot {
  sandbox?: Sandbox;
  /** What it was started as: plain (pre-started), or with the network and variant an app needs. */
  kind: SandboxKind;
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
  variant: string | undefined;
  resolve: (slot: Slot) => void;
  reject: (error: EdgeError) => void;
  timer: NodeJS.Timeout;
}

/** The slot that has run nothing for the longest, of those running nothing now: the one to give up first. */
function leastRecentlyUsedIdle(slots: Slot[]): Slot | undefined {
  return slots.filter((s) => s.inFlight === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
}

/**
 * The sandbox an app needs: egress when its app.json declares it, and the launcher's variant for its dependencies.
 * Pre-started sandboxes are plain, so an app needing either never takes one.
 */
const networkOf = (app: LoadedApp): SandboxNetwork => (app.config.network?.egress ? 'egress' : 'none');
const kindOf = (app: LoadedApp, variant: string | undefined): SandboxKind => ({ network: networkOf(app), ...(variant && { variant }) });

/** Whose calls these are when the caller does not say: one owner, as on a caller's own machine. */
const DEFAULT_OWNER = 'default';

export class WarmPool implements Executor {
  #options: WarmPoolOptions;
  #slots: Slot[] = [];
  #shares: FairShares<Waiter>;
  #closed = false;
  #pumping = false;
  /** Launches that failed in a row; generic sandboxes are then topped up with growing pauses, not at once. */
  #launchFailures = 0;
  #replenishTimer: NodeJS.Timeout | undefined;
  #clock: PoolClock;
  #stopReaper: () => void;

  constructor(options: WarmPoolOptions) {
    this.#options = options;
    this.#shares = new FairShares({
      capacity: options.maxSandboxes * options.concurrency,
      maxWaiting: options.maxQueue,
      maxWaitingPerOwner: options.maxQueuePerOwner ?? options.maxQueue,
    });
    this.#clock = options.clock ?? realClock;
    this.#stopReaper = this.#clock.every(Math.max(250, Math.min(5000, options.idleTtlMs / 4)), () => this.#reap());
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
    return { total: this.#slots.length, generic: this.#slots.filter((s) => !s.appId).length, queued: this.#shares.waiting };
  }

  /** True once close() was called: the pool takes no new calls. For health checks. */
  get closed(): boolean {
    return this.#closed;
  }

  async execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome> {
    const { app, fn, caller } = request;
    if (fn.loadError) return { result: { ok: false, error: { code: 'FUNCTION_LOAD_FAILED', message: fn.loadError } }, logs: [], coldStart: false, bytes: 0 };
    const owner = request.owner ?? DEFAULT_OWNER;
    const arrived = performance.now();
    const slot = caller ? this.#callerSlot(caller) : await this.#admit(app, owner);
    const coldStart = !slot.sandbox;
    try {
      const sandbox = await slot.ready;
      const coldStartMs = coldStart ? Math.round((performance.now() - arrived) * 1000) / 1000 : undefined;
      const message = {
        t: 'invoke' as const,
        id: randomUUID(),
        fn: fn.name,
        file: `${sandbox.appPath}/${fn.file}`,
        input: request.input,
        ...fn.limits,
        ...(caller ? { parent: caller.invocation } : {}),
      };
      const outcome = await sandbox.connection.invoke(message, (name, input, parent) => onCall(name, input, { sandbox: sandbox.id, invocation: parent }));
      if (outcome.tainted) slot.retiring = true;
      return {
        result: outcome.result,
        logs: outcome.logs,
        coldStart,
        bytes: outcome.bytes,
        ...(coldStartMs !== undefined && { coldStartMs }),
        ...(outcome.outputBytes !== undefined && { outputBytes: outcome.outputBytes }),
        ...(outcome.memoryBytes !== undefined && { memoryBytes: outcome.memoryBytes }),
      };
    } finally {
      if (!caller) this.#shares.ended(owner);
      this.#free(slot);
    }
  }

  #free(slot: Slot): void {
    slot.inFlight--;
    slot.lastUsed = this.#clock.now();
    if (slot.retiring && slot.inFlight === 0) this.#remove(slot);
    this.#pump();
  }

  /** A nested call runs in its caller's sandbox, retiring or not, beside the caller in the same worker. */
  #callerSlot(caller: CallSite): Slot {
    const slot = this.#slots.find((s) => s.sandbox?.id === caller.sandbox);
    if (!slot) throw new EdgeError('SANDBOX_FAILED', 'the sandbox of the calling function has ended');
    slot.inFlight++;
    return slot;
  }

  refuses(owner: string): boolean {
    return this.#shares.full(owner);
  }

  async warm(app: LoadedApp): Promise<void> {
    const slot = await this.#admit(app, DEFAULT_OWNER);
    try {
      await slot.ready;
    } finally {
      this.#shares.ended(DEFAULT_OWNER);
      this.#free(slot);
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
    this.#stopReaper();
    clearTimeout(this.#replenishTimer);
    for (const waiter of this.#shares.drain()) {
      clearTimeout(waiter.timer);
      waiter.reject(new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down'));
    }
    await Promise.allSettled(this.#slots.splice(0).map((slot) => this.#kill(slot)));
  }

  /**
   * A place for a top-level call of `owner`: at once when the owner is under its fair share and a sandbox
   * has room, else in the owner's line for at most `maxWaitMs`; a full line is answered BUSY at once.
   */
  async #admit(app: LoadedApp, owner: string): Promise<Slot> {
    if (this.#closed) throw new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down');
    const depsDir = app.dependencies ? await this.#options.installer.ensure(app.dependencies) : undefined;
    const variant = depsDir === undefined ? undefined : await this.#options.launcher.variantFor?.(depsDir);
    if (this.#closed) throw new EdgeError('EXECUTOR_CLOSED', 'the executor is shutting down');
    const slot = this.#shares.mayStart(owner) ? this.#acquire(app, depsDir, variant) : undefined;
    if (slot) {
      this.#shares.started(owner);
      return slot;
    }
    const maxWaitMs = this.#options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { app, depsDir, variant, resolve, reject, timer: undefined! };
      if (!this.#shares.wait(owner, waiter)) {
        reject(
          new EdgeError(
            'BUSY',
            `the sandboxes are busy: this caller's share (${this.#shares.share} calls at once) is in use and ${this.#shares.waiting} calls are waiting; try again shortly`,
          ),
        );
        return;
      }
      waiter.timer = setTimeout(() => {
        if (this.#shares.remove(owner, waiter))
          reject(new EdgeError('BUSY', `the sandboxes are busy: none had room for this call within ${maxWaitMs} ms; try again shortly`));
      }, maxWaitMs);
    });
  }

  #leastBusy(app: LoadedApp, limit: number): Slot | undefined {
    let best: Slot | undefined;
    const network = networkOf(app);
    for (const slot of this.#slots) {
      // The same content in two folders (two users' apps, two roots' apps) never shares a sandbox: /tmp and module state are the app's own.
      // Nor does an app whose app.json changed its network keep a sandbox of the other kind.
      if (slot.appId !== app.id || slot.appDir !== app.dir || slot.kind.network !== network || slot.retiring || slot.inFlight >= limit) continue;
      if (!best || slot.inFlight < best.inFlight) best = slot;
    }
    if (best) best.inFlight++;
    return best;
  }

  #acquire(app: LoadedApp, depsDir: string | undefined, variant: string | undefined): Slot | undefined {
    const own = this.#leastBusy(app, this.#options.concurrency);
    if (own) return own;
    // A sandbox has one CPU: more of them for one app than the machine has cores only adds contention.
    // At that bound an idle one of the app (an earlier version, say) makes room; a busy one does not.
    const ofApp = this.#slots.filter((s) => s.appDir === app.dir && !s.retiring);
    if (ofApp.length >= (this.#options.maxSandboxesPerApp ?? Infinity)) {
      const idle = leastRecentlyUsedIdle(ofApp);
      if (!idle) return undefined;
      this.#detach(idle);
    }
    const kind = kindOf(app, variant);
    let slot = this.#slots.find((s) => !s.appId && !s.retiring && sameKind(s.kind, kind));
    if (!slot && this.#slots.length >= this.#options.maxSandboxes) {
      // A pre-started sandbox that this app cannot take (another network or variant) may make room for one it can.
      const idle = leastRecentlyUsedIdle(this.#slots.filter((s) => s.appId || !sameKind(s.kind, kind)));
      if (!idle) return undefined;
      this.#detach(idle);
    }
    slot ??= this.#launch(kind);
    slot.appId = app.id;
    slot.appDir = app.dir;
    slot.inFlight = 1;
    slot.ready = slot.ready.then(async (sandbox) => {
      await materializeApp(app, sandbox.hostAppDir, depsDir);
      if (Object.keys(app.env).length > 0) sandbox.connection.setEnv(app.env);
      return sandbox;
    });
    slot.ready.catch(() => this.#remove(slot));
    this.#replenish();
    return slot;
  }

  #launch(kind: SandboxKind = plainSandbox): Slot {
    const slot: Slot = { ready: this.#options.launcher.launch(kind), kind, inFlight: 0, lastUsed: this.#clock.now(), retiring: false };
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
        // Only a failed start of a plain sandbox says something of the pre-started ones (not EGRESS_UNAVAILABLE, not a variant's).
        if (sameKind(kind, plainSandbox)) this.#launchFailures++;
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
      this.#shares.serve((waiter) => {
        const slot = this.#acquire(waiter.app, waiter.depsDir, waiter.variant);
        if (!slot) return false;
        clearTimeout(waiter.timer);
        waiter.resolve(slot);
        return true;
      });
    } finally {
      this.#pumping = false;
    }
  }

  #reap(): void {
    const now = this.#clock.now();
    for (const slot of [...this.#slots]) {
      if (slot.appId && slot.inFlight === 0 && now - slot.lastUsed > this.#options.idleTtlMs) this.#remove(slot);
    }
  }
}
