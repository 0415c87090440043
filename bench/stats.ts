/**
 * @module Small statistics for benchmarks: percentiles, throughput, failures counted by code, and number
 * formatting. A failed call never ends a benchmark: it is counted, and its row prints the count.
 */

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Thrown by a benchmarked call that got an answer saying it failed, with that answer's code. */
export class CallFailed extends Error {
  readonly code: string;

  constructor(code: string, message = code) {
    super(message);
    this.code = code;
  }
}

/**
 * Counts of labels (failure codes, HTTP statuses), printed largest first.
 * @example const failures = new Tally(); failures.add('BUSY'); `${failures}` // "BUSY 1"
 */
export class Tally {
  #counts = new Map<string, number>();
  #examples = new Map<string, string>();

  add(label: string, n = 1): void {
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + n);
  }

  /** Counts a thrown error under its code (CallFailed), else under its message cut short; keeps the first message of each. */
  addError(error: unknown): void {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 200);
    const label = error instanceof CallFailed ? error.code : `threw: ${message.slice(0, 120)}`;
    this.add(label);
    if (!this.#examples.has(label)) this.#examples.set(label, message);
  }

  /** The first message counted under `label`, for a row that quotes what went wrong. */
  example(label: string): string | undefined {
    return this.#examples.get(label);
  }

  count(label: string): number {
    return this.#counts.get(label) ?? 0;
  }

  get total(): number {
    let total = 0;
    for (const n of this.#counts.values()) total += n;
    return total;
  }

  /** The first label counted (in the order they came), for a row that quotes one failure. */
  get first(): string | undefined {
    return this.#counts.keys().next().value;
  }

  toString(): string {
    if (this.#counts.size === 0) return 'none';
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .map(([label, n]) => `${label} ${count(n)}`)
      .join(', ');
  }
}

/** ", 3 failed (BUSY 2, TIMEOUT 1)" for a row, or "" when nothing failed. */
export function failed(failures: Tally): string {
  return failures.total === 0 ? '' : `, ${count(failures.total)} failed (${failures})`;
}

/**
 * Runs `call` `count` times in sequence and returns the duration of each call that worked, in milliseconds;
 * a call that throws is counted in `failures` instead.
 */
export async function timeSequential(count: number, call: (i: number) => Promise<unknown>, failures = new Tally()): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    try {
      await call(i);
      samples.push(performance.now() - started);
    } catch (error) {
      failures.addError(error);
    }
  }
  return samples;
}

/**
 * Runs `total` calls with `callers` concurrent callers and returns the calls that worked per second;
 * a call that throws is counted in `failures` instead.
 */
export async function throughput(total: number, callers: number, call: (i: number) => Promise<unknown>, failures = new Tally()): Promise<number> {
  let next = 0;
  const before = failures.total;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        try {
          await call(next++);
        } catch (error) {
          failures.addError(error);
        }
      }
    }),
  );
  return (total - (failures.total - before)) / ((performance.now() - started) / 1000);
}

export const ms = (value: number): string => `${value.toFixed(3)} ms`;

/** A count or rate with thousands separators: 20,150. */
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A ratio to two decimals: 0.95x. */
export const times = (value: number): string => `${Number.isFinite(value) ? value.toFixed(2) : '-'}x`;
