/**
 * @module The Invoker: answers one call tree. For the top call and every nested `ctx.call` it looks for a
 * precomputed result first (any function), then a cache entry (idempotent functions only), and only
 * then executes, recording results of idempotent functions into the returned cache.
 */
import type { FunctionSpec, LoadedApp } from './app.ts';
import { callKey } from './call-key.ts';
import { EdgeError } from './errors.ts';
import type { Executor } from './executor.ts';
import type { CallEntries, CallResult, InvocationLog, InvocationStats, InvokeResponse } from './protocol.ts';

export interface InvokeOptions {
  cache?: CallEntries;
  precomputed?: CallEntries;
  /** Return every result of the call tree under `results`, ready to be sent back as `precomputed`. */
  recordResults?: boolean;
}

/** Everything one call tree accumulates. */
interface CallTree {
  app: LoadedApp;
  options: InvokeOptions;
  cache: CallEntries;
  results: CallEntries;
  logs: InvocationLog[];
  stats: InvocationStats;
  idempotentSeen: boolean;
}

export interface InvokerOptions {
  executor: Executor;
  /** How deep `ctx.call` may nest; a recursion loop ends here with CALL_DEPTH_EXCEEDED. */
  maxDepth?: number;
}

const has = (entries: CallEntries | undefined, key: string): entries is CallEntries => !!entries && Object.hasOwn(entries, key);

export class Invoker {
  #executor: Executor;
  #maxDepth: number;

  constructor(options: InvokerOptions) {
    this.#executor = options.executor;
    this.#maxDepth = options.maxDepth ?? 16;
  }

  /**
   * Runs `fn` of `app` with `input` and everything it calls.
   * @example const response = await invoker.invoke(app, 'greet', { name: 'Ada' }, { cache })
   */
  async invoke(app: LoadedApp, fn: string, input: unknown, options: InvokeOptions = {}): Promise<InvokeResponse> {
    const started = performance.now();
    const tree: CallTree = {
      app,
      options,
      cache: {},
      results: {},
      logs: [],
      stats: { durationMs: 0, executed: 0, cacheHits: 0, precomputedHits: 0 },
      idempotentSeen: false,
    };
    const spec = app.functions.get(fn);
    const result = spec ? await this.#resolve(tree, spec, input ?? null, 0) : notFound(app, fn);
    tree.stats.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (!result.ok || !spec) return { ok: false, error: result.ok ? notFound(app, fn).error : result.error, logs: tree.logs, stats: tree.stats };
    return {
      ok: true,
      output: result.output,
      key: callKey(spec.name, spec.version, input ?? null),
      ...(tree.idempotentSeen ? { cache: tree.cache } : {}),
      ...(options.recordResults ? { results: tree.results } : {}),
      logs: tree.logs,
      stats: tree.stats,
    };
  }

  async #resolve(tree: CallTree, spec: FunctionSpec, input: unknown, depth: number): Promise<CallResult> {
    const key = callKey(spec.name, spec.version, input);
    if (spec.idempotent) tree.idempotentSeen = true;
    const known = this.#lookUp(tree, spec, key);
    if (known) return known;
    const result = await this.#execute(tree, spec, input, depth);
    if (result.ok) {
      tree.results[key] = result.output;
      if (spec.idempotent) tree.cache[key] = result.output;
    }
    return result;
  }

  #lookUp(tree: CallTree, spec: FunctionSpec, key: string): CallResult | undefined {
    const { precomputed, cache } = tree.options;
    let output: unknown;
    if (has(precomputed, key)) {
      tree.stats.precomputedHits++;
      output = precomputed[key];
    } else if (spec.idempotent && has(cache, key)) {
      tree.stats.cacheHits++;
      output = cache[key];
    } else {
      return undefined;
    }
    tree.results[key] = output;
    if (spec.idempotent) tree.cache[key] = output;
    return { ok: true, output };
  }

  async #execute(tree: CallTree, spec: FunctionSpec, input: unknown, depth: number): Promise<CallResult> {
    tree.stats.executed++;
    try {
      const outcome = await this.#executor.execute({ app: tree.app, fn: spec, input, nested: depth > 0 }, (name, nestedInput) =>
        this.#nested(tree, name, nestedInput ?? null, depth + 1),
      );
      for (const entry of outcome.logs) tree.logs.push({ fn: spec.name, ...entry });
      return outcome.result;
    } catch (error) {
      if (error instanceof EdgeError) return { ok: false, error: error.toBody() };
      throw error;
    }
  }

  async #nested(tree: CallTree, name: string, input: unknown, depth: number): Promise<CallResult> {
    const spec = tree.app.functions.get(name);
    if (!spec) return notFound(tree.app, name);
    if (depth > this.#maxDepth) {
      return { ok: false, error: { code: 'CALL_DEPTH_EXCEEDED', message: `ctx.call nested deeper than ${this.#maxDepth} calls at "${name}"; is a function calling itself without end?` } };
    }
    return this.#resolve(tree, spec, input, depth);
  }
}

function notFound(app: LoadedApp, fn: string): { ok: false; error: { code: 'FUNCTION_NOT_FOUND'; message: string } } {
  const known = [...app.functions.keys()].join(', ') || 'none';
  return { ok: false, error: { code: 'FUNCTION_NOT_FOUND', message: `app "${app.name}" has no function "${fn}" (its functions: ${known})` } };
}
