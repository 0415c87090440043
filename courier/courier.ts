/**
 * @module The courier's work loop: request files in, results out. Each request content runs once:
 * the journal records it as accepted before it runs and as done after its result is written.
 * Work is bounded: a queue of paths and a fixed number of requests in flight.
 */
import { join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { DependencyInstaller } from '../runtime/deps.ts';
import type { Invoker } from '../runtime/invoker.ts';
import type { AppCache } from './app-cache.ts';
import type { Journal } from './journal.ts';
import { classify, requestPaths } from './layout.ts';
import { RequestReader } from './request-reader.ts';
import { RequestRunner } from './request-runner.ts';
import { answeredHash, removePending, writeResult, type ResultFile } from './result-files.ts';

export interface CourierOptions {
  root: string;
  journal: Journal;
  invoker: Invoker;
  installer: Pick<DependencyInstaller, 'ensure'>;
  apps: AppCache;
  logger: Logger;
  /** Requests in flight at once. */
  concurrency: number;
  maxRequestBytes: number;
  /** How long a request file that is not JSON yet may still be being written, and how long a changed app gets to settle. */
  settleMs: number;
  /** A request still waiting or running after this long gets a pending file. */
  pendingAfterMs: number;
  /** Told of every result file written (path relative to the root) and its outcome, e.g. to upload it or count it. */
  onResult?: (path: string, outcome: string) => void;
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
  #stopping = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: CourierOptions) {
    this.#options = options;
    this.#reader = new RequestReader(options);
    this.#runner = new RequestRunner(options);
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
    await Promise.all(journal.paths().filter((path) => path.startsWith(folder + sep)).map((path) => journal.forget(path)));
  }

  /** Resolves when nothing is queued or running. */
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

  get backlog(): { queued: number; active: number } {
    return { queued: this.#queue.length, active: this.#active.size };
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
    // A removed request is forgotten: dropping the same content again runs it again.
    if (reading.kind === 'gone') return this.#options.journal.forget(path);
    if (reading.kind === 'skipped') return;
    if (reading.kind === 'unsettled') return this.#retryLater(path, reading.retryInMs);
    const { journal } = this.#options;
    const state = journal.state(path, reading.hash);
    if (state === 'done') return;
    // Accepted but not done: the courier stopped after writing the result, or before. Only the latter runs again.
    if (state === 'accepted' && (await answeredHash(abs(files.result))) === reading.hash) return journal.done(path, reading.hash);
    await journal.accepted(path, reading.hash);
    const started = performance.now();
    const { result, pendingShown } =
      reading.kind === 'invalid'
        ? { result: { ok: false, error: reading.error, request: { sha256: reading.hash } } satisfies ResultFile, pendingShown: false }
        : await this.#runner.run({ app, request: reading.request, hash: reading.hash, pendingFile: abs(files.pending) });
    const outcome = result.ok ? 'ok' : result.error.code;
    await writeResult(abs(files.result), result);
    this.#options.onResult?.(files.result, outcome);
    if (pendingShown) await removePending(abs(files.pending));
    await journal.done(path, reading.hash);
    const fn = reading.kind === 'request' ? reading.request.function : undefined;
    this.#options.logger.info({ app, fn, id, outcome, ms: Math.round(performance.now() - started) }, 'request');
  }
}
