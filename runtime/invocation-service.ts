/**
 * @module The one invocation path every trigger takes: folder requests, endpoint calls and test-invokes,
 * `edgecourier run`. It holds the request's shape, loads the app, installs its dependencies, invokes the
 * call tree and turns every failure into an answer. A trigger is an adapter around it: it reads a request its
 * own way, says how to load the app and whose call it is, and delivers the response its own way.
 */
import { z } from 'zod';
import { EdgeError } from '../base/errors.ts';
import type { LoadedApp } from './app.ts';
import type { CallObserver } from './call-trace.ts';
import type { DependencyInstaller, DependencyManifest } from './deps.ts';
import type { Executor } from './executor.ts';
import { Invoker, type InvokerOptions } from './invoker.ts';
import type { CallEntries, InvokeResponse } from './protocol.ts';

const callEntries = z.record(z.string(), z.unknown());

/**
 * What a caller sends besides the function's name, as every trigger validates it where it enters: the input,
 * cache entries an earlier response returned, results computed elsewhere. Each trigger adds its own framing
 * (the request file's `function`, an HTTP body that may be empty).
 */
export const invocationFields = {
  input: z.unknown().optional(),
  cache: callEntries.optional(),
  precomputed: callEntries.optional(),
};

/** One call to answer: `function` of the app, with the caller's input and any results it brings. */
export interface InvocationRequest {
  function: string;
  input?: unknown;
  cache?: CallEntries;
  precomputed?: CallEntries;
}

/** What an invocation is doing, for a trigger that shows long waits (the courier's pending file). */
export type InvocationPhase = 'installing dependencies' | 'running';

export interface InvocationContext {
  /** Whose call this is: the executor shares its sandboxes fairly between owners. */
  owner?: string;
  /** Return every result of the call tree under `results`, ready to be sent back as `precomputed`. */
  recordResults?: boolean;
  /** Told when the invocation moves to another phase; awaited, so a trigger can show it before it starts. */
  onPhase?: (phase: InvocationPhase) => void | Promise<void>;
  /** Told about each call of the tree as it ends, for a trigger that records them (runtime/call-trace.ts). */
  onCall?: CallObserver;
}

export interface InvocationServiceOptions extends Pick<InvokerOptions, 'maxDepth' | 'maxTreeOutputBytes' | 'maxTreeLogs'> {
  executor: Executor;
  installer: Pick<DependencyInstaller, 'ensure'>;
  /** Told about errors that are bugs rather than failures of the function or the app, for the operator's log; with the request when it failed as a whole. */
  onUnexpected?: (error: unknown, request?: InvocationRequest) => void;
}

const noStats = () => ({ durationMs: 0, executed: 0, cacheHits: 0, precomputedHits: 0 });

/**
 * Answers invocations on one executor. It never throws: a failure to load or install is an answer too.
 * @example const response = await service.invoke(() => loadApp(dir), { function: 'greet', input: { name: 'Ada' } }, { owner: 'alice' })
 */
export class InvocationService {
  #invoker: Invoker;
  #installer: Pick<DependencyInstaller, 'ensure'>;
  /**
   * The manifests of loaded apps whose install is done: a warm call makes no trip to the disk for it. A changed
   * app is loaded anew, with a manifest of its own; a failed install is tried again at the next call.
   */
  #installed = new WeakSet<DependencyManifest>();
  #onUnexpected: (error: unknown, request?: InvocationRequest) => void;

  constructor(options: InvocationServiceOptions) {
    const { installer, onUnexpected = () => {}, ...invoker } = options;
    this.#installer = installer;
    this.#onUnexpected = onUnexpected;
    this.#invoker = new Invoker({ ...invoker, onUnexpected: (error) => onUnexpected(error) });
  }

  /** Loads the app with `load` (each trigger keeps its apps its own way), installs its dependencies and runs the call tree. */
  async invoke(load: () => Promise<LoadedApp>, request: InvocationRequest, context: InvocationContext = {}): Promise<InvokeResponse> {
    try {
      const app = await load();
      if (app.dependencies) await this.#install(app.dependencies, context);
      const { cache, precomputed } = request;
      return await this.#invoker.invoke(app, request.function, request.input ?? null, {
        cache,
        precomputed,
        owner: context.owner,
        recordResults: context.recordResults,
        onCall: context.onCall,
      });
    } catch (error) {
      if (error instanceof EdgeError) return { ok: false, error: error.toBody(), logs: [], stats: noStats() };
      this.#onUnexpected(error, request);
      return {
        ok: false,
        error: { code: 'INTERNAL_ERROR', message: `running "${request.function}" failed unexpectedly; the operator log has the details` },
        logs: [],
        stats: noStats(),
      };
    }
  }

  async #install(manifest: DependencyManifest, context: InvocationContext): Promise<void> {
    if (this.#installed.has(manifest)) return;
    await context.onPhase?.('installing dependencies');
    // Calls that need the same install at once share it: the installer runs one per content.
    await this.#installer.ensure(manifest);
    this.#installed.add(manifest);
    await context.onPhase?.('running');
  }
}
