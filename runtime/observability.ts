/**
 * @module Operator metrics (Prometheus, through prom-client) and the health answer of a process that runs
 * functions: one registry per process, made where the process is wired and passed down. Only those wiring
 * modules import it, so the rest of the runtime, and an edge caller of it, never loads prom-client. It knows
 * executions and the pool; a trigger (the courier) adds its own metrics and health checks to it.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LoadedApp } from './app.ts';
import { EdgeError } from '../base/errors.ts';
import type { CallHandler, ExecutionOutcome, ExecutionRequest, Executor } from './executor.ts';

/** One function body the executor was asked to run, and how that ended. */
interface ExecutionEvent {
  /** "ok" or the error code. */
  outcome: string;
  seconds: number;
  coldStart: boolean;
}

/** What the gauges and the health check read of the pool of sandboxes behind the executor (the `WarmPool` is one). */
export interface PoolState {
  readonly size: { total: number; generic: number; queued: number };
  readonly closed: boolean;
}

/** Part of a process's health: undefined while fine, else why the process should not get work. */
export type HealthCheck = () => string | undefined;

export type HealthReport = { status: 'ok'; sandboxes: number; queued: number } | { status: 'unavailable'; reason: string };

/** An executor that reports every execution: the one hook the metrics have into the runtime. */
class ObservedExecutor implements Executor {
  #inner: Executor;
  #onExecuted: (event: ExecutionEvent) => void;

  constructor(inner: Executor, onExecuted: (event: ExecutionEvent) => void) {
    this.#inner = inner;
    this.#onExecuted = onExecuted;
  }

  async execute(request: ExecutionRequest, onCall: CallHandler): Promise<ExecutionOutcome> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const outcome = await this.#inner.execute(request, onCall);
      this.#onExecuted({ outcome: outcome.result.ok ? 'ok' : outcome.result.error.code, seconds: seconds(), coldStart: outcome.coldStart });
      return outcome;
    } catch (error) {
      // Refusals such as BUSY and EXECUTOR_CLOSED are thrown, not returned: an operator wants them counted most of all.
      this.#onExecuted({ outcome: error instanceof EdgeError ? error.code : 'INTERNAL_ERROR', seconds: seconds(), coldStart: false });
      throw error;
    }
  }

  refuses(owner: string): boolean {
    return this.#inner.refuses(owner);
  }

  warm(app: LoadedApp): Promise<void> {
    return this.#inner.warm(app);
  }

  release(appDir: string): Promise<void> {
    return this.#inner.release(appDir);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

// From a warm call's millisecond to the long time limits some functions are given.
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The metrics and health of one process: its executor and the pool behind it, and what the triggers it runs
 * add. Labels are outcomes only (the error catalogue is finite); function and app names are the callers' to choose.
 * @example const observability = new Observability(bundle.executor, bundle.executor); new Invoker({ executor: observability.executor })
 */
export class Observability {
  /** Where a trigger registers metrics of its own. */
  readonly registry = new Registry();
  /** The executor given, with every execution counted: what this process's invokers run on. */
  readonly executor: Executor;
  #pool: PoolState;
  #checks: HealthCheck[] = [];

  constructor(executor: Executor, pool: PoolState) {
    this.#pool = pool;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const invocations = new Counter({
      name: 'edgecourier_invocations_total',
      help: 'Function bodies run, nested calls included, by outcome ("ok" or the error code).',
      labelNames: ['outcome'],
      registers,
    });
    // Present from the start, so that rate() sees the first call.
    invocations.inc({ outcome: 'ok' }, 0);
    const duration = new Histogram({
      name: 'edgecourier_invocation_duration_seconds',
      help: 'Seconds from asking for a sandbox to the answer, nested calls included.',
      buckets: durationBuckets,
      registers,
    });
    const coldStarts = new Counter({ name: 'edgecourier_cold_starts_total', help: 'Executions that first had to prepare a sandbox for their app.', registers });
    this.executor = new ObservedExecutor(executor, (event) => {
      invocations.inc({ outcome: event.outcome });
      duration.observe(event.seconds);
      if (event.coldStart) coldStarts.inc();
    });
    this.gauge('edgecourier_executor_queue_depth', 'Calls waiting for a sandbox.', () => this.#pool.size.queued);
    this.gauge('edgecourier_warm_sandboxes', 'Sandboxes serving an app, alive or starting.', () => this.#pool.size.total - this.#pool.size.generic);
    this.gauge('edgecourier_generic_sandboxes', 'Pre-started sandboxes waiting for a new app.', () => this.#pool.size.generic);
  }

  /** Counts `check` in the health answer from now on; the function returned stops counting it. */
  addHealthCheck(check: HealthCheck): () => void {
    this.#checks.push(check);
    return () => {
      this.#checks = this.#checks.filter((other) => other !== check);
    };
  }

  /** Cheap enough for every probe: it reads state the process already keeps. */
  health(): HealthReport {
    if (this.#pool.closed) return { status: 'unavailable', reason: 'the executor is shutting down' };
    for (const check of this.#checks) {
      const reason = check();
      if (reason !== undefined) return { status: 'unavailable', reason };
    }
    const { total, queued } = this.#pool.size;
    return { status: 'ok', sandboxes: total, queued };
  }

  /** The registry in Prometheus text format, with its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** A gauge read when scraped, so that nothing updates it on the hot path. */
  gauge(name: string, help: string, read: () => number): void {
    this.registry.registerMetric(
      new Gauge({
        name,
        help,
        registers: [],
        collect() {
          this.set(read());
        },
      }),
    );
  }
}
