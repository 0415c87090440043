/**
 * @module The Invoker: answers one call tree. For the top call and every nested `ctx.call` it looks for a
 * precomputed result first (any function), then a cache entry (idempotent functions only), and only
 * then executes, recording results of idempotent functions into the returned cache.
 */
import type { FunctionSpec, LoadedApp } from './app.ts';
import { callKey, callKeyOf, canonicalJson } from './call-key.ts';
import type { CallObserver, CallTrace } from './call-trace.ts';
import { EdgeError } from '../base/errors.ts';
import type { CallSite, Executor } from './executor.ts';
import type { CallEntries, CallResult, InvocationLog, InvocationStats, InvokeResponse } from './protocol.ts';

export interface InvokeOptions {
  cache?: CallEntries;
  precomputed?: CallEntries;
  /** Return every result of the call tree under `results`, ready to be sent back as `precomputed`. */
  recordResults?: boolean;
  /** Whose call this is: the executor shares its sandboxes fairly between owners. */
  owner?: string;
  /** Told about each call of the tree as it ends, top and nested (call-trace.ts); nothing is traced without it. */
  onCall?: CallObserver;
}

/** Everything one call tree accumulates. */
interface CallTree {
  app: LoadedApp;
  options: InvokeOptions;
  topKey?: string;
  cache: CallEntries;
  results: CallEntries;
  logs: InvocationLog[];
  stats: InvocationStats;
  idempotentSeen: boolean;
  /** Bytes of output the tree's executions returned: one call must not fill the host's memory. */
  outputBytes: number;
  /** Calls traced so far: the next one's index. */
  traced: number;
}

export interface InvokerOptions {
  executor: Executor;
  /** How many functions a chain of `ctx.call`s may hold, the top one included; a recursion loop ends here with CALL_DEPTH_EXCEEDED. */
  maxDepth?: number;
  /** Output bytes one call tree may produce, nested calls included. */
  maxTreeOutputBytes?: number;
  /** Log lines kept for one call tree. */
  maxTreeLogs?: number;
  /** Told about errors that are bugs rather than failures of the function, for the operator's log. */
  onUnexpected?: (error: unknown) => void;
}

/** Functions in one chain of nested calls; OpenWhisk sequences allow 50. */
export const DEFAULT_MAX_DEPTH = 64;

const has = (entries: CallEntries | undefined, key: string): entries is CallEntries => !!entries && Object.hasOwn(entries, key);
const failure = (code: EdgeError['code'], message: string): CallResult => ({ ok: false, error: { code, message } });

export class Invoker {
  #executor: Executor;
  #maxDepth: number;
  #maxTreeOutputBytes: number;
  #maxTreeLogs: number;
  #onUnexpected: (error: unknown) => void;

  constructor(options: InvokerOptions) {
    this.#executor = options.executor;
    this.#maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.#maxTreeOutputBytes = options.maxTreeOutputBytes ?? 64 * 1024 * 1024;
    this.#maxTreeLogs = options.maxTreeLogs ?? 1000;
    this.#onUnexpected = options.onUnexpected ?? (() => {});
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
      outputBytes: 0,
      traced: 0,
    };
    const result = await this.#call(tree, fn, input ?? null, 0);
    tree.stats.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (!result.ok) return { ok: false, error: result.error, logs: tree.logs, stats: tree.stats };
    return {
      ok: true,
      output: result.output,
      key: tree.topKey!,
      ...(tree.idempotentSeen ? { cache: tree.cache } : {}),
      ...(options.recordResults ? { results: tree.results } : {}),
      logs: tree.logs,
      stats: tree.stats,
    };
  }

  /** One call of the tree, top or nested, made by the traced call `parent`; never throws. */
  #call(tree: CallTree, name: string, input: unknown, depth: number, caller?: CallSite, parent?: number): Promise<CallResult> {
    return tree.options.onCall ? this.#traced(tree, tree.options.onCall, name, input, depth, caller, parent) : this.#answer(tree, name, input, depth, caller);
  }

  /** A call as #answer answers it, its trace filled in on the way and handed to `observe` at its end. */
  async #traced(tree: CallTree, observe: CallObserver, name: string, input: unknown, depth: number, caller?: CallSite, parent?: number): Promise<CallResult> {
    const trace: CallTrace = { index: tree.traced++, parent, fn: name, startedAt: Date.now(), durationMs: 0, logs: [] };
    const started = performance.now();
    const result = await this.#answer(tree, name, input, depth, caller, trace);
    trace.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    if (!result.ok) trace.error = result.error;
    observe(trace);
    return result;
  }

  async #answer(tree: CallTree, name: string, input: unknown, depth: number, caller?: CallSite, trace?: CallTrace): Promise<CallResult> {
    const spec = tree.app.functions.get(name);
    if (!spec) return notFound(tree.app, name);
    if (depth >= this.#maxDepth) {
      return failure(
        'CALL_DEPTH_EXCEEDED',
        `a chain of ctx.calls reached more than ${this.#maxDepth} functions at "${name}"; is a function calling itself without end?`,
      );
    }
    try {
      const key = trace ? tracedKey(spec, input, trace) : callKey(spec.name, spec.version, input);
      if (depth === 0) tree.topKey = key;
      if (spec.idempotent) tree.idempotentSeen = true;
      if (trace) trace.version = spec.version;
      return this.#lookUp(tree, spec, key, trace) ?? (await this.#execute(tree, spec, key, input, depth, caller, trace));
    } catch (error) {
      if (error instanceof EdgeError) return { ok: false, error: error.toBody() };
      this.#onUnexpected(error);
      return failure('INTERNAL_ERROR', `running "${name}" failed unexpectedly`);
    }
  }

  #lookUp(tree: CallTree, spec: FunctionSpec, key: string, trace?: CallTrace): CallResult | undefined {
    const { precomputed, cache } = tree.options;
    let output: unknown;
    if (has(precomputed, key)) {
      tree.stats.precomputedHits++;
      output = precomputed[key];
      if (trace) trace.source = 'precomputed';
    } else if (spec.idempotent && has(cache, key)) {
      tree.stats.cacheHits++;
      output = cache[key];
      if (trace) trace.source = 'cache';
    } else {
      return undefined;
    }
    this.#record(tree, spec, key, output);
    return { ok: true, output };
  }

  #record(tree: CallTree, spec: FunctionSpec, key: string, output: unknown): void {
    if (tree.options.recordResults) tree.results[key] = output;
    if (spec.idempotent) tree.cache[key] = output;
  }

  async #execute(tree: CallTree, spec: FunctionSpec, key: string, input: unknown, depth: number, caller?: CallSite, trace?: CallTrace): Promise<CallResult> {
    tree.stats.executed++;
    const placement = caller ? { caller } : tree.options.owner === undefined ? {} : { owner: tree.options.owner };
    const outcome = await this.#executor.execute({ app: tree.app, fn: spec, input, ...placement }, (name, nestedInput, site) =>
      this.#call(tree, name, nestedInput ?? null, depth + 1, site, trace?.index),
    );
    if (trace) {
      trace.source = 'executed';
      trace.logs = outcome.logs;
      if (outcome.coldStartMs !== undefined) trace.coldStartMs = outcome.coldStartMs;
      if (outcome.memoryBytes !== undefined) trace.peakMemoryBytes = outcome.memoryBytes;
      if (outcome.outputBytes !== undefined) trace.outputBytes = outcome.outputBytes;
    }
    for (const entry of outcome.logs) {
      if (tree.logs.length < this.#maxTreeLogs) tree.logs.push({ fn: spec.name, ...entry });
    }
    tree.outputBytes += outcome.bytes;
    if (tree.outputBytes > this.#maxTreeOutputBytes) {
      return failure('INVALID_OUTPUT', `the calls of this request returned more than ${this.#maxTreeOutputBytes} bytes in all`);
    }
    if (outcome.result.ok) this.#record(tree, spec, key, outcome.result.output);
    return outcome.result;
  }
}

/** The call key, and the input's size on the trace: the canonical JSON the key is hashed from already measures it. */
function tracedKey(spec: FunctionSpec, input: unknown, trace: CallTrace): string {
  const canonical = canonicalJson(input);
  trace.inputBytes = Buffer.byteLength(canonical);
  return callKeyOf(spec.name, spec.version, canonical);
}

function notFound(app: LoadedApp, fn: string): CallResult {
  const known = [...app.functions.keys()].join(', ') || 'none';
  return failure('FUNCTION_NOT_FOUND', `app "${app.name}" has no function "${fn}" (its functions: ${known})`);
}
