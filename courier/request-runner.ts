/**
 * @module Runs one try of a folder request through the invocation service: the app settled and loaded from
 * the root, the root as the call's owner. A try that waits or runs long shows a pending file; every answer,
 * failures included, becomes a result.
 */
import type { CallObserver } from '../runtime/call-trace.ts';
import type { InvocationService } from '../runtime/invocation-service.ts';
import type { AppCache } from './app-cache.ts';
import type { FolderRequest } from './request-file.ts';
import { writePending, type PendingFile, type ResultFile } from './result-files.ts';
import type { RetryState } from './retry-chains.ts';

export interface RequestRunnerOptions {
  /** The synced root: the owner its requests' calls are charged to. */
  root: string;
  service: InvocationService;
  apps: AppCache;
  settleMs: number;
  pendingAfterMs: number;
  /** Told about every call of each request's tree of `app` (the courier's profiles). */
  onCall?: (app: string) => CallObserver;
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
    const { apps, service, settleMs, root, onCall } = this.#options;
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
      const load = async () => {
        await apps.settled(app, settleMs);
        return apps.get(app);
      };
      // Each root is one owner: in fleet mode one root's flood of requests cannot starve another's.
      const response = await service.invoke(load, request, {
        owner: root,
        onCall: onCall?.(app),
        onPhase: (phase) => {
          pending.status = phase;
          if (pendingShown) return showPending();
        },
      });
      return { ...response, request: { sha256: hash } };
    } finally {
      clearTimeout(timer);
      // The result must not be followed by a pending file written late.
      await pendingWrite;
    }
  }
}
