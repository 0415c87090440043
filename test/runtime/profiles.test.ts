/** Profiles of function versions: percentiles close to the exact ones, digests that add up wherever calls ran, versions kept apart, a bounded book. */
import test from 'ava';
import { ProfileBook, profileDigestSchema, type ProfileSample } from '../../runtime/profiles.ts';

const sample = (overrides: Partial<ProfileSample> = {}): ProfileSample => ({
  function: 'greet',
  version: 'v1',
  place: 'cloud',
  outcome: 'ok',
  source: 'executed',
  durationMs: 10,
  at: 1_800_000_000_000,
  ...overrides,
});

/** The exact nearest-rank percentile, to hold the histogram's against. */
function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

test('duration percentiles are within 2% of the exact ones over a wide spread of durations', (t) => {
  const book = new ProfileBook();
  const durations = Array.from({ length: 5000 }, (_, i) => 0.2 * 1.003 ** i);
  for (const durationMs of durations) book.record(sample({ durationMs }));
  const summary = book.summary('greet', 'v1')!;
  for (const [q, got] of [
    [0.5, summary.durationMs!.p50],
    [0.95, summary.durationMs!.p95],
    [0.99, summary.durationMs!.p99],
  ] as const) {
    const want = exact(durations, q);
    t.true(Math.abs(got - want) / want <= 0.02, `p${q * 100}: ${got} against ${want}`);
  }
});

test('calls, errors, cold starts, memory, bytes and places are counted; cached answers count as calls but not as durations', (t) => {
  const book = new ProfileBook();
  book.record(sample({ durationMs: 100, coldStartMs: 400, peakMemoryBytes: 30e6, inputBytes: 10, outputBytes: 100 }));
  book.record(sample({ durationMs: 100, peakMemoryBytes: 50e6, inputBytes: 30, outputBytes: 300, place: 'courier' }));
  book.record(sample({ durationMs: 0.01, source: 'cache', place: 'edge' }));
  book.record(sample({ outcome: 'TIMEOUT', durationMs: 100 }));
  const summary = book.summary('greet', 'v1')!;
  t.is(summary.calls, 4);
  t.is(summary.errorRate, 0.25);
  t.deepEqual(summary.served, { executed: 3, cache: 1, precomputed: 0 });
  t.true(Math.abs(summary.durationMs!.p50 - 100) <= 2, 'the cached answer does not pull the median down');
  t.is(summary.coldStart.share, 1 / 3);
  t.true(Math.abs(summary.coldStart.p50Ms! - 400) <= 8);
  t.deepEqual(summary.peakMemoryBytes, { mean: 40e6, max: 50e6 });
  t.deepEqual(summary.inputBytes, { mean: 20, max: 30 });
  t.deepEqual(summary.places, { cloud: 2, courier: 1, edge: 1 });
});

test('two versions of a function are never mixed', (t) => {
  const book = new ProfileBook();
  book.record(sample({ version: 'v1', durationMs: 5 }));
  book.record(sample({ version: 'v2', durationMs: 500, outcome: 'FUNCTION_THREW' }));
  t.is(book.summary('greet', 'v1')!.errorRate, 0);
  t.true(book.summary('greet', 'v1')!.durationMs!.p99 < 6);
  t.is(book.summary('greet', 'v2')!.errorRate, 1);
  t.deepEqual(
    book.summaries().map((s) => s.version),
    ['v2', 'v1'],
    'most recently called first',
  );
});

test('digests made in two places merge into what one place seeing every call would hold', (t) => {
  const calls = Array.from({ length: 300 }, (_, i) =>
    sample({ durationMs: 1 + (i % 37) * 3, place: i % 2 ? 'cloud' : 'courier', at: 1_800_000_000_000 + i, inputBytes: i }),
  );
  const whole = new ProfileBook();
  const cloud = new ProfileBook();
  const courier = new ProfileBook();
  for (const call of calls) {
    whole.record(call);
    (call.place === 'cloud' ? cloud : courier).record(call);
  }
  const merged = new ProfileBook({ digests: cloud.digests() });
  for (const digest of courier.digests()) merged.merge(profileDigestSchema.parse(JSON.parse(JSON.stringify(digest))));
  t.deepEqual(merged.summaries(), whole.summaries());
});

test('a book keeps a bounded number of versions, dropping the one called least recently', (t) => {
  const book = new ProfileBook({ max: 3 });
  for (const version of ['a', 'b', 'c']) book.record(sample({ version }));
  book.record(sample({ version: 'a' }));
  book.record(sample({ version: 'd' }));
  t.is(book.size, 3);
  t.is(book.summary('greet', 'b'), undefined);
  t.truthy(book.summary('greet', 'a'));
});

test('a digest from elsewhere with a bad bucket, a negative count or a bad function name is refused', (t) => {
  const book = new ProfileBook();
  book.record(sample());
  const good = book.digests()[0]!;
  t.true(profileDigestSchema.safeParse(good).success);
  t.false(profileDigestSchema.safeParse({ ...good, durationMs: [[100000, 1]] }).success);
  t.false(
    profileDigestSchema.safeParse({
      ...good,
      durationMs: [
        [5, 1],
        [5, 1],
      ],
    }).success,
  );
  t.false(profileDigestSchema.safeParse({ ...good, calls: -1 }).success);
  t.false(profileDigestSchema.safeParse({ ...good, function: '../x' }).success);
});
