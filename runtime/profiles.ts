/**
 * @module Performance profiles of function versions, made from the calls that ran them wherever they ran: every
 * trigger turns each call into a `ProfileSample`, and a `ProfileBook` keeps one mergeable digest per function and
 * version (never mixing two versions), bounded in size, which the cloud, a courier's state folder and a report sent
 * between them all hold in the same form.
 */
import { z } from 'zod';
import type { ErrorCode } from '../base/errors.ts';
import { functionNamePattern } from './app-config.ts';
import type { CallSource } from './call-trace.ts';
import { Histogram, histogramBucketsSchema } from './profile-histogram.ts';

/** Where a call ran: in the cloud, in a courier serving a synced folder, or on an edge machine (`run --local --report`). */
export const PROFILE_PLACES = ['cloud', 'courier', 'edge'] as const;
export type ProfilePlace = (typeof PROFILE_PLACES)[number];

/** One call, as a trigger saw it end. */
export interface ProfileSample {
  function: string;
  /** The function's version, as in its call keys. */
  version: string;
  place: ProfilePlace;
  outcome: 'ok' | ErrorCode;
  /** How it was answered; undefined when it failed before either (no such function, a chain too deep). */
  source?: CallSource;
  durationMs: number;
  /** Set when this call had to prepare a sandbox first: how long that took. */
  coldStartMs?: number;
  peakMemoryBytes?: number;
  inputBytes?: number;
  outputBytes?: number;
  /** When it ended, in milliseconds since the epoch. */
  at: number;
}

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const total = z.number().min(0).max(Number.MAX_VALUE);
const spread = z.object({ count, sum: total, max: total });
export type Spread = z.infer<typeof spread>;

/** A digest as it is stored and sent: checked where one enters from elsewhere (a courier's report, a state file). */
export const profileDigestSchema = z.object({
  function: z.string().regex(functionNamePattern),
  version: z.string().min(1).max(128),
  calls: count,
  errors: count,
  served: z.object({ executed: count, cache: count, precomputed: count }),
  /** Durations of the calls whose body ran: a cached answer says nothing about the function's speed. */
  durationMs: histogramBucketsSchema,
  coldStarts: count,
  coldStartMs: histogramBucketsSchema,
  peakMemoryBytes: spread,
  inputBytes: spread,
  outputBytes: spread,
  places: z.object({ cloud: count, courier: count, edge: count }),
  firstAt: z.number().int().min(0),
  lastAt: z.number().int().min(0),
});
export type ProfileDigest = z.infer<typeof profileDigestSchema>;

/** A version's profile as people read it. Durations in milliseconds; absent figures had no call to tell them. */
export interface ProfileSummary {
  function: string;
  version: string;
  calls: number;
  /** Share of calls that failed, 0 to 1. */
  errorRate: number;
  served: ProfileDigest['served'];
  durationMs?: { p50: number; p95: number; p99: number };
  /** Share of executed calls that had to prepare a sandbox first, and how long that took. */
  coldStart: { share: number; p50Ms?: number; p95Ms?: number };
  peakMemoryBytes?: { mean: number; max: number };
  inputBytes?: { mean: number; max: number };
  outputBytes?: { mean: number; max: number };
  places: ProfileDigest['places'];
  firstAt: string;
  lastAt: string;
}

const emptySpread = (): Spread => ({ count: 0, sum: 0, max: 0 });

function addTo(target: Spread, value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value) || value < 0) return;
  target.count++;
  target.sum += value;
  target.max = Math.max(target.max, value);
}

function mergeSpread(target: Spread, other: Spread): void {
  target.count += other.count;
  target.sum += other.sum;
  target.max = Math.max(target.max, other.max);
}

const readSpread = (s: Spread) => (s.count === 0 ? undefined : { mean: Math.round(s.sum / s.count), max: s.max });

/** One function version's profile while it is being added to. */
class VersionProfile {
  readonly digest: Omit<ProfileDigest, 'durationMs' | 'coldStartMs'>;
  readonly durations: Histogram;
  readonly coldStarts: Histogram;

  constructor(digest: ProfileDigest) {
    const { durationMs, coldStartMs, ...rest } = digest;
    this.digest = structuredClone(rest);
    this.durations = Histogram.from(durationMs);
    this.coldStarts = Histogram.from(coldStartMs);
  }

  static empty(fn: string, version: string, at: number): VersionProfile {
    return new VersionProfile({
      function: fn,
      version,
      calls: 0,
      errors: 0,
      served: { executed: 0, cache: 0, precomputed: 0 },
      durationMs: [],
      coldStarts: 0,
      coldStartMs: [],
      peakMemoryBytes: emptySpread(),
      inputBytes: emptySpread(),
      outputBytes: emptySpread(),
      places: { cloud: 0, courier: 0, edge: 0 },
      firstAt: at,
      lastAt: at,
    });
  }

  add(sample: ProfileSample): void {
    const d = this.digest;
    d.calls++;
    if (sample.outcome !== 'ok') d.errors++;
    if (sample.source) d.served[sample.source]++;
    if (sample.source === 'executed') {
      this.durations.add(sample.durationMs);
      if (sample.coldStartMs !== undefined) {
        d.coldStarts++;
        this.coldStarts.add(sample.coldStartMs);
      }
      addTo(d.peakMemoryBytes, sample.peakMemoryBytes);
    }
    addTo(d.inputBytes, sample.inputBytes);
    addTo(d.outputBytes, sample.outputBytes);
    d.places[sample.place]++;
    d.firstAt = Math.min(d.firstAt, sample.at);
    d.lastAt = Math.max(d.lastAt, sample.at);
  }

  merge(other: VersionProfile): void {
    const d = this.digest;
    const o = other.digest;
    d.calls += o.calls;
    d.errors += o.errors;
    for (const source of ['executed', 'cache', 'precomputed'] as const) d.served[source] += o.served[source];
    this.durations.merge(other.durations);
    d.coldStarts += o.coldStarts;
    this.coldStarts.merge(other.coldStarts);
    mergeSpread(d.peakMemoryBytes, o.peakMemoryBytes);
    mergeSpread(d.inputBytes, o.inputBytes);
    mergeSpread(d.outputBytes, o.outputBytes);
    for (const place of PROFILE_PLACES) d.places[place] += o.places[place];
    d.firstAt = Math.min(d.firstAt, o.firstAt);
    d.lastAt = Math.max(d.lastAt, o.lastAt);
  }

  toJSON(): ProfileDigest {
    return { ...structuredClone(this.digest), durationMs: this.durations.toJSON(), coldStartMs: this.coldStarts.toJSON() };
  }

  summary(): ProfileSummary {
    const d = this.digest;
    const percentile = (q: number) => this.durations.quantile(q)!;
    return {
      function: d.function,
      version: d.version,
      calls: d.calls,
      errorRate: d.calls === 0 ? 0 : d.errors / d.calls,
      served: { ...d.served },
      ...(this.durations.count > 0 && { durationMs: { p50: percentile(0.5), p95: percentile(0.95), p99: percentile(0.99) } }),
      coldStart: {
        share: d.served.executed === 0 ? 0 : d.coldStarts / d.served.executed,
        ...(d.coldStarts > 0 && { p50Ms: this.coldStarts.quantile(0.5)!, p95Ms: this.coldStarts.quantile(0.95)! }),
      },
      ...optional('peakMemoryBytes', readSpread(d.peakMemoryBytes)),
      ...optional('inputBytes', readSpread(d.inputBytes)),
      ...optional('outputBytes', readSpread(d.outputBytes)),
      places: { ...d.places },
      firstAt: new Date(d.firstAt).toISOString(),
      lastAt: new Date(d.lastAt).toISOString(),
    };
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

/**
 * Versions a book keeps by default. A digest is at most about 20 KB (two full histograms) and typically well under
 * 2 KB, so a full book stays within a few megabytes; past it, the version called least recently goes.
 */
export const DEFAULT_MAX_PROFILES = 500;

/**
 * Profiles of many function versions: added to call by call, merged with digests made elsewhere, bounded in the
 * number of versions it keeps.
 * @example const book = new ProfileBook(); book.record(sample); book.summaries().find((p) => p.version === v)
 */
export class ProfileBook {
  readonly #max: number;
  /** In the order they were last added to, the least recent first, so the one to drop is the first. */
  #profiles = new Map<string, VersionProfile>();

  constructor(options: { max?: number; digests?: readonly ProfileDigest[] } = {}) {
    this.#max = options.max ?? DEFAULT_MAX_PROFILES;
    for (const digest of options.digests ?? []) this.merge(digest);
  }

  get size(): number {
    return this.#profiles.size;
  }

  record(sample: ProfileSample): void {
    this.#take(sample.function, sample.version, sample.at).add(sample);
  }

  /** Adds a digest made elsewhere (another process's, or one read back from disk) to this book's. */
  merge(digest: ProfileDigest): void {
    this.#take(digest.function, digest.version, digest.lastAt).merge(new VersionProfile(digest));
  }

  /** One version's profile, if any call of it was recorded and it was not dropped since. */
  summary(fn: string, version: string): ProfileSummary | undefined {
    return this.#profiles.get(keyOf(fn, version))?.summary();
  }

  /** Drops one version's profile (a store over several books keeps them within its own budget). */
  forget(fn: string, version: string): void {
    this.#profiles.delete(keyOf(fn, version));
  }

  /** Every profile kept, the most recently called first. */
  summaries(): ProfileSummary[] {
    return [...this.#profiles.values()].reverse().map((profile) => profile.summary());
  }

  /** Every digest kept, in the order `new ProfileBook({ digests })` restores the book in. */
  digests(): ProfileDigest[] {
    return [...this.#profiles.values()].map((profile) => profile.toJSON());
  }

  #take(fn: string, version: string, at: number): VersionProfile {
    const key = keyOf(fn, version);
    const profile = this.#profiles.get(key) ?? VersionProfile.empty(fn, version, at);
    this.#profiles.delete(key);
    this.#profiles.set(key, profile);
    if (this.#profiles.size > this.#max) this.#profiles.delete(this.#profiles.keys().next().value!);
    return profile;
  }
}

const keyOf = (fn: string, version: string) => `${fn}@${version}`;
