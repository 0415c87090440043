/** The retry policy on its own: which failures are tried again, how the waits grow, and what the bound's result says. */
import test from 'ava';
import type { ErrorBody } from '../../base/errors.ts';
import { RetryChains, type RetryDecision } from '../../courier/retry-chains.ts';

const busy: ErrorBody = { code: 'BUSY', message: 'all 16 sandboxes are busy' };
const delays = (decisions: RetryDecision[]) => decisions.map((d) => (d.kind === 'retry' ? d.delayMs : -1));

test('waits double from the first delay up to the cap; the random half spreads them between half and all of each step', (t) => {
  for (const [random, expected] of [
    [0, [250, 500, 1000, 2000, 2000]],
    [1, [500, 1000, 2000, 4000, 4000]],
  ] as const) {
    const chains = new RetryChains({ retryForMs: 600_000, firstDelayMs: 500, maxDelayMs: 4000, random: () => random });
    const decisions = Array.from({ length: 5 }, () => chains.settle('a/requests/x.json', 'h1', busy, Date.now()));
    t.deepEqual(delays(decisions), [...expected]);
    t.deepEqual(
      decisions.map((d) => d.kind === 'retry' && d.first),
      [true, false, false, false, false],
    );
  }
});

test("a function's own failure and a success end the chain at once, counting every try", (t) => {
  const chains = new RetryChains({ retryForMs: 60_000, firstDelayMs: 100, maxDelayMs: 1000 });
  chains.settle('p', 'h', busy, Date.now());
  chains.settle('p', 'h', { code: 'SANDBOX_FAILED', message: 'ended' }, Date.now());
  const threw: ErrorBody = { code: 'FUNCTION_THREW', message: 'no' };
  t.deepEqual(chains.settle('p', 'h', threw, Date.now()), { kind: 'final', error: threw, attempts: 3 });
  t.false(chains.has('p'));
  t.deepEqual(chains.settle('p', 'h', undefined, Date.now()), { kind: 'final', error: undefined, attempts: 1 });
});

test('past the bound the last platform error is final and says how many tries over how long', (t) => {
  let now = 10_000;
  const chains = new RetryChains({ retryForMs: 1000, firstDelayMs: 100, maxDelayMs: 1000, now: () => now });
  now += 400;
  const second = chains.settle('p', 'h', busy, 10_000);
  // The last try is placed on the bound itself, not past it.
  t.like(second, { kind: 'retry', state: { retryUntil: new Date(11_000).toISOString() } });
  now += 550;
  t.like(chains.settle('p', 'h', busy, now), { kind: 'retry', delayMs: 50 });
  now += 50;
  const final = chains.settle('p', 'h', busy, now);
  t.like(final, { kind: 'final', attempts: 3, error: { code: 'BUSY' } });
  if (final.kind === 'final') t.is(final.error!.message, 'all 16 sandboxes are busy (a platform failure: tried 3 times over 1 s; the courier retries for 1 s)');
  t.false(chains.has('p'));
});

test('a bound of 0 makes platform failures final at once, unchanged', (t) => {
  const chains = new RetryChains({ retryForMs: 0, firstDelayMs: 100, maxDelayMs: 1000 });
  t.deepEqual(chains.settle('p', 'h', busy, Date.now()), { kind: 'final', error: busy, attempts: 1 });
});

test('another content starts a new chain; waiting is known only for the content that waits', (t) => {
  const chains = new RetryChains({ retryForMs: 60_000, firstDelayMs: 10_000, maxDelayMs: 10_000, random: () => 1 });
  chains.settle('p', 'old', busy, Date.now());
  t.true(chains.waiting('p', 'old')! > 9000);
  t.is(chains.waiting('p', 'new'), undefined);
  t.like(chains.settle('p', 'new', busy, Date.now()), { kind: 'retry', first: true, state: { attempts: 1 } });
  t.true(chains.drop('p'));
  t.false(chains.has('p'));
});
