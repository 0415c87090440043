/**
 * @module A SandboxLauncher whose sandboxes run nothing: the test says when a start succeeds or fails and
 * answers each call by hand, so the warm pool's policies are tested in milliseconds without Docker.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ErrorBody } from '../../base/errors.ts';
import type { HarnessCallHandler, HarnessOutcome } from '../../runtime/harness-connection.ts';
import type { CallResult, InvokeMessage, LogEntry } from '../../runtime/protocol.ts';
import type { Sandbox, SandboxConnection, SandboxKind, SandboxLauncher } from '../../runtime/sandbox.ts';
import { tempFolder } from './temp.ts';

/** One call a fake sandbox received, waiting for the test to answer it. */
export class FakeCall {
  readonly sandbox: FakeSandbox;
  readonly message: InvokeMessage;
  #onCall: HarnessCallHandler;
  #resolve: (outcome: HarnessOutcome) => void;
  #settled = false;

  constructor(sandbox: FakeSandbox, message: InvokeMessage, onCall: HarnessCallHandler, resolve: (outcome: HarnessOutcome) => void) {
    this.sandbox = sandbox;
    this.message = message;
    this.#onCall = onCall;
    this.#resolve = resolve;
  }

  get fn(): string {
    return this.message.fn;
  }

  get input(): unknown {
    return this.message.input;
  }

  /** The function returns `output`; `tainted` says it left processes behind, as the harness reports. */
  answer(output: unknown, options: { logs?: LogEntry[]; tainted?: boolean } = {}): void {
    this.settle({ ok: true, output }, options);
  }

  settle(result: CallResult, options: { logs?: LogEntry[]; tainted?: boolean } = {}): void {
    if (this.#settled) throw new Error(`call ${this.message.id} of ${this.fn} was answered already`);
    this.#settled = true;
    this.sandbox.running.delete(this);
    this.#resolve({ result, logs: options.logs ?? [], tainted: options.tainted ?? false, bytes: JSON.stringify(result).length });
  }

  /** The function makes a ctx.call, as the harness relays it to the host. */
  ctxCall(fn: string, input: unknown): Promise<CallResult> {
    return this.#onCall(fn, input, this.message.id);
  }
}

/** A started fake harness: it hands its calls to the test and ends when killed or told to die. */
export class FakeSandbox implements Sandbox, SandboxConnection {
  readonly id: string;
  readonly hostAppDir: string;
  readonly appPath: string;
  /** What the pool asked for: the network, and the variant (see FakeSandboxLauncher.variants) when not plain. */
  readonly kind: SandboxKind;
  /** Calls received and not yet answered. */
  readonly running = new Set<FakeCall>();
  killed = false;
  /** The app's environment the pool gave this sandbox, if any. */
  env: Readonly<Record<string, string>> | undefined;
  #launcher: FakeSandboxLauncher;
  #closed = false;
  #onClose: Array<() => void> = [];
  #onTainted: Array<() => void> = [];

  constructor(launcher: FakeSandboxLauncher, id: string, hostAppDir: string, kind: SandboxKind) {
    this.#launcher = launcher;
    this.id = id;
    this.hostAppDir = hostAppDir;
    this.appPath = hostAppDir;
    this.kind = kind;
  }

  get connection(): SandboxConnection {
    return this;
  }

  get ended(): boolean {
    return this.#closed;
  }

  invoke(message: InvokeMessage, onCall: HarnessCallHandler): Promise<HarnessOutcome> {
    if (this.#closed)
      return Promise.resolve({
        result: { ok: false, error: { code: 'SANDBOX_FAILED', message: 'the sandbox has already ended' } },
        logs: [],
        tainted: true,
        bytes: 0,
      });
    return new Promise((resolve) => {
      const call = new FakeCall(this, message, onCall, resolve);
      this.running.add(call);
      this.#launcher.arrived(call);
    });
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#onClose.push(listener);
  }

  onTainted(listener: () => void): void {
    this.#onTainted.push(listener);
  }

  setEnv(env: Readonly<Record<string, string>>): void {
    this.env = env;
  }

  /** The harness reports that a finished call left processes behind. */
  taint(): void {
    for (const listener of this.#onTainted) listener();
  }

  /** The sandbox ends on its own (out of memory, crashed): its running calls fail with `reason`, as a closed socket fails them. */
  die(reason: ErrorBody): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of [...this.running]) call.settle({ ok: false, error: reason }, { tainted: true });
    for (const listener of this.#onClose.splice(0)) listener();
  }

  async kill(): Promise<void> {
    this.killed = true;
    this.die({ code: 'SANDBOX_FAILED', message: 'the sandbox was ended' });
  }
}

/** A launch the test holds: it starts or fails when the test says. */
export interface HeldLaunch {
  start(): void;
  fail(error: Error): void;
}

export class FakeSandboxLauncher implements SandboxLauncher {
  /** Every sandbox that started, in the order they started. */
  readonly sandboxes: FakeSandbox[] = [];
  /** Every call any sandbox received, in the order they arrived. */
  readonly calls: FakeCall[] = [];
  /** Launches asked for, started or not. */
  launches = 0;
  cleanups = 0;
  /** Launches waiting for the test while `holdStarts` is set. */
  readonly held: HeldLaunch[] = [];
  holdStarts = false;
  /** The variant of sandbox each dependency folder needs, as the test sets it; one not named runs in a plain sandbox. */
  readonly variants = new Map<string, string>();
  #failures: Error[] = [];
  #waiters: Array<{ count: number; resolve: () => void }> = [];
  #dir: Promise<string> | undefined;

  /** The next launch fails with `error`; calls queue up. */
  failNext(error: Error): void {
    this.#failures.push(error);
  }

  /**
   * The calls with these inputs, in the order given, once all have arrived. Calls sent to different sandboxes at
   * once arrive in no fixed order: each sandbox's start and app files are file-system work of its own.
   */
  async arrivalsOf(...inputs: unknown[]): Promise<FakeCall[]> {
    const find = () => inputs.map((input) => this.calls.find((call) => call.input === input));
    while (find().some((call) => call === undefined)) await this.arrivals(this.calls.length + 1);
    return find() as FakeCall[];
  }

  /** Resolves once `count` calls have arrived in all, with all of them, in the order they arrived. */
  async arrivals(count: number): Promise<FakeCall[]> {
    if (this.calls.length < count) await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
    return this.calls;
  }

  /** Called by a fake sandbox for each call it receives. */
  arrived(call: FakeCall): void {
    this.calls.push(call);
    for (const waiter of this.#waiters.filter((w) => this.calls.length >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  async variantFor(depsDir: string): Promise<string | undefined> {
    return this.variants.get(depsDir);
  }

  async launch(kind: SandboxKind): Promise<Sandbox> {
    const n = ++this.launches;
    const failure = this.#failures.shift();
    if (this.holdStarts) await new Promise<void>((resolve, reject) => this.held.push({ start: resolve, fail: reject }));
    if (failure) throw failure;
    // The pool writes each app's function files here, as into a real sandbox's folder.
    this.#dir ??= tempFolder('ec-fake-sandboxes');
    const hostAppDir = join(await this.#dir, `sandbox-${n}`);
    await mkdir(hostAppDir);
    const sandbox = new FakeSandbox(this, `fake-${n}`, hostAppDir, kind);
    this.sandboxes.push(sandbox);
    return sandbox;
  }

  async cleanup(): Promise<void> {
    this.cleanups++;
  }
}
