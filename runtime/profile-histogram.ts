/**
 * @module A histogram of positive numbers (durations in milliseconds) in logarithmic buckets: bounded in size
 * whatever it is fed, mergeable (a courier's and the cloud's profiles of one version add up to the same histogram as
 * one process seeing every call), and read back as percentiles within 2% of the value.
 */
import { z } from 'zod';

/** Each bucket is 4% wider than the one before, so a value read back is within 2% of the one recorded. */
const GROWTH = 1.04;
const LOG_GROWTH = Math.log(GROWTH);
/** Values at or below it fall in bucket 0: a microsecond is below anything a call can be told apart by. */
const SMALLEST = 0.001;
/** A day in milliseconds: no call runs longer, and it bounds the bucket count at 646. */
const LARGEST = 86_400_000;
export const MAX_BUCKET = Math.ceil(Math.log(LARGEST / SMALLEST) / LOG_GROWTH);

/** Buckets as `[index, count]` pairs in increasing index order: the stored and wire form. */
export type HistogramBuckets = Array<[number, number]>;

export const histogramBucketsSchema = z
  .array(z.tuple([z.number().int().min(0).max(MAX_BUCKET), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)]))
  .max(MAX_BUCKET + 1)
  .refine((buckets) => buckets.every(([index], i) => i === 0 || index > buckets[i - 1]![0]), 'bucket indexes must increase');

function bucketOf(value: number): number {
  if (!(value > SMALLEST)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log(value / SMALLEST) / LOG_GROWTH));
}

/** The value a bucket stands for: the middle of its range, in the logarithmic sense. */
function valueOf(bucket: number): number {
  return bucket === 0 ? SMALLEST : SMALLEST * GROWTH ** (bucket - 0.5);
}

export class Histogram {
  #counts = new Map<number, number>();
  #total = 0;

  static from(buckets: HistogramBuckets): Histogram {
    const histogram = new Histogram();
    for (const [bucket, count] of buckets) histogram.#bump(bucket, count);
    return histogram;
  }

  get count(): number {
    return this.#total;
  }

  add(value: number): void {
    this.#bump(bucketOf(value), 1);
  }

  merge(other: Histogram): void {
    for (const [bucket, count] of other.#counts) this.#bump(bucket, count);
  }

  /** The value below which a share `q` (0 to 1) of the recorded values lie; undefined when nothing was recorded. */
  quantile(q: number): number | undefined {
    if (this.#total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (const bucket of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bucket)!;
      if (seen >= rank) return Math.round(valueOf(bucket) * 1000) / 1000;
    }
    return undefined;
  }

  toJSON(): HistogramBuckets {
    return [...this.#counts].sort(([a], [b]) => a - b);
  }

  #bump(bucket: number, count: number): void {
    this.#counts.set(bucket, (this.#counts.get(bucket) ?? 0) + count);
    this.#total += count;
  }
}
