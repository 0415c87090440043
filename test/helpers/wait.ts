/** @module Waiting on a condition in tests: polled, with a deadline generous enough for a busy machine and an error that says what never happened. */

export interface WaitOptions {
  /** How long before giving up. Busy machines are normal: how fast is the benchmark's business, not a test's. */
  timeoutMs?: number;
  /** How often to look. */
  everyMs?: number;
  /** What to add to the error when giving up: logs, state, what was seen instead. */
  explain?: () => string | Promise<string>;
  /**
   * For a check that can fail or hang while a service starts (a fetch while docker-proxy comes up holds no
   * handle): an error, or no answer within this long, counts as "not yet".
   */
  attemptMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with the first value `check` gives other than undefined; rejects after `timeoutMs` naming `what`.
 * @example const result = await waitFor('the result file', () => readResult(path))
 */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 20, explain, attemptMs } = options;
  const deadline = Date.now() + timeoutMs;
  const attempt =
    attemptMs === undefined ? check : () => Promise.race([Promise.resolve(check()).catch(() => undefined), sleep(attemptMs).then(() => undefined)]);
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms${explain ? `\n${await explain()}` : ''}`);
    await sleep(everyMs);
  }
}

/**
 * Resolves once `ready` holds; rejects after `timeoutMs` naming `what`.
 * @example await until('one call waiting', async () => (await api(url, 'GET', '/healthz')).body.queued === 1)
 */
export async function until(what: string, ready: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  await waitFor(what, async () => ((await ready()) ? true : undefined), options);
}
