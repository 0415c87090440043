/**
 * @module A test Executor that runs nothing: the test holds or fails its warm and release steps and says what each
 * call answers, so the cloud's services run on the real AppRuntime in milliseconds, without sandboxes.
 */
import type { CallResult } from '../../runtime/protocol.ts';
import type { CallHandler, ExecutionOutcome, ExecutionRequest, Executor } from '../../runtime/executor.ts';

type Step = 'warm' | 'release';

/** What an executed call returns; `call` makes a nested call as the function's `ctx.call` would. */
export type Answer = (request: ExecutionRequest, call: (fn: string, input: unknown) => Promise<CallResult>) => CallResult | Promise<CallResult>;

/** A step held at its start until the test lets it go. */
export interface Hold {
  /** Resolves once the step is reached and waiting. */
  reached: Promise<void>;
  letGo(): void;
}

export class HeldExecutor implements Executor {
  /** App folders with a warm sandbox, as warm and release left them. */
  readonly warmDirs = new Set<string>();
  /** Every call executed, in order: a call answered from `cache` or `precomputed` never gets here. */
  readonly executed: ExecutionRequest[] = [];
  /** What `refuses` answers: true as if the caller's line were full. */
  refusing = false;
  #answer: Answer;
  #next: Partial<Record<Step, () => Promise<void>>> = {};

  /** `answer` says what each executed call returns; by default its function's name. */
  constructor(answer: Answer = (request) => ({ ok: true, output: request.fn.name })) {
    this.#answer = answer;
  }

  /** Holds the next `step` until `letGo`. */
  holdNext(step: Step): Hold {
    let reached!: () => void;
    let letGo!: () => void;
    const until = new Promise<void>((resolve) => (letGo = resolve));
    const hold: Hold = { reached: new Promise<void>((resolve) => (reached = resolve)), letGo: () => letGo() };
    this.#next[step] = () => {
      reached();
      return until;
    };
    return hold;
  }

  /** Makes the next `step` fail with `error`, as a start whose sandbox does not come up. */
  failNext(step: Step, error: Error): void {
    this.#next[step] = () => Promise.reject(error);
  }

  async execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome> {
    const invocation = String(this.executed.push(request));
    const result = await this.#answer(request, (fn, input) => onCall(fn, input, { sandbox: 'held', invocation }));
    return { result, logs: [], coldStart: false, bytes: JSON.stringify(result).length };
  }

  refuses(): boolean {
    return this.refusing;
  }

  async warm(app: Parameters<Executor['warm']>[0]): Promise<void> {
    await this.#step('warm');
    this.warmDirs.add(app.dir);
  }

  async release(appDir: string): Promise<void> {
    await this.#step('release');
    this.warmDirs.delete(appDir);
  }

  async close(): Promise<void> {}

  #step(step: Step): Promise<void> {
    const next = this.#next[step];
    this.#next[step] = undefined;
    return next?.() ?? Promise.resolve();
  }
}
