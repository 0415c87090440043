/**
 * @module Runs one try of a folder request: the app settled and loaded, its dependencies installed, the
 * call tree invoked. A try that waits or runs long shows a pending file; every failure becomes a result.
 */
import type { Logger } from 'pino';
import type { DependencyInstaller } from '../runtime/deps.ts';
import { EdgeError } from '../base/errors.ts';
import type { Invoker } from '../runtime/invoker.ts';
import type { AppCache } from './app-cache.ts';
import type { FolderRequest } from './request-file.ts';
import { writePending, type PendingFile, type ResultFile } from './result-files.ts';
import type { RetryState } from './retry-chains.ts';

export interface RequestRunnerOptions {
  /** The synced root: the owner its requests' calls are charged to. */
  root: string;
  invoker: Invoker;
  installer: Pick<DependencyInstaller, 'ensure'>;
  apps: AppCache;
  logger: Logger;
  settleMs: number;
  pendingAfterMs: number;
}

/** One try of one request content. `retry` is what earlier tries of it met, kept in the pending file. */
export interface RequestTry {
  app: string;
  request: FolderRequest;
  hash: string;
  pendingFile: string;
  retry?: RetryState;
}

export class RequestRunner {
  #options: RequestRunnerOptions;

  constructor(options: RequestRunnerOptions) {
    this.#options = options;
  }

  /** Runs the try; `pendingShown` says whether it wrote a pending file, which the result must replace. */
  async run(attempt: RequestTry): Promise<{ result: ResultFile; pendingShown: boolean }> {
    let pendingShown = false;
    const result = await this.#invoke(attempt, () => (pendingShown = true));
    return { result, pendingShown };
  }

  async #invoke({ app, request, hash, pendingFile, retry }: RequestTry, onPending: () => void): Promise<ResultFile> {
    const { apps, installer, invoker } = this.#options;
    const pending: PendingFile = { status: 'running', since: new Date().toISOString(), request: { sha256: hash }, ...(retry && { retry }) };
    let pendingShown = false;
    let pendingWrite: Promise<void> = Promise.resolve();
    const showPending = () => {
      pendingShown = true;
      onPending();
      pendingWrite = pendingWrite.then(() => writePending(pendingFile, pending)).catch(() => undefined);
      return pendingWrite;
    };
    const timer = setTimeout(showPending, this.#options.pendingAfterMs);
    try {
      await apps.settled(app, this.#options.settleMs);
      const loaded = await apps.get(app);
      if (loaded.dependencies) {
        pending.status = 'installing dependencies';
        if (pendingShown) await showPending();
        await installer.ensure(loaded.dependencies);
        pending.status = 'running';
        if (pendingShown) await showPending();
      }
      // Each root is one owner: in fleet mode one root's flood of requests cannot starve another's.
      const response = await invoker.invoke(loaded, request.function, request.input, { cache: request.cache, precomputed: request.precomputed, owner: this.#options.root });
      return { ...response, request: { sha256: hash } };
    } catch (error) {
      if (error instanceof EdgeError) return { ok: false, error: error.toBody(), request: { sha256: hash } };
      this.#options.logger.error({ err: error, app, fn: request.function }, 'unexpected error while running a request');
      return { ok: false, error: { code: 'INTERNAL_ERROR', message: 'edgecourier hit an unexpected error running this request; the courier log has the details' }, request: { sha256: hash } };
    } finally {
      clearTimeout(timer);
      // The result must not be followed by a pending file written late.
      await pendingWrite;
    }
  }
}
