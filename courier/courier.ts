/**
 * @module The courier's work loop: request files in, results out. Each request content runs once:
 * the journal records it as accepted before it runs and as done after its result is written.
 * Work is bounded: a queue of paths and a fixed number of requests in flight. A try that fails for
 * the platform's sake (BUSY, SANDBOX_FAILED, ...) writes no result: the request stays accepted, its
 * pending file says it waits, and a timer, not a slot, holds it until its next try (retry-chains.ts).
 */
import { join, sep } from 'node:path';
import type { Logger } from 'pino';
import { newActivationId } from '../api/activation-ids.ts';
import { isPlatformError } from '../base/errors.ts';
import type { CallObserver } from '../runtime/call-trace.ts';
import type { InvocationService } from '../runtime/invocation-service.ts';
import type { AppCache } from './app-cache.ts';
import type { Journal } from './journal.ts';
import { classify, requestPaths } from './layout.ts';
import { RequestReader } from './request-reader.ts';
import { RequestRunner } from './request-runner.ts';
import { defaultRetryPolicy, RetryChains, type RetryPolicy } from './retry-chains.ts';
import { answeredHash, removePending, writePending, writeResult, type ResultFile } from './result-files.ts';

export interface CourierOptions {
  root: string;
  journal: Journal;
  service: InvocationService;
  apps: AppCache;
  logger: Logger;
  /** Requests in flight at once. */
  concurrency: number;
  maxRequestBytes: number;
  /** How long a request file that is not JSON yet may still be being written, and how long a changed app gets to settle. */
  settleMs: number;
  /** A request still waiting or running after this long gets a pending file. */
  pendingAfterMs: number;
  /** How platform failures (BUSY, SANDBOX_FAILED, ...) are tried again; defaultRetryPolicy unless given. */
  retry?: RetryPolicy;
  /** Told of every result file written (path relative to the root) and its outcome, e.g. to upload it or count it. */
  onResult?: (path: string, outcome: string) => void;
  /** Told of every try that failed for the platform's sake and will be tried again, e.g. to count it. */
  onRetry?: (code: string) => void;
  /** Told about every call of each request's tree of `app`, e.g. to profile it. */
  onCall?: (app: string) => CallObserver;
}

export class Courier {
  #options: CourierOptions;
  #queue: string[] = [];
  #queued = new Set<string>();
  #active = new Map<string, Promise<void>>();
  #again = new Set<string>();
  /** One pending retry per path: a later one replaces it, so events during a back-off start no second chain. */
  #retries = new Map<string, NodeJS.Timeout>();
  #reader: RequestReader;
  #runner: RequestRunner;
  #chains: RetryChains;
  #stopping = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: CourierOptions) {
    this.#options = options;
    this.#reader = new RequestReader(options);
    this.#runner = new RequestRunner(options);
    this.#chains = new RetryChains(options.retry ?? defaultRetryPolicy);
  }

  /** A request file appeared, changed or vanished (path relative to the root). */
  enqueue(path: string): void {
    if (this.#stopping) return;
    if (this.#active.has(path)) {
      this.#again.add(path);
      return;
    }
    if (this.#queued.has(path)) return;
    this.#queued.add(path);
    this.#queue.push(path);
    this.#pump();
  }

  /** A folder was removed with the requests in it: dropping the same content again runs it again. */
  async folderRemoved(folder: string): Promise<void> {
    const { journal } = this.#options;
    // All forgotten before this returns to the event loop: a replacing folder's listing comes after.
    await Promise.all(
      journal
        .paths()
        .filter((path) => path.startsWith(folder + sep))
        .map((path) => journal.forget(path)),
    );
  }

  /** Resolves when nothing is queued, running or waiting to be tried again. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#active.size === 0 && this.#retries.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Takes no new work and waits for the requests in flight; queued ones stay for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#retries.values()) clearTimeout(timer);
    this.#retries.clear();
    this.#queue = [];
    this.#queued.clear();
    await Promise.allSettled(this.#active.values());
    await this.#options.journal.close();
  }

  get backlog(): { queued: number; active: number; retrying: number } {
    return { queued: this.#queue.length, active: this.#active.size, retrying: this.#chains.size };
  }

  #pump(): void {
    while (!this.#stopping && this.#active.size < this.#options.concurrency && this.#queue.length > 0) {
      const path = this.#queue.shift()!;
      this.#queued.delete(path);
      const work = this.#handle(path)
        .catch((error: unknown) => this.#options.logger.error({ err: error, path }, 'request handling failed'))
        .finally(() => {
          this.#active.delete(path);
          if (this.#again.delete(path)) this.enqueue(path);
          this.#pump();
        });
      this.#active.set(path, work);
    }
    if (this.#queue.length === 0 && this.#active.size === 0 && this.#retries.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #retryLater(path: string, delayMs: number): void {
    // A request that waits while the courier stops stays accepted in the journal: the next start runs it.
    if (this.#stopping) return;
    clearTimeout(this.#retries.get(path));
    const timer = setTimeout(() => {
      this.#retries.delete(path);
      this.enqueue(path);
      this.#pump();
    }, delayMs);
    this.#retries.set(path, timer);
  }

  async #handle(path: string): Promise<void> {
    const place = classify(path);
    if (place.kind !== 'request') return;
    const { app, id } = place;
    const files = requestPaths(app, id);
    const abs = (relative: string) => join(this.#options.root, relative);
    const reading = this.#reader.read(path, { request: abs(files.request), result: abs(files.result) }, `requests/${id}.json`);
    const { journal } = this.#options;
    if (reading.kind === 'gone') {
      // A removed request stops retrying, and its pending file goes with it.
      if (this.#chains.drop(path)) await removePending(abs(files.pending));
      // Forgotten: dropping the same content again runs it again.
      return journal.forget(path);
    }
    if (reading.kind === 'skipped') return;
    if (reading.kind === 'unsettled') return this.#retryLater(path, reading.retryInMs);
    const state = journal.state(path, reading.hash);
    if (state === 'done') return;
    // An event during a back-off (a sync client touching the file) is no reason to try sooner.
    const wait = this.#chains.waiting(path, reading.hash);
    if (wait !== undefined) return this.#retryLater(path, wait);
    // Accepted but not done: the courier stopped after writing the result, or before, or the request waits to retry. Only the latter two run again.
    if (state === 'accepted' && (await answeredHash(abs(files.result))) === reading.hash) {
      // It stopped between the result and the rest of #conclude: the pending file the result replaces goes too.
      await removePending(abs(files.pending));
      return journal.done(path, reading.hash);
    }
    if (state !== 'accepted') await journal.accepted(path, reading.hash);
    // A retry timer left from an earlier content or read is moot now.
    clearTimeout(this.#retries.get(path));
    this.#retries.delete(path);
    // A request resumed after a restart may have a pending file from before; one with a retry chain has one.
    const hadPending = state === 'accepted' || this.#chains.has(path);
    const started = Date.now();
    const { result, pendingShown } =
      reading.kind === 'invalid'
        ? { result: { ok: false, error: reading.error, request: { sha256: reading.hash } } satisfies ResultFile, pendingShown: false }
        : await this.#runner.run({
            app,
            request: reading.request,
            hash: reading.hash,
            pendingFile: abs(files.pending),
            retry: this.#chains.state(path, reading.hash),
          });
    const fn = reading.kind === 'request' ? reading.request.function : undefined;
    await this.#conclude({ path, app, id, fn, hash: reading.hash, started }, result, pendingShown || hadPending);
  }

  /** Writes the result of a try, or, for a platform failure within the bound, the pending file and the timer for the next try. */
  async #conclude(
    done: { path: string; app: string; id: string; fn?: string; hash: string; started: number },
    result: ResultFile,
    hadPending: boolean,
  ): Promise<void> {
    const { path, app, id, fn, hash, started } = done;
    const files = requestPaths(app, id);
    const abs = (relative: string) => join(this.#options.root, relative);
    const decision = this.#chains.settle(path, hash, result.ok ? undefined : result.error, started);
    if (decision.kind === 'retry') {
      const { state: retry, since } = decision;
      // Not being able to say so (a results folder that is a symlink) must not stop the retries.
      await writePending(abs(files.pending), { status: 'waiting to retry', since, request: { sha256: hash }, retry }).catch(() => undefined);
      this.#options.onRetry?.(retry.lastError.code);
      if (decision.first)
        this.#options.logger.warn(
          { app, fn, id, code: retry.lastError.code, error: retry.lastError.message, retryForMs: this.#chains.retryForMs },
          'platform failure; trying the request again with back-off',
        );
      return this.#retryLater(path, decision.delayMs);
    }
    const activationId = newActivationId();
    const final: ResultFile = { activationId, ...(!result.ok && decision.error ? { ...result, error: decision.error } : result) };
    const outcome = final.ok ? 'ok' : final.error.code;
    await writeResult(abs(files.result), final);
    this.#options.onResult?.(files.result, outcome);
    if (hadPending) await removePending(abs(files.pending));
    await this.#options.journal.done(path, hash);
    const line = { app, fn, id, activationId, outcome, ms: Date.now() - started, ...(decision.attempts > 1 && { attempts: decision.attempts }) };
    // A chain that ends in a platform failure is the second of its two warnings; any other outcome is routine.
    if (!final.ok && decision.attempts > 1 && isPlatformError(final.error.code)) this.#options.logger.warn(line, 'request');
    else this.#options.logger.info(line, 'request');
  }
}
