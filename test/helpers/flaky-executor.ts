/** @module A test Executor around a real one that fails chosen calls as a broken platform would, so the courier's retry policy can be tested. */
import type { ErrorCode } from '../../base/errors.ts';
import type { CallHandler, ExecutionOutcome, ExecutionRequest, Executor } from '../../runtime/executor.ts';

/** Says whether top-level call number `n` (from 1) with this request fails, and with which platform code. */
export type FailWhen = (n: number, request: ExecutionRequest) => ErrorCode | undefined;

export class FlakyExecutor implements Executor {
  #inner: Executor;
  #failWhen: FailWhen;
  /** The inputs of the top-level calls made so far, failed ones included. */
  readonly calls: unknown[] = [];

  constructor(inner: Executor, failWhen: FailWhen) {
    this.#inner = inner;
    this.#failWhen = failWhen;
  }

  async execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome> {
    if (request.caller) return this.#inner.execute(request, onCall);
    this.calls.push(request.input);
    const code = this.#failWhen(this.calls.length, request);
    if (!code) return this.#inner.execute(request, onCall);
    return { result: { ok: false, error: { code, message: `test: call ${this.calls.length} met a broken platform` } }, logs: [], coldStart: false, bytes: 0 };
  }

  refuses: Executor['refuses'] = (owner) => this.#inner.refuses(owner);
  warm: Executor['warm'] = (app) => this.#inner.warm(app);
  release: Executor['release'] = (appDir) => this.#inner.release(appDir);
  /** The real executor is shared by the tests of a file and closed once, after them. */
  async close(): Promise<void> {}
}
